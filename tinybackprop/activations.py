"""Activations for the layers: each one's value and slope for one number, and both for a batch of rows.

A batch is a list of rows of floats (``Matrix.data``), so the layers' loops
stay plain list comprehensions. Each activation's function and local gradient
come from the one table in ``tinybackprop.operators``; as there, the slope is
read from the activation's *output*, which the forward pass keeps anyway:
backward needs nothing else.
"""
from __future__ import annotations

import math
from functools import partial
from operator import mul
from typing import Union

from tinybackprop.operators import ACTIVATION_FUNCTIONS

Rows = list  # a batch: list[list[float]], one row per example


class Activation:
    """An activation from the table in tinybackprop.operators, for one number or a batch (this base: linear)."""

    name = "linear"
    gain = 1.0  # initial weights get std gain/sqrt(nin), so signals keep their size layer after layer

    def __init__(self, **params: float) -> None:
        """The table's function and local gradient for ``name``, their parameters (a slope, an alpha) bound."""
        function, local = ACTIVATION_FUNCTIONS[self.name]
        # Bound once here, not unpacked per call: scalar runs once per neuron of a Value graph.
        self.function = partial(function, **params) if params else function
        self.local = partial(local, **params) if params else local

    def scalar(self, z: float) -> tuple[float, float]:
        """``(f(z), f'(z))`` for one pre-activation ``z``."""
        out = self.function(z)
        return out, self.local(out)

    def forward(self, z: Rows) -> Rows:
        """f applied to every entry of a batch of pre-activations (N x H rows in, N x H rows out)."""
        function = self.function
        return [list(map(function, row)) for row in z]

    def backward(self, dout: Rows, out: Rows) -> Rows:
        """The upstream gradient times the local slope f'(z), computed from the outputs ``out`` (N x H)."""
        local = self.local
        return [list(map(mul, drow, map(local, orow))) for drow, orow in zip(dout, out)]

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Linear(Activation):
    """The identity: a linear unit, whose batch forms hand their rows back untouched (no copy)."""

    def forward(self, z: Rows) -> Rows:
        return z

    def backward(self, dout: Rows, out: Rows) -> Rows:
        return dout


class ReLU(Activation):
    """max(0, z)."""

    name = "relu"
    gain = math.sqrt(2.0)  # He et al.: half the units are off, so double the variance

    # The hidden layers' default, so its batch forms are written out: on CPython
    # these comprehensions run twice as fast as a call of relu per entry.
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
        super().__init__(slope=slope)
        self.slope = slope

    def __repr__(self) -> str:
        return f"LeakyReLU(slope={self.slope})"


class Tanh(Activation):
    """The hyperbolic tangent, squashing into (-1, 1)."""

    name = "tanh"


class Sigmoid(Activation):
    """The logistic function 1 / (1 + e^-z), squashing into (0, 1)."""

    name = "sigmoid"


class ELU(Activation):
    """z for z > 0, alpha * (e^z - 1) otherwise (smooth, negative outputs down to -alpha)."""

    name = "elu"
    gain = math.sqrt(2.0)

    def __init__(self, alpha: float = 1.0):
        if alpha <= 0.0:
            raise ValueError(f"ELU: alpha must be positive, got {alpha}")
        super().__init__(alpha=alpha)
        self.alpha = alpha

    def __repr__(self) -> str:
        return f"ELU(alpha={self.alpha})"


ACTIVATIONS = {cls.name: cls for cls in (Linear, ReLU, LeakyReLU, Tanh, Sigmoid, ELU)}


def get_activation(activation: Union[str, Activation, None]) -> Activation:
    """The Activation named by ``activation`` (``"relu"``, ``"tanh"``, ...; None is linear), or it itself."""
    if isinstance(activation, Activation):
        return activation
    if activation is None:
        return Linear()
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; expected one of {', '.join(sorted(ACTIVATIONS))} "
                         "or an Activation instance")
    return ACTIVATIONS[activation]()
