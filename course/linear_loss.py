"""The checks shared by the SVM and the softmax suites: naive, forward, backward, vectorized.

Both losses have the same signatures (``<loss>_loss_naive``, ``<loss>_forward``,
``<loss>_backward``, ``<loss>_loss_vectorized``), so one :class:`LinearLoss`
builds the checks of either. Expected answers come from the reference
solution (through ``autograder.oracle``: computed here in the trusted parent, or
recorded for the student's kit) on inputs this module chooses; the student's
answers come back through the Session as plain data.
"""
from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from typing import Callable, Optional

from autograder.compare import (Comparison, compare_entries_of, compare_matrix, compare_number,
                                credit_before_stop, fmt, in_order, tuple_message, unpack)
from autograder.numerical import agreement, centered_difference, summary
from autograder.oracle import answer, make_check, rounded
from autograder.suite import CallTimeout, Check, NotRun, Session, Stopped, StudentCrash, Verdict
from course import hints
from tinybackprop.matrix import Matrix

# Exceptions a softmax without the max shift raises on scores of +-1000:
# exp overflows, e^-1000 underflows to 0 and the division or log fails.
OVERFLOW_ERRORS = ("OverflowError", "ZeroDivisionError", "ValueError")
SLOW = ("A vectorized loss has no Python loop over examples or classes: compute all scores "
        "at once with X @ W, and dW with X.T @ dscores.")


@dataclass(frozen=True)
class Problem:
    """One input of a linear loss: W (D x C), X (N x D), labels y and the L2 strength reg."""

    W: Matrix
    X: Matrix
    y: list
    reg: float

    @property
    def N(self) -> int:
        """The number of examples."""
        return self.X.shape[0]

    def args(self) -> tuple:
        """The arguments of every loss function: (W, X, y, reg)."""
        return self.W, self.X, self.y, self.reg


def draw(rng: random.Random, N: int, D: int, C: int, reg: float, scale: float = 1.0) -> Problem:
    """Random inputs: X ~ N(0, 1), W ~ N(0, 0.5^2) times scale, every class likely present.

    With W of std 0.5 the scores spread over a few units, so some SVM margins
    are positive and some are not, and reg * sum(W * W) is a visible part of the loss.
    """
    W = rounded(Matrix.randn(D, C, std=0.5 * scale, seed=rng))
    X = rounded(Matrix.randn(N, D, seed=rng))
    y = [i % C if i < C else rng.randrange(C) for i in range(N)]
    rng.shuffle(y)
    return Problem(W, X, y, round(reg, 6))


def fixed(seed: int, N: int, D: int, C: int, reg: float, scale: float = 1.0) -> Callable:
    """A problem maker that ignores the session's generator: the same inputs on every run."""
    return lambda rng: draw(random.Random(seed), N, D, C, reg, scale)


def fresh(N: int, D: int, C: int, reg: Optional[float] = None, scale: float = 1.0) -> Callable:
    """A problem maker drawing new inputs from the session's generator (reg drawn too when None)."""
    def make(rng: random.Random) -> Problem:
        strength = rng.uniform(0.05, 0.5) if reg is None else reg
        return draw(rng, N, D, C, strength, scale)
    return make


@dataclass(frozen=True)
class Expected:
    """The reference's answers on one Problem, and the pieces the hints rebuild mistakes from."""

    loss: float
    cache: dict
    grads: dict
    data_grads: dict  # the gradients of the data loss alone (reg = 0)


class LinearLoss:
    """The checks of one linear loss (``svm`` or ``softmax``) against its reference module."""

    def __init__(self, name: str, cache_keys: tuple) -> None:
        self.name = name
        self.cache_keys = cache_keys  # the computed cache entries, in the contract's order
        self.naive = f"{name}.{name}_loss_naive"
        self.forward = f"{name}.{name}_forward"
        self.backward = f"{name}.{name}_backward"
        self.vectorized = f"{name}.{name}_loss_vectorized"

    def expected(self, p: Problem) -> Expected:
        """The reference forward and backward on p, with and without regularization."""
        def compute(ref) -> tuple:
            loss, cache = getattr(ref, f"{self.name}_forward")(*p.args())
            backward = getattr(ref, f"{self.name}_backward")
            return loss, cache, backward(cache), backward(dict(cache, reg=0.0))
        return Expected(*answer(self.name, "forward_backward", compute, *p.args()))

    def check(self, stage: str, test: str, points: float, run: Callable, hidden: bool) -> Check:
        """A Check named '<loss>.<stage>.<test>'; run(session, rng) draws its inputs from rng."""
        return make_check(f"{self.name}.{stage}.{test}", stage, points, run, hidden)

    # -- the comparisons ----------------------------------------------------
    def loss_and_dW(self, result, p: Problem, exp: Optional[Expected], function: str,
                    want: Optional[tuple] = None) -> Verdict:
        """Half the points for the loss, half for dW; the hint (when exp is given) names the likely mistake.

        want: (loss, dW) to compare with, when exp is not given.
        """
        pair = unpack(result, 2)
        if pair is None:
            return Verdict(0.0, tuple_message(result, ("loss", "dW"), function))
        loss_wanted, dW_wanted = want if exp is None else (exp.loss, exp.grads["dW"])
        loss = compare_number("loss", pair[0], loss_wanted)
        dW = compare_matrix("dW", pair[1], dW_wanted, what="D x C, the shape of W")
        hint = ""
        if exp is not None:
            hint = (self.loss_hint(pair[0], p, exp) if not loss.ok else "") or \
                   (self.dW_hint(pair[1], dW, p, exp) if not dW.ok else "")
        if dW.ok:
            hint = hint or hints.not_a_matrix({"dW": pair[1]}, ("dW",))
        return Verdict((loss.ok + dW.ok) / 2, f"{loss.message}. {dW.message}.", hint)

    def loss_hint(self, got, p: Problem, exp: Expected) -> str:
        """A hint for a wrong total loss (overflow, penalty, division by N)."""
        if isinstance(got, float) and not math.isfinite(got):
            return hints.OVERFLOW if self.name == "softmax" else ""
        if self.name == "svm" and hints.one_too_large(got, exp.loss):
            return hints.CORRECT_CLASS  # each row's correct class added its margin of 1: 1 in the mean
        return hints.loss_hint(got, exp.cache["data_loss"], (p.W * p.W).sum(), p.reg, p.N)

    def dW_hint(self, got, result: Comparison, p: Problem, exp: Expected) -> str:
        """A hint for a wrong dW (shape, regularization gradient, division by N, sign)."""
        if result.shape != p.W.shape:
            return hints.shape_hint("dW", result.shape, p.W.shape, "W")
        return (hints.gradient_hint("dW", got, exp.data_grads["dW"], p.W, p.reg, p.N)
                or hints.scale_hint("dW", got, exp.grads["dW"], p.N))

    def forward_verdict(self, result, p: Problem, exp: Expected) -> Verdict:
        """Credit the forward pass stage by stage, naming the first cache entry that goes wrong."""
        pair = unpack(result, 2)
        if pair is None:
            return Verdict(0.0, tuple_message(result, ("loss", "cache"), self.forward))
        stages = compare_entries_of("cache", pair[1], exp.cache, self.cache_keys)
        stages.append(("loss", compare_number("loss", pair[0], exp.loss)))
        fraction, message, wrong = in_order(stages)
        hint = ""
        if wrong == "shifted" and isinstance(pair[1], dict):
            hint = hints.shift_hint(pair[1].get("shifted"), exp.cache["scores"])
        elif wrong == "margins" and isinstance(pair[1], dict):
            hint = hints.correct_class_hint(pair[1].get("margins"), exp.cache["margins"], p.y)
        elif wrong is not None:
            hint = self.loss_hint(pair[0], p, exp)
            if not hint and self.name == "softmax" and not_finite(pair[1]):
                hint = hints.OVERFLOW
        return Verdict(fraction, message, hint)

    def backward_verdict(self, grads, p: Problem, exp: Expected) -> Verdict:
        """Credit dscores then dW from the student's backward, naming the first one that goes wrong."""
        stages = compare_entries_of("grads", grads, exp.grads, ("dscores", "dW"))
        fraction, message, wrong = in_order(stages)
        hint = ""
        if wrong == "dscores":
            hint = hints.scale_hint("dscores", grads["dscores"], exp.grads["dscores"], p.N) \
                if isinstance(grads, dict) and "dscores" in grads else ""
        elif wrong == "dW":
            hint = self.dW_hint(grads["dW"], dict(stages)["dW"], p, exp)
        else:
            hint = hints.not_a_matrix(grads, ("dscores", "dW"))
        return Verdict(fraction, message, hint)

    # -- the checks ----------------------------------------------------------
    def naive_check(self, test: str, points: float, make: Callable, hidden: bool = False) -> Check:
        """The loop version's loss and dW against the reference."""
        def run(session: Session, rng: random.Random) -> Verdict:
            p = make(rng)
            return self.loss_and_dW(session.call(self.naive, *p.args()), p, self.expected(p), self.naive)
        return self.check("naive", test, points, run, hidden)

    def forward_check(self, test: str, points: float, make: Callable, hidden: bool = False) -> Check:
        """The staged forward pass: each cache entry in order, then the loss."""
        def run(session: Session, rng: random.Random) -> Verdict:
            p = make(rng)
            exp = self.expected(p)
            try:
                result = session.call(self.forward, *p.args())
            except Stopped as stopped:
                keys = self.cache_keys
                return credit_before_stop(stopped, exp.cache, keys, len(keys) + 1)
            return self.forward_verdict(result, p, exp)
        return self.check("forward", test, points, run, hidden)

    def overflow_check(self, test: str, points: float, make: Callable, hidden: bool = False) -> Check:
        """The forward pass at scores of about +-1000, where a softmax without the max shift overflows."""
        def run(session: Session, rng: random.Random) -> Verdict:
            p = make(rng)
            try:
                result = session.call(self.forward, *p.args())
            except StudentCrash as crash:
                if crash.exc_type not in OVERFLOW_ERRORS:
                    raise
                return Verdict(0.0, f"On scores as large as {fmt(largest_score(p))}, "
                                    f"{self.forward} raised {crash}", hints.OVERFLOW)
            return self.forward_verdict(result, p, self.expected(p))
        return self.check("forward", test, points, run, hidden)

    def backward_check(self, test: str, points: float, make: Callable, hidden: bool = False) -> Check:
        """The student's backward fed the REFERENCE cache: a wrong forward cannot hide a right backward."""
        def run(session: Session, rng: random.Random) -> Verdict:
            p = make(rng)
            exp = self.expected(p)
            try:
                grads = session.call(self.backward, exp.cache, forbid=self.loss_functions())
            except Stopped as stopped:
                return credit_before_stop(stopped, exp.grads, ("dscores", "dW"), 2)
            return self.backward_verdict(grads, p, exp)
        return self.check("backward", test, points, run, hidden)

    def loss_functions(self) -> tuple:
        """The functions a backward pass must not call (it must not recompute the loss numerically)."""
        return self.forward, self.naive, self.vectorized

    def gradcheck(self, test: str, points: float, make: Callable, hidden: bool = False,
                  entries: int = 6) -> Check:
        """dW from the student's backward against a numerical gradient of the student's own forward.

        Self-consistency earns nothing on its own: the loss must also match the
        reference, or a loss of constant 0 with a zero gradient would pass.
        """
        def run(session: Session, rng: random.Random) -> Verdict:
            p = self.away_from_kinks(make, rng)
            exp = self.expected(p)
            pair = unpack(session.call(self.forward, *p.args()), 2)
            if pair is None or not isinstance(pair[1], dict):
                return Verdict(0.0, f"{self.forward} should return (loss, cache) with cache a dict")
            loss = compare_number("your loss", pair[0], exp.loss)
            # The inputs went to JSON and back (labels as floats): send the originals.
            cache = dict(pair[1], W=p.W, X=p.X, y=p.y, reg=p.reg)
            grads = session.call(self.backward, cache, forbid=self.loss_functions())
            dW = grads.get("dW") if isinstance(grads, dict) else None
            shape = compare_matrix("dW", dW, exp.grads["dW"], what="D x C, the shape of W")
            if shape.shape != p.W.shape:
                return Verdict(0.0, shape.message, hints.shape_hint("dW", shape.shape, p.W.shape, "W"))
            agree, message = numerical_agreement(session, rng, self.forward, p, dW, entries)
            if agree and loss.ok:
                return Verdict(1.0, message)
            if agree:
                return Verdict(0.0, f"{message}, but {loss.message}: a gradient check shows that dW "
                                    "fits your loss, not that your loss is right",
                               self.loss_hint(pair[0], p, exp))
            return Verdict(0.0, f"{message}; dW does not match the numerical gradient of your own "
                                f"loss, so {self.backward} does not differentiate {self.forward}")
        return self.check("backward", test, points, run, hidden)

    def away_from_kinks(self, make: Callable, rng: random.Random) -> Problem:
        """A problem whose SVM margins are all at least 1e-3 from 0 (h = 1e-5 never crosses a kink)."""
        while True:
            p = make(rng)
            if self.name != "svm" or smallest_margin(p) > 1e-3:
                return p

    def vectorized_check(self, test: str, points: float, make: Callable, hidden: bool = False) -> Check:
        """The vectorized loss and dW against the reference (the naive answer), without calling naive."""
        def run(session: Session, rng: random.Random) -> Verdict:
            p = make(rng)
            result = session.call(self.vectorized, *p.args(), forbid=(self.naive,))
            return self.loss_and_dW(result, p, self.expected(p), self.vectorized)
        return self.check("vectorized", test, points, run, hidden)

    def speed_check(self, test: str, points: float, make: Callable, hidden: bool = False) -> Check:
        """The vectorized version on a size where loops are slow, within a generous time limit.

        The limit is calibrated on this machine: 0.25 s (for sending the data)
        plus 10 times the two matrix products a vectorized loss needs (X @ W and
        X.T @ dscores). The reference takes about 1.3 times those products;
        loops take 40 to 70 times, so they do not fit.
        """
        def run(session: Session, rng: random.Random) -> Verdict:
            p = make(rng)
            start = time.perf_counter()
            p.X.T @ (p.X @ p.W)
            limit = 0.25 + 10 * (time.perf_counter() - start)
            vectorized = f"{self.name}_loss_vectorized"
            want = answer(self.name, vectorized, lambda ref: getattr(ref, vectorized)(*p.args()), *p.args())
            size = "N=%d, D=%d" % p.X.shape + ", C=%d" % p.W.shape[1]
            try:
                result = session.call(self.vectorized, *p.args(), timeout=limit, forbid=(self.naive,))
            except NotRun:
                raise  # no time left, or a loop already seen: not a question of speed
            except CallTimeout:
                return Verdict(0.0, f"{self.vectorized} took longer than {limit:.2f} s on {size}", SLOW)
            verdict = self.loss_and_dW(result, p, None, self.vectorized, want)
            return Verdict(verdict.fraction, f"{size}, within {limit:.2f} s: {verdict.message}", verdict.hint)
        return self.check("vectorized", test, points, run, hidden)


def numerical_agreement(session: Session, rng: random.Random, forward: str, p: Problem, dW,
                        entries: int) -> tuple:
    """Compare `entries` random entries of dW with centered differences of the student's loss.

    Returns (all agree within NUMERIC, the message of ``summary``).
    """
    D, C = p.W.shape
    analytic = dW.tolist() if isinstance(dW, Matrix) else dW
    results = []
    for k in rng.sample(range(D * C), min(entries, D * C)):
        i, j = divmod(k, C)

        def loss_at(step: float, i: int = i, j: int = j):
            W = p.W.copy()
            W[i, j] = W[i, j] + step
            return session.call(forward, W, p.X, p.y, p.reg)

        results.append(agreement(f"dW[{i}, {j}]", analytic[i][j], centered_difference(loss_at)))
    return all(ok for ok, _ in results), summary(results)


def smallest_margin(p: Problem) -> float:
    """The smallest |s_j - s_y + 1| over all examples and wrong classes: the distance to a hinge kink."""
    scores = (p.X @ p.W).tolist()
    return min(abs(row[j] - row[label] + 1.0)
               for row, label in zip(scores, p.y) for j in range(len(row)) if j != label)


def huge(make: Callable) -> Callable:
    """A problem maker like make, with W scaled so that the largest score is 1000.

    e^1000 overflows a float (e^710 already does): a softmax without the
    max shift fails. (Random scores have a positive maximum; the fallback to
    the largest |score| only keeps the scaling defined.)
    """
    def scaled(rng: random.Random) -> Problem:
        p = make(rng)
        scores = p.X @ p.W
        top = scores.max() if scores.max() > 0 else scores.abs().max()
        return Problem(rounded(p.W * (1000.0 / top)), p.X, p.y, p.reg)
    return scaled


def near_kinks(N: int, D: int, C: int) -> Callable:
    """A problem maker whose SVM margins include some within 1e-9 of the hinge's kink.

    An analytic gradient decides each margin's sign exactly; a gradient
    computed numerically (a step of 1e-5 crosses the kink) comes out wrong there.
    """
    def make(rng: random.Random) -> Problem:
        p = fresh(N, D, C)(rng)
        X, scores = p.X.copy(), (p.X @ p.W).tolist()
        for i, label in enumerate(p.y):
            j = (label + 1) % C
            d = max(range(D), key=lambda k: abs(p.W[k, j] - p.W[k, label]))
            target = 1e-9 if i % 2 else -1e-9
            margin = scores[i][j] - scores[i][label] + 1.0
            # Moving X[i, d] by t moves this margin by t * (W[d, j] - W[d, y_i]).
            X[i, d] = X[i, d] + (target - margin) / (p.W[d, j] - p.W[d, label])
        return Problem(p.W, X, p.y, p.reg)
    return make


def largest_score(p: Problem) -> float:
    """The largest |score| of a problem (for messages about overflow)."""
    return (p.X @ p.W).abs().max()


def not_finite(cache) -> bool:
    """True when a returned cache holds NaN or infinity in a matrix entry (an overflowed softmax)."""
    if not isinstance(cache, dict):
        return False
    values = [x for v in cache.values() if isinstance(v, Matrix) for x in v.flatten()]
    return not all(math.isfinite(x) for x in values)
