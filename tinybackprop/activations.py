"""Activation functions: each one's value and slope for one number, and both for a batch of rows.

A batch is a list of rows of floats (``Matrix.data``), so the layers' hot
loops stay plain list comprehensions. Every slope here is written in terms of
the activation's *output*, which the forward pass keeps anyway: backward needs
nothing else.
"""
from __future__ import annotations

import math
from typing import Union

Rows = list  # a batch: list[list[float]], one row per example


class Activation:
    """The identity: a linear unit (also the base class that names the interface)."""

    name = "linear"
    gain = 1.0  # initial weights get std gain/sqrt(nin), so signals keep their size layer after layer

    def scalar(self, z: float) -> tuple[float, float]:
        """``(f(z), f'(z))`` for one pre-activation ``z``."""
        return z, 1.0

    def forward(self, z: Rows) -> Rows:
        """f applied to every entry of a batch of pre-activations (N x H rows in, N x H rows out)."""
        return z

    def backward(self, dout: Rows, out: Rows) -> Rows:
        """The upstream gradient times the local slope f'(z), computed from the outputs ``out``."""
        return dout

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ReLU(Activation):
    """max(0, z)."""

    name = "relu"
    gain = math.sqrt(2.0)  # He et al.: half the units are off, so double the variance

    def scalar(self, z: float) -> tuple[float, float]:
        return (z, 1.0) if z > 0.0 else (0.0, 0.0)

    def forward(self, z: Rows) -> Rows:
        return [[v if v > 0.0 else 0.0 for v in row] for row in z]

    def backward(self, dout: Rows, out: Rows) -> Rows:
        return [[d if o > 0.0 else 0.0 for d, o in zip(drow, orow)] for drow, orow in zip(dout, out)]


class LeakyReLU(Activation):
    """z for z > 0, slope * z otherwise (units never die completely)."""

    name = "leaky_relu"
    gain = math.sqrt(2.0)

    def __init__(self, slope: float = 0.01):
        if slope <= 0.0:
            raise ValueError(f"LeakyReLU: slope must be positive (0 is a plain ReLU), got {slope}")
        self.slope = slope

    def scalar(self, z: float) -> tuple[float, float]:
        return (z, 1.0) if z > 0.0 else (self.slope * z, self.slope)

    def forward(self, z: Rows) -> Rows:
        a = self.slope
        return [[v if v > 0.0 else a * v for v in row] for row in z]

    def backward(self, dout: Rows, out: Rows) -> Rows:
        # With a positive slope, the output has the sign of the input.
        a = self.slope
        return [[d if o > 0.0 else a * d for d, o in zip(drow, orow)] for drow, orow in zip(dout, out)]

    def __repr__(self) -> str:
        return f"LeakyReLU(slope={self.slope})"


class Tanh(Activation):
    """The hyperbolic tangent, squashing into (-1, 1)."""

    name = "tanh"

    def scalar(self, z: float) -> tuple[float, float]:
        t = math.tanh(z)
        return t, 1.0 - t * t

    def forward(self, z: Rows) -> Rows:
        tanh = math.tanh
        return [list(map(tanh, row)) for row in z]

    def backward(self, dout: Rows, out: Rows) -> Rows:
        return [[d * (1.0 - o * o) for d, o in zip(drow, orow)] for drow, orow in zip(dout, out)]


def _sigmoid(z: float) -> float:
    """1 / (1 + e^-z) without overflow for large negative z."""
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


class Sigmoid(Activation):
    """The logistic function 1 / (1 + e^-z), squashing into (0, 1)."""

    name = "sigmoid"

    def scalar(self, z: float) -> tuple[float, float]:
        s = _sigmoid(z)
        return s, s * (1.0 - s)

    def forward(self, z: Rows) -> Rows:
        return [list(map(_sigmoid, row)) for row in z]

    def backward(self, dout: Rows, out: Rows) -> Rows:
        return [[d * o * (1.0 - o) for d, o in zip(drow, orow)] for drow, orow in zip(dout, out)]


class ELU(Activation):
    """z for z > 0, alpha * (e^z - 1) otherwise (smooth, negative outputs down to -alpha)."""

    name = "elu"
    gain = math.sqrt(2.0)

    def __init__(self, alpha: float = 1.0):
        if alpha <= 0.0:
            raise ValueError(f"ELU: alpha must be positive, got {alpha}")
        self.alpha = alpha

    def scalar(self, z: float) -> tuple[float, float]:
        if z > 0.0:
            return z, 1.0
        out = self.alpha * (math.exp(z) - 1.0)
        return out, out + self.alpha

    def forward(self, z: Rows) -> Rows:
        a, exp = self.alpha, math.exp
        return [[v if v > 0.0 else a * (exp(v) - 1.0) for v in row] for row in z]

    def backward(self, dout: Rows, out: Rows) -> Rows:
        # For z <= 0 the slope alpha * e^z equals out + alpha.
        a = self.alpha
        return [[d if o > 0.0 else d * (o + a) for d, o in zip(drow, orow)] for drow, orow in zip(dout, out)]

    def __repr__(self) -> str:
        return f"ELU(alpha={self.alpha})"


ACTIVATIONS = {cls.name: cls for cls in (Activation, ReLU, LeakyReLU, Tanh, Sigmoid, ELU)}


def get_activation(activation: Union[str, Activation, None]) -> Activation:
    """The Activation named by ``activation`` (``"relu"``, ``"tanh"``, ...; None is linear), or it itself."""
    if isinstance(activation, Activation):
        return activation
    if activation is None:
        return Activation()
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; expected one of {', '.join(sorted(ACTIVATIONS))} "
                         "or an Activation instance")
    return ACTIVATIONS[activation]()
