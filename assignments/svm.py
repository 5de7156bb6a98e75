# Generated from course/svm/reference.py by `python -m autograder stubs`:
# replace each `raise NotImplementedError` with your code for the stage described above it.
# Stuck? `python -m autograder hint svm` gives a hint for the first stage that fails.
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
    # loss (a float) and dW (D x C), summed over the examples with explicit loops, no Matrix
    #   operation. For one example, which classes add to its hinge loss? For such a class, which two
    #   columns of dW does the example's x change, and in which directions? (lecture 3: the
    #   multiclass SVM loss; the optimization notes: computing the gradient analytically)
    raise NotImplementedError("svm_loss_naive: loops")
    # loss and dW, from the sums over the examples to the mean over them plus the L2 penalty of the
    #   docstring, still with loops. What does averaging do to the gradient, and what is the
    #   penalty's gradient with respect to one weight? (lecture 3: regularization)
    raise NotImplementedError("svm_loss_naive: average_and_regularize")
    return loss, dW


def svm_forward(W: Matrix, X: Matrix, y: list[int], reg: float) -> tuple[float, dict]:
    """Forward pass of the SVM loss, stage by stage (loss reg * sum(W * W) included).

    W: D x C, X: N x D, y: N labels. Returns (loss, cache), cache keys
    "W", "X", "y", "reg", "scores" (N x C), "margins" (N x C),
    "data_loss" and "reg_loss" (floats).
    """
    N = X.shape[0]
    # scores (N x C): the class scores of every example, one row per example, from the linear
    #   classifier. Which matrix product has that shape? (lecture 2: the linear classifier, f(x, W))
    raise NotImplementedError("svm_forward: scores")
    # margins (N x C): the hinge term of the SVM loss for every example and every class, and 0 at
    #   each example's correct class. How do you compare every score of a row with that row's
    #   correct-class score, all rows at once, without a loop? (lecture 3: the multiclass SVM loss)
    raise NotImplementedError("svm_forward: margins")
    # data_loss (a float): the SVM data loss, the mean over the examples of each example's sum of
    #   margins. (lecture 3: the multiclass SVM loss; the loss over the dataset is the average of
    #   the examples' losses)
    raise NotImplementedError("svm_forward: data_loss")
    # reg_loss (a float): the L2 penalty of W, with the docstring's convention. Why does the loss
    #   punish large weights at all? (lecture 3: regularization)
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
    # dscores (N x C): the gradient of the loss with respect to every score. Which scores does one
    #   positive margin touch, and in which direction? (lecture 3: the multiclass SVM loss; lecture
    #   4: backpropagation, the gradient has the shape of what it is the gradient of)
    raise NotImplementedError("svm_backward: dscores")
    # dW (D x C): the gradient of the whole loss with respect to W, from dscores and the penalty. dW
    #   has the shape of W: which product of X and dscores has it? (lecture 4: backpropagation,
    #   gradients for vectorized operations: use the shapes)
    raise NotImplementedError("svm_backward: dW")
    return {"dscores": dscores, "dW": dW}


def svm_loss_vectorized(W: Matrix, X: Matrix, y: list[int], reg: float) -> tuple[float, Matrix]:
    """SVM loss and gradient with Matrix operations: svm_forward then svm_backward.

    W: D x C, X: N x D, y: N labels, reg: L2 strength (reg * sum(W * W), gradient
    2 * reg * W). Returns (loss, dW): a float and a D x C Matrix.
    """
    loss, cache = svm_forward(W, X, y, reg)
    return loss, svm_backward(cache)["dW"]
