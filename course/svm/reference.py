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
    # BEGIN SOLUTION svm_loss_naive: loops
    # goal: loss (a float) and dW (D x C), summed over the examples with explicit loops, no Matrix operation.
    #   For one example, which classes add to its hinge loss? For such a class, which two columns of dW does
    #   the example's x change, and in which directions? (lecture 3: the multiclass SVM loss; the optimization
    #   notes: computing the gradient analytically)
    # idea: A wrong class j adds to example i's loss only when its score comes within the margin of the
    #   correct class's score. That term grows with s_j and shrinks with s_{y_i}, and every score is the dot
    #   product of x_i with one column of W: each active margin pushes column j one way and column y_i the
    #   other.
    # formula: L_i = sum over j != y_i of max(0, s_j - s_{y_i} + 1), with s_j = sum_d x_{i,d} W_{d,j}; for
    #   each j != y_i whose margin is positive, dL_i/dW_{:,j} gets + x_i and dL_i/dW_{:,y_i} gets - x_i.
    # code: A loop over the N examples; in it the C scores (each a sum over d of an entry of X times an entry
    #   of W), then a loop over the classes that skips the correct one; for a positive margin, add it to loss
    #   and loop over d to add the example's features to column j of dW and take them from column y[i].
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
    # BEGIN SOLUTION svm_loss_naive: average_and_regularize
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


def svm_forward(W: Matrix, X: Matrix, y: list[int], reg: float) -> tuple[float, dict]:
    """Forward pass of the SVM loss, stage by stage (loss reg * sum(W * W) included).

    W: D x C, X: N x D, y: N labels. Returns (loss, cache), cache keys
    "W", "X", "y", "reg", "scores" (N x C), "margins" (N x C),
    "data_loss" and "reg_loss" (floats).
    """
    N = X.shape[0]
    # BEGIN SOLUTION svm_forward: scores
    # goal: scores (N x C): the class scores of every example, one row per example, from the linear
    #   classifier. Which matrix product has that shape? (lecture 2: the linear classifier, f(x, W))
    # idea: A linear classifier scores each class with the dot product of the example and that class's
    #   weights: all of them at once is one matrix product.
    # formula: s = X W, shapes (N x D)(D x C) = N x C.
    # code: One Matrix product with @; the shapes tell the order.
    scores = X @ W
    # END SOLUTION
    # BEGIN SOLUTION svm_forward: margins
    # goal: margins (N x C): the hinge term of the SVM loss for every example and every class, and 0 at each
    #   example's correct class. How do you compare every score of a row with that row's correct-class score,
    #   all rows at once, without a loop? (lecture 3: the multiclass SVM loss)
    # idea: Each row needs its own correct-class score taken from all of its scores: pick that score out as a
    #   column and let broadcasting spread it over the row. At the correct class this leaves a margin of
    #   exactly 1, which the loss must not count.
    # formula: margins_{i,j} = max(0, s_{i,j} - s_{i,y_i} + 1) for j != y_i, and margins_{i,y_i} = 0.
    # code: scores.pick(y) is the N x 1 column of correct-class scores; subtract it from scores (it broadcasts
    #   over the columns), add the margin of 1, clamp at 0 with .maximum(0.0), then take the 1 away at every
    #   correct class with .add_at(y, ...), which works in place.
    margins = (scores - scores.pick(y) + 1.0).maximum(0.0)
    # At the correct class the margin is exactly s_y - s_y + 1 = 1: remove it.
    margins.add_at(y, -1.0)
    # END SOLUTION
    # BEGIN SOLUTION svm_forward: data_loss
    # goal: data_loss (a float): the SVM data loss, the mean over the examples of each example's sum of
    #   margins. (lecture 3: the multiclass SVM loss; the loss over the dataset is the average of the
    #   examples' losses)
    # idea: Summing a row's margins gives one example's loss; averaging over the N examples gives the data
    #   loss. Summing every entry of the matrix does both sums at once.
    # formula: L_data = (1/N) sum_i sum_{j != y_i} margins_{i,j}.
    # code: One .sum() of margins (without an axis it is a float), divided by N.
    data_loss = margins.sum() / N
    # END SOLUTION
    # BEGIN SOLUTION svm_forward: reg_loss
    # goal: reg_loss (a float): the L2 penalty of W, with the docstring's convention. Why does the loss punish
    #   large weights at all? (lecture 3: regularization)
    # idea: Regularization prefers small, spread-out weights: the L2 penalty is the sum of the squares of all
    #   the weights, scaled by the strength reg.
    # formula: R(W) = reg sum_{d,j} W_{d,j}^2.
    # code: W times W entry by entry, reduced with .sum(), scaled by reg.
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
    # BEGIN SOLUTION svm_backward: dscores
    # goal: dscores (N x C): the gradient of the loss with respect to every score. Which scores does one
    #   positive margin touch, and in which direction? (lecture 3: the multiclass SVM loss; lecture 4:
    #   backpropagation, the gradient has the shape of what it is the gradient of)
    # idea: A positive margin s_j - s_{y_i} + 1 raises the loss one for one with s_j and lowers it one for one
    #   with s_{y_i}; a margin at 0 adds nothing (the hinge is flat there). So the correct class's score
    #   collects one pull for every positive margin of its row, and the mean over N scales everything.
    # formula: dscores_{i,j} = (1/N) 1[margins_{i,j} > 0] for j != y_i; dscores_{i,y_i} = -(1/N) sum_{j !=
    #   y_i} 1[margins_{i,j} > 0].
    # code: A comparison of margins with 0 gives a 0/1 matrix; its row counts (.sum(axis=1), an N x 1 column)
    #   go, negated, into each row's correct class with .add_at(y, ...); then a division by N.
    positive = margins > 0
    positive.add_at(y, -positive.sum(axis=1))
    dscores = positive / N
    # END SOLUTION
    # BEGIN SOLUTION svm_backward: dW
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


def svm_loss_vectorized(W: Matrix, X: Matrix, y: list[int], reg: float) -> tuple[float, Matrix]:
    """SVM loss and gradient with Matrix operations: svm_forward then svm_backward.

    W: D x C, X: N x D, y: N labels, reg: L2 strength (reg * sum(W * W), gradient
    2 * reg * W). Returns (loss, dW): a float and a D x C Matrix.
    """
    loss, cache = svm_forward(W, X, y, reg)
    return loss, svm_backward(cache)["dW"]
