"""Gradient checking: compare an analytic gradient with centered finite differences.

The recipe of the CS231n notes: nudge one entry of x by +h and -h, look at how
f changes, and compare with the gradient your backward pass computed using the
relative error ``|a - n| / max(|a| + |n|, 1e-8)``. Above 1e-2 the gradient is
probably wrong; below 1e-7 you can be happy; kinks (ReLU, hinge) may need looser
bounds or inputs away from the kink.
"""
from __future__ import annotations

import math
import random
from numbers import Real
from typing import Any, Callable, List, NamedTuple, Sequence, Tuple, Union

from tinybackprop.matrix import Matrix
from tinybackprop.value import Value

Shape = Tuple[int, ...]


class GradCheckEntry(NamedTuple):
    """One checked entry: where it is, both gradients and their relative error."""

    index: Any  # an int for a list, (i, j) for a Matrix or a list of lists
    numerical: float
    analytic: float
    rel_error: float


def numerical_gradient(f: Callable[[Any], float], x: Any, h: float = 1e-5) -> Any:
    """The centered-difference gradient of f at x, shaped like x.

    x is a float (returns a float), a list or a list of lists of floats
    (returns the same nesting), or an n x m Matrix (returns an n x m Matrix).
    f takes x and returns a float. x is changed in place one entry at a time
    and every entry is restored, even when f raises.
    """
    if isinstance(x, Real):
        return (_call(f, x + h) - _call(f, x - h)) / (2.0 * h)
    slots = _slots(x, "numerical_gradient")
    grads = [_centered_difference(f, x, container, key, h) for container, key, _ in slots]
    return _shaped_like(x, grads)


def rel_error(a: Any, b: Any) -> float:
    """The relative error |a - b| / max(|a| + |b|, 1e-8), the largest over all entries.

    a and b are floats, lists, lists of lists or Matrices of the same shape (a
    Matrix and a list of lists of the same shape compare fine). 0 when both are
    0; nan when any entry is nan.
    """
    shape_a, flat_a = _flatten(a)
    shape_b, flat_b = _flatten(b)
    if shape_a != shape_b:
        raise ValueError(f"rel_error: shapes {shape_a} and {shape_b} differ; compare gradients of the same shape")
    errors = [_entry_rel_error(p, q) for p, q in zip(flat_a, flat_b)]
    # max() keeps a finite error over a nan that comes after it, and a nan gradient must never pass.
    if any(math.isnan(e) for e in errors):
        return math.nan
    return max(errors, default=0.0)


def grad_check_sparse(
    f: Callable[[Any], float],
    x: Any,
    analytic: Any,
    num_checks: int = 10,
    h: float = 1e-5,
    seed: Union[int, random.Random, None] = None,
    verbose: bool = False,
) -> List[GradCheckEntry]:
    """Check ``num_checks`` random entries of ``analytic`` (shaped like x) against finite differences.

    x is a list, a list of lists or a Matrix; entries are drawn with
    replacement from ``seed`` (an int, a random.Random or None). Returns one
    GradCheckEntry per check; prints one line per check only when ``verbose``.
    """
    slots = _slots(x, "grad_check_sparse")
    shape_x, _ = _flatten(x)
    shape_a, flat_analytic = _flatten(analytic)
    if shape_x != shape_a:
        raise ValueError(f"grad_check_sparse: x has shape {shape_x} but the analytic gradient has shape {shape_a}")
    if not slots:
        raise ValueError("grad_check_sparse: x has no entries to check")
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    results = []
    for _ in range(num_checks):
        k = rng.randrange(len(slots))
        container, key, index = slots[k]
        numerical = _centered_difference(f, x, container, key, h)
        entry = GradCheckEntry(index, numerical, flat_analytic[k], _entry_rel_error(numerical, flat_analytic[k]))
        if verbose:
            print(f"numerical: {entry.numerical:f} analytic: {entry.analytic:f}, relative error: {entry.rel_error:e}")
        results.append(entry)
    return results


def check_value_gradients(
    fn: Callable[..., Value], inputs: Sequence[float], h: float = 1e-5
) -> List[GradCheckEntry]:
    """Check the gradients ``backward()`` gives for ``fn(*values)`` against finite differences.

    fn takes one Value per number in ``inputs`` and returns a Value; returns
    one GradCheckEntry per input (its index, d fn / d input both ways).
    """
    values = [Value(v) for v in inputs]
    out = fn(*values)
    if not isinstance(out, Value):
        raise TypeError(f"check_value_gradients: fn must return a Value, got {type(out).__name__}")
    out.backward()

    def f(xs: List[float]) -> float:
        return fn(*[Value(v) for v in xs]).data

    numerical = numerical_gradient(f, [float(v) for v in inputs], h)
    return [
        GradCheckEntry(i, n, v.grad, _entry_rel_error(n, v.grad))
        for i, (n, v) in enumerate(zip(numerical, values))
    ]


def _entry_rel_error(a: float, b: float) -> float:
    """The relative error of two floats (0 when both are 0)."""
    return abs(a - b) / max(abs(a) + abs(b), 1e-8)


def _call(f: Callable[[Any], Any], x: Any) -> float:
    """f(x) as a float, or a TypeError saying what f should return."""
    out = f(x)
    if not isinstance(out, Real):
        if isinstance(out, Matrix):
            raise TypeError(f"f must return a float (the loss), got a Matrix of shape {out.shape}: "
                            "reduce it to one number, e.g. (W * W).sum()")
        if isinstance(out, tuple):
            raise TypeError(f"f must return a float (the loss), got a tuple of {len(out)}: for a function "
                            "that returns (loss, dW), check lambda W: loss_fn(W, X, y, reg)[0]")
        hint = " (a Value: return its .data)" if isinstance(out, Value) else ""
        raise TypeError(f"f must return a float (the loss), got {type(out).__name__}{hint}")
    return float(out)


def _centered_difference(f: Callable[[Any], Any], x: Any, container: Any, key: int, h: float) -> float:
    """(f(x + h e) - f(x - h e)) / 2h for the entry container[key] of x, restoring it afterwards."""
    old = container[key]
    try:
        container[key] = old + h
        f_plus = _call(f, x)
        container[key] = old - h
        f_minus = _call(f, x)
    finally:
        container[key] = old
    return (f_plus - f_minus) / (2.0 * h)


def _slots(x: Any, caller: str) -> List[Tuple[Any, int, Any]]:
    """Every entry of x as (container, key, index), so x can be changed in place entry by entry."""
    rows = x.data if isinstance(x, Matrix) else x
    if isinstance(rows, list) and rows and all(isinstance(row, list) for row in rows):
        return [(row, j, (i, j)) for i, row in enumerate(rows) for j in range(len(row))]
    if isinstance(x, list) and all(isinstance(v, Real) for v in x):
        return [(x, i, i) for i in range(len(x))]
    hint = " (for a Value expression use check_value_gradients)" if isinstance(x, Value) else ""
    raise TypeError(
        f"{caller} needs a list of floats, a list of lists or a Matrix (changed in place), "
        f"got {type(x).__name__}{hint}"
    )


def _shaped_like(x: Any, flat: List[float]) -> Any:
    """The floats in ``flat`` arranged like x (a list, a list of lists or a Matrix)."""
    if isinstance(x, list) and (not x or not isinstance(x[0], list)):
        return flat
    rows, start = [], 0
    for row in (x if isinstance(x, list) else x.data):
        rows.append(flat[start:start + len(row)])
        start += len(row)
    return rows if isinstance(x, list) else Matrix(rows)


def _flatten(x: Any) -> Tuple[Shape, List[float]]:
    """x's shape and its entries as one list: () for a number, (n,) for a list, (n, m) for 2-D."""
    if isinstance(x, Real):
        return (), [float(x)]
    if isinstance(x, Matrix):
        return tuple(x.shape), [v for row in x.data for v in row]
    if isinstance(x, (list, tuple)):
        if x and all(isinstance(row, (list, tuple)) for row in x):
            widths = {len(row) for row in x}
            if len(widths) != 1:
                raise ValueError(f"rows of different lengths {sorted(widths)}: expected a rectangular list of lists")
            return (len(x), widths.pop()), [float(v) for row in x for v in row]
        return (len(x),), [float(v) for v in x]
    raise TypeError(f"expected a number, a list, a list of lists or a Matrix, got {type(x).__name__}")
