"""Public checks of the two-layer net: forward stages, backward fed the reference cache,
a gradient check of the student's own loss, the loss() wrapper, predict and training."""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable, Optional

from autograder.compare import (compare_entries_of, compare_matrix, compare_number, compare_value,
                                credit_before_stop, in_order, tuple_message, unpack)
from autograder.numerical import agreement, centered_difference, summary
from autograder.oracle import answer, make_check, rounded
from autograder.suite import Check, Session, Stopped, Verdict
from course import hints
from course.training import accuracy_message, floor, labels_problem
from tinybackprop.data import make_circles, train_test_split
from tinybackprop.matrix import Matrix

PARAMS = ("W1", "b1", "W2", "b2")
FORWARD_KEYS = ("z1", "h1", "scores", "probs", "data_loss", "reg_loss")
BACKWARD_KEYS = ("dscores", "dW2", "db2", "dh1", "dz1", "dW1", "db1")
# What each gradient must have the shape of (for the wrong-shape hint).
LIKE = {"dscores": "scores", "dW2": "W2", "db2": "b2", "dh1": "h1", "dz1": "z1", "dW1": "W1", "db1": "b1"}
FORWARD = "two_layer_net.two_layer_forward"
BACKWARD = "two_layer_net.two_layer_backward"
# Training settings that fit two circles (not linearly separable) in about 0.15 s: over 150
# datasets the reference solution's worst held-out accuracy was 0.93.
TRAINING = {"learning_rate": 1.0, "learning_rate_decay": 0.99, "reg": 1e-4, "num_iters": 80,
            "batch_size": 30}
HIDDEN_UNITS = 16


@dataclass(frozen=True)
class Net:
    """One input of the two-layer net: params W1 (D x H), b1 (1 x H), W2 (H x C), b2 (1 x C), X, y, reg."""

    params: dict
    X: Matrix
    y: Optional[list]
    reg: float

    @property
    def N(self) -> int:
        """The number of examples."""
        return self.X.shape[0]

    def args(self) -> tuple:
        """The arguments of two_layer_forward: (params, X, y, reg)."""
        return self.params, self.X, self.y, self.reg


def draw(rng: random.Random, N: int, D: int, H: int, C: int, reg: float, x_std: float = 1.0,
         w_std: float = 0.5, labels: bool = True) -> Net:
    """Random parameters (biases not zero, so that their gradients show) and random data."""
    params = {"W1": Matrix.randn(D, H, std=w_std, seed=rng), "b1": Matrix.randn(1, H, std=0.1, seed=rng),
              "W2": Matrix.randn(H, C, std=w_std, seed=rng), "b2": Matrix.randn(1, C, std=0.1, seed=rng)}
    params = {name: rounded(value) for name, value in params.items()}
    X = rounded(Matrix.randn(N, D, std=x_std, seed=rng))
    y = [i % C for i in range(N)] if labels else None
    if y is not None:
        rng.shuffle(y)
    return Net(params, X, y, round(reg, 6))


def toy(reg: float, labels: bool = True) -> Callable:
    """The CS231n toy: 5 inputs of 4 features (std 10), 10 hidden units, 3 classes, weights std 0.1."""
    return lambda rng: draw(random.Random(231), 5, 4, 10, 3, reg, x_std=10.0, w_std=0.1, labels=labels)


def fresh(N: int, D: int, H: int, C: int, reg: Optional[float] = None) -> Callable:
    """A maker of random nets from the session's generator (reg drawn too when None)."""
    def make(rng: random.Random) -> Net:
        return draw(rng, N, D, H, C, rng.uniform(0.05, 0.5) if reg is None else reg)
    return make


@dataclass(frozen=True)
class Expected:
    """The reference's answers on one Net, and the pieces the hints rebuild mistakes from."""

    loss: Optional[float]
    cache: dict
    grads: dict
    data_grads: dict  # the gradients of the data loss alone (reg = 0)

    @staticmethod
    def of(p: Net) -> "Expected":
        """The reference forward (and backward, when there are labels) on p."""
        def compute(ref) -> tuple:
            loss, cache = ref.two_layer_forward(*p.args())
            if p.y is None:
                return loss, cache, {}, {}
            return loss, cache, ref.two_layer_backward(cache), ref.two_layer_backward(dict(cache, reg=0.0))
        return Expected(*answer("two_layer_net", "forward_backward", compute, *p.args()))


def check(stage: str, test: str, points: float, run: Callable, hidden: bool) -> Check:
    """A Check named 'two_layer_net.<stage>.<test>'; run(session, rng) draws its inputs from rng."""
    return make_check(f"two_layer_net.{stage}.{test}", stage, points, run, hidden)


def squares(p: Net) -> float:
    """sum(W1 * W1) + sum(W2 * W2): what reg multiplies in the loss."""
    W1, W2 = p.params["W1"], p.params["W2"]
    return (W1 * W1).sum() + (W2 * W2).sum()


def forward_keys(p: Net) -> tuple:
    """The cache entries two_layer_forward computes for p (without labels it stops at the scores)."""
    return FORWARD_KEYS if p.y is not None else ("z1", "h1", "scores")


def forward_verdict(result, p: Net, exp: Expected) -> Verdict:
    """Credit the forward pass stage by stage (z1, h1, scores, ...), naming the first wrong one."""
    pair = unpack(result, 2)
    if pair is None:
        return Verdict(0.0, tuple_message(result, ("loss", "cache"), "two_layer_forward"))
    keys = forward_keys(p)
    stages = compare_entries_of("cache", pair[1], exp.cache, keys)
    stages.append(("loss", compare_value("loss", pair[0], exp.loss)))
    fraction, message, wrong = in_order(stages)
    hint = ""
    if wrong in ("data_loss", "reg_loss", "loss") and p.y is not None:
        hint = hints.loss_hint(pair[0], exp.cache["data_loss"], squares(p), p.reg, p.N)
    if wrong == "h1":
        hint = "h1 is the ReLU of z1: max(0, z1) entry by entry."
    return Verdict(fraction, message, hint)


def no_mask_variants(p: Net, exp: Expected) -> dict:
    """What a backward that skips the ReLU's mask (dz1 = dh1) returns for dz1, dW1 and db1."""
    dh1 = exp.grads["dh1"]
    return {"dz1": dh1, "dW1": p.X.T @ dh1 + 2 * p.reg * p.params["W1"], "db1": dh1.sum(axis=0)}


def backward_hint(key: str, got, p: Net, exp: Expected) -> str:
    """The likely mistake behind a wrong gradient `key` of two_layer_backward."""
    want = exp.grads[key]
    shape = compare_matrix(key, got, want).shape
    if shape != want.shape:
        return hints.shape_hint(key, shape, want.shape, LIKE[key])
    masked = no_mask_variants(p, exp)
    if key in masked and hints.relu_hint(key, got, masked[key]):
        return hints.relu_hint(key, got, masked[key])
    if key in ("dW1", "dW2"):
        weights = p.params[key[1:]]
        found = hints.gradient_hint(key, got, exp.data_grads[key], weights, p.reg, p.N)
        if found:
            return found
    return hints.scale_hint(key, got, want, p.N)


def backward_verdict(grads, p: Net, exp: Expected) -> Verdict:
    """Credit the gradients in the order backprop computes them, naming the first wrong one."""
    fraction, message, wrong = in_order(compare_entries_of("grads", grads, exp.grads, BACKWARD_KEYS))
    hint = ""
    if wrong is not None and isinstance(grads, dict) and wrong in grads:
        hint = backward_hint(wrong, grads[wrong], p, exp)
    elif wrong is None:
        hint = hints.not_a_matrix(grads, BACKWARD_KEYS)
    return Verdict(fraction, message, hint)


def forward_check(test: str, points: float, make: Callable, hidden: bool = False) -> Check:
    """two_layer_forward: z1, h1, scores, probs, data_loss, reg_loss, loss against the reference."""
    def run(session: Session, rng: random.Random) -> Verdict:
        p = make(rng)
        exp = Expected.of(p)
        try:
            result = session.call(FORWARD, *p.args())
        except Stopped as stopped:
            keys = forward_keys(p)
            return credit_before_stop(stopped, exp.cache, keys, len(keys) + 1)
        return forward_verdict(result, p, exp)
    return check("forward", test, points, run, hidden)


def backward_check(test: str, points: float, make: Callable, hidden: bool = False) -> Check:
    """two_layer_backward fed the REFERENCE cache: a wrong forward cannot hide a right backward."""
    def run(session: Session, rng: random.Random) -> Verdict:
        p = make(rng)
        exp = Expected.of(p)
        try:
            grads = session.call(BACKWARD, exp.cache, forbid=(FORWARD,))
        except Stopped as stopped:
            keys = BACKWARD_KEYS
            return credit_before_stop(stopped, exp.grads, keys, len(keys))
        return backward_verdict(grads, p, exp)
    return check("backward", test, points, run, hidden)


def away_from_kinks(make: Callable, rng: random.Random) -> Net:
    """A net whose hidden pre-activations z1 are all at least 1e-3 from the ReLU's kink at 0."""
    while True:
        p = make(rng)
        z1 = p.X @ p.params["W1"] + p.params["b1"]
        if z1.abs().min() > 1e-3:
            return p


def gradcheck(test: str, points: float, make: Callable, hidden: bool = False, per_param: int = 2) -> Check:
    """Each parameter's gradient from the student's backward against a numerical gradient of the
    student's own loss, at points away from ReLU kinks. The loss must also match the reference:
    self-consistency alone earns nothing."""
    def run(session: Session, rng: random.Random) -> Verdict:
        p = away_from_kinks(make, rng)
        exp = Expected.of(p)
        pair = unpack(session.call(FORWARD, *p.args()), 2)
        if pair is None or not isinstance(pair[1], dict):
            return Verdict(0.0, "two_layer_forward should return (loss, cache) with cache a dict")
        loss = compare_number("your loss", pair[0], exp.loss)
        # The inputs went to JSON and back (labels as floats): send the originals.
        cache = dict(pair[1], X=p.X, y=p.y, reg=p.reg, **p.params)
        grads = session.call(BACKWARD, cache, forbid=(FORWARD,))
        results, disagree = [], []
        for name in PARAMS:
            key = "d" + name
            got = grads.get(key) if isinstance(grads, dict) else None
            shape = compare_matrix(key, got, exp.grads[key])
            if shape.shape != p.params[name].shape:
                return Verdict(0.0, shape.message, hints.shape_hint(key, shape.shape, p.params[name].shape, name))
            entries = entry_agreements(session, rng, p, name, got, per_param)
            disagree += [key] if not all(ok for ok, _ in entries) else []
            results += entries
        message = summary(results)
        agree = not disagree
        if agree and loss.ok:
            return Verdict(1.0, message)
        if agree:
            return Verdict(0.0, f"{message}; but {loss.message}: the gradients fit your loss, "
                                "which is not the right loss",
                           hints.loss_hint(pair[0], exp.cache["data_loss"], squares(p), p.reg, p.N))
        return Verdict(0.0, f"{', '.join(disagree)} do not match the numerical gradient of your own loss, "
                            f"so two_layer_backward does not differentiate two_layer_forward: {message}")
    return check("backward", test, points, run, hidden)


def entry_agreements(session: Session, rng: random.Random, p: Net, name: str, grad, count: int) -> list:
    """(ok, line) for `count` random entries of one parameter's gradient against centered differences."""
    rows, cols = p.params[name].shape
    analytic = grad.tolist() if isinstance(grad, Matrix) else grad
    results = []
    for k in rng.sample(range(rows * cols), min(count, rows * cols)):
        i, j = divmod(k, cols)

        def loss_at(step: float, i: int = i, j: int = j):
            moved = p.params[name].copy()
            moved[i, j] = moved[i, j] + step
            return session.call(FORWARD, dict(p.params, **{name: moved}), p.X, p.y, p.reg)

        results.append(agreement(f"d{name}[{i}, {j}]", analytic[i][j], centered_difference(loss_at)))
    return results


def model_with(session: Session, p: Net):
    """A student TwoLayerNet in the child, with the grader's parameters set."""
    D, H = p.params["W1"].shape
    model = session.new("two_layer_net.TwoLayerNet", D, H, p.params["W2"].shape[1], seed=0)
    session.method(model, "__setattr__", "params", p.params)
    return model


def wrapper_check(test: str, points: float, make: Callable, hidden: bool = False) -> Check:
    """TwoLayerNet.loss: scores without y; with y, (loss, grads) keyed and shaped like params."""
    def run(session: Session, rng: random.Random) -> Verdict:
        p = make(rng)
        exp = Expected.of(p)
        model = model_with(session, p)
        results = [compare_matrix("loss(X)", session.method(model, "loss", p.X), exp.cache["scores"])]
        pair = unpack(session.method(model, "loss", p.X, p.y, reg=p.reg), 2)
        want = {name: exp.grads["d" + name] for name in PARAMS}
        if pair is None:
            return Verdict(0.0, "loss(X, y, reg) should return (loss, grads)")
        results.append(compare_number("loss", pair[0], exp.loss))
        results += [c for _, c in compare_entries_of("grads", pair[1], want, PARAMS)]
        wrong = [c.message for c in results if not c.ok]
        right = len(results) - len(wrong)
        first = next((name for name in PARAMS if isinstance(pair[1], dict) and name in pair[1]
                      and not compare_matrix(name, pair[1][name], want[name]).ok), None)
        hint = backward_hint("d" + first, pair[1][first], p, exp) if first else ""
        return Verdict(right / len(results), "; ".join(wrong) or "scores, loss and grads W1, b1, W2, b2: all right",
                       hint)
    return check("backward", test, points, run, hidden)


def predict_check(test: str, points: float, make: Callable, hidden: bool = False) -> Check:
    """predict with the grader's parameters: the argmax of the scores of every row."""
    def run(session: Session, rng: random.Random) -> Verdict:
        p = make(rng)
        want = Expected.of(p).cache["scores"].argmax(axis=1)
        got = session.method(model_with(session, p), "predict", p.X)
        problem = labels_problem(got, p.N, p.params["W2"].shape[1])
        if problem:
            return Verdict(0.0, problem)
        wrong = sum(int(g) != w for g, w in zip(got, want))
        if wrong:
            return Verdict(0.0, f"{wrong} of {p.N} labels are not the argmax of the scores",
                           "predict returns, for each row, the class with the highest score: "
                           "self.loss(X).argmax(axis=1).")
        return Verdict(1.0, f"all {p.N} labels are the argmax of the scores")
    return check("training", test, points, run, hidden)


def accuracy_check(test: str, points: float, hidden: bool = False) -> Check:
    """Train on two circles drawn now (no line separates them) and reach the floor on a held-out quarter."""
    def run(session: Session, rng: random.Random) -> Verdict:
        bar = floor(session, "two_layer_net")
        X, y = make_circles(n_samples=120, seed=rng)
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=rng)
        seed = rng.randrange(2 ** 31)
        model = session.new("two_layer_net.TwoLayerNet", 2, HIDDEN_UNITS, 2, std=0.5, seed=seed)
        # The validation set is a few training points: the held-out labels never reach the
        # student's code, and train's accuracy bookkeeping stays cheap.
        session.method(model, "train", X_train, y_train, X_train[:10], y_train[:10], seed=seed, **TRAINING)
        got = session.method(model, "predict", X_test)
        problem = labels_problem(got, len(y_test), 2)
        if problem:
            return Verdict(0.0, problem)
        fraction, message = accuracy_message(got, y_test, bar)
        hint = "" if fraction else ("Check train's minibatch and its update of every parameter "
                                    "(p = p - learning_rate * dp), then predict.")
        return Verdict(fraction, f"two circles: {message}", hint)
    return check("training", test, points, run, hidden)


CHECKS = [
    forward_check("toy_with_reg", 2, toy(reg=0.05)),
    forward_check("toy_scores_without_labels", 1.5, toy(reg=0.0, labels=False)),
    forward_check("random_with_reg", 1.5, fresh(N=8, D=5, H=7, C=4)),
    backward_check("reference_cache_toy", 3, toy(reg=0.05)),
    gradcheck("numerical_gradient_of_your_loss", 2, fresh(N=6, D=3, H=5, C=3)),
    wrapper_check("loss_wrapper", 2, fresh(N=6, D=4, H=5, C=3)),
    predict_check("predict_given_params", 1, fresh(N=10, D=4, H=6, C=3)),
    accuracy_check("accuracy_on_circles", 3),
]
