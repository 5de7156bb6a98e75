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
    # BEGIN SOLUTION svm_loss_naive: loops
    for i in range(N):
        scores = [sum(X[i, d] * W[d, j] for d in range(D)) for j in range(C)]
        for j in range(C):
            if j == y[i]:
                continue
            margin = scores[j] - scores[y[i]] + 1.0
            if margin > 0:
                loss += margin
                for d in range(D):
                    dW[d, j] += X[i, d]
                    dW[d, y[i]] -= X[i, d]
    # END SOLUTION
    # Average loss and dW over the N examples, then add the L2 penalty
    # reg * sum(W * W) to the loss and its gradient 2 * reg * W to dW (loops too).
    # BEGIN SOLUTION svm_loss_naive: average_and_regularize
    loss /= N
    for d in range(D):
        for j in range(C):
            loss += reg * W[d, j] * W[d, j]
            dW[d, j] = dW[d, j] / N + 2 * reg * W[d, j]
    # END SOLUTION
    return loss, dW


def svm_forward(W: Matrix, X: Matrix, y: list[int], reg: float) -> tuple[float, dict]:
    """Forward pass of the SVM loss, stage by stage (loss reg * sum(W * W) included).

    W: D x C, X: N x D, y: N labels. Returns (loss, cache), cache keys
    "W", "X", "y", "reg", "scores" (N x C), "margins" (N x C),
    "data_loss" and "reg_loss" (floats).
    """
    N = X.shape[0]
    # scores (N x C): s = X W.
    # BEGIN SOLUTION svm_forward: scores
    scores = X @ W
    # END SOLUTION
    # margins (N x C): max(0, s_j - s_{y_i} + 1), and 0 at the correct class
    # (use scores.pick(y), the N x 1 column of correct-class scores).
    # BEGIN SOLUTION svm_forward: margins
    margins = (scores - scores.pick(y) + 1.0).maximum(0.0)
    # At the correct class the margin is exactly s_y - s_y + 1 = 1: remove it.
    margins.add_at(y, -1.0)
    # END SOLUTION
    # data_loss (a float): the sum of all margins divided by N.
    # BEGIN SOLUTION svm_forward: data_loss
    data_loss = margins.sum() / N
    # END SOLUTION
    # reg_loss (a float): the L2 penalty reg * sum(W * W).
    # BEGIN SOLUTION svm_forward: reg_loss
    reg_loss = reg * (W * W).sum()
    # END SOLUTION
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
    # BEGIN SOLUTION svm_backward: dscores
    positive = margins > 0
    positive.add_at(y, -positive.sum(axis=1))
    dscores = positive / N
    # END SOLUTION
    # dW (D x C): X^T dscores (the backward of s = X W) plus 2 * reg * W.
    # BEGIN SOLUTION svm_backward: dW
    dW = X.T @ dscores + 2 * reg * W
    # END SOLUTION
    return {"dscores": dscores, "dW": dW}


def svm_loss_vectorized(W: Matrix, X: Matrix, y: list[int], reg: float) -> tuple[float, Matrix]:
    """SVM loss and gradient with Matrix operations: svm_forward then svm_backward.

    W: D x C, X: N x D, y: N labels, reg: L2 strength (reg * sum(W * W), gradient
    2 * reg * W). Returns (loss, dW): a float and a D x C Matrix.
    """
    loss, cache = svm_forward(W, X, y, reg)
    return loss, svm_backward(cache)["dW"]
