"""A linear classifier s = X W trained with minibatch SGD, with an SVM or a softmax loss.

Imports only the standard library, tinybackprop.matrix.Matrix and the
assignment's own svm.py and softmax.py. X is N x D, W is D x C, y a list of
N ints in 0..C-1. The loss includes the L2 penalty reg * sum(W * W), whose
gradient is 2 * reg * W.
"""
from __future__ import annotations

import random
from typing import Optional, Sequence, Union

from tinybackprop.matrix import Matrix

from .softmax import softmax_loss_vectorized
from .svm import svm_loss_vectorized


def _rng(seed: Union[int, random.Random, None]) -> random.Random:
    """The generator for seed: an int, a random.Random (used as is) or None (unseeded)."""
    return seed if isinstance(seed, random.Random) else random.Random(seed)


class LinearClassifier:
    """Class scores s = X W; subclasses choose the loss."""

    def __init__(self) -> None:
        self.W: Optional[Matrix] = None

    def train(self, X: Matrix, y: list[int], learning_rate: float = 1e-3, reg: float = 1e-5,
              num_iters: int = 100, batch_size: int = 200, verbose: bool = False,
              seed: Union[int, random.Random, None] = None) -> list[float]:
        """Train W by minibatch SGD and return the loss of every iteration.

        X: N x D, y: N labels in 0..C-1, reg: L2 strength (reg * sum(W * W),
        gradient 2 * reg * W). On the first call W becomes 0.001 * randn(D, C)
        drawn from seed; the same generator then draws each minibatch: batch_size
        row indices, one after the other, uniformly with replacement.
        """
        rng = _rng(seed)
        N, D = X.shape
        if len(y) != N:
            raise ValueError(f"train: X has {N} rows but y has {len(y)} labels; expected one label per row")
        if self.W is None:
            self.W = Matrix.randn(D, max(y) + 1, std=0.001, seed=rng)
        loss_history = []
        for it in range(num_iters):
            # BEGIN SOLUTION LinearClassifier.train: minibatch
            # goal: X_batch (batch_size x D) and y_batch (batch_size ints): a minibatch drawn as the docstring
            #   says, from rng, so that the same seed gives the same batches. Why train on a small random
            #   sample rather than on all N examples at every step? (lecture 3: optimization, stochastic
            #   gradient descent)
            # idea: The gradient on a random minibatch is a cheap, noisy estimate of the gradient on all the
            #   data. Drawing each index independently means with replacement; the features and the labels
            #   must be picked with the same indices.
            # formula: i_1, ..., i_B drawn uniformly from 0..N-1, one after the other; X_batch holds rows
            #   i_1..i_B of X and y_batch the labels y_{i_1}, ..., y_{i_B}.
            # code: A list of batch_size indices, each from one rng.randrange call; X indexed by that list (a
            #   Matrix of those rows, in that order) and a list comprehension over the same indices for y.
            rows = [rng.randrange(N) for _ in range(batch_size)]
            X_batch = X[rows]
            y_batch = [y[i] for i in rows]
            # END SOLUTION
            loss, dW = self.loss(X_batch, y_batch, reg)
            loss_history.append(loss)
            # BEGIN SOLUTION LinearClassifier.train: update
            # goal: self.W after one step of gradient descent on the minibatch's loss, with step size
            #   learning_rate. In which direction does the loss go down, and how far do you move? (lecture 3:
            #   optimization, gradient descent)
            # idea: The gradient points uphill, where the loss grows fastest; a small step against it lowers
            #   the loss, and the learning rate sets the size of that step. Every Matrix operation makes a new
            #   Matrix, so store the result back in self.W.
            # formula: W <- W - learning_rate dL/dW, with dL/dW = dW.
            # code: One assignment to self.W from self.W, learning_rate and dW: a number times a Matrix, and a
            #   subtraction.
            self.W = self.W - learning_rate * dW
            # END SOLUTION
            if verbose and it % 100 == 0:
                print(f"iteration {it} / {num_iters}: loss {loss:.6f}")
        return loss_history

    def predict(self, X: Matrix) -> list[int]:
        """Predicted labels of the N rows of X (N x D): a list of N ints."""
        if self.W is None:
            raise ValueError("predict: the classifier has no weights yet; call train first")
        # BEGIN SOLUTION LinearClassifier.predict: labels
        # goal: labels (N ints): the predicted class of every row of X: the class this classifier scores
        #   highest. (lecture 2: the linear classifier)
        # idea: Score every example with the trained weights, then pick in each row the index of the largest
        #   score.
        # formula: label_i = argmax_j (X W)_{i,j}.
        # code: One Matrix product with self.W, then .argmax(axis=1), one int per row.
        labels = (X @ self.W).argmax(axis=1)
        # END SOLUTION
        return labels

    def loss(self, X_batch: Matrix, y_batch: list[int], reg: float) -> tuple[float, Matrix]:
        """Loss and dW (D x C) on a minibatch; subclasses choose the loss."""
        raise NotImplementedError("LinearClassifier.loss: use LinearSVM or Softmax, which define the loss")


class LinearSVM(LinearClassifier):
    """A linear classifier with the multiclass SVM loss (svm_loss_vectorized)."""

    def loss(self, X_batch: Matrix, y_batch: list[int], reg: float) -> tuple[float, Matrix]:
        """SVM loss (with reg * sum(W * W)) and dW (D x C) on a minibatch."""
        return svm_loss_vectorized(self.W, X_batch, y_batch, reg)


class Softmax(LinearClassifier):
    """A linear classifier with the softmax loss (softmax_loss_vectorized)."""

    def loss(self, X_batch: Matrix, y_batch: list[int], reg: float) -> tuple[float, Matrix]:
        """Softmax loss (with reg * sum(W * W)) and dW (D x C) on a minibatch."""
        return softmax_loss_vectorized(self.W, X_batch, y_batch, reg)


def append_bias(X: Matrix) -> Matrix:
    """X (N x D) with a constant feature 1 appended to every row: N x (D + 1), the bias trick.

    A linear classifier on append_bias(X) has weights W of (D + 1) x C whose last
    row is the bias b (1 x C): its scores are X weights + b, with nothing else to learn.
    """
    # BEGIN SOLUTION append_bias: ones
    # goal: X_bias (N x (D + 1)): each row of X followed by one more feature that is 1 for every example.
    #   Why does the weight a class gives to a feature that is always 1 act as that class's bias? (lecture 2:
    #   the linear classifier, the bias trick)
    # idea: The score x . w + b equals [x, 1] . [w, b]: give every example an extra input that never changes,
    #   and its weight plays the part of the bias. It goes last, so that the bias is the last row of W.
    # formula: X_bias_{i,:} = [X_{i,1}, ..., X_{i,D}, 1] for every row i.
    # code: A new Matrix built from a list of rows: each row of X as a list (X.tolist()) with 1.0 added at its
    #   end.
    X_bias = Matrix([row + [1.0] for row in X.tolist()])
    # END SOLUTION
    return X_bias


def split_bias(W: Matrix) -> tuple[Matrix, Matrix]:
    """The weights of a classifier trained on append_bias(X), (D + 1) x C, as (weights D x C, bias 1 x C).

    The weights are the templates to draw; the bias is the score each class gets before any pixel counts.
    """
    D = W.shape[0] - 1
    # BEGIN SOLUTION split_bias: rows
    # goal: weights (D x C) and b (1 x C): the rows of W that multiply the D features, and the row that
    #   multiplies the constant 1. Which row of W meets the feature append_bias added? (lecture 2: the linear
    #   classifier, the bias trick)
    # idea: Row k of W holds every class's weight on feature k; the feature append_bias added is the last one,
    #   so the last row holds the biases and the rows before it the weights.
    # formula: weights = W_{1..D,:}; b = W_{D+1,:}.
    # code: Two slices of the rows of W (W[a:b] is a Matrix of those rows): the first D rows, and the rows from
    #   D on (just one).
    weights = W[:D]
    b = W[D:]
    # END SOLUTION
    return weights, b


def accuracy(labels: list[int], y: list[int]) -> float:
    """The fraction of the labels equal to y (two lists of N ints)."""
    return sum(1 for label, truth in zip(labels, y) if label == truth) / len(y)


def train_softmax(X: Matrix, y: list[int], learning_rate: float, reg: float, num_iters: int = 100,
                  batch_size: int = 200, seed: Union[int, random.Random, None] = None) -> Softmax:
    """A Softmax classifier trained on X (N x D) and y with these settings: the search's one way to train."""
    model = Softmax()
    model.train(X, y, learning_rate=learning_rate, reg=reg, num_iters=num_iters, batch_size=batch_size,
                seed=seed)
    return model


def search(X_train: Matrix, y_train: list[int], X_val: Matrix, y_val: list[int],
           learning_rates: Sequence[float], regs: Sequence[float], num_iters: int = 100,
           batch_size: int = 200, seed: Union[int, random.Random, None] = 0) -> tuple[tuple, list]:
    """Try every (learning_rate, reg) pair: train a Softmax on the training split, score it on both splits.

    Each model comes from train_softmax(X_train, y_train, learning_rate, reg, num_iters, batch_size,
    seed). Returns (best, results): results a list of (learning_rate, reg, training accuracy,
    validation accuracy), one per pair, learning rates in the outer loop; best the (learning_rate, reg)
    of the highest validation accuracy (the first such pair tried, on a tie).
    """
    # BEGIN SOLUTION search: grid
    # goal: results: one row (learning_rate, reg, training accuracy, validation accuracy) for every pair of
    #   the two lists, each model trained by train_softmax. Which split may the training see, and which
    #   split tells you how the model does on data it has not seen? (lecture 2: setting hyperparameters,
    #   validation sets)
    # idea: Two nested loops give every pair once. Each model learns from the training split alone; its
    #   accuracy on the training split shows how well it fits, and on the validation split how well it
    #   generalizes, which is what the search compares.
    # formula: for each (eta, lambda): model = train(X_train, y_train; eta, lambda); row = (eta, lambda,
    #   acc(model, X_train, y_train), acc(model, X_val, y_val)).
    # code: A list, a loop over learning_rates around a loop over regs; in the body one train_softmax call
    #   with X_train and y_train, two accuracy calls on model.predict of each split, and an append of the
    #   row as a tuple.
    results = []
    for learning_rate in learning_rates:
        for reg in regs:
            model = train_softmax(X_train, y_train, learning_rate, reg, num_iters, batch_size, seed)
            train_accuracy = accuracy(model.predict(X_train), y_train)
            val_accuracy = accuracy(model.predict(X_val), y_val)
            results.append((learning_rate, reg, train_accuracy, val_accuracy))
    # END SOLUTION
    # BEGIN SOLUTION search: best
    # goal: best, the (learning_rate, reg) pair to keep. By which of the two accuracies do you choose, and
    #   why not by the other? (lecture 2: setting hyperparameters; the test set is used once, at the end)
    # idea: Choose by validation accuracy: the training accuracy rewards the model that fits its own data
    #   best, not the one that does best on new data. The test split stays untouched until the very end.
    # formula: best = argmax over the rows of the validation accuracy, the first row on a tie.
    # code: max over results with a key that reads the validation accuracy of a row (max keeps the first
    #   of equal rows); best is that row's first two entries.
    best_row = max(results, key=lambda row: row[3])
    best = (best_row[0], best_row[1])
    # END SOLUTION
    return best, results
