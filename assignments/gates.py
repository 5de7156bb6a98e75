# Generated from course/gates/reference.py by `python -m autograder stubs`:
# replace each `raise NotImplementedError` with your code for the stage described above it.
# Stuck? `python -m autograder hint gates` gives a hint for the first stage that fails.
"""Warm-up: the backward pass of the lecture's gates, of a sigmoid neuron, of a circuit with a fork and
of the lecture's vectorized example.

Imports only the standard library and tinybackprop's Matrix. Each gate caches
in `forward` what its `backward` needs; `backward` multiplies the upstream
gradient by the gate's local gradient (chain rule), one gradient per input.
"""
from __future__ import annotations

import math

from tinybackprop.matrix import Matrix


def sigmoid(x: float) -> float:
    """The logistic function 1 / (1 + e^-x), without overflow for large |x|."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    # For negative x, e^-x can overflow; e^x / (1 + e^x) is the same number.
    e = math.exp(x)
    return e / (1.0 + e)


class MultiplyGate:
    """The gate z = x * y."""

    def forward(self, x: float, y: float) -> float:
        """x * y; caches both inputs for backward."""
        self.x, self.y = x, y
        return x * y

    def backward(self, dz: float) -> tuple[float, float]:
        """(dx, dy), the gradients on the inputs, from the upstream gradient dz."""
        # dx, dy (floats): the gradients on the inputs of z = x * y, given the upstream gradient dz.
        #   If x alone moves a little, how fast does z move, and what does the chain rule do with
        #   dz? (lecture 4: backpropagation, patterns in backward flow: the multiply gate)
        raise NotImplementedError("MultiplyGate.backward: switch")
        return dx, dy


class AddGate:
    """The gate z = x + y."""

    def forward(self, x: float, y: float) -> float:
        """x + y (nothing to cache)."""
        return x + y

    def backward(self, dz: float) -> tuple[float, float]:
        """(dx, dy), the gradients on the inputs, from the upstream gradient dz."""
        # dx, dy (floats): the gradients on the inputs of z = x + y, given the upstream gradient dz.
        #   When x grows by a small h, by how much does z grow, and does the value of y matter?
        #   (lecture 4: backpropagation, patterns in backward flow: the add gate)
        raise NotImplementedError("AddGate.backward: distribute")
        return dx, dy


class MaxGate:
    """The gate z = max(x, y)."""

    def forward(self, x: float, y: float) -> float:
        """max(x, y); caches both inputs for backward."""
        self.x, self.y = x, y
        return max(x, y)

    def backward(self, dz: float) -> tuple[float, float]:
        """(dx, dy), the gradients on the inputs, from the upstream gradient dz."""
        # dx, dy (floats): the gradients on the inputs of z = max(x, y), given the upstream gradient
        #   dz; on a tie, x counts as the larger. Near the inputs, which one does z follow, and what
        #   becomes of the other? (lecture 4: backpropagation, patterns in backward flow: the max
        #   gate)
        raise NotImplementedError("MaxGate.backward: route")
        return dx, dy


class SigmoidGate:
    """The gate f = sigmoid(x)."""

    def forward(self, x: float) -> float:
        """sigmoid(x); caches the output f for backward."""
        self.f = sigmoid(x)
        return self.f

    def backward(self, dout: float) -> float:
        """dx, the gradient on the input, from the upstream gradient dout."""
        # dx (a float): the gradient on the input of f = sigmoid(x), given the upstream gradient
        #   dout. What is the derivative of the sigmoid, and can you write it with nothing but its
        #   output f, which forward cached? (lecture 4: backpropagation, the sigmoid gate)
        raise NotImplementedError("SigmoidGate.backward: local")
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
    # dot (a float): what the neuron computes before its activation: the argument of the sigmoid in
    #   the docstring's f. Which weight goes with which input, and which weight is the bias?
    #   (lecture 4: backpropagation, the sigmoid neuron example)
    raise NotImplementedError("sigmoid_neuron_forward: dot")
    # f (a float): the neuron's output, its activation applied to dot. (lecture 4: backpropagation,
    #   the sigmoid neuron example)
    raise NotImplementedError("sigmoid_neuron_forward: f")
    cache = {"w": list(w), "x": list(x), "dot": dot, "f": f}
    return f, cache


def sigmoid_neuron_backward(cache: dict, dout: float = 1.0) -> tuple[list[float], list[float]]:
    """Backward pass of the sigmoid neuron, from the cache of sigmoid_neuron_forward.

    Returns (dw, dx): lists of 3 and 2 floats, the gradients of dout * f.
    """
    w, x, f = cache["w"], cache["x"], cache["f"]
    # ddot (a float): the gradient on dot, the sigmoid's input, given the upstream gradient dout.
    #   Walking backward from f, the sigmoid is the first gate you meet: what is its local gradient,
    #   written with the cached f, and what multiplies it? (lecture 4: backpropagation, the sigmoid
    #   neuron example)
    raise NotImplementedError("sigmoid_neuron_backward: ddot")
    # dw (3 floats): the gradients on w0, w1 and the bias w2. dot is a sum of products: given ddot,
    #   what does the add gate hand to each term, and what does each multiply gate then send to its
    #   weight? (lecture 4: backpropagation, the sigmoid neuron example; patterns in backward flow)
    raise NotImplementedError("sigmoid_neuron_backward: dw")
    # dx (2 floats): the gradients on the inputs x0 and x1. Seen from the other side of the same
    #   multiply gates, what does an input receive? (lecture 4: backpropagation, the sigmoid neuron
    #   example)
    raise NotImplementedError("sigmoid_neuron_backward: dx")
    return dw, dx


def fork_circuit_forward(x: float, y: float) -> tuple[float, dict]:
    """Forward pass of the circuit f = (x + y) * x, in which x feeds two gates (a fork).

    x, y: floats. Returns (f, cache), cache keys "x", "y", "q", "f" (all floats).
    """
    # q (a float): the output of the add gate of f = (x + y) * x, the intermediate value that the
    #   multiply gate uses and that backward will need. (lecture 4: backpropagation, staged
    #   computation)
    raise NotImplementedError("fork_circuit_forward: q")
    # f (a float): the multiply gate's output, made from q and x. (lecture 4: backpropagation,
    #   staged computation)
    raise NotImplementedError("fork_circuit_forward: f")
    cache = {"x": x, "y": y, "q": q, "f": f}
    return f, cache


def fork_circuit_backward(cache: dict, dout: float = 1.0) -> tuple[float, float]:
    """Backward pass of f = (x + y) * x, from the cache of fork_circuit_forward.

    Returns (dx, dy): floats, the gradients of dout * f.
    """
    x, q = cache["x"], cache["q"]
    # dq, dx_from_product (floats): what the multiply gate f = q * x sends back to each of its two
    #   inputs, given dout. Which input's value sets the gradient of the other? (lecture 4:
    #   backpropagation, patterns in backward flow: the multiply gate)
    raise NotImplementedError("fork_circuit_backward: product")
    # dx_from_sum, dy (floats): what the add gate q = x + y sends back to its two inputs, given dq.
    #   (lecture 4: backpropagation, patterns in backward flow: the add gate)
    raise NotImplementedError("fork_circuit_backward: sum")
    # dx (a float): the whole gradient on x, which feeds both gates. When x moves, f moves along
    #   both paths at once: how do the two contributions combine? (lecture 4: backpropagation,
    #   gradients add at branches)
    raise NotImplementedError("fork_circuit_backward: fork")
    return dx, dy


def vector_circuit_forward(W: Matrix, x: Matrix) -> tuple[float, dict]:
    """Forward pass of the lecture's vectorized example f(x, W) = ||W x||^2 = sum_i q_i^2, with q = W x.

    W: an n x d Matrix, x: a d x 1 column Matrix. Returns (f, cache), cache keys "W", "x",
    "q" (n x 1) and "f" (a float).
    """
    if W.shape[1] != x.shape[0] or x.shape[1] != 1:
        raise ValueError(f"vector_circuit_forward: W is {W.shape[0]} x {W.shape[1]}, so x must be a "
                         f"{W.shape[1]} x 1 column; got x of shape {x.shape[0]} x {x.shape[1]}")
    # q (n x 1): the intermediate of f(x, W) = ||W x||^2, the vector whose squared length f is.
    #   (lecture 4: backpropagation, a vectorized example)
    raise NotImplementedError("vector_circuit_forward: q")
    # f (a float): the squared L2 norm of q, the output of the circuit. (lecture 4: backpropagation,
    #   a vectorized example)
    raise NotImplementedError("vector_circuit_forward: f")
    cache = {"W": W, "x": x, "q": q, "f": f}
    return f, cache


def vector_circuit_backward(cache: dict, dout: float = 1.0) -> dict:
    """Backward pass of f = ||W x||^2, from the cache of vector_circuit_forward.

    Returns {"dq", "dW", "dx"}: the gradients of dout * f on q (n x 1), W (n x d) and x (d x 1).
    """
    W, x, q = cache["W"], cache["x"], cache["q"]
    # dq (n x 1): the gradient of dout * f on every entry of q. f adds up n squares: how does f move
    #   when q_i alone moves a little? (lecture 4: backpropagation, a vectorized example)
    raise NotImplementedError("vector_circuit_backward: dq")
    # dW (n x d): the gradient on W. W_ij only enters q_i: by how much does q_i move when W_ij
    #   moves, and what multiplies that? Check your answer's shape. (lecture 4: backpropagation, a
    #   vectorized example; backprop with vectors and matrices)
    raise NotImplementedError("vector_circuit_backward: dW")
    # dx (d x 1): the gradient on x. Unlike W_ij, x_j enters every q_i: how do the contributions of
    #   all the q_i combine? (lecture 4: backpropagation, a vectorized example; gradients add at
    #   branches)
    raise NotImplementedError("vector_circuit_backward: dx")
    return {"dq": dq, "dW": dW, "dx": dx}
