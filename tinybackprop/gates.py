"""Scalar gates with the lecture's forward()/backward() API.

A gate is one small function of a circuit. ``forward(*inputs)`` computes its
output and caches what ``backward`` will need; ``backward(dout)`` takes the
upstream gradient ``dout`` (d loss / d output) and returns the gradient for
each input, always as a tuple: ``upstream * local`` (the chain rule).

    >>> gate = MultiplyGate()
    >>> gate.forward(3.0, -4.0)
    -12.0
    >>> gate.backward(2.0)      # multiply swaps: (dout * y, dout * x)
    (-8.0, 6.0)

The module also holds the checked scalar functions (``exp``, ``log``,
``sigmoid``, ``power``) that ``Value`` shares, so both give the same clear errors.
"""
from __future__ import annotations

import math
from typing import Any, Tuple

# Largest x whose exp(x) is still a finite float (about 709.78).
MAX_EXP_ARG = math.log(1.7976931348623157e308)


def exp(x: float) -> float:
    """e**x for a float, with an OverflowError a student can read."""
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(
            f"exp({x!r}) is too large for a float: exp overflows above x = "
            f"{MAX_EXP_ARG:.2f}; scale your inputs down (or subtract the max "
            "before exp, as a stable softmax does)"
        ) from None


def log(x: float) -> float:
    """Natural log of a positive float; ValueError naming x otherwise."""
    if x <= 0.0:
        raise ValueError(f"log({x!r}) is undefined: log needs a positive number")
    return math.log(x)


def sigmoid(x: float) -> float:
    """1 / (1 + e**-x), computed without overflow for any float x."""
    # exp of a large positive number overflows, so only ever exponentiate -|x|.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def power(x: float, p: float) -> float:
    """x**p as a real number; a clear error where it has none."""
    if x < 0.0 and not float(p).is_integer():
        raise ValueError(
            f"{x!r} ** {p!r} is not a real number: a negative base needs a whole-number exponent"
        )
    if x == 0.0 and p < 0:
        raise ZeroDivisionError(f"0.0 ** {p!r} is undefined: zero to a negative power divides by zero")
    return x ** p


def power_derivative(x: float, p: float) -> float:
    """d/dx of x**p, that is p x**(p - 1); +inf where that slope is infinite (x = 0, 0 < p < 1)."""
    if p == 0:
        return 0.0  # x**0 is constant, even at x = 0 where x**-1 would raise
    if x == 0.0 and p < 1:
        return math.inf
    return p * power(x, p - 1)


class Gate:
    """A node of a circuit: forward caches its inputs, backward applies the chain rule."""

    def __init__(self) -> None:
        self.cache: Any = None

    def forward(self, *inputs: float) -> float:
        """The gate's output for its inputs; caches what backward needs."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward")

    def backward(self, dout: float) -> Tuple[float, ...]:
        """One gradient per input: dout times the local gradient."""
        raise NotImplementedError(f"{type(self).__name__} does not define backward")

    def _cached(self) -> Any:
        """The forward cache, or a clear error if forward has not run yet."""
        if self.cache is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward was called before forward: run "
                "forward first so the gate can cache what its gradient needs"
            )
        return self.cache

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class AddGate(Gate):
    """x + y. Add distributes: each input gets the upstream gradient unchanged."""

    def forward(self, x: float, y: float) -> float:
        self.cache = ()  # nothing to remember, but backward may now run
        return x + y

    def backward(self, dout: float) -> Tuple[float, float]:
        self._cached()
        return (dout, dout)


class MultiplyGate(Gate):
    """x * y. Multiply swaps: dx is dout times y, dy is dout times x."""

    def forward(self, x: float, y: float) -> float:
        self.cache = (x, y)
        return x * y

    def backward(self, dout: float) -> Tuple[float, float]:
        x, y = self._cached()
        return (dout * y, dout * x)


class MaxGate(Gate):
    """max(x, y). Max routes: the larger input gets all of dout (x wins ties)."""

    def forward(self, x: float, y: float) -> float:
        self.cache = x >= y
        return x if x >= y else y

    def backward(self, dout: float) -> Tuple[float, float]:
        x_wins = self._cached()
        return (dout, 0.0) if x_wins else (0.0, dout)


class ExpGate(Gate):
    """e**x, whose derivative is itself (OverflowError above x = 709.78)."""

    def forward(self, x: float) -> float:
        out = exp(x)
        self.cache = out
        return out

    def backward(self, dout: float) -> Tuple[float]:
        return (dout * self._cached(),)


class ReciprocalGate(Gate):
    """1 / x, whose derivative is -1 / x**2."""

    def forward(self, x: float) -> float:
        if x == 0.0:
            raise ZeroDivisionError("1 / x is undefined at x = 0")
        self.cache = x
        return 1.0 / x

    def backward(self, dout: float) -> Tuple[float]:
        x = self._cached()
        return (-dout / (x * x),)


class AddConstantGate(Gate):
    """c + x for a fixed number c: the gradient passes through unchanged."""

    def __init__(self, c: float) -> None:
        super().__init__()
        self.c = c

    def forward(self, x: float) -> float:
        self.cache = ()
        return self.c + x

    def backward(self, dout: float) -> Tuple[float]:
        self._cached()
        return (dout,)

    def __repr__(self) -> str:
        return f"AddConstantGate({self.c!r})"


class ScaleGate(Gate):
    """a * x for a fixed number a: the gradient is scaled by a too."""

    def __init__(self, a: float) -> None:
        super().__init__()
        self.a = a

    def forward(self, x: float) -> float:
        self.cache = ()
        return self.a * x

    def backward(self, dout: float) -> Tuple[float]:
        self._cached()
        return (dout * self.a,)

    def __repr__(self) -> str:
        return f"ScaleGate({self.a!r})"


class SigmoidGate(Gate):
    """sigma(x) = 1 / (1 + e**-x), whose derivative is sigma (1 - sigma)."""

    def forward(self, x: float) -> float:
        out = sigmoid(x)
        self.cache = out
        return out

    def backward(self, dout: float) -> Tuple[float]:
        s = self._cached()
        return (dout * s * (1.0 - s),)


class TanhGate(Gate):
    """tanh(x), whose derivative is 1 - tanh(x)**2."""

    def forward(self, x: float) -> float:
        out = math.tanh(x)
        self.cache = out
        return out

    def backward(self, dout: float) -> Tuple[float]:
        t = self._cached()
        return (dout * (1.0 - t * t),)


class ReLUGate(Gate):
    """max(0, x): passes dout where x > 0 and blocks it elsewhere (0 at the kink)."""

    def forward(self, x: float) -> float:
        self.cache = x > 0.0
        return x if x > 0.0 else 0.0

    def backward(self, dout: float) -> Tuple[float]:
        return (dout if self._cached() else 0.0,)


class LogGate(Gate):
    """Natural log of x > 0, whose derivative is 1 / x."""

    def forward(self, x: float) -> float:
        out = log(x)
        self.cache = x
        return out

    def backward(self, dout: float) -> Tuple[float]:
        return (dout / self._cached(),)


class PowerGate(Gate):
    """x**p for a fixed number p, whose derivative is p x**(p - 1)."""

    def __init__(self, p: float) -> None:
        super().__init__()
        self.p = p

    def forward(self, x: float) -> float:
        out = power(x, self.p)
        self.cache = x
        return out

    def backward(self, dout: float) -> Tuple[float]:
        return (dout * power_derivative(self._cached(), self.p),)

    def __repr__(self) -> str:
        return f"PowerGate({self.p!r})"
