"""Checks of the three strategies of optimization, checked as optimization: the grader lends the loss.

Each check hands the student's function a loss_fn (and a grad_fn) of the
grader's, a quadratic bowl L(W) = sum_ij a_ij (W_ij - T_ij)^2 drawn now, which
runs in the parent and records every W it is evaluated at. So the grader sees
each guess, each try and each step: random search must draw every guess anew
(entries like N(0, 1)); random local search must start at W0 and take each try
from the best W so far, about step_size away; following the gradient must step
from the current W by -learning_rate times the gradient there. The returned
best W and history are compared with what the recorded evaluations make them;
the way the W's were chosen earns half of a search's points. The bowl never
gives a search's last guess or try a new lowest loss, so that a search that
keeps whatever it tried last is told apart on every seed.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple

from autograder.compare import EXACT, describe, fmt, is_number, rel_error, unpack
from autograder.oracle import make_check, rounded
from autograder.suite import Check, LentArgument, Session, Verdict
from tinybackprop.matrix import Matrix

FRESH = ("Draw every guess anew, Matrix.randn(D, C, seed=rng): random search never looks at its earlier "
         "guesses, it only remembers the best one.")
SCALE = "Draw each entry from a standard normal, as Matrix.randn(D, C, seed=rng) does, with no other scale."
BEST = ("Keep the W of the lowest loss seen: compare each loss with the best so far, and remember that W "
        "with its loss.")
RUNNING = ("history[k] is the lowest loss seen after step k + 1 (the loss of the W the search holds), so it "
           "never goes up; you recorded the loss of each try instead.")
START = "Evaluate loss_fn at W0 first: a try is kept only if its loss is lower than that of where you stand."
FROM_LAST = ("Each try starts from the best W so far: a try that made the loss worse is thrown away, and the "
             "next one starts again from the best W, not from the rejected try.")
FROM_W0 = ("Each try starts from the best W so far, not from W0: once a step is kept, the search goes on "
           "from there.")
STEP = "A try is a random step from the best W: a standard normal draw (Matrix.randn) scaled by step_size."
AGAINST = ("Step against the gradient: it points to where the loss grows fastest, so the way down is the "
           "opposite direction.")
RATE = "Scale the step by the learning rate: the gradient gives the direction, the learning rate how far to go."
CURRENT = ("Evaluate grad_fn at the current W, the one the last step reached: the gradient of W0 tells the "
           "way down only at W0.")
AFTER = "history[k] is the loss after step k + 1: evaluate loss_fn at the new W, once per step."
# The most evaluations a check answers before refusing (a loop that never ends is stopped early).
MOST_CALLS = 1000


@dataclass
class Bowl:
    """A quadratic loss L(W) = sum_ij a_ij (W_ij - T_ij)^2 of the grader's, which records every W it is
    evaluated at (as ("loss", W) or ("grad", W), in order)."""

    T: Matrix
    a: Matrix
    calls: List[Tuple[str, Matrix]] = field(default_factory=list)
    last: int = 0  # when > 0: the number of the evaluation that is never given a new lowest loss (loss_fn)
    answers: Dict[tuple, float] = field(default_factory=dict)  # what loss_fn answered, by W's entries

    def value(self, W: Matrix) -> float:
        """L(W), here in the parent."""
        return sum(a * (w - t) ** 2 for a, w, t in zip(self.a.flatten(), W.flatten(), self.T.flatten()))

    def gradient(self, W: Matrix) -> Matrix:
        """dL/dW = 2 a (W - T), entrywise."""
        return (W - self.T) * self.a * 2.0

    def taken(self, kind: str, W: Any) -> Matrix:
        """W, recorded; a clear error for what is not a Matrix of T's shape."""
        if not isinstance(W, Matrix) or W.shape != self.T.shape:
            D, C = self.T.shape
            raise ValueError(f"{kind}_fn takes W, a {D} x {C} Matrix; got {describe(W)}")
        if len(self.calls) >= MOST_CALLS:
            raise RuntimeError(f"{kind}_fn was called more than {MOST_CALLS} times: is a loop not ending?")
        self.calls.append((kind, W))
        return W

    def loss_fn(self, W: Any) -> float:
        """The loss the student's code is lent: L(W), the same at the same W every time, except that the
        evaluation numbered ``last`` is never given a new lowest loss (its L is mirrored above the lowest so
        far). The grader's loss is its own to choose: so a search that keeps its last guess, whatever its
        loss, never ends with the best W by chance."""
        key = tuple(self.taken("loss", W).flatten())
        if key not in self.answers:
            value, lowest = self.value(W), min(self.answers.values(), default=float("inf"))
            if len(self.evaluated("loss")) == self.last and value < lowest:
                value = 2 * lowest - value
            self.answers[key] = value
        return self.answers[key]

    def answered(self, W: Matrix) -> float:
        """What loss_fn answered at W, which it was evaluated at."""
        return self.answers[tuple(W.flatten())]

    def grad_fn(self, W: Any) -> Matrix:
        """The gradient the student's code is lent."""
        return self.gradient(self.taken("grad", W))

    def evaluated(self, kind: str) -> List[Matrix]:
        """The W's one of the two functions was called at, in order."""
        return [W for k, W in self.calls if k == kind]


def draw_bowl(rng: random.Random, D: int, C: int) -> Bowl:
    """A bowl with its minimum T drawn now and curvatures a in [0.5, 2]."""
    a = Matrix([[round(rng.uniform(0.5, 2.0), 6) for _ in range(C)] for _ in range(D)])
    return Bowl(rounded(Matrix.randn(D, C, seed=rng)), a)


def same(W: Any, want: Matrix) -> bool:
    """W is a Matrix equal to want (within float rounding)."""
    return (isinstance(W, Matrix) and W.shape == want.shape
            and all(rel_error(g, w) <= EXACT for g, w in zip(W.flatten(), want.flatten())))


def same_list(got: Any, want: List[float]) -> bool:
    """got is a list of numbers equal to want."""
    return (isinstance(got, list) and len(got) == len(want)
            and all(is_number(g) and rel_error(float(g), w) <= EXACT for g, w in zip(got, want)))


def mean_square(Ws: List[Matrix]) -> float:
    """The mean of the squares of every entry of the W's."""
    entries = [v for W in Ws for v in W.flatten()]
    return sum(v * v for v in entries) / len(entries)


def running_best(bowl: Bowl, Ws: List[Matrix]) -> Tuple[List[Matrix], List[float]]:
    """The best W and its loss after each of Ws (the first on a tie)."""
    best, best_loss, bests, history = None, float("inf"), [], []
    for W in Ws:
        loss = bowl.answered(W)
        if loss < best_loss:
            best, best_loss = W, loss
        bests.append(best)
        history.append(best_loss)
    return bests, history


def finals(returned: Any, name: str, want_W: Matrix, want_history: List[float], label: str = "best_W",
           W_is: str = "the W of the lowest loss") -> Tuple[float, str]:
    """(the fraction of the finals, the W returned (``label``, which is ``W_is``) and history, that are
    right: 0, 0.5 or 1; what they are)."""
    pair = unpack(returned, 2)
    if pair is None:
        return 0.0, f"{name} should return ({label}, history); it returned {describe(returned)}"
    W, history = pair
    W_ok, history_ok = same(W, want_W), same_list(history, want_history)
    return 0.5 * W_ok + 0.5 * history_ok, "; ".join([
        f"{label} is right" if W_ok else f"{label} is {describe(W)} but not {W_is}",
        "history is right" if history_ok else history_words(history, want_history)])


def history_words(history: Any, want: List[float]) -> str:
    """How a wrong history differs from the expected one: its first wrong entry, or what it is."""
    if not isinstance(history, list) or len(history) != len(want):
        return f"history is {describe(history)}; expected a list of {len(want)} losses, one per step"
    k = next(k for k, (got, loss) in enumerate(zip(history, want))
             if not (is_number(got) and rel_error(float(got), loss) <= EXACT))
    return f"history[{k}] is {describe(history[k])}, expected {fmt(want[k])}"


def sampling_verdict(bowl: Bowl, steps: int, returned: Any) -> Verdict:
    """Random search: `steps` guesses, each drawn anew; the best W and the running best loss."""
    Ws = bowl.evaluated("loss")
    if len(Ws) != steps:
        return Verdict(0.0, f"loss_fn was evaluated {len(Ws)} times in {steps} steps; expected once per step",
                       "Evaluate loss_fn once at every guess, one guess per step.")
    bests, history = running_best(bowl, Ws)
    fraction, said = finals(returned, "random_search", bests[-1], history)
    pair = unpack(returned, 2)
    hint = ""
    if pair is not None and fraction < 1:
        if not same(pair[0], bests[-1]):
            hint = BEST
        elif same_list(pair[1], [bowl.answered(W) for W in Ws]):
            hint = RUNNING
    square = mean_square(Ws)
    distinct = len({tuple(W.flatten()) for W in Ws}) == len(Ws)
    # A guess drawn anew is as far from the best so far as from 0; a step from the best is much nearer it.
    moved = len(Ws) > 1 and mean_square([W - B for W, B in zip(Ws[1:], bests)]) < 0.25 * mean_square(Ws[1:])
    if not distinct or moved:
        why = "some guesses are the same W" if not distinct else "the guesses are small steps from the best W"
        return Verdict(0.5 * fraction, f"{why}; {said}", FRESH)
    if not 0.5 <= square <= 2.0:
        return Verdict(0.5 * fraction, f"the entries of the guesses have a mean square of {fmt(square)}, where "
                                       f"N(0, 1) draws have 1; {said}", SCALE)
    return Verdict(0.5 + 0.5 * fraction, f"{steps} guesses drawn anew; {said}", hint)


def local_verdict(bowl: Bowl, W0: Matrix, steps: int, step_size: float, returned: Any) -> Verdict:
    """Random local search: W0 first, then each try about step_size from the best W so far."""
    Ws = bowl.evaluated("loss")
    if len(Ws) != steps + 1:
        return Verdict(0.0, f"loss_fn was evaluated {len(Ws)} times in {steps} steps; expected {steps + 1}: "
                            "once at W0, then once per try", "Evaluate loss_fn at W0, then once at every try.")
    if not same(Ws[0], W0):
        return Verdict(0.0, "the first W loss_fn was evaluated at is not W0", START)
    bests, history = running_best(bowl, Ws)
    fraction, said = finals(returned, "random_local_search", bests[-1], history[1:])
    pair = unpack(returned, 2)
    hint = ""
    if pair is not None and fraction < 1:
        if not same(pair[0], bests[-1]):
            hint = BEST
        elif same_list(pair[1], [bowl.answered(W) for W in Ws[1:]]):
            hint = RUNNING
    tries = Ws[1:]
    # Where each try started from: the best W before it (right), the try before it, or W0.
    centres = {"best": bests[:-1], "last": Ws[:-1], "W0": [W0] * steps}
    spread = {name: mean_square([W - C for W, C in zip(tries, before)]) for name, before in centres.items()}
    nearest = min(spread, key=lambda name: spread[name])
    if spread[nearest] < spread["best"] * 0.999:
        where = {"last": "the try before, kept or not", "W0": "W0"}[nearest]
        return Verdict(0.5 * fraction, f"the tries start from {where}, not from the best W so far; {said}",
                       FROM_LAST if nearest == "last" else FROM_W0)
    ratio = (spread["best"] ** 0.5) / step_size
    if not 0.5 <= ratio <= 2.0:
        return Verdict(0.5 * fraction, f"the tries move {fmt(ratio)} times step_size from the best W on "
                                       f"average, where a step_size * N(0, 1) step moves about 1; {said}", STEP)
    return Verdict(0.5 + 0.5 * fraction, f"{steps} tries, each a step of about step_size from the best W "
                                         f"so far; {said}", hint)


def descent_hint(bowl: Bowl, W0: Matrix, learning_rate: float) -> str:
    """The hint of the first step's mistake, read off the W's the functions were called at."""
    grads, losses = bowl.evaluated("grad"), bowl.evaluated("loss")
    if len(grads) > 1 and all(same(W, W0) for W in grads):
        return CURRENT
    if not losses:
        return AFTER
    dW = bowl.gradient(W0)
    first = losses[0]
    if same(first, W0 + learning_rate * dW):
        return AGAINST
    if same(first, W0 - dW):
        return RATE
    if same(first, W0):
        return AFTER
    return ""


def gradient_verdict(bowl: Bowl, W0: Matrix, steps: int, learning_rate: float, returned: Any) -> Verdict:
    """Gradient descent: the W after `steps` steps and the loss after each, from the steps it should take."""
    path = [W0]
    while len(path) <= steps:
        path.append(path[-1] - learning_rate * bowl.gradient(path[-1]))
    W, history = path[-1], [bowl.value(V) for V in path[1:]]
    fraction, said = finals(returned, "follow_gradient", W, history, "W", "the W after the last step")
    if fraction == 1:
        return Verdict(1.0, f"{steps} steps against the gradient: {said}")
    return Verdict(fraction, said, descent_hint(bowl, W0, learning_rate))


def sampling_check(test: str, points: float, D: int, C: int, steps: int, hidden: bool = False) -> Check:
    """random_search on a bowl drawn now."""
    def run(session: Session, rng: random.Random) -> Verdict:
        bowl = draw_bowl(rng, D, C)
        bowl.last = steps
        returned = session.call("optimization.random_search", LentArgument("loss_fn"), (D, C), steps,
                                rng.randrange(10 ** 6), lend={"loss_fn": bowl.loss_fn})
        return sampling_verdict(bowl, steps, returned)
    return make_check(f"optimization.sampling.{test}", "sampling", points, run, hidden)


def local_check(test: str, points: float, D: int, C: int, steps: int, hidden: bool = False) -> Check:
    """random_local_search from a W0 away from the bottom of a bowl drawn now, with steps small enough that
    about half of the tries are kept."""
    def run(session: Session, rng: random.Random) -> Verdict:
        bowl = draw_bowl(rng, D, C)
        bowl.last = steps + 1
        W0 = rounded(bowl.T + Matrix.randn(D, C, std=2.0, seed=rng))
        step_size = round(rng.uniform(0.1, 0.3), 6)
        returned = session.call("optimization.random_local_search", LentArgument("loss_fn"), W0, steps,
                                step_size, rng.randrange(10 ** 6), lend={"loss_fn": bowl.loss_fn})
        return local_verdict(bowl, W0, steps, step_size, returned)
    return make_check(f"optimization.local.{test}", "local", points, run, hidden)


def gradient_check(test: str, points: float, D: int, C: int, steps: int, hidden: bool = False) -> Check:
    """follow_gradient on a bowl drawn now, with a learning rate that converges."""
    def run(session: Session, rng: random.Random) -> Verdict:
        bowl = draw_bowl(rng, D, C)
        W0 = rounded(bowl.T + Matrix.randn(D, C, std=2.0, seed=rng))
        learning_rate = round(rng.uniform(0.05, 0.2), 6)
        returned = session.call("optimization.follow_gradient", LentArgument("loss_fn"), LentArgument("grad_fn"),
                                W0, steps, learning_rate, lend={"loss_fn": bowl.loss_fn, "grad_fn": bowl.grad_fn})
        return gradient_verdict(bowl, W0, steps, learning_rate, returned)
    return make_check(f"optimization.gradient.{test}", "gradient", points, run, hidden)


# The public checks' points; with the hidden ones', they add up to the stages' points in config.toml.
CHECKS = [
    sampling_check("guesses_drawn_anew_best_kept", 1.5, D=3, C=2, steps=20),
    local_check("tries_from_the_best_kept_if_lower", 2, D=3, C=2, steps=30),
    gradient_check("steps_against_the_gradient", 2, D=3, C=2, steps=10),
]
