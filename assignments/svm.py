# Generated from course/svm/reference.py by `python -m autograder stubs`:
# replace each `raise NotImplementedError` with your code for the stage described above it.
"""The multiclass SVM (hinge) loss: once with loops, once staged with Matrix operations.

Imports only the standard library and tinybackprop.matrix.Matrix.
X is N x D (one example a row), W is D x C, y a list of N ints in 0..C-1,
scores N x C. The loss is the mean over the N examples of
sum_{j != y_i} max(0, s_j - s_{y_i} + 1), plus the L2 penalty
reg * sum(W * W), whose gradient is 2 * reg * W.
"""
from __future__ import annotations

from tinybackprop.matrix import Matrix


def svm_loss_naive(W: Matrix, X: Matrix, y: list[int], reg: float) -> tuple[float, Matrix]:
    """SVM loss and gradient with explicit loops over examples, classes and features.

    W: D x C, X: N x D, y: N labels, reg: the L2 strength (loss reg * sum(W * W),
    gradient 2 * reg * W). Returns (loss, dW): a float and a D x C Matrix.
    """
    N, D = X.shape
    C = W.shape[1]
    loss = 0.0
    dW = Matrix.zeros(D, C)
    # loss (a float) and dW (D x C), summed over the examples: for example i,
    # scores s_j = sum_d X[i, d] W[d, j]; each class j != y_i whose margin
    # s_j - s_{y_i} + 1 is positive adds that margin to the loss, X[i] to
    # column j of dW and -X[i] to column y_i.
    # TODO (svm_loss_naive: loops): your code here.
    raise NotImplementedError("svm_loss_naive: loops")
    # Average loss and dW over the N examples, then add the L2 penalty
    # reg * sum(W * W) to the loss and its gradient 2 * reg * W to dW (loops too).
    # TODO (svm_loss_naive: average_and_regularize): your code here.
    raise NotImplementedError("svm_loss_naive: average_and_regularize")
    return loss, dW


def svm_forward(W: Matrix, X: Matrix, y: list[int], reg: float) -> tuple[float, dict]:
    """Forward pass of the SVM loss, stage by stage (loss reg * sum(W * W) included).

    W: D x C, X: N x D, y: N labels. Returns (loss, cache), cache keys
    "W", "X", "y", "reg", "scores" (N x C), "margins" (N x C),
    "data_loss" and "reg_loss" (floats).
    """
    N = X.shape[0]
    # scores (N x C): s = X W.
    # TODO (svm_forward: scores): your code here.
    raise NotImplementedError("svm_forward: scores")
    # margins (N x C): max(0, s_j - s_{y_i} + 1), and 0 at the correct class
    # (use scores.pick(y), the N x 1 column of correct-class scores).
    # TODO (svm_forward: margins): your code here.
    raise NotImplementedError("svm_forward: margins")
    # data_loss (a float): the sum of all margins divided by N.
    # TODO (svm_forward: data_loss): your code here.
    raise NotImplementedError("svm_forward: data_loss")
    # reg_loss (a float): the L2 penalty reg * sum(W * W).
    # TODO (svm_forward: reg_loss): your code here.
    raise NotImplementedError("svm_forward: reg_loss")
    cache = {
        "W": W, "X": X, "y": y, "reg": reg,
        "scores": scores, "margins": margins, "data_loss": data_loss, "reg_loss": reg_loss,
    }
    return data_loss + reg_loss, cache


def svm_backward(cache: dict) -> dict:
    """Backward pass of the SVM loss, from the cache of svm_forward.

    Returns {"dscores": N x C, "dW": D x C}; dW includes 2 * reg * W.
    """
    W, X, y, reg, margins = cache["W"], cache["X"], cache["y"], cache["reg"], cache["margins"]
    N = X.shape[0]
    # dscores (N x C): 1/N wherever a margin is positive; at the correct class,
    # -1/N times the number of positive margins in that row (each one pulls s_{y_i} down).
    # TODO (svm_backward: dscores): your code here.
    raise NotImplementedError("svm_backward: dscores")
    # dW (D x C): X^T dscores (the backward of s = X W) plus 2 * reg * W.
    # TODO (svm_backward: dW): your code here.
    raise NotImplementedError("svm_backward: dW")
    return {"dscores": dscores, "dW": dW}


def svm_loss_vectorized(W: Matrix, X: Matrix, y: list[int], reg: float) -> tuple[float, Matrix]:
    """SVM loss and gradient with Matrix operations: svm_forward then svm_backward.

    W: D x C, X: N x D, y: N labels, reg: L2 strength (reg * sum(W * W), gradient
    2 * reg * W). Returns (loss, dW): a float and a D x C Matrix.
    """
    loss, cache = svm_forward(W, X, y, reg)
    return loss, svm_backward(cache)["dW"]
