# Generated from course/softmax/reference.py by `python -m autograder stubs`:
# replace each `raise NotImplementedError` with your code for the stage described above it.
# Stuck? `python -m autograder hint softmax` gives a hint for the first stage that fails.
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
    # loss (a float) and dW (D x C), summed over the examples with explicit loops. For one example:
    #   how do its probabilities come from its scores without exp overflowing, which probability
    #   enters the loss, and how does the loss change with each score? (lecture 3: the softmax
    #   classifier; the linear classification notes: numeric stability)
    raise NotImplementedError("softmax_loss_naive: loops")
    # loss and dW, from the sums over the examples to the mean over them plus the L2 penalty of the
    #   docstring, still with loops. What does averaging do to the gradient, and what is the
    #   penalty's gradient with respect to one weight? (lecture 3: regularization)
    raise NotImplementedError("softmax_loss_naive: average_and_regularize")
    return loss, dW


def softmax_forward(W: Matrix, X: Matrix, y: list[int], reg: float) -> tuple[float, dict]:
    """Forward pass of the softmax loss, stage by stage (loss reg * sum(W * W) included).

    W: D x C, X: N x D, y: N labels. Returns (loss, cache), cache keys
    "W", "X", "y", "reg", "scores", "shifted", "probs" (each N x C),
    "data_loss" and "reg_loss" (floats).
    """
    N = X.shape[0]
    # scores (N x C): the class scores of every example, one row per example, from the linear
    #   classifier. Which matrix product has that shape? (lecture 2: the linear classifier, f(x, W))
    raise NotImplementedError("softmax_forward: scores")
    # shifted (N x C): the scores moved so that the largest entry of every row is 0 (the docstring
    #   says why this is allowed). Which reduction gives each row's largest score in a shape that
    #   broadcasts back over the row? (lecture 3: the softmax classifier; the linear classification
    #   notes: numeric stability)
    raise NotImplementedError("softmax_forward: shifted")
    # probs (N x C): the softmax probability of every class for every example: each row positive and
    #   summing to 1. How do you turn a row of shifted scores into such a distribution? (lecture 3:
    #   the softmax classifier)
    raise NotImplementedError("softmax_forward: probs")
    # data_loss (a float): the cross-entropy loss, the mean over the examples of minus the log of
    #   the correct class's probability. Can you compute it so that it never takes the log of 0,
    #   even when a probability underflows to 0? (lecture 3: the softmax classifier)
    raise NotImplementedError("softmax_forward: data_loss")
    # reg_loss (a float): the L2 penalty of W, with the docstring's convention. Why does the loss
    #   punish large weights at all? (lecture 3: regularization)
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
    # dscores (N x C): the gradient of the mean cross-entropy loss with respect to every score. When
    #   one score rises, how do the probabilities of its row move, and what does that do to -log
    #   p_y? (lecture 3: the softmax classifier; lecture 4: backpropagation)
    raise NotImplementedError("softmax_backward: dscores")
    # dW (D x C): the gradient of the whole loss with respect to W, from dscores and the penalty. dW
    #   has the shape of W: which product of X and dscores has it? (lecture 4: backpropagation,
    #   gradients for vectorized operations: use the shapes)
    raise NotImplementedError("softmax_backward: dW")
    return {"dscores": dscores, "dW": dW}


def softmax_loss_vectorized(W: Matrix, X: Matrix, y: list[int], reg: float) -> tuple[float, Matrix]:
    """Softmax loss and gradient with Matrix operations: softmax_forward then softmax_backward.

    W: D x C, X: N x D, y: N labels, reg: L2 strength (reg * sum(W * W), gradient
    2 * reg * W). Returns (loss, dW): a float and a D x C Matrix.
    """
    loss, cache = softmax_forward(W, X, y, reg)
    return loss, softmax_backward(cache)["dW"]
