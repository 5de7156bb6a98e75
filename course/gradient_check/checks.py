"""Public checks of the numerical gradient: numerical_gradient (stage numerical), rel_error, grad_check_sparse.

The grader lends the student's functions their f (``recording.Recorder``: a
random polynomial whose gradient it knows exactly), so it sees every x that f
is evaluated at: a numerical gradient must call f at x + h e_i and at
x - h e_i for each entry i, with the h it was given, and put x back after
each entry and before it returns (x is then built in the student's process,
where the grader can read it after the call). The expected answers are the
grader's own (its polynomial, the lecture's formula): no reference solution
is needed, and every input is drawn at grading time.
"""
from __future__ import annotations

import math
import random
from typing import Any, Callable, List, Optional, Sequence

from autograder.compare import (Comparison, compare_floats, compare_matrix, compare_number, describe, fmt,
                                is_number, rel_error)
from autograder.oracle import make_check
from autograder.suite import Check, Handle, LentArgument, Session, StudentCrash, Verdict
from course import hints
from course.gradient_check.recording import Recorder, centered_problems, entries, evaluations, polynomial
from tinybackprop.matrix import Matrix

H = 1e-5  # the lecture's step, numerical_gradient's default
# The shares of a numerical gradient check: the gradient, the centered evaluations, x put back.
GRADIENT, CENTERED, RESTORED = 0.5, 0.25, 0.25


def draw_x(rng: random.Random, shape: tuple) -> Any:
    """An x of the shape: () a number, (n,) a list of n floats, (rows, columns) a Matrix; entries in [-2, 2]."""
    count = 1
    for n in shape:
        count *= n
    values = [round(rng.uniform(-2.0, 2.0), 6) for _ in range(count)]
    if not shape:
        return values[0]
    if len(shape) == 1:
        return values
    return Matrix([values[r * shape[1]:(r + 1) * shape[1]] for r in range(shape[0])])


def in_child(session: Session, x: Any) -> Any:
    """x as the student's function receives it: a Matrix is built in the student's process (a Handle), so that
    the grader can read it after the call; a number or a list as itself (also when the student's module has
    no Matrix to build it with)."""
    if not isinstance(x, Matrix):
        return x
    try:
        return session.new("gradient_check.Matrix", x.tolist())
    except StudentCrash:
        return x


def entries_after(session: Session, x: Any) -> Optional[List[float]]:
    """The entries of a Matrix built in the student's process, read after the call; None for any other x."""
    if not isinstance(x, Handle):
        return None
    rows = session.attr(x, "data")
    return [float(v) for row in rows for v in row] if isinstance(rows, list) else None


def moved_after(after: Optional[List[float]], given: Sequence[float], h: float) -> str:
    """Which entry of x is not as given after the call ("" when all are, or when x cannot be read)."""
    if after is None:
        return ""
    for k, (a, g) in enumerate(zip(after, given)):
        if abs(a - g) > 1e-6 * h:
            return f"after your function returned, x[{k}] was {fmt(a)}, not the {fmt(g)} it was given"
    return ""


def compare_gradient(got: Any, x: Any, want: List[float]) -> Comparison:
    """The returned gradient against the centered differences: of x's kind and shape, entry by entry."""
    if isinstance(x, Matrix):
        rows, columns = x.shape
        return compare_matrix("the gradient", got, Matrix([want[r * columns:(r + 1) * columns] for r in range(rows)]),
                              what="the shape of x")
    if isinstance(x, list):
        return compare_floats("the gradient", got, want)
    return compare_number("the gradient", got, want[0])


def numerical_hint(problems: dict, got: Any, want: List[float]) -> str:
    """The hint of a numerical gradient: x not put back, a one-sided difference, another step, divided by h."""
    if problems["restored"]:
        return hints.NOT_RESTORED
    if problems["centered"].startswith("f was called at x itself"):
        return hints.ONE_SIDED
    if "where the step h is" in problems["centered"]:
        return hints.WRONG_STEP
    values = entries(got.flatten() if isinstance(got, Matrix) else got)
    if values is None and isinstance(got, list) and all(isinstance(row, list) for row in got):
        values = entries([v for row in got for v in row])
    if values is not None and hints.matches(values, [2 * w for w in want]):
        return hints.DIVIDED_BY_H
    return ""


def look_at(shape: tuple, problems: dict, fraction: float) -> str:
    """Which stage a wrong numerical gradient points at (the hint command reads it): "" when all is right."""
    if fraction >= 1.0:
        return ""
    if not shape:
        return ". The stage to look at: numerical_gradient: number"
    stage = "nudge" if problems["restored"] or problems["centered"] else "slope"
    return f". The stage to look at: numerical_partial: {stage}"


def numerical_check(name: str, points: float, shape: tuple, h: Optional[float] = None,
                    hidden: bool = False) -> Check:
    """numerical_gradient(f, x[, h]) on an x of ``shape``: the gradient, the calls of f, x put back."""
    def run(session: Session, rng: random.Random) -> Verdict:
        x = draw_x(rng, shape)
        given = entries(x)
        poly = polynomial(rng, len(given))
        step = H if h is None else h
        f = Recorder(poly, shape)
        sent = in_child(session, x)
        got = session.call("gradient_check.numerical_gradient", LentArgument("f"), sent,
                           *(() if h is None else (h,)), lend={"f": f})
        want = poly.centered(given, step)
        value = compare_gradient(got, x, want)
        problems = centered_problems(evaluations(f.calls, given, step), step, range(len(given)))
        problems["restored"] = problems["restored"] or moved_after(entries_after(session, sent), given, step)
        parts = [(GRADIENT, value.ok, value.message),
                 (CENTERED, not problems["centered"],
                  problems["centered"] or f"each entry was moved by +h and by -h (h = {step:g})"),
                 (RESTORED, not problems["restored"], problems["restored"] or "x was put back")]
        where = (f"f a polynomial of {len(given)} entr{'y' if len(given) == 1 else 'ies'}, x = {describe(x)}, "
                 f"{len(f.calls)} calls of f: ")
        fraction = sum(share for share, ok, _ in parts if ok)
        return Verdict(fraction, where + "; ".join(m for _, _, m in parts) + look_at(shape, problems, fraction),
                       numerical_hint(problems, got, want))
    return make_check(f"gradient_check.numerical.{name}", "numerical", points, run, hidden)


# -- rel_error --------------------------------------------------------------------------------------------

def expected_rel_error(a: Any, b: Any) -> float:
    """The relative error of two numbers, lists or Matrices: the largest over the entries."""
    return max(rel_error(p, q) for p, q in zip(entries(a), entries(b)))


# The relative errors a known mistake computes, entry by entry, and how the entries are combined.
REL_ERROR_VARIANTS = (
    (lambda p, q: (p - q) / max(abs(p) + abs(q), 1e-8), max, hints.NOT_ABSOLUTE),
    (lambda p, q: abs(p - q) / max(abs(p), abs(q), 1e-8), max, hints.MAX_DENOMINATOR),
    (rel_error, lambda errors: sum(errors) / len(errors), hints.NOT_LARGEST),
    (rel_error, sum, hints.NOT_LARGEST),
)


def rel_error_hint(cases: Sequence[tuple], got: Sequence[Any]) -> str:
    """The hint of the mistake whose errors are the ones returned on every case, or ""."""
    for error, combine, words in REL_ERROR_VARIANTS:
        wrong = [combine([error(p, q) for p, q in zip(entries(a), entries(b))]) for a, b in cases]
        if all(is_number(g) and math.isfinite(g) and abs(g - w) <= 1e-9 + 1e-6 * abs(w)
               for g, w in zip(got, wrong)):
            return words
    return ""


def number_cases(rng: random.Random) -> list:
    """Pairs of numbers: both 0, two tiny ones (below the floor), a close pair, opposite signs, any pair."""
    a, b = round(rng.uniform(0.5, 5.0), 6), round(rng.uniform(-5.0, 5.0), 6)
    return [(0.0, 0.0), (round(rng.uniform(1, 5), 6) * 1e-10, -round(rng.uniform(1, 5), 6) * 1e-10),
            (a, round(a * (1 + 1e-6), 12)), (-a, a), (a, b)]


def array_cases(rng: random.Random) -> list:
    """Two lists of floats and two Matrices, each pair with one entry much further apart than the others."""
    def pair(count: int) -> tuple:
        a = [round(rng.uniform(-3.0, 3.0), 6) for _ in range(count)]
        b = [round(v * (1 + rng.uniform(-1e-6, 1e-6)), 12) for v in a]
        far = rng.randrange(count)
        b[far] = round(b[far] + rng.uniform(0.1, 1.0), 6)
        return a, b
    lists = pair(5)
    flat_a, flat_b = pair(6)
    return [lists, (Matrix([flat_a[:3], flat_a[3:]]), Matrix([flat_b[:3], flat_b[3:]]))]


def rel_error_check(name: str, points: float, cases: Callable, hidden: bool = False) -> Check:
    """rel_error(a, b) on every pair of ``cases(rng)`` against the lecture's formula."""
    def run(session: Session, rng: random.Random) -> Verdict:
        pairs = cases(rng)
        got, results = [], []
        for a, b in pairs:
            what = f"rel_error({describe(a)}, {describe(b)})"
            try:
                value = session.call("gradient_check.rel_error", a, b)
            except StudentCrash as crash:
                if crash.exc_type != "ZeroDivisionError":
                    raise
                return Verdict(sum(r.ok for r in results) / len(pairs), f"{what} raised {crash}", hints.NO_FLOOR)
            got.append(value)
            results.append(compare_number(what, value, expected_rel_error(a, b)))
        right = all(r.ok for r in results)
        return Verdict(sum(r.ok for r in results) / len(pairs), "; ".join(r.message for r in results),
                       "" if right else rel_error_hint(pairs, got))
    return make_check(f"gradient_check.rel_error.{name}", "rel_error", points, run, hidden)


# -- grad_check_sparse ------------------------------------------------------------------------------------

ERRORS, RANDOM = 0.6, 0.4  # the shares of a sparse check: the errors returned, the entries drawn from seed


def lent_rel_error(a: Any, b: Any) -> float:
    """The rel_error lent to grad_check_sparse (the student's own is graded in its stage): two numbers."""
    if not (is_number(a) and is_number(b)):
        raise TypeError(f"rel_error here takes two numbers, got {describe(a)} and {describe(b)}")
    return rel_error(float(a), float(b))


def picks(calls: Sequence[Sequence[float]], given: Sequence[float]) -> Optional[List[int]]:
    """The entries a sparse check drew, from its calls of f: pairs of x + h e_i and x - h e_i; None otherwise."""
    found = evaluations(calls, given, H)
    steps = [e.step(H) for e in found]
    if len(steps) % 2 or any(s is None for s in steps):
        return None
    pairs = [(steps[k], steps[k + 1]) for k in range(0, len(steps), 2)]
    if any(first[0] != second[0] or first[1] == second[1] for first, second in pairs):
        return None
    return [first[0] for first, _ in pairs]


def sparse_check(name: str, points: float, rows: int, columns: int, num_checks: int, hidden: bool = False) -> Check:
    """grad_check_sparse on a rows x columns Matrix, twice with one seed and once with another: the errors
    of the entries it drew (two entries of the analytic gradient are off), and entries drawn from seed."""
    def run(session: Session, rng: random.Random) -> Verdict:
        x = draw_x(rng, (rows, columns))
        given = x.flatten()
        poly = polynomial(rng, len(given))
        analytic = poly.gradient(given)
        # Two entries off, so that the errors differ from entry to entry and a wrong entry shows.
        for k in rng.sample(range(len(given)), 2):
            analytic[k] = round(analytic[k] * 1.1 + 0.05, 6)
        matrix = Matrix([analytic[r * columns:(r + 1) * columns] for r in range(rows)])
        first, second = rng.sample(range(1000), 2)
        runs = []
        for seed in (first, first, second):
            f = Recorder(poly, (rows, columns))
            got = session.call("gradient_check.grad_check_sparse", LentArgument("f"), in_child(session, x), matrix,
                               num_checks, H, seed, lend={"f": f, "gradient_check.rel_error": lent_rel_error})
            runs.append((got, picks(f.calls, given)))
        verdict = sparse_verdict(runs, [rel_error(s, a) for s, a in zip(poly.centered(given, H), analytic)],
                                 num_checks, (first, second))
        if verdict.fraction < 1.0 and runs[0][1] is not None:
            # The errors of the student's own slopes: a bug of numerical_partial is charged in its stage.
            own = [rel_error(own_slope(session, poly, given, k), analytic[k]) for k in range(len(given))]
            theirs = sparse_verdict(runs, own, num_checks, (first, second))
            if theirs.fraction > verdict.fraction:
                return Verdict(theirs.fraction, f"{OWN_SLOPES}: {theirs.message}", theirs.hint)
        return verdict
    return make_check(f"gradient_check.sparse.{name}", "sparse", points, run, hidden)


OWN_SLOPES = ("the errors are those of your own numerical_partial's slopes (whose bug, if any, is graded in "
              "the numerical stage)")


def own_slope(session: Session, poly, given: List[float], k: int) -> float:
    """The slope the student's numerical_partial gives along entry k, on x as a list (nan if not a number)."""
    slope = session.call("gradient_check.numerical_partial", LentArgument("f"), list(given), k, H,
                         lend={"f": Recorder(poly, (len(given),))})
    return float(slope) if is_number(slope) else math.nan


def sparse_verdict(runs: list, expected: List[float], num_checks: int, seeds: tuple) -> Verdict:
    """The verdict of the three runs of grad_check_sparse (seeds[0] twice, then seeds[1]); expected: the
    relative error of every entry."""
    got, drawn = runs[0]
    if not (isinstance(got, list) and len(got) == num_checks and all(is_number(v) for v in got)):
        return Verdict(0.0, f"grad_check_sparse should return a list of {num_checks} relative errors "
                            f"(num_checks = {num_checks}); it returned {describe(got)}")
    if drawn is None or any(entries_drawn is None for _, entries_drawn in runs) or len(drawn) != num_checks:
        return Verdict(0.0, f"its calls of f are not {num_checks} pairs of f(x + h e_i) and f(x - h e_i) with "
                            f"h = {H:g}, one pair per entry drawn, so the entries drawn cannot be told",
                       hints.NOT_RESTORED if drawn is None else "")
    want = [expected[k] for k in drawn]
    wrong = [(k, g, w) for k, g, w in zip(drawn, got, want) if abs(g - w) > 1e-9 + 1e-6 * abs(w)]
    errors = ((not wrong), "the relative errors of the entries drawn are right" if not wrong else
              f"at entry {wrong[0][0]} the relative error is {fmt(wrong[0][1])}, expected {fmt(wrong[0][2])}")
    same = runs[1][1] == drawn
    other = runs[2][1] != drawn
    random_ok = (same and other, f"entries drawn with seed {seeds[0]}: {drawn}" + (
        "" if same else f", but {runs[1][1]} the second time with the same seed") + (
        "" if other else f"; the same with seed {seeds[1]}"))
    fraction = ERRORS * errors[0] + RANDOM * random_ok[0]
    stage = "" if fraction >= 1.0 else f". The stage to look at: grad_check_sparse: {'compare' if random_ok[0] else 'pick'}"
    return Verdict(fraction, f"{errors[1]}; {random_ok[1]}{stage}", "" if random_ok[0] else hints.NOT_RANDOM)


CHECKS = [
    numerical_check("a_number", 1, ()),
    numerical_check("a_list_with_its_h", 1.25, (5,), h=1e-4),
    numerical_check("a_matrix_put_back", 1.25, (3, 2)),
    rel_error_check("numbers", 0.75, number_cases),
    rel_error_check("lists_and_matrices", 0.5, array_cases),
    sparse_check("a_matrix", 2, 3, 4, 6),
]
