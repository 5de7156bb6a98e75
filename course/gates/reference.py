"""Warm-up: the backward pass of the lecture's gates, of a sigmoid neuron and of a circuit with a fork.

Imports only the standard library. Each gate caches in `forward` what its
`backward` needs; `backward` multiplies the upstream gradient by the gate's
local gradient (chain rule), one gradient per input.
"""
from __future__ import annotations

import math


def sigmoid(x: float) -> float:
    """The logistic function 1 / (1 + e^-x), without overflow for large |x|."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    # For negative x, e^-x can overflow; e^x / (1 + e^x) is the same number.
    e = math.exp(x)
    return e / (1.0 + e)


class MultiplyGate:
    """The gate z = x * y: a gradient switcher."""

    def forward(self, x: float, y: float) -> float:
        """x * y; caches both inputs (each is the other's local gradient)."""
        self.x, self.y = x, y
        return x * y

    def backward(self, dz: float) -> tuple[float, float]:
        """(dx, dy), the gradients on the inputs, from the upstream gradient dz."""
        # dx, dy (floats): dx = y * dz and dy = x * dz; the local gradient of
        # each input is the other input's value.
        # BEGIN SOLUTION MultiplyGate.backward: switch
        dx = self.y * dz
        dy = self.x * dz
        # END SOLUTION
        return dx, dy


class AddGate:
    """The gate z = x + y: a gradient distributor."""

    def forward(self, x: float, y: float) -> float:
        """x + y (nothing to cache: both local gradients are 1)."""
        return x + y

    def backward(self, dz: float) -> tuple[float, float]:
        """(dx, dy), the gradients on the inputs, from the upstream gradient dz."""
        # dx, dy (floats): dx = dy = 1 * dz; the add gate hands the upstream
        # gradient to both inputs.
        # BEGIN SOLUTION AddGate.backward: distribute
        dx = dz
        dy = dz
        # END SOLUTION
        return dx, dy


class MaxGate:
    """The gate z = max(x, y): a gradient router."""

    def forward(self, x: float, y: float) -> float:
        """max(x, y); caches the inputs (backward must know which one won)."""
        self.x, self.y = x, y
        return max(x, y)

    def backward(self, dz: float) -> tuple[float, float]:
        """(dx, dy), the gradients on the inputs, from the upstream gradient dz."""
        # dx, dy (floats): the larger input gets all of dz, the other gets 0
        # (local gradients 1 and 0). On a tie, x counts as the larger.
        # BEGIN SOLUTION MaxGate.backward: route
        if self.x >= self.y:
            dx, dy = dz, 0.0
        else:
            dx, dy = 0.0, dz
        # END SOLUTION
        return dx, dy


class SigmoidGate:
    """The gate f = sigmoid(x), whose local gradient is (1 - f) * f."""

    def forward(self, x: float) -> float:
        """sigmoid(x); caches it, since the local gradient needs only the output."""
        self.f = sigmoid(x)
        return self.f

    def backward(self, dout: float) -> float:
        """dx, the gradient on the input, from the upstream gradient dout."""
        # dx (a float): dx = (1 - f) * f * dout, with f the cached output of forward.
        # BEGIN SOLUTION SigmoidGate.backward: local
        local = (1.0 - self.f) * self.f
        dx = local * dout
        # END SOLUTION
        return dx


def sigmoid_neuron_forward(w: list[float], x: list[float]) -> tuple[float, dict]:
    """Forward pass of the neuron f = sigmoid(w0 x0 + w1 x1 + w2).

    w: 3 floats (two weights and a bias), x: 2 floats.
    Returns (f, cache), cache keys "w", "x", "dot", "f" (dot and f floats).
    """
    if len(w) != 3 or len(x) != 2:
        raise ValueError(
            f"sigmoid_neuron_forward: expected 3 weights (w0, w1, bias) and 2 inputs, "
            f"got {len(w)} weights and {len(x)} inputs"
        )
    # dot (a float): the weighted sum w0 x0 + w1 x1 + w2.
    # BEGIN SOLUTION sigmoid_neuron_forward: dot
    dot = w[0] * x[0] + w[1] * x[1] + w[2]
    # END SOLUTION
    # f (a float): the neuron's output sigmoid(dot) = 1 / (1 + e^-dot).
    # BEGIN SOLUTION sigmoid_neuron_forward: f
    f = sigmoid(dot)
    # END SOLUTION
    cache = {"w": list(w), "x": list(x), "dot": dot, "f": f}
    return f, cache


def sigmoid_neuron_backward(cache: dict, dout: float = 1.0) -> tuple[list[float], list[float]]:
    """Backward pass of the sigmoid neuron, from the cache of sigmoid_neuron_forward.

    Returns (dw, dx): lists of 3 and 2 floats, the gradients of dout * f.
    """
    w, x, f = cache["w"], cache["x"], cache["f"]
    # ddot (a float): the gradient on dot, the sigmoid's local gradient
    # (1 - f) * f times the upstream dout.
    # BEGIN SOLUTION sigmoid_neuron_backward: ddot
    ddot = (1.0 - f) * f * dout
    # END SOLUTION
    # dw (3 floats): [x0 * ddot, x1 * ddot, ddot]; the bias w2 has local gradient 1.
    # BEGIN SOLUTION sigmoid_neuron_backward: dw
    dw = [x[0] * ddot, x[1] * ddot, ddot]
    # END SOLUTION
    # dx (2 floats): [w0 * ddot, w1 * ddot].
    # BEGIN SOLUTION sigmoid_neuron_backward: dx
    dx = [w[0] * ddot, w[1] * ddot]
    # END SOLUTION
    return dw, dx


def fork_circuit_forward(x: float, y: float) -> tuple[float, dict]:
    """Forward pass of the circuit f = (x + y) * x, in which x feeds two gates (a fork).

    x, y: floats. Returns (f, cache), cache keys "x", "y", "q", "f" (all floats).
    """
    # q (a float): the add gate's output x + y.
    # BEGIN SOLUTION fork_circuit_forward: q
    q = x + y
    # END SOLUTION
    # f (a float): the multiply gate's output q * x.
    # BEGIN SOLUTION fork_circuit_forward: f
    f = q * x
    # END SOLUTION
    cache = {"x": x, "y": y, "q": q, "f": f}
    return f, cache


def fork_circuit_backward(cache: dict, dout: float = 1.0) -> tuple[float, float]:
    """Backward pass of f = (x + y) * x, from the cache of fork_circuit_forward.

    Returns (dx, dy): floats, the gradients of dout * f.
    """
    x, q = cache["x"], cache["q"]
    # dq, dx_from_product (floats): the multiply gate f = q * x swaps its
    # inputs: dq = x * dout, and the gradient it sends to x is q * dout.
    # BEGIN SOLUTION fork_circuit_backward: product
    dq = x * dout
    dx_from_product = q * dout
    # END SOLUTION
    # dx_from_sum, dy (floats): the add gate q = x + y hands dq to both inputs.
    # BEGIN SOLUTION fork_circuit_backward: sum
    dx_from_sum = dq
    dy = dq
    # END SOLUTION
    # dx (a float): x feeds both gates, so its gradient is the sum of what
    # each gate sends back (gradients add at forks).
    # BEGIN SOLUTION fork_circuit_backward: fork
    dx = dx_from_sum + dx_from_product
    # END SOLUTION
    return dx, dy
