"""What a check lends the student's numerical gradient as f: a polynomial of the grader's that records every x.

The grader chooses f (a random polynomial of several entries, whose gradient
it knows exactly) and lends it to the student's code as an argument: every
call of f runs here, in the trusted parent, which records the x it was called
at. From the record, :func:`evaluations` tells how each x differs from the x
the student's function was given: one entry moved by +h or -h (the lecture's
centered difference), no entry moved (f(x) itself: a one-sided difference),
an entry moved by another step, or several entries moved (x not put back).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, List, NamedTuple, Optional, Sequence, Tuple

from autograder.compare import is_number
from tinybackprop.matrix import Matrix


@dataclass(frozen=True)
class Polynomial:
    """f(v) = sum_i (a_i v_i^3 + b_i v_i^2) + sum_(i, j) c_ij v_i v_j over the entries v of x, row by row."""

    cubic: Tuple[float, ...]
    square: Tuple[float, ...]
    pairs: Tuple[Tuple[int, int, float], ...]  # (i, j, c_ij) with i < j

    def __call__(self, v: Sequence[float]) -> float:
        value = sum(a * x ** 3 + b * x ** 2 for a, b, x in zip(self.cubic, self.square, v))
        return value + sum(c * v[i] * v[j] for i, j, c in self.pairs)

    def gradient(self, v: Sequence[float]) -> List[float]:
        """The exact gradient at v, entry by entry."""
        grad = [3 * a * x ** 2 + 2 * b * x for a, b, x in zip(self.cubic, self.square, v)]
        for i, j, c in self.pairs:
            grad[i] += c * v[j]
            grad[j] += c * v[i]
        return grad

    def centered(self, v: Sequence[float], h: float) -> List[float]:
        """The centered differences at v, entry by entry, computed as the lecture's recipe does."""
        slopes = []
        for k in range(len(v)):
            up, down = list(v), list(v)
            up[k], down[k] = v[k] + h, v[k] - h
            slopes.append((self(up) - self(down)) / (2 * h))
        return slopes


def polynomial(rng: random.Random, size: int) -> Polynomial:
    """A random polynomial of ``size`` entries, each entry in a product with another (so that an entry left
    moved changes the slope along the next)."""
    def coefficient() -> float:
        return round(rng.uniform(0.5, 2.0) * rng.choice((-1, 1)), 6)

    pairs = tuple((i, i + 1, coefficient()) for i in range(size - 1))
    return Polynomial(tuple(coefficient() for _ in range(size)), tuple(coefficient() for _ in range(size)), pairs)


def entries(x: Any) -> Optional[List[float]]:
    """The entries of a number, a list of numbers or a Matrix, row by row; None for anything else."""
    if is_number(x):
        return [float(x)]
    if isinstance(x, Matrix):
        return x.flatten()
    if isinstance(x, list) and all(is_number(v) for v in x):
        return [float(v) for v in x]
    return None


@dataclass
class Recorder:
    """The f lent to the student's code: the polynomial, recording the entries of every x it is called at."""

    poly: Polynomial
    shape: tuple  # () for a number, (n,) for a list, (rows, columns) for a Matrix
    calls: List[List[float]] = field(default_factory=list)

    def __call__(self, x: Any) -> float:
        values = entries(x)
        shape = () if is_number(x) else getattr(x, "shape", (len(values),) if values is not None else None)
        if values is None or tuple(shape) != tuple(self.shape):
            raise TypeError(f"f takes x as it was given ({described(self.shape)}); it was called with "
                            f"{described(shape) if values is not None else type(x).__name__}")
        self.calls.append(values)
        return self.poly(values)


def described(shape: tuple) -> str:
    """A shape in words: 'a number', 'a list of 5 floats', 'a 3 x 2 Matrix'."""
    if not shape:
        return "a number"
    if len(shape) == 1:
        return f"a list of {shape[0]} floats"
    return f"a {shape[0]} x {shape[1]} Matrix"


class Evaluation(NamedTuple):
    """How one x that f was called at differs from the x given: the entries moved, and by how much."""

    moved: Tuple[Tuple[int, float], ...]  # (entry, x[entry] - given[entry]) for every entry that differs

    def step(self, h: float) -> Optional[Tuple[int, int]]:
        """(entry, +1 or -1) when exactly one entry moved, by +h or -h; None otherwise."""
        if len(self.moved) != 1:
            return None
        entry, delta = self.moved[0]
        for sign in (1, -1):
            if abs(delta - sign * h) <= 1e-6 * h:
                return entry, sign
        return None


def evaluations(calls: Sequence[Sequence[float]], given: Sequence[float], h: float) -> List[Evaluation]:
    """Each recorded x as the entries it moved from ``given`` (by more than a rounding error: an entry put
    back as x[i] + h - h is back)."""
    return [Evaluation(tuple((k, v - g) for k, (v, g) in enumerate(zip(call, given)) if abs(v - g) > 1e-6 * h))
            for call in calls]


def centered_problems(found: Sequence[Evaluation], h: float, entries_wanted: Sequence[int]) -> dict:
    """What is wrong with the evaluations of a numerical gradient, by kind ("" when nothing):

    ``restored``: a call with several entries moved (x was not put back after an entry);
    ``centered``: a call at x itself (one-sided), a step other than h, or an entry of
    ``entries_wanted`` without its pair of f(x + h e_i) and f(x - h e_i).
    """
    problems = {"restored": "", "centered": ""}
    several = next((e for e in found if len(e.moved) > 1), None)
    if several is not None:
        names = ", ".join(f"x[{k}] moved by {delta:.3g}" for k, delta in several.moved[:3])
        problems["restored"] = f"f was called with several entries moved at once ({names})"
    if any(not e.moved for e in found):
        problems["centered"] = "f was called at x itself, which a centered difference never needs"
        return problems
    odd = next((e for e in found if len(e.moved) == 1 and e.step(h) is None), None)
    if odd is not None:
        k, delta = odd.moved[0]
        problems["centered"] = f"f was called with x[{k}] moved by {delta:.3g}, where the step h is {h:g}"
        return problems
    steps = [e.step(h) for e in found if e.step(h) is not None]
    missing = [k for k in entries_wanted if (k, 1) not in steps or (k, -1) not in steps]
    if missing and not problems["restored"]:
        problems["centered"] = (f"f was not called at x + h e_i and x - h e_i for entry {missing[0]}"
                                + (f" (nor for {len(missing) - 1} more)" if len(missing) > 1 else ""))
    return problems
