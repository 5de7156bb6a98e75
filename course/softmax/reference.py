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
    # BEGIN SOLUTION softmax_loss_naive: loops
    # goal: loss (a float) and dW (D x C), summed over the examples with explicit loops. For one example: how
    #   do its probabilities come from its scores without exp overflowing, which probability enters the loss,
    #   and how does the loss change with each score? (lecture 3: the softmax classifier; the linear
    #   classification notes: numeric stability)
    # idea: Exponentiate the scores, shifted first so that the largest is 0 (this leaves the probabilities as
    #   they are), and normalize them; the loss is minus the log of the correct class's probability. Its
    #   derivative with respect to a score is that class's probability, one less at the correct class, and
    #   each score is x_i times a column of W.
    # formula: p_j = e^{s_j - m} / sum_k e^{s_k - m} with m = max_k s_k; L_i = -log p_{y_i} = log sum_k e^{s_k
    #   - m} - (s_{y_i} - m); dL_i/ds_j = p_j - 1[j = y_i]; dL_i/dW_{d,j} = x_{i,d} dL_i/ds_j.
    # code: A loop over the examples: the C scores (sums over d), their max, the shifted exponentials and
    #   their sum; add the log of the sum minus the shifted correct score to loss (never a log of 0); then a
    #   loop over the classes for p_j minus the indicator, and in it a loop over d that adds the example's
    #   feature times it to dW.
    for i in range(N):
        scores = [sum(X[i, d] * W[d, j] for d in range(D)) for j in range(C)]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        loss += math.log(total) - (scores[y[i]] - top)
        for j in range(C):
            dscore = exps[j] / total - (1.0 if j == y[i] else 0.0)
            for d in range(D):
                dW[d, j] += X[i, d] * dscore
    # END SOLUTION
    # BEGIN SOLUTION softmax_loss_naive: average_and_regularize
    # goal: loss and dW, from the sums over the examples to the mean over them plus the L2 penalty of the
    #   docstring, still with loops. What does averaging do to the gradient, and what is the penalty's
    #   gradient with respect to one weight? (lecture 3: regularization)
    # idea: The data loss is a mean, so the loss and its gradient are both divided by N. The penalty adds to
    #   the loss, and its derivative with respect to each weight adds to that weight's gradient.
    # formula: L = (1/N) sum_i L_i + reg sum_{d,j} W_{d,j}^2; dL/dW_{d,j} = (1/N) sum_i dL_i/dW_{d,j} + 2 reg
    #   W_{d,j}.
    # code: One division of loss by N; then a double loop over d and j that adds each weight's penalty to loss
    #   and makes dW[d, j] its mean part plus the penalty's gradient.
    loss /= N
    for d in range(D):
        for j in range(C):
            loss += reg * W[d, j] * W[d, j]
            dW[d, j] = dW[d, j] / N + 2 * reg * W[d, j]
    # END SOLUTION
    return loss, dW


def softmax_forward(W: Matrix, X: Matrix, y: list[int], reg: float) -> tuple[float, dict]:
    """Forward pass of the softmax loss, stage by stage (loss reg * sum(W * W) included).

    W: D x C, X: N x D, y: N labels. Returns (loss, cache), cache keys
    "W", "X", "y", "reg", "scores", "shifted", "probs" (each N x C),
    "data_loss" and "reg_loss" (floats).
    """
    N = X.shape[0]
    # BEGIN SOLUTION softmax_forward: scores
    # goal: scores (N x C): the class scores of every example, one row per example, from the linear
    #   classifier. Which matrix product has that shape? (lecture 2: the linear classifier, f(x, W))
    # idea: A linear classifier scores each class with the dot product of the example and that class's
    #   weights: all of them at once is one matrix product.
    # formula: s = X W, shapes (N x D)(D x C) = N x C.
    # code: One Matrix product with @; the shapes tell the order.
    scores = X @ W
    # END SOLUTION
    # BEGIN SOLUTION softmax_forward: shifted
    # goal: shifted (N x C): the scores moved so that the largest entry of every row is 0 (the docstring says
    #   why this is allowed). Which reduction gives each row's largest score in a shape that broadcasts back
    #   over the row? (lecture 3: the softmax classifier; the linear classification notes: numeric stability)
    # idea: Subtracting one number from every score of a row multiplies the numerator and the denominator of
    #   the softmax by the same factor, so the probabilities do not change; taking each row's own maximum
    #   makes every exponent at most 0, so exp cannot overflow.
    # formula: shifted_{i,j} = s_{i,j} - max_k s_{i,k}.
    # code: The maximum of scores along the classes (the axis that keeps an N x 1 column), subtracted from
    #   scores; broadcasting repeats the column across each row.
    shifted = scores - scores.max(axis=1)
    # END SOLUTION
    # BEGIN SOLUTION softmax_forward: probs
    # goal: probs (N x C): the softmax probability of every class for every example: each row positive and
    #   summing to 1. How do you turn a row of shifted scores into such a distribution? (lecture 3: the
    #   softmax classifier)
    # idea: Exponentiate to make every entry positive, then divide each row by its own total so that it sums
    #   to 1.
    # formula: p_{i,j} = e^{shifted_{i,j}} / sum_k e^{shifted_{i,k}}.
    # code: The exponential of shifted, entry by entry (.exp()), divided by its row sums (.sum(axis=1), an N x
    #   1 column that broadcasts); keep the exponentials in a variable, as the data loss needs their row sums
    #   again.
    exps = shifted.exp()
    probs = exps / exps.sum(axis=1)
    # END SOLUTION
    # BEGIN SOLUTION softmax_forward: data_loss
    # goal: data_loss (a float): the cross-entropy loss, the mean over the examples of minus the log of the
    #   correct class's probability. Can you compute it so that it never takes the log of 0, even when a
    #   probability underflows to 0? (lecture 3: the softmax classifier)
    # idea: -log p_y splits into the log of the row's sum of exponentials minus the correct class's shifted
    #   score. That sum is at least 1 (the row's largest score contributes e^0), so its log is always defined.
    # formula: L_data = (1/N) sum_i [log sum_k e^{shifted_{i,k}} - shifted_{i,y_i}].
    # code: The row sums of the exponentials, their .log(), minus the column of correct-class entries of
    #   shifted (.pick(y)); then .sum() over the N rows, divided by N.
    data_loss = (exps.sum(axis=1).log() - shifted.pick(y)).sum() / N
    # END SOLUTION
    # BEGIN SOLUTION softmax_forward: reg_loss
    # goal: reg_loss (a float): the L2 penalty of W, with the docstring's convention. Why does the loss punish
    #   large weights at all? (lecture 3: regularization)
    # idea: Regularization prefers small, spread-out weights: the L2 penalty is the sum of the squares of all
    #   the weights, scaled by the strength reg.
    # formula: R(W) = reg sum_{d,j} W_{d,j}^2.
    # code: W times W entry by entry, reduced with .sum(), scaled by reg.
    reg_loss = reg * (W * W).sum()
    # END SOLUTION
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
    # BEGIN SOLUTION softmax_backward: dscores
    # goal: dscores (N x C): the gradient of the mean cross-entropy loss with respect to every score. When one
    #   score rises, how do the probabilities of its row move, and what does that do to -log p_y? (lecture 3:
    #   the softmax classifier; lecture 4: backpropagation)
    # idea: Differentiating minus the log of a softmax gives a famously simple result: every score's gradient
    #   is its class's probability, one less at the correct class. The mean over N divides everything by N.
    # formula: dscores_{i,j} = (p_{i,j} - 1[j = y_i]) / N.
    # code: A copy of probs (.copy(), so the cache stays as it is), 1 taken away at each row's correct class
    #   with .add_at(y, ...), which works in place, then a division by N.
    dscores = probs.copy()
    dscores.add_at(y, -1.0)
    dscores = dscores / N
    # END SOLUTION
    # BEGIN SOLUTION softmax_backward: dW
    # goal: dW (D x C): the gradient of the whole loss with respect to W, from dscores and the penalty. dW has
    #   the shape of W: which product of X and dscores has it? (lecture 4: backpropagation, gradients for
    #   vectorized operations: use the shapes)
    # idea: Backpropagate through s = X W: weight W_{d,j} reaches the class-j score of every example through
    #   x_{i,d}, and summing over the examples is a matrix product. The penalty adds its own gradient, as in
    #   the docstring.
    # formula: dL/dW = X^T dscores + 2 reg W.
    # code: One matrix product of the transpose of X (X.T) with dscores, (D x N)(N x C) = D x C, plus the
    #   penalty's gradient.
    dW = X.T @ dscores + 2 * reg * W
    # END SOLUTION
    return {"dscores": dscores, "dW": dW}


def softmax_loss_vectorized(W: Matrix, X: Matrix, y: list[int], reg: float) -> tuple[float, Matrix]:
    """Softmax loss and gradient with Matrix operations: softmax_forward then softmax_backward.

    W: D x C, X: N x D, y: N labels, reg: L2 strength (reg * sum(W * W), gradient
    2 * reg * W). Returns (loss, dW): a float and a D x C Matrix.
    """
    loss, cache = softmax_forward(W, X, y, reg)
    return loss, softmax_backward(cache)["dW"]
