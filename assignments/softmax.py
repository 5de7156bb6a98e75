# Generated from course/softmax/reference.py by `python -m autograder stubs`:
# replace each `raise NotImplementedError` with your code for the stage described above it.
"""The softmax (cross-entropy) loss: once with loops, once staged with Matrix operations.

Imports only the standard library and tinybackprop.matrix.Matrix.
X is N x D, W is D x C, y a list of N ints in 0..C-1, scores N x C.
The loss is the mean over the N examples of -log p_{y_i}, where p is the
softmax of the row of scores, plus the L2 penalty reg * sum(W * W), whose
gradient is 2 * reg * W. Scores are shifted by their row's max before exp,
which leaves p unchanged and keeps exp from overflowing.
"""
from __future__ import annotations

import math

from tinybackprop.matrix import Matrix


def softmax_loss_naive(W: Matrix, X: Matrix, y: list[int], reg: float) -> tuple[float, Matrix]:
    """Softmax loss and gradient with explicit loops over examples, classes and features.

    W: D x C, X: N x D, y: N labels, reg: the L2 strength (loss reg * sum(W * W),
    gradient 2 * reg * W). Returns (loss, dW): a float and a D x C Matrix.
    """
    N, D = X.shape
    C = W.shape[1]
    loss = 0.0
    dW = Matrix.zeros(D, C)
    # loss (a float) and dW (D x C), summed over the examples: for example i,
    # scores s_j = sum_d X[i, d] W[d, j], shifted by their max;
    # p_j = e^{s_j} / sum_k e^{s_k}; the loss adds -log p_{y_i} and column j
    # of dW adds X[i] * (p_j - 1 if j == y_i else p_j).
    # TODO (softmax_loss_naive: loops): your code here.
    raise NotImplementedError("softmax_loss_naive: loops")
    # Average loss and dW over the N examples, then add the L2 penalty
    # reg * sum(W * W) to the loss and its gradient 2 * reg * W to dW (loops too).
    # TODO (softmax_loss_naive: average_and_regularize): your code here.
    raise NotImplementedError("softmax_loss_naive: average_and_regularize")
    return loss, dW


def softmax_forward(W: Matrix, X: Matrix, y: list[int], reg: float) -> tuple[float, dict]:
    """Forward pass of the softmax loss, stage by stage (loss reg * sum(W * W) included).

    W: D x C, X: N x D, y: N labels. Returns (loss, cache), cache keys
    "W", "X", "y", "reg", "scores", "shifted", "probs" (each N x C),
    "data_loss" and "reg_loss" (floats).
    """
    N = X.shape[0]
    # scores (N x C): s = X W.
    # TODO (softmax_forward: scores): your code here.
    raise NotImplementedError("softmax_forward: scores")
    # shifted (N x C): scores minus each row's max, scores - scores.max(axis=1),
    # so that the largest entry of a row is 0 and exp cannot overflow.
    # TODO (softmax_forward: shifted): your code here.
    raise NotImplementedError("softmax_forward: shifted")
    # probs (N x C): the softmax of each row, e^{shifted_j} / sum_k e^{shifted_k}.
    # TODO (softmax_forward: probs): your code here.
    raise NotImplementedError("softmax_forward: probs")
    # data_loss (a float): the mean over N of -log p_{y_i}
    # = log(sum_k e^{shifted_k}) - shifted_{y_i} (this form never takes log(0)).
    # TODO (softmax_forward: data_loss): your code here.
    raise NotImplementedError("softmax_forward: data_loss")
    # reg_loss (a float): the L2 penalty reg * sum(W * W).
    # TODO (softmax_forward: reg_loss): your code here.
    raise NotImplementedError("softmax_forward: reg_loss")
    cache = {
        "W": W, "X": X, "y": y, "reg": reg, "scores": scores, "shifted": shifted,
        "probs": probs, "data_loss": data_loss, "reg_loss": reg_loss,
    }
    return data_loss + reg_loss, cache


def softmax_backward(cache: dict) -> dict:
    """Backward pass of the softmax loss, from the cache of softmax_forward.

    Returns {"dscores": N x C, "dW": D x C}; dW includes 2 * reg * W.
    """
    W, X, y, reg, probs = cache["W"], cache["X"], cache["y"], cache["reg"], cache["probs"]
    N = X.shape[0]
    # dscores (N x C): (probs - 1 at each row's correct class) / N.
    # TODO (softmax_backward: dscores): your code here.
    raise NotImplementedError("softmax_backward: dscores")
    # dW (D x C): X^T dscores (the backward of s = X W) plus 2 * reg * W.
    # TODO (softmax_backward: dW): your code here.
    raise NotImplementedError("softmax_backward: dW")
    return {"dscores": dscores, "dW": dW}


def softmax_loss_vectorized(W: Matrix, X: Matrix, y: list[int], reg: float) -> tuple[float, Matrix]:
    """Softmax loss and gradient with Matrix operations: softmax_forward then softmax_backward.

    W: D x C, X: N x D, y: N labels, reg: L2 strength (reg * sum(W * W), gradient
    2 * reg * W). Returns (loss, dW): a float and a D x C Matrix.
    """
    loss, cache = softmax_forward(W, X, y, reg)
    return loss, softmax_backward(cache)["dW"]
