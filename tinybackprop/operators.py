"""Scalar math on one float: checked exp, log and powers, and the table of activations with their local gradients.

Every function here takes and returns plain floats. ``Value``, the gates, the
neurons and the layers' row kernels all compute through this module, so they
agree to the last bit and raise the same clear errors.

Each activation is written once, as a pair: the function ``out = f(x)`` and
its local gradient ``d out / d x`` written in terms of ``out``, which the
forward pass keeps anyway (the lecture's sigmoid trick: s' = s (1 - s)), so a
backward pass needs nothing else.

    >>> out = sigmoid(0.0)
    >>> out, sigmoid_local(out)
    (0.5, 0.25)
"""
from __future__ import annotations

import math
from typing import Callable, Dict, NamedTuple

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


# ----- the activations: each one's function, and its local gradient from its output -----

def linear(x: float) -> float:
    """The identity: a linear unit."""
    return x


def linear_local(out: float) -> float:
    """d/dx of x: 1 everywhere."""
    return 1.0


def relu(x: float) -> float:
    """max(0, x)."""
    return x if x > 0.0 else 0.0


def relu_local(out: float) -> float:
    """1 where the unit is on (out > 0), 0 elsewhere (0 at the kink)."""
    return 1.0 if out > 0.0 else 0.0


def leaky_relu(x: float, slope: float = 0.01) -> float:
    """x where x > 0, slope * x elsewhere (slope >= 0)."""
    return x if x > 0.0 else slope * x


def leaky_relu_local(out: float, slope: float = 0.01) -> float:
    """1 where out > 0, slope elsewhere (with slope >= 0, out has the sign of x)."""
    return 1.0 if out > 0.0 else slope


# tanh never overflows, and math's is exact to the last bit: nothing to check.
tanh = math.tanh


def tanh_local(out: float) -> float:
    """d/dx tanh(x) = 1 - tanh(x)**2."""
    return 1.0 - out * out


def sigmoid(x: float) -> float:
    """1 / (1 + e**-x), computed without overflow for any float x."""
    # exp of a large positive number overflows, so only ever exponentiate -|x|.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def sigmoid_local(out: float) -> float:
    """d/dx sigmoid(x) = s (1 - s)."""
    return out * (1.0 - out)


def elu(x: float, alpha: float = 1.0) -> float:
    """x where x > 0, alpha (e**x - 1) elsewhere (alpha >= 0; no overflow: e**x <= 1 there)."""
    return x if x > 0.0 else alpha * (math.exp(x) - 1.0)


def elu_local(out: float, alpha: float = 1.0) -> float:
    """1 where out > 0; elsewhere alpha e**x, which is out + alpha."""
    return 1.0 if out > 0.0 else out + alpha


class ActivationFunction(NamedTuple):
    """An activation as backpropagation needs it: the function and its local gradient from the output."""

    function: Callable[..., float]  # out = function(x, *params)
    local: Callable[..., float]  # d out / d x = local(out, *params)


#: The one definition of each activation, by the name that Value, Neuron, the layers and the gates use.
ACTIVATION_FUNCTIONS: Dict[str, ActivationFunction] = {
    "linear": ActivationFunction(linear, linear_local),
    "relu": ActivationFunction(relu, relu_local),
    "leaky_relu": ActivationFunction(leaky_relu, leaky_relu_local),
    "tanh": ActivationFunction(tanh, tanh_local),
    "sigmoid": ActivationFunction(sigmoid, sigmoid_local),
    "elu": ActivationFunction(elu, elu_local),
}
