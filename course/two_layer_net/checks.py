"""Public checks of the two-layer net: forward stages, backward fed the reference cache, a gradient
check against the reference loss, the loss() wrapper, predict, and training checked as training.

A check's final results (the loss, or the scores without labels; the four
parameter gradients) earn its points; intermediates earn partial credit only
when a final result is wrong, and name the first thing that went wrong.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional

from autograder.compare import (compare_entries_of, compare_matrix, compare_number, compare_value,
                                credit_before_stop, describe, finals_first, tuple_message, unpack)
from autograder.numerical import agreement, centered_difference, summary
from autograder.oracle import answer, lent, make_check, rounded
from autograder.suite import BadReturn, Check, Handle, Session, Stopped, Verdict
from course import hints, training
from course.search import Search, search_check
from course.training import Data, Model, labels_problem
from tinybackprop.data import make_circles
from tinybackprop.matrix import Matrix

PARAMS = ("W1", "b1", "W2", "b2")
FORWARD_KEYS = ("z1", "h1", "scores", "probs", "data_loss", "reg_loss")
BACKWARD_KEYS = ("dscores", "dW2", "db2", "dh1", "dz1", "dW1", "db1")
GRADIENTS = ("dW2", "db2", "dW1", "db1")  # the final results of the backward pass
# What each gradient of the backward pass is computed from (the credit of a wrong pass follows it).
FROM = {"dW2": ("dscores",), "db2": ("dscores",), "dh1": ("dscores",), "dz1": ("dh1",), "dW1": ("dz1",),
        "db1": ("dz1",)}
# What each gradient must have the shape of (for the wrong-shape hint), and the product that gives it.
LIKE = {"dscores": "scores", "dW2": "W2", "db2": "b2", "dh1": "h1", "dz1": "z1", "dW1": "W1", "db1": "b1"}
PRODUCT = {"dW2": "h1 and dscores", "dh1": "dscores and W2", "dW1": "X and dz1"}  # each gradient's factors
FORWARD = "two_layer_net.two_layer_forward"
BACKWARD = "two_layer_net.two_layer_backward"
# Training settings that fit two circles (not linearly separable): over 100 datasets the reference
# reached 1.00 on each, and training on the first rows or with the first labels 0.50 on each.
TRAINING = {"learning_rate": 1.0, "learning_rate_decay": 1.0, "reg": 1e-4, "num_iters": 80,
            "batch_size": 50}
CIRCLES, CIRCLES_TEST = 150, 60
HIDDEN_UNITS = 16
OWN_CACHE = ("fed your own forward's cache (your forward is right, and your backward reads its cache "
             "in its own way)")


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
    """Nets the size of the CS231n toy: 5 inputs of 4 features (std 10), 10 hidden units, 3 classes,
    weights std 0.1, drawn from the check's generator (new ones at every official grading)."""
    return lambda rng: draw(rng, 5, 4, 10, 3, reg, x_std=10.0, w_std=0.1, labels=labels)


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
    fraction, message, wrong = finals_first(stages, ("loss",) if p.y is not None else ("scores", "loss"))
    hint = ""
    if wrong in ("data_loss", "reg_loss", "loss") and p.y is not None:
        hint = hints.loss_hint(pair[0], exp.cache["data_loss"], squares(p), p.reg, p.N)
    if wrong == "h1":
        hint = "h1 is the ReLU of z1: max(0, z1) entry by entry."
    return Verdict(fraction, message, hint)


def relu_variants(p: Net, exp: Expected) -> dict:
    """What the ReLU backward's known mistakes give for dz1, dW1 and db1: (answer, hint) pairs for dz1 = dh1
    (no mask) and dz1 = dh1 * h1 (times the activations instead of the mask)."""
    found: dict = {"dz1": [], "dW1": [], "db1": []}
    dh1 = exp.grads["dh1"]
    for dz1, words in ((dh1, hints.RELU_MASK), (dh1 * exp.cache["h1"], hints.RELU_ACTIVATIONS)):
        found["dz1"].append((dz1, words))
        found["dW1"].append((p.X.T @ dz1 + 2 * p.reg * p.params["W1"], words))
        found["db1"].append((dz1.sum(axis=0), words))
    return found


def backward_hint(key: str, got, p: Net, exp: Expected) -> str:
    """The likely mistake behind a wrong gradient `key` of two_layer_backward."""
    want = exp.grads[key]
    shape = compare_matrix(key, got, want).shape
    if shape != want.shape:
        return hints.shape_hint(key, shape, want.shape, LIKE[key], PRODUCT.get(key, ""))
    relu = relu_variants(p, exp)
    found = hints.relu_hint(key, got, relu[key]) if key in relu else ""
    if not found and key in ("dW1", "dW2"):
        weights = p.params[key[1:]]
        found = hints.gradient_hint(key, got, exp.data_grads[key], weights, p.reg, p.N)
    return found or hints.scale_hint(key, got, want, p.N)


def backward_verdict(grads, p: Net, exp: Expected) -> Verdict:
    """Credit the four parameter gradients, or when one is wrong the gradients in the order backprop
    computes them, naming the first wrong one."""
    fraction, message, wrong = finals_first(compare_entries_of("grads", grads, exp.grads, BACKWARD_KEYS),
                                            GRADIENTS, FROM)
    hint = ""
    if wrong is not None and isinstance(grads, dict) and wrong in grads:
        hint = backward_hint(wrong, grads[wrong], p, exp)
    elif wrong is None:
        hint = hints.not_a_matrix(grads, BACKWARD_KEYS)
    return Verdict(fraction, message, hint)


def stopped_verdict(stopped: Stopped, p: Net, exp: Expected) -> Verdict:
    """Credit for the gradients a stopped backward computed; a crash in the product that gives the first
    gradient it lacks, between shapes transposed, is a product in the wrong order."""
    verdict = credit_before_stop(stopped, exp.grads, BACKWARD_KEYS, len(BACKWARD_KEYS))
    missing = next((key for key in BACKWARD_KEYS if key not in stopped.computed), None)
    if missing in PRODUCT and not verdict.hint:
        hint = hints.transposed_product_hint(missing, str(stopped), exp.grads[missing].shape, LIKE[missing],
                                             PRODUCT[missing])
        return Verdict(verdict.fraction, verdict.message, hint, verdict.stopped)
    return verdict


def backward_on(session: Session, p: Net, exp: Expected, cache: dict) -> Verdict:
    """The verdict of the student's backward fed ``cache``."""
    try:
        grads = session.call(BACKWARD, cache, forbid=(FORWARD,))
    except Stopped as stopped:
        return stopped_verdict(stopped, p, exp)
    return backward_verdict(grads, p, exp)


def own_cache(session: Session, p: Net, exp: Expected) -> Optional[dict]:
    """The cache of the student's forward on p when its loss is right; None otherwise (a wrong forward
    is charged in the forward stage)."""
    try:
        pair = unpack(session.call(FORWARD, *p.args()), 2)
    except Stopped:
        return None
    if pair is None or not isinstance(pair[1], dict) or not compare_number("loss", pair[0], exp.loss).ok:
        return None
    # The inputs went to JSON and back (labels as floats): send the originals.
    return dict(pair[1], X=p.X, y=p.y, reg=p.reg, **p.params)


def student_backward(session: Session, p: Net, exp: Expected) -> Verdict:
    """The student's backward fed the reference cache, or its own forward's when that forward is right and
    does better: a cache laid out otherwise is no bug."""
    verdict = backward_on(session, p, exp, exp.cache)
    if verdict.fraction < 1.0:
        own = own_cache(session, p, exp)
        if own is not None:
            theirs = backward_on(session, p, exp, own)
            if theirs.fraction > verdict.fraction:
                return Verdict(theirs.fraction, f"{OWN_CACHE}: {theirs.message}", theirs.hint, theirs.stopped)
    return verdict


def student_gradients(session: Session, p: Net, exp: Expected):
    """The student's backward's gradients, fed the reference cache, or its own when that gives them right."""
    grads = session.call(BACKWARD, exp.cache, forbid=(FORWARD,))
    if backward_verdict(grads, p, exp).fraction < 1.0:
        own = own_cache(session, p, exp)
        if own is not None:
            theirs = session.call(BACKWARD, own, forbid=(FORWARD,))
            if backward_verdict(theirs, p, exp).fraction == 1.0:
                return theirs
    return grads


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
        return student_backward(session, p, Expected.of(p))
    return check("backward", test, points, run, hidden)


def away_from_kinks(make: Callable, rng: random.Random) -> Net:
    """A net whose hidden pre-activations z1 are all at least 1e-3 from the ReLU's kink at 0."""
    while True:
        p = make(rng)
        z1 = p.X @ p.params["W1"] + p.params["b1"]
        if z1.abs().min() > 1e-3:
            return p


def gradcheck(test: str, points: float, make: Callable, hidden: bool = False, per_param: int = 2) -> Check:
    """Each parameter's gradient from the student's backward against centered differences of the
    REFERENCE loss, at points away from ReLU kinks: a gradient check whose loss is the right one."""
    def run(session: Session, rng: random.Random) -> Verdict:
        p = away_from_kinks(make, rng)
        exp = Expected.of(p)
        picks = [(name, divmod(k, p.params[name].shape[1])) for name in PARAMS
                 for k in rng.sample(range(p.params[name].size), min(per_param, p.params[name].size))]
        numerical = answer("two_layer_net", "numerical_gradient", lambda ref: centered(ref, p, picks),
                           *p.args(), picks)
        grads = student_gradients(session, p, exp)
        results, disagree = [], []
        for (name, (i, j)), value in zip(picks, numerical):
            key = "d" + name
            got = grads.get(key) if isinstance(grads, dict) else None
            shape = compare_matrix(key, got, exp.grads[key])
            if shape.shape != p.params[name].shape:
                return Verdict(0.0, shape.message, hints.shape_hint(key, shape.shape, p.params[name].shape, name,
                                                                    PRODUCT.get(key, "")))
            rows = got.tolist() if isinstance(got, Matrix) else got
            results.append(agreement(f"{key}[{i}, {j}]", rows[i][j], value))
            if not results[-1][0] and key not in disagree:
                disagree.append(key)
        message = summary(results, "the loss")
        if not disagree:
            return Verdict(1.0, message)
        return Verdict(0.0, f"{', '.join(disagree)} do not match the numerical gradient of the loss: {message}",
                       backward_verdict(grads, p, exp).hint)
    return check("backward", test, points, run, hidden)


def centered(ref, p: Net, picks: list) -> list:
    """Centered differences (h = 1e-5) of the reference loss at the entries ``picks`` of the parameters."""
    values = []
    for name, (i, j) in picks:
        def loss_at(step: float, name: str = name, i: int = i, j: int = j) -> float:
            moved = p.params[name].copy()
            moved[i, j] = moved[i, j] + step
            return ref.two_layer_forward(dict(p.params, **{name: moved}), p.X, p.y, p.reg)[0]
        values.append(centered_difference(loss_at))
    return values


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


class Trainee(Model):
    """TwoLayerNet as the training checks drive it: parameters W1 (D x H), b1 (1 x H), W2 (H x C),
    b2 (1 x C) in self.params."""

    assignment = "two_layer_net"
    target = "two_layer_net.TwoLayerNet"
    attribute = "params"

    def new(self, session: Session, data: Data, rng: random.Random) -> Handle:
        return session.new(self.target, data.X.shape[1], HIDDEN_UNITS, data.classes, std=0.5,
                           seed=rng.randrange(2 ** 31))

    def shapes(self, data: Data) -> Dict[str, tuple]:
        D, C = data.X.shape[1], data.classes
        return {"W1": (D, HIDDEN_UNITS), "b1": (1, HIDDEN_UNITS), "W2": (HIDDEN_UNITS, C), "b2": (1, C)}

    def train_args(self, data: Data) -> tuple:
        # The validation set is a few training points: the held-out labels never reach the
        # student's code, and train's accuracy bookkeeping stays cheap.
        return data.X, data.y, data.X[:5], data.y[:5]

    def settings(self, scripted: bool) -> dict:
        if scripted:
            return {"learning_rate": training.SCRIPT_RATE, "learning_rate_decay": 1.0, "reg": 1e-3,
                    "num_iters": training.SCRIPT_STEPS, "batch_size": training.SCRIPT_BATCH}
        return dict(TRAINING)

    def history(self, returned: Any) -> Any:
        return returned.get("loss_history") if isinstance(returned, dict) else returned

    def answer(self, loss: float, grads: Dict[str, Matrix]) -> tuple:
        return loss, dict(grads)

    def scores(self, session: Session, model: Handle, params: Dict[str, Matrix], X: Matrix) -> Matrix:
        forward = lent("two_layer_net", "two_layer_forward")
        if forward is not None:
            return forward(params, X)[1]["scores"]
        # The kit has no reference forward pass: the student's own, on the same parameters.
        scores = session.method(model, "loss", X)
        if not isinstance(scores, Matrix) or scores.shape != (X.shape[0], params["W2"].shape[1]):
            raise BadReturn(f"loss(X) should return the N x C scores; it returned {describe(scores)}")
        return scores

    def reference_loss(self, data: Data) -> Optional[Callable]:
        forward, backward = lent("two_layer_net", "two_layer_forward"), lent("two_layer_net", "two_layer_backward")
        if forward is None:
            return None

        def loss(params: dict, X: Matrix, y: list, reg: float) -> tuple:
            value, cache = forward(params, X, y, reg)
            grads = backward(cache)
            return value, {name: grads["d" + name] for name in PARAMS}
        return loss


NET = Trainee()


def circles(rng: random.Random) -> tuple:
    """(X_train, X_test, y_train, y_test): two circles drawn now (no line separates them), the training
    set sorted by label, the test set drawn apart with as many points of each class."""
    X_train, y_train = training.sorted_by_label(*make_circles(n_samples=CIRCLES, seed=rng))
    X_test, y_test = make_circles(n_samples=CIRCLES_TEST, seed=rng)
    return X_train, X_test, y_train, y_test


def trained_net(X, y, X_val, y_val, hidden_size, learning_rate=1.0, reg=1e-3, num_iters=100, batch_size=100,
                seed=0):
    """The signature of train_net, which the search check lends (its arguments are bound to it)."""


def net_with_params(session: Session, rng: random.Random, data) -> Handle:
    """A TwoLayerNet made in the child (4 hidden units), with parameters drawn now."""
    D, C = data.X_train.shape[1], data.classes
    model = session.new("two_layer_net.TwoLayerNet", D, 4, C)
    params = draw(rng, 1, D, 4, C, 0.0, w_std=1.0).params
    NET.set(session, model, params)
    return model


def hidden_sizes(rng: random.Random) -> tuple:
    """Four hidden sizes, drawn now."""
    return (sorted(rng.sample(range(2, 65), 4)),)


# The search over hidden sizes: four sizes drawn now, the other settings passed on.
SEARCH = Search("two_layer_net.search_hidden_size", "two_layer_net.train_net", trained_net, ("hidden_size",),
                hidden_sizes, net_with_params, {"learning_rate": 0.5, "reg": 1e-4, "num_iters": 7, "batch_size": 5})

CHECKS = [
    forward_check("toy_with_reg", 2, toy(reg=0.05)),
    forward_check("toy_scores_without_labels", 1, toy(reg=0.0, labels=False)),
    forward_check("random_with_reg", 1, fresh(N=8, D=5, H=7, C=4)),
    backward_check("reference_cache_toy", 4, toy(reg=0.05)),
    gradcheck("numerical_gradient_of_the_loss", 2, fresh(N=6, D=3, H=5, C=3)),
    wrapper_check("loss_wrapper", 2, fresh(N=6, D=4, H=5, C=3)),
    predict_check("predict_given_params", 1, fresh(N=10, D=4, H=6, C=3)),
    training.minibatch_check(NET, "minibatch_rows_and_labels", 1),
    training.update_check(NET, "update_against_the_gradient", 1),
    training.history_check(NET, "history_of_the_losses", 0.5),
    training.accuracy_check(NET, "accuracy_on_circles", 2.5, circles),
    search_check("two_layer_net", "every_size_by_validation_accuracy", 2, SEARCH),
]
