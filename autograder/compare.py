"""Comparing what a student's code returned with what was expected.

Nothing a submission returns is trusted: every value is checked for its type
and shape before any arithmetic, NaN and infinity are wrong answers, and the
message says what was expected, what came back and by how much it is off.
Relative error is the project's: |a - b| / max(|a| + |b|, 1e-8), the largest
over all entries.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional, Sequence

from autograder.suite import Stopped, Verdict
from tinybackprop.matrix import Matrix

# Two analytic answers computed in different orders agree to ~1e-12 even on
# entries near 0 (the 1e-8 floor of the relative error absorbs the rest).
EXACT = 1e-6
# An analytic gradient against a centered difference with h = 1e-5: the
# CS231n notes call < 1e-7 happy and accept up to ~1e-5 away from kinks.
NUMERIC = 1e-5


def rel_error(a: float, b: float) -> float:
    """|a - b| / max(|a| + |b|, 1e-8): 0 when both are 0, inf when either is not finite."""
    if not (math.isfinite(a) and math.isfinite(b)):
        return math.inf
    return abs(a - b) / max(abs(a) + abs(b), 1e-8)


@dataclass(frozen=True)
class Comparison:
    """How one returned value compares with the expected one."""

    ok: bool
    message: str
    error: float = math.inf  # the largest relative error; inf when type or shape is wrong
    shape: Optional[tuple] = None  # the shape that came back, when it is a matrix or a list


def is_number(value: Any) -> bool:
    """True for an int or a float (bool is not a number here: True is not a loss)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def describe(value: Any) -> str:
    """A short description of a returned value for messages: 'a 3 x 2 Matrix', 'None'."""
    if value is None:
        return "None"
    if isinstance(value, Matrix):
        return "a %d x %d Matrix" % value.shape
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    if isinstance(value, dict):
        return "a dict with keys " + ", ".join(sorted(value)) if value else "an empty dict"
    if is_number(value):
        return fmt(float(value))
    return f"a {type(value).__name__}"


def fmt(x: float) -> str:
    """A number the way messages show it: enough digits to see a difference."""
    return f"{x:.6g}"


def as_rows(value: Any) -> Optional[list]:
    """The rows of a Matrix, or of a rectangular list of lists of numbers; None for anything else."""
    if isinstance(value, Matrix):
        return value.tolist()
    if not isinstance(value, list) or not value or not all(isinstance(row, list) for row in value):
        return None
    width = len(value[0])
    if width == 0 or any(len(row) != width for row in value):
        return None
    if not all(is_number(x) for row in value for x in row):
        return None
    return [[float(x) for x in row] for row in value]


def as_floats(value: Any) -> Optional[list]:
    """A flat list of numbers as floats (a tuple came back as a list); None for anything else."""
    if not isinstance(value, list) or not all(is_number(x) for x in value):
        return None
    return [float(x) for x in value]


def shape_of(value: Any) -> Optional[tuple]:
    """The (rows, columns) of a matrix-like value, (n,) of a flat list, None otherwise."""
    rows = as_rows(value)
    if rows is not None:
        return (len(rows), len(rows[0]))
    if as_floats(value) is not None:
        return (len(value),)
    return None


def compare_number(name: str, got: Any, expected: float, tol: float = EXACT) -> Comparison:
    """Compare a returned number with the expected float."""
    if not is_number(got):
        return Comparison(False, f"{name} should be a number ({fmt(expected)}); got {describe(got)}")
    got = float(got)
    if not math.isfinite(got):
        return Comparison(False, f"{name} is {got}; expected {fmt(expected)}")
    error = rel_error(got, expected)
    if error <= tol:
        return Comparison(True, f"{name} = {fmt(got)} is right", error)
    return Comparison(False, f"{name} is {fmt(got)}; expected {fmt(expected)} "
                             f"(relative error {error:.1e}, must be below {tol:.0e})", error)


def compare_entries(name: str, got: list, expected: list, index_of, tol: float) -> Comparison:
    """Compare two equally long flat lists of floats; index_of(k) names entry k for the message."""
    worst, error = 0, 0.0
    for k, (g, e) in enumerate(zip(got, expected)):
        if not math.isfinite(g):
            return Comparison(False, f"{name} has {g} at {index_of(k)}; expected {fmt(e)} there")
        err = rel_error(g, e)
        if err > error:
            worst, error = k, err
    if error <= tol:
        return Comparison(True, f"{name} is right (relative error {error:.1e})", error)
    zeros = " (all zeros)" if not any(got) else ""
    return Comparison(False, f"{name}{zeros} is off by a relative error of {error:.1e} "
                             f"(must be below {tol:.0e}); at {index_of(worst)} it is "
                             f"{fmt(got[worst])}, expected {fmt(expected[worst])}", error)


def compare_matrix(name: str, got: Any, expected: Matrix, tol: float = EXACT,
                   what: str = "") -> Comparison:
    """Compare a returned matrix (a Matrix or a list of rows) with the expected Matrix.

    what: the shape in words for the message, e.g. "D x C, the shape of W".
    """
    want = expected.shape
    rows = as_rows(got)
    shape = shape_of(got)
    if rows is None or shape != want:
        words = f" ({what})" if what else ""
        found = f"shape {shape}" if shape is not None else describe(got)
        return Comparison(False, f"{name} has {found}; expected a matrix of shape {want}{words}",
                          shape=shape)
    columns = want[1]
    flat = [x for row in rows for x in row]
    result = compare_entries(name, flat, expected.flatten(),
                             lambda k: f"[{k // columns}, {k % columns}]", tol)
    return Comparison(result.ok, result.message, result.error, shape)


def compare_floats(name: str, got: Any, expected: Sequence[float], tol: float = EXACT) -> Comparison:
    """Compare a returned flat list of numbers with the expected floats."""
    values = as_floats(got)
    if values is None or len(values) != len(expected):
        return Comparison(False, f"{name} should be a list of {len(expected)} numbers; "
                                 f"got {describe(got)}", shape=shape_of(got))
    result = compare_entries(name, values, list(expected), lambda k: f"[{k}]", tol)
    return Comparison(result.ok, result.message, result.error, (len(values),))


def compare_value(name: str, got: Any, expected: Any, tol: float = EXACT) -> Comparison:
    """Compare a returned value with an expected Matrix, number or None (whichever it is)."""
    if isinstance(expected, Matrix):
        return compare_matrix(name, got, expected, tol)
    if expected is None:
        if got is None:
            return Comparison(True, f"{name} is None, as it should be", 0.0)
        return Comparison(False, f"{name} should be None; got {describe(got)}")
    return compare_number(name, got, float(expected), tol)


def compare_entries_of(what: str, got: Any, expected: dict, keys: Sequence[str],
                       tol: float = EXACT) -> list:
    """Compare the entries `keys` of a returned dict with the expected dict, in order.

    Returns a list of (key, Comparison); a missing key or a returned value that
    is not a dict is a failed Comparison with a message saying so.
    """
    if not isinstance(got, dict):
        wrong = Comparison(False, f"{what} should be a dict with keys {', '.join(keys)}; "
                                  f"got {describe(got)}")
        return [(key, wrong) for key in keys]
    return [(key, compare_value(f"{what}[{key!r}]", got[key], expected[key], tol)
             if key in got else Comparison(False, f"{what} has no {key!r}; expected keys "
                                                  f"{', '.join(keys)}"))
            for key in keys]


def in_order(comparisons: Sequence) -> tuple:
    """Credit a staged computation up to its first wrong stage.

    comparisons: (stage name, Comparison) pairs in the order they are computed.
    Returns (fraction, message, first wrong stage name or None): the fraction
    of stages right before the first wrong one (a stage computed from a wrong
    one cannot be trusted, even if it happens to be right).
    """
    for k, (stage, result) in enumerate(comparisons):
        if not result.ok:
            right = [name for name, _ in comparisons[:k]]
            before = f"right so far: {', '.join(right)}; then " if right else ""
            return k / len(comparisons), before + result.message, stage
    return 1.0, f"{', '.join(name for name, _ in comparisons)}: all right", None


# How a passing test's message notes an intermediate that differs while the final results are right.
NOTE = "Note, not a deduction"


def finals_first(comparisons: Sequence, finals: Sequence[str], inputs: Optional[dict] = None) -> tuple:
    """Credit a staged computation by its final results first.

    comparisons: (stage name, Comparison) pairs in the order they are computed;
    finals: the names of the final results among them (the loss, every gradient).
    When every final result is right, all the credit, whatever the intermediates:
    one that differs from the reference's is only a note. Otherwise a stage earns
    its share when it is right and so is every stage it is computed from
    (``inputs``: stage -> those stages; by default the one before it, as ``in_order``):
    a stage computed from a wrong one cannot be trusted, even if it happens to be right.
    Returns (fraction, message, first wrong stage name or None).
    """
    final = [(stage, result) for stage, result in comparisons if stage in finals]
    differ = [result.message for stage, result in comparisons if stage not in finals and not result.ok]
    if final and all(result.ok for _, result in final) and differ:
        return 1.0, (f"{', '.join(stage for stage, _ in final)}: right. {NOTE}, since the "
                     f"final results are right: {'; '.join(differ)}"), None
    if inputs is None or all(result.ok for _, result in comparisons):
        return in_order(comparisons)
    trusted: dict = {}
    for stage, result in comparisons:
        trusted[stage] = result.ok and all(trusted.get(source, False) for source in inputs.get(stage, ()))
    credited = [stage for stage, _ in comparisons if trusted[stage]]
    wrong, result = next((stage, result) for stage, result in comparisons if not result.ok)
    right = f"right: {', '.join(credited)}; " if credited else ""
    return len(credited) / len(comparisons), right + result.message, wrong


def unpack(result: Any, count: int) -> Optional[list]:
    """The items of a returned tuple (it arrives as a list) when there are `count` of them, else None."""
    return result if isinstance(result, list) and len(result) == count else None


def tuple_message(result: Any, names: Sequence[str], what: str) -> str:
    """The message for a return value that is not the expected tuple."""
    return f"{what} should return ({', '.join(names)}); it returned {describe(result)}"


def credit_before_stop(stopped: Stopped, expected: dict, keys: Sequence[str], total: int) -> Verdict:
    """The Verdict of a staged function stopped by a stub or a crash: credit for the stages before it.

    ``stopped.computed``: the function's local variables when it raised. Its
    variables named ``keys`` are credited in order, as by ``in_order``, up to
    the first it had not computed yet, as a fraction of ``total`` stages.
    """
    done = []
    for key in keys:
        if key not in stopped.computed:
            break
        done.append(key)
    if not done:
        return Verdict(0.0, "", stopped=stopped)
    fraction, message, _ = in_order([(key, compare_value(key, stopped.computed[key], expected[key]))
                                     for key in done])
    return Verdict(fraction * len(done) / total, message, stopped=stopped)
