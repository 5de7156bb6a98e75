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

The gates compute through ``tinybackprop.operators``, as ``Value`` does, so
both give the same numbers and the same clear errors.
"""
from __future__ import annotations

from typing import Any, Tuple

from tinybackprop.operators import (
    exp,
    log,
    power,
    power_derivative,
    relu,
    relu_local,
    sigmoid,
    sigmoid_local,
    tanh,
    tanh_local,
)

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
        return (dout * sigmoid_local(self._cached()),)


class TanhGate(Gate):
    """tanh(x), whose derivative is 1 - tanh(x)**2."""

    def forward(self, x: float) -> float:
        out = tanh(x)
        self.cache = out
        return out

    def backward(self, dout: float) -> Tuple[float]:
        return (dout * tanh_local(self._cached()),)


class ReLUGate(Gate):
    """max(0, x): passes dout where x > 0 and blocks it elsewhere (0 at the kink)."""

    def forward(self, x: float) -> float:
        out = relu(x)
        self.cache = out
        return out

    def backward(self, dout: float) -> Tuple[float]:
        return (dout * relu_local(self._cached()),)


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
