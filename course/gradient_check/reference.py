"""The numerical gradient, written by you: centered differences, the relative error, a sparse gradient check.

Imports only the standard library and tinybackprop's Matrix. The lecture's
recipe: nudge one entry of x by +h and by -h, see how f changes, and take the
slope; then compare it with an analytic gradient by their relative error.
Once written, these functions check every gradient you derive by hand.
"""
from __future__ import annotations

import random
from typing import Callable, List, Optional, Union

from tinybackprop.matrix import Matrix

Index = Union[int, tuple]  # an entry of a list (i) or of a Matrix ((i, j))


def positions(x: Union[list, Matrix]) -> List[Index]:
    """The index of every entry of x: 0 .. n-1 for a list of n floats, (i, j) row by row for a Matrix."""
    if isinstance(x, Matrix):
        rows, columns = x.shape
        return [(i, j) for i in range(rows) for j in range(columns)]
    if isinstance(x, list) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in x):
        return list(range(len(x)))
    raise TypeError(f"expected a list of floats or a Matrix, got {type(x).__name__}")


def zeros_like(x: Union[list, Matrix]) -> Union[list, Matrix]:
    """A gradient of x's shape filled with 0.0: a list of floats or a Matrix."""
    return Matrix.zeros(*x.shape) if isinstance(x, Matrix) else [0.0] * len(x)


def paired(a, b) -> list:
    """The entries of a and b side by side: two floats, two lists of floats or two Matrices of one shape."""
    if isinstance(a, Matrix) and isinstance(b, Matrix):
        if a.shape != b.shape:
            raise ValueError(f"rel_error: shapes {a.shape} and {b.shape} differ; compare gradients of one shape")
        return list(zip(a.flatten(), b.flatten()))
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            raise ValueError(f"rel_error: lists of {len(a)} and {len(b)} floats; compare gradients of one shape")
        return list(zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return [(a, b)]
    raise TypeError(f"rel_error: expected two floats, two lists or two Matrices, got {type(a).__name__} "
                    f"and {type(b).__name__}")


def numerical_gradient(f: Callable, x: Union[float, list, Matrix], h: float = 1e-5) -> Union[float, list, Matrix]:
    """The centered-difference gradient of f at x, with x's shape.

    f takes x and returns a float. x is a float (returns a float), a list of n floats
    (returns a list of n floats) or an n x m Matrix (returns an n x m Matrix). A list or a
    Matrix is changed in place, one entry at a time, and is as it was given when the
    function returns.
    """
    if isinstance(x, (int, float)):
        # BEGIN SOLUTION numerical_gradient: number
        # goal: grad (a float): the slope of f at the number x, from values of f alone. Where do you evaluate
        #   f, and why on both sides of x? (lecture 3: optimization, the numerical gradient; the CS231n notes
        #   on gradient checks)
        # idea: The derivative is the limit, as h shrinks, of the slope of f between x and x + h; a slope
        #   taken symmetrically around x, from x - h to x + h, is far more accurate for the same h: its error
        #   shrinks like h^2, not like h.
        # formula: df/dx ≈ (f_plus - f_minus) / 2h, with f_plus the value of f at x + h and f_minus its value
        #   at x - h.
        # code: Two calls of f, at x + h and at x - h, and their difference divided by the distance between
        #   the two points.
        grad = (f(x + h) - f(x - h)) / (2 * h)
        # END SOLUTION
        return grad
    grad = zeros_like(x)
    for ix in positions(x):
        grad[ix] = numerical_partial(f, x, ix, h)
    return grad


def numerical_partial(f: Callable, x: Union[list, Matrix], ix: Index, h: float = 1e-5) -> float:
    """The centered difference of f at x along the entry ix of x (a float): the partial derivative df/dx[ix].

    x is a list of floats or a Matrix, ix an index of it (i, or (i, j)); x[ix] is changed in
    place and put back, so that x is as it was given when the function returns.
    """
    # BEGIN SOLUTION numerical_partial: nudge
    # goal: fxph, fxmh (floats): f with entry ix of x moved up by h, and f with it moved down by h, every other
    #   entry as given. What must x look like after both calls? (lecture 3: optimization, the numerical
    #   gradient)
    # idea: Move one entry and leave every other entry where it was: the slope is then the partial
    #   derivative along that entry alone. x is changed in place, so put the entry back when done, or the
    #   next entry's slope is taken at the wrong point.
    # formula: fxph = f(x + h e_ix), fxmh = f(x - h e_ix), with e_ix the vector that is 1 at ix and 0
    #   elsewhere; afterwards x[ix] is its old value again.
    # code: Keep x[ix] in a variable; set x[ix] to it plus h and call f(x); set it to it minus h and call
    #   f(x); set x[ix] back to the kept value.
    old = x[ix]
    x[ix] = old + h
    fxph = f(x)
    x[ix] = old - h
    fxmh = f(x)
    x[ix] = old
    # END SOLUTION
    # BEGIN SOLUTION numerical_partial: slope
    # goal: slope (a float): the partial derivative of f along entry ix, from fxph and fxmh. (lecture 3:
    #   optimization, the numerical gradient)
    # idea: The same centered difference as for a number: the change of f between the two points, over the
    #   distance between them.
    # formula: slope = the difference fxph - fxmh over the distance 2h between the two points.
    # code: One expression of the two values and h.
    slope = (fxph - fxmh) / (2 * h)
    # END SOLUTION
    return slope


def rel_error(a, b) -> float:
    """The relative error |a - b| / max(|a| + |b|, 1e-8) of two floats, or the largest over the entries of
    two lists or two Matrices of the same shape; 0 when both are 0."""
    pairs = paired(a, b)
    # BEGIN SOLUTION rel_error: errors
    # goal: errors (a list of floats): the relative error of each pair (p, q) of entries. Why divide the
    #   difference by the sizes of the numbers, and what keeps 0 against 0 from dividing by zero? (lecture
    #   3: optimization, gradient check; the CS231n notes on gradient checks)
    # idea: An absolute difference of 1e-4 is tiny between gradients near 1000 and huge between gradients
    #   near 1e-5: compare the difference with the size of the numbers. A floor on the denominator keeps two
    #   zeros (a perfect match) at an error of 0.
    # formula: error = |p - q| / max(|p| + |q|, 1e-8).
    # code: A list comprehension over pairs, using abs and max.
    errors = [abs(p - q) / max(abs(p) + abs(q), 1e-8) for p, q in pairs]
    # END SOLUTION
    return max(errors, default=0.0)


def grad_check_sparse(f: Callable, x: Union[list, Matrix], analytic: Union[list, Matrix], num_checks: int = 10,
                      h: float = 1e-5, seed: Optional[int] = None) -> List[float]:
    """The relative errors of ``analytic`` against centered differences of f at ``num_checks`` entries of x
    drawn at random.

    f takes x and returns a float; x is a list of floats or a Matrix, as numerical_partial
    takes it; analytic is the gradient to check, of the same kind and
    shape as x. seed: an int (the same seed draws the same entries) or None. Returns
    num_checks floats, one relative error per entry drawn (an entry may be drawn twice).
    """
    candidates = positions(x)
    if positions(analytic) != candidates:
        raise ValueError("grad_check_sparse: the analytic gradient must have the shape of x")
    rng = random.Random(seed)
    errors = []
    for _ in range(num_checks):
        # BEGIN SOLUTION grad_check_sparse: pick
        # goal: ix: the index of one entry of x, drawn at random from candidates with the generator rng. Why
        #   a random entry, and why a generator made from seed? (lecture 3: optimization, gradient check; the
        #   CS231n notes: checking a few dimensions)
        # idea: Checking every entry of a large W costs two evaluations of f each; a handful of entries drawn
        #   at random finds a wrong gradient almost as surely. Drawing them with rng, made from seed, makes a
        #   check repeatable.
        # formula: ix is uniform over candidates.
        # code: One call of a method of rng that picks an element of a list.
        ix = rng.choice(candidates)
        # END SOLUTION
        # BEGIN SOLUTION grad_check_sparse: compare
        # goal: the relative error, appended to errors, between the numerical and the analytic gradient at
        #   entry ix. (lecture 3: optimization, gradient check)
        # idea: The numerical partial derivative along entry ix alone, with the step h you were given, set
        #   against the analytic gradient's entry, by the relative error.
        # formula: error = rel_error(df/dx[ix] by centered differences, analytic[ix]).
        # code: Append the rel_error of numerical_partial(f, x, ix, h) and analytic[ix].
        errors.append(rel_error(numerical_partial(f, x, ix, h), analytic[ix]))
        # END SOLUTION
    return errors
