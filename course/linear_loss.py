"""The checks shared by the SVM and the softmax suites: naive, forward, backward, vectorized.

Both losses have the same signatures (``<loss>_loss_naive``, ``<loss>_forward``,
``<loss>_backward``, ``<loss>_loss_vectorized``), so one :class:`LinearLoss`
builds the checks of either. Expected answers come from the reference
solution (through ``autograder.oracle``: computed here in the trusted parent, or
recorded for the student's kit) on inputs drawn from the check's generator
(fresh at every official grading); the student's answers come back through
the Session as plain data. A check's final results (the loss, dW) earn its
points; the cache's intermediates earn partial credit only when a final
result is wrong. A backward check feeds the reference forward's cache (or,
when the student's forward is right but keeps its cache otherwise, its own),
so a bug of the forward pass is charged in the forward stage only.
"""
from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional

from autograder.compare import (Comparison, compare_entries_of, compare_matrix, compare_number,
                                credit_before_stop, finals_first, fmt, tuple_message, unpack)
from autograder.numerical import agreement, centered_difference, summary
from autograder.oracle import answer, make_check, rounded
from autograder.suite import CallTimeout, Check, NotRun, Session, Stopped, StudentCrash, Verdict
from course import hints
from tinybackprop.matrix import Matrix

# Exceptions a softmax without the max shift raises on scores of +-1000:
# exp overflows, e^-1000 underflows to 0 and the division or log fails.
OVERFLOW_ERRORS = ("OverflowError", "ZeroDivisionError", "ValueError")
SLOW = ("A vectorized loss has no Python loop over examples or classes: all the scores come from one "
        "matrix product, and dW from one more.")
OWN_CACHE = ("fed your own forward's cache (your forward is right, and your backward reads its cache "
             "in its own way)")


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
        """A hint for a wrong dW (shape, regularization gradient, division by N, sign, overwriting)."""
        if result.shape != p.W.shape:
            return hints.shape_hint("dW", result.shape, p.W.shape, "W", "X and dscores")
        return (hints.gradient_hint("dW", got, exp.data_grads["dW"], p.W, p.reg, p.N)
                or hints.scale_hint("dW", got, exp.grads["dW"], p.N)
                or hints.accumulate_hint("dW", got, self.overwritten(p, exp)))

    def overwritten(self, p: Problem, exp: Expected) -> list:
        """What dW is when a naive loop assigns each contribution (dW[...] = ...) instead of adding
        it (+=): of the sum, only the last write to each entry is left.

        Each positive SVM margin (i, j) writes X[i] into column j and -X[i] into column y_i;
        each softmax score (i, j) writes X[i] times (p_j - [j == y_i]). Either write may be
        the one assigned; the rest is averaged and regularized as usual.
        """
        X, (N, D), C = p.X.tolist(), p.X.shape, p.W.shape[1]
        per_example = (exp.grads["dscores"] * N).tolist()  # each example's own dscores row
        writes = []  # (column, scale of X[i], which write, i)
        for i in range(N):
            for j in range(C):
                if self.name == "softmax":
                    writes.append((j, per_example[i][j], "score", i))
                elif j != p.y[i] and exp.cache["margins"][i, j] > 0:
                    writes += [(j, 1.0, "margin", i), (p.y[i], -1.0, "correct", i)]
        kinds = ({"score"},) if self.name == "softmax" else ({"margin", "correct"}, {"margin"}, {"correct"})
        variants = []
        for assigned in kinds:
            dW = [[0.0] * C for _ in range(D)]
            for j, scale, kind, i in writes:
                for d in range(D):
                    dW[d][j] = (0.0 if kind in assigned else dW[d][j]) + scale * X[i][d]
            variants.append(Matrix(dW) / N + 2 * p.reg * p.W)
        return variants

    def forward_verdict(self, result, p: Problem, exp: Expected) -> Verdict:
        """Credit the forward pass stage by stage, naming the first cache entry that goes wrong."""
        pair = unpack(result, 2)
        if pair is None:
            return Verdict(0.0, tuple_message(result, ("loss", "cache"), self.forward))
        stages = compare_entries_of("cache", pair[1], exp.cache, self.cache_keys)
        stages.append(("loss", compare_number("loss", pair[0], exp.loss)))
        fraction, message, wrong = finals_first(stages, ("loss",))
        hint = ""
        if wrong == "shifted" and isinstance(pair[1], dict):
            hint = hints.shift_hint(pair[1].get("shifted"), exp.cache["scores"])
        elif wrong == "margins" and isinstance(pair[1], dict):
            hint = hints.correct_class_hint(pair[1].get("margins"), exp.cache["margins"], p.y)
        elif wrong is not None:
            hint = self.loss_hint(pair[0], p, exp) or self.log_hint(pair[0], p, exp)
            if not hint and self.name == "softmax" and not_finite(pair[1]):
                hint = hints.OVERFLOW
        return Verdict(fraction, message, hint)

    def log_hint(self, got, p: Problem, exp: Expected) -> str:
        """LOG_SOFTMAX when a softmax loss is what -log(probs[y]) gives on these scores, and wrong."""
        if self.name != "softmax":
            return ""
        return hints.log_of_probs_hint(got, exp.cache["probs"].pick(p.y).flatten(), exp.cache["reg_loss"])

    def overflow_verdict(self, crash: StudentCrash, p: Problem, exp: Expected, function: str) -> Verdict:
        """The verdict of a softmax that raised on huge scores: no shift (exp overflows), or, with the
        shift in place, the log of a probability that underflowed to 0."""
        if crash.exc_type not in OVERFLOW_ERRORS:
            raise crash
        shifted = crash.computed.get("shifted")
        shifted_right = shifted is None or compare_matrix("shifted", shifted, exp.cache["shifted"]).ok
        underflow = self.name == "softmax" and hints.log_fails(exp.cache["probs"].pick(p.y).flatten())
        hint = hints.LOG_SOFTMAX if underflow and crash.exc_type == "ValueError" and shifted_right \
            else hints.OVERFLOW
        return Verdict(0.0, f"On scores as large as {fmt(largest_score(p))}, {function} raised {crash}", hint)

    def backward_verdict(self, grads, p: Problem, exp: Expected) -> Verdict:
        """Credit dW, or when it is wrong dscores before it, naming the first one that goes wrong."""
        stages = compare_entries_of("grads", grads, exp.grads, ("dscores", "dW"))
        fraction, message, wrong = finals_first(stages, ("dW",))
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
            exp = self.expected(p)
            try:
                result = session.call(self.forward, *p.args())
            except StudentCrash as crash:
                return self.overflow_verdict(crash, p, exp, self.forward)
            return self.forward_verdict(result, p, exp)
        return self.check("forward", test, points, run, hidden)

    def backward_check(self, test: str, points: float, make: Callable, hidden: bool = False) -> Check:
        """The student's backward fed the REFERENCE cache: a wrong forward cannot hide a right backward
        (and, where the student's forward is right, its own cache: a cache laid out otherwise is no bug)."""
        def run(session: Session, rng: random.Random) -> Verdict:
            p = make(rng)
            exp = self.expected(p)
            verdict = self.backward_on(session, p, exp, exp.cache)
            if verdict.fraction < 1.0:
                own = self.own_cache(session, p, exp)
                if own is not None:
                    theirs = self.backward_on(session, p, exp, own)
                    if theirs.fraction > verdict.fraction:
                        return Verdict(theirs.fraction, f"{OWN_CACHE}: {theirs.message}", theirs.hint,
                                       theirs.stopped)
            return verdict
        return self.check("backward", test, points, run, hidden)

    def backward_on(self, session: Session, p: Problem, exp: Expected, cache: dict) -> Verdict:
        """The verdict of the student's backward fed ``cache``."""
        try:
            grads = session.call(self.backward, cache, forbid=self.loss_functions())
        except Stopped as stopped:
            return credit_before_stop(stopped, exp.grads, ("dscores", "dW"), 2)
        return self.backward_verdict(grads, p, exp)

    def own_cache(self, session: Session, p: Problem, exp: Expected) -> Optional[dict]:
        """The cache of the student's forward on p when its loss is right; None otherwise (a wrong
        forward is charged in the forward stage, and its cache is not the backward's to fix)."""
        try:
            pair = unpack(session.call(self.forward, *p.args()), 2)
        except Stopped:
            return None
        if pair is None or not isinstance(pair[1], dict) or not compare_number("loss", pair[0], exp.loss).ok:
            return None
        # The inputs went to JSON and back (labels as floats): send the originals.
        return dict(pair[1], W=p.W, X=p.X, y=p.y, reg=p.reg)

    def student_dW(self, session: Session, p: Problem, exp: Expected) -> Any:
        """dW of the student's backward, fed the reference cache, or its own when that gives the right dW."""
        grads = session.call(self.backward, exp.cache, forbid=self.loss_functions())
        if self.backward_verdict(grads, p, exp).fraction < 1.0:
            own = self.own_cache(session, p, exp)
            if own is not None:
                theirs = session.call(self.backward, own, forbid=self.loss_functions())
                if self.backward_verdict(theirs, p, exp).fraction == 1.0:
                    grads = theirs
        return grads.get("dW") if isinstance(grads, dict) else None

    def loss_functions(self) -> tuple:
        """The functions a backward pass must not call (it must not recompute the loss numerically)."""
        return self.forward, self.naive, self.vectorized

    def gradcheck(self, test: str, points: float, make: Callable, hidden: bool = False,
                  entries: int = 6) -> Check:
        """dW from the student's backward against centered differences of the REFERENCE loss
        (a gradient check whose loss is the right one, so a wrong forward costs nothing here)."""
        def run(session: Session, rng: random.Random) -> Verdict:
            p = self.away_from_kinks(make, rng)
            exp = self.expected(p)
            D, C = p.W.shape
            picks = [divmod(k, C) for k in rng.sample(range(D * C), min(entries, D * C))]
            numerical = answer(self.name, "numerical_gradient", lambda ref: self.centered(ref, p, picks),
                               *p.args(), picks)
            dW = self.student_dW(session, p, exp)
            shape = compare_matrix("dW", dW, exp.grads["dW"], what="D x C, the shape of W")
            if shape.shape != p.W.shape:
                return Verdict(0.0, shape.message, hints.shape_hint("dW", shape.shape, p.W.shape, "W",
                                                                    "X and dscores"))
            rows = dW.tolist() if isinstance(dW, Matrix) else dW
            results = [agreement(f"dW[{i}, {j}]", rows[i][j], value) for (i, j), value in zip(picks, numerical)]
            if all(ok for ok, _ in results):
                return Verdict(1.0, summary(results, "the loss"))
            return Verdict(0.0, f"dW does not match the numerical gradient of the loss: "
                                f"{summary(results, 'the loss')}", self.dW_hint(dW, shape, p, exp))
        return self.check("backward", test, points, run, hidden)

    def centered(self, ref, p: Problem, picks: list) -> list:
        """Centered differences (h = 1e-5) of the reference loss at the entries ``picks`` of W."""
        forward = getattr(ref, f"{self.name}_forward")
        values = []
        for i, j in picks:
            def loss_at(step: float, i: int = i, j: int = j) -> float:
                W = p.W.copy()
                W[i, j] = W[i, j] + step
                return forward(W, p.X, p.y, p.reg)[0]
            values.append(centered_difference(loss_at))
        return values

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
            exp = self.expected(p)
            try:
                result = session.call(self.vectorized, *p.args(), forbid=(self.naive,))
            except StudentCrash as crash:
                return self.overflow_verdict(crash, p, exp, self.vectorized)
            return self.loss_and_dW(result, p, exp, self.vectorized)
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
