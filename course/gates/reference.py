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
        # BEGIN SOLUTION MultiplyGate.backward: switch
        # goal: dx, dy (floats): the gradients on the inputs of z = x * y, given the upstream gradient dz. If
        #   x alone moves a little, how fast does z move, and what does the chain rule do with dz? (lecture 4:
        #   backpropagation, patterns in backward flow: the multiply gate)
        # idea: Each input's local gradient is the rate at which z changes when that input alone moves; for a
        #   product, that rate is set by the other input. The chain rule multiplies each local gradient by the
        #   upstream gradient: the multiply gate is a gradient switcher.
        # formula: dz/dx = y and dz/dy = x; by the chain rule dx = (dz/dx) · dz and dy = (dz/dy) · dz.
        # code: Two assignments, one per input: the other input's value, cached by forward in self.x or
        #   self.y, times the upstream gradient.
        dx = self.y * dz
        dy = self.x * dz
        # END SOLUTION
        return dx, dy


class AddGate:
    """The gate z = x + y."""

    def forward(self, x: float, y: float) -> float:
        """x + y (nothing to cache)."""
        return x + y

    def backward(self, dz: float) -> tuple[float, float]:
        """(dx, dy), the gradients on the inputs, from the upstream gradient dz."""
        # BEGIN SOLUTION AddGate.backward: distribute
        # goal: dx, dy (floats): the gradients on the inputs of z = x + y, given the upstream gradient dz.
        #   When x grows by a small h, by how much does z grow, and does the value of y matter? (lecture 4:
        #   backpropagation, patterns in backward flow: the add gate)
        # idea: Addition passes any change of either input straight through to its output, whatever the other
        #   input is: both local gradients are constants. The add gate is a gradient distributor.
        # formula: dz/dx = dz/dy = 1, so dx = 1 · dz and dy = 1 · dz.
        # code: Two assignments that need nothing cached by forward, only the upstream gradient.
        dx = dz
        dy = dz
        # END SOLUTION
        return dx, dy


class MaxGate:
    """The gate z = max(x, y)."""

    def forward(self, x: float, y: float) -> float:
        """max(x, y); caches both inputs for backward."""
        self.x, self.y = x, y
        return max(x, y)

    def backward(self, dz: float) -> tuple[float, float]:
        """(dx, dy), the gradients on the inputs, from the upstream gradient dz."""
        # BEGIN SOLUTION MaxGate.backward: route
        # goal: dx, dy (floats): the gradients on the inputs of z = max(x, y), given the upstream gradient dz;
        #   on a tie, x counts as the larger. Near the inputs, which one does z follow, and what becomes of
        #   the other? (lecture 4: backpropagation, patterns in backward flow: the max gate)
        # idea: Around the current inputs, max is simply the larger input: z moves one for one with it and not
        #   at all with the smaller one. The max gate is a gradient router.
        # formula: dz/dx = 1 if x >= y, else 0; dz/dy = 1 if y > x, else 0; dx = (dz/dx) · dz, dy = (dz/dy) ·
        #   dz.
        # code: An if/else on the inputs that forward cached (self.x, self.y): one branch gives the larger
        #   input all of dz and the other 0.0, the other branch the reverse; compare with >= so that a tie
        #   goes to x.
        if self.x >= self.y:
            dx, dy = dz, 0.0
        else:
            dx, dy = 0.0, dz
        # END SOLUTION
        return dx, dy


class SigmoidGate:
    """The gate f = sigmoid(x)."""

    def forward(self, x: float) -> float:
        """sigmoid(x); caches the output f for backward."""
        self.f = sigmoid(x)
        return self.f

    def backward(self, dout: float) -> float:
        """dx, the gradient on the input, from the upstream gradient dout."""
        # BEGIN SOLUTION SigmoidGate.backward: local
        # goal: dx (a float): the gradient on the input of f = sigmoid(x), given the upstream gradient dout.
        #   What is the derivative of the sigmoid, and can you write it with nothing but its output f, which
        #   forward cached? (lecture 4: backpropagation, the sigmoid gate)
        # idea: Differentiate sigma(x) = 1 / (1 + e^-x) and rearrange the result: it can be written with
        #   sigma(x) alone, so backward needs no exponential, only the cached output. Then apply the chain
        #   rule.
        # formula: dsigma/dx = (1 - sigma(x)) sigma(x); dx = (1 - f) f · dout.
        # code: The local gradient from self.f, the output forward cached, then its product with dout.
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
    # BEGIN SOLUTION sigmoid_neuron_forward: dot
    # goal: dot (a float): what the neuron computes before its activation: the argument of the sigmoid in the
    #   docstring's f. Which weight goes with which input, and which weight is the bias? (lecture 4:
    #   backpropagation, the sigmoid neuron example)
    # idea: A neuron first weighs each input and adds its bias; only then does the activation squash the sum.
    # formula: dot = w0 x0 + w1 x1 + w2.
    # code: One expression that indexes the lists w and x; w[2], the bias, multiplies no input.
    dot = w[0] * x[0] + w[1] * x[1] + w[2]
    # END SOLUTION
    # BEGIN SOLUTION sigmoid_neuron_forward: f
    # goal: f (a float): the neuron's output, its activation applied to dot. (lecture 4: backpropagation, the
    #   sigmoid neuron example)
    # idea: The sigmoid squashes the weighted sum into a number between 0 and 1.
    # formula: f = sigma(dot) = 1 / (1 + e^-dot).
    # code: A call of the sigmoid function at the top of this file, which does not overflow for large |dot|.
    f = sigmoid(dot)
    # END SOLUTION
    cache = {"w": list(w), "x": list(x), "dot": dot, "f": f}
    return f, cache


def sigmoid_neuron_backward(cache: dict, dout: float = 1.0) -> tuple[list[float], list[float]]:
    """Backward pass of the sigmoid neuron, from the cache of sigmoid_neuron_forward.

    Returns (dw, dx): lists of 3 and 2 floats, the gradients of dout * f.
    """
    w, x, f = cache["w"], cache["x"], cache["f"]
    # BEGIN SOLUTION sigmoid_neuron_backward: ddot
    # goal: ddot (a float): the gradient on dot, the sigmoid's input, given the upstream gradient dout.
    #   Walking backward from f, the sigmoid is the first gate you meet: what is its local gradient, written
    #   with the cached f, and what multiplies it? (lecture 4: backpropagation, the sigmoid neuron example)
    # idea: The chain rule at the sigmoid gate: the gradient that arrives from above times the sigmoid's local
    #   gradient, which the cached output gives without recomputing any exponential.
    # formula: ddot = (dsigma/d dot) · dout = (1 - f) f · dout.
    # code: One product of the local gradient, computed from f, and dout; leaving dout out gives the gradients
    #   for dout = 1 only.
    ddot = (1.0 - f) * f * dout
    # END SOLUTION
    # BEGIN SOLUTION sigmoid_neuron_backward: dw
    # goal: dw (3 floats): the gradients on w0, w1 and the bias w2. dot is a sum of products: given ddot, what
    #   does the add gate hand to each term, and what does each multiply gate then send to its weight?
    #   (lecture 4: backpropagation, the sigmoid neuron example; patterns in backward flow)
    # idea: The add gate hands ddot unchanged to every term; each multiply gate switches, so a weight's
    #   gradient is ddot scaled by the input it multiplies. The bias multiplies nothing.
    # formula: d dot/dw0 = x0, d dot/dw1 = x1, d dot/dw2 = 1; dw_k = (d dot/dw_k) · ddot.
    # code: A list of three floats made from x[0], x[1] and ddot.
    dw = [x[0] * ddot, x[1] * ddot, ddot]
    # END SOLUTION
    # BEGIN SOLUTION sigmoid_neuron_backward: dx
    # goal: dx (2 floats): the gradients on the inputs x0 and x1. Seen from the other side of the same
    #   multiply gates, what does an input receive? (lecture 4: backpropagation, the sigmoid neuron example)
    # idea: The same switch as for the weights, the other way round: an input's gradient is ddot scaled by the
    #   weight that multiplies it.
    # formula: d dot/dx0 = w0, d dot/dx1 = w1; dx_k = w_k · ddot.
    # code: A list of two floats made from w[0], w[1] and ddot; the bias has no input.
    dx = [w[0] * ddot, w[1] * ddot]
    # END SOLUTION
    return dw, dx


def fork_circuit_forward(x: float, y: float) -> tuple[float, dict]:
    """Forward pass of the circuit f = (x + y) * x, in which x feeds two gates (a fork).

    x, y: floats. Returns (f, cache), cache keys "x", "y", "q", "f" (all floats).
    """
    # BEGIN SOLUTION fork_circuit_forward: q
    # goal: q (a float): the output of the add gate of f = (x + y) * x, the intermediate value that the
    #   multiply gate uses and that backward will need. (lecture 4: backpropagation, staged computation)
    # idea: Break the expression into gates and give each gate's output its own name, so that backward can
    #   reuse it.
    # formula: q = x + y.
    # code: One addition of the two arguments.
    q = x + y
    # END SOLUTION
    # BEGIN SOLUTION fork_circuit_forward: f
    # goal: f (a float): the multiply gate's output, made from q and x. (lecture 4: backpropagation, staged
    #   computation)
    # idea: The second gate combines the intermediate q with x once more: x is used twice, which is the fork.
    # formula: f = q · x.
    # code: One product of q and x.
    f = q * x
    # END SOLUTION
    cache = {"x": x, "y": y, "q": q, "f": f}
    return f, cache


def fork_circuit_backward(cache: dict, dout: float = 1.0) -> tuple[float, float]:
    """Backward pass of f = (x + y) * x, from the cache of fork_circuit_forward.

    Returns (dx, dy): floats, the gradients of dout * f.
    """
    x, q = cache["x"], cache["q"]
    # BEGIN SOLUTION fork_circuit_backward: product
    # goal: dq, dx_from_product (floats): what the multiply gate f = q * x sends back to each of its two
    #   inputs, given dout. Which input's value sets the gradient of the other? (lecture 4: backpropagation,
    #   patterns in backward flow: the multiply gate)
    # idea: The multiply gate switches its inputs. Keep what it sends to x under a name of its own: it is only
    #   part of x's gradient.
    # formula: df/dq = x and df/dx = q, so dq = x · dout and dx_from_product = q · dout.
    # code: Two products with dout, one using x and one using q (both from the cache).
    dq = x * dout
    dx_from_product = q * dout
    # END SOLUTION
    # BEGIN SOLUTION fork_circuit_backward: sum
    # goal: dx_from_sum, dy (floats): what the add gate q = x + y sends back to its two inputs, given dq.
    #   (lecture 4: backpropagation, patterns in backward flow: the add gate)
    # idea: The add gate distributes: both inputs receive the upstream gradient unchanged.
    # formula: dq/dx = dq/dy = 1, so dx_from_sum = 1 · dq and dy = 1 · dq.
    # code: Two assignments from dq; no product is needed.
    dx_from_sum = dq
    dy = dq
    # END SOLUTION
    # BEGIN SOLUTION fork_circuit_backward: fork
    # goal: dx (a float): the whole gradient on x, which feeds both gates. When x moves, f moves along both
    #   paths at once: how do the two contributions combine? (lecture 4: backpropagation, gradients add at
    #   branches)
    # idea: The multivariable chain rule: a variable used in several places gets the sum of the gradients that
    #   come back along every path. Letting one overwrite the other is the classic bug.
    # formula: df/dx = (df/dx through the product) + (df/dq) (dq/dx) through the sum.
    # code: One sum of the two contributions computed in the stages above.
    dx = dx_from_sum + dx_from_product
    # END SOLUTION
    return dx, dy


def vector_circuit_forward(W: Matrix, x: Matrix) -> tuple[float, dict]:
    """Forward pass of the lecture's vectorized example f(x, W) = ||W x||^2 = sum_i q_i^2, with q = W x.

    W: an n x d Matrix, x: a d x 1 column Matrix. Returns (f, cache), cache keys "W", "x",
    "q" (n x 1) and "f" (a float).
    """
    if W.shape[1] != x.shape[0] or x.shape[1] != 1:
        raise ValueError(f"vector_circuit_forward: W is {W.shape[0]} x {W.shape[1]}, so x must be a "
                         f"{W.shape[1]} x 1 column; got x of shape {x.shape[0]} x {x.shape[1]}")
    # BEGIN SOLUTION vector_circuit_forward: q
    # goal: q (n x 1): the intermediate of f(x, W) = ||W x||^2, the vector whose squared length f is.
    #   (lecture 4: backpropagation, a vectorized example)
    # idea: Stage the expression as in the scalar circuits: first the matrix-vector product, then the
    #   squared length of its result. Each entry q_i is the dot product of row i of W with x.
    # formula: q = W x, that is q_i = sum_j W_ij x_j.
    # code: One matrix product of the two arguments, in the order that gives an n x 1 column.
    q = W @ x
    # END SOLUTION
    # BEGIN SOLUTION vector_circuit_forward: f
    # goal: f (a float): the squared L2 norm of q, the output of the circuit. (lecture 4: backpropagation, a
    #   vectorized example)
    # idea: The squared length of a vector adds up the squares of its entries.
    # formula: f = ||q||^2 = q_1^2 + ... + q_n^2.
    # code: Square q entry by entry, then sum every entry into one float.
    f = (q * q).sum()
    # END SOLUTION
    cache = {"W": W, "x": x, "q": q, "f": f}
    return f, cache


def vector_circuit_backward(cache: dict, dout: float = 1.0) -> dict:
    """Backward pass of f = ||W x||^2, from the cache of vector_circuit_forward.

    Returns {"dq", "dW", "dx"}: the gradients of dout * f on q (n x 1), W (n x d) and x (d x 1).
    """
    W, x, q = cache["W"], cache["x"], cache["q"]
    # BEGIN SOLUTION vector_circuit_backward: dq
    # goal: dq (n x 1): the gradient of dout * f on every entry of q. f adds up n squares: how does f move
    #   when q_i alone moves a little? (lecture 4: backpropagation, a vectorized example)
    # idea: Each entry q_i appears in exactly one square of the sum; differentiate that square, and
    #   multiply by the upstream gradient (the chain rule).
    # formula: df/dq_i = 2 q_i, so dq = 2 q · dout.
    # code: One expression from the cached q and dout: a column of the shape of q.
    dq = 2.0 * q * dout
    # END SOLUTION
    # BEGIN SOLUTION vector_circuit_backward: dW
    # goal: dW (n x d): the gradient on W. W_ij only enters q_i: by how much does q_i move when W_ij moves,
    #   and what multiplies that? Check your answer's shape. (lecture 4: backpropagation, a vectorized
    #   example; backprop with vectors and matrices)
    # idea: By the chain rule, dW_ij = (df/dq_i) (dq_i/dW_ij), and q_i = sum_j W_ij x_j changes with W_ij
    #   at the rate x_j. Every pair (i, j) at once is an outer product. The gradient with respect to a
    #   variable always has the shape of that variable.
    # formula: dW_ij = dq_i x_j, that is dW = dq x^T (n x 1 times 1 x d).
    # code: One matrix product of dq and the transpose of the cached x, in the order that gives n x d.
    dW = dq @ x.T
    # END SOLUTION
    # BEGIN SOLUTION vector_circuit_backward: dx
    # goal: dx (d x 1): the gradient on x. Unlike W_ij, x_j enters every q_i: how do the contributions of all
    #   the q_i combine? (lecture 4: backpropagation, a vectorized example; gradients add at branches)
    # idea: x_j feeds every entry of q (a fork), so its gradient is the sum over i of dq_i times the rate at
    #   which q_i moves with x_j, which is W_ij.
    # formula: dx_j = sum_i W_ij dq_i, that is dx = W^T dq (d x n times n x 1).
    # code: One matrix product of the transpose of the cached W and dq, which gives a d x 1 column.
    dx = W.T @ dq
    # END SOLUTION
    return {"dq": dq, "dW": dW, "dx": dx}
