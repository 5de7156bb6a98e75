"""A two-layer net, affine - ReLU - affine - softmax, with its backward pass written by hand.

Imports only the standard library and tinybackprop.matrix.Matrix.
X is N x D, y a list of N ints in 0..C-1; params W1 (D x H), b1 (1 x H),
W2 (H x C), b2 (1 x C): biases are 1 x C row matrices that broadcast over
the N rows. The loss is the mean softmax loss plus the L2 penalty
reg * (sum(W1 * W1) + sum(W2 * W2)) (biases are not regularized), whose
gradients are 2 * reg * W1 and 2 * reg * W2.
"""
from __future__ import annotations

import random
from typing import Optional, Sequence, Union

from tinybackprop.matrix import Matrix


def two_layer_forward(params: dict, X: Matrix, y: Optional[list[int]] = None,
                      reg: float = 0.0) -> tuple[Optional[float], dict]:
    """Forward pass of the two-layer net, stage by stage.

    params: W1 (D x H), b1 (1 x H), W2 (H x C), b2 (1 x C); X: N x D; y: N labels.
    Returns (loss, cache), cache keys "X", "y", "reg", "W1", "b1", "W2", "b2",
    "z1", "h1" (N x H), "scores", "probs" (N x C), "data_loss", "reg_loss".
    Without y, loss, probs, data_loss and reg_loss are None (only scores are needed).
    The loss includes reg * (sum(W1 * W1) + sum(W2 * W2)).
    """
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N = X.shape[0]
    # BEGIN SOLUTION two_layer_forward: z1_h1
    # goal: z1 and h1 (N x H): the hidden layer before and after its ReLU. The first layer is an affine map of
    #   X with W1 and b1: what is the shape of each term, and how does a 1 x H bias meet N rows? (lecture 4:
    #   neural networks, f = W2 max(0, W1 x))
    # idea: Each hidden unit takes a weighted sum of the inputs plus its bias, for every example at once; the
    #   ReLU then keeps the positive values and makes the others 0, entry by entry.
    # formula: z1 = X W1 + b1 (b1 added to each of the N rows); h1 = max(0, z1) entry by entry.
    # code: A matrix product plus the bias row, which broadcasts over the rows; then .maximum(0.0) of z1.
    z1 = X @ W1 + b1
    h1 = z1.maximum(0.0)
    # END SOLUTION
    # BEGIN SOLUTION two_layer_forward: scores
    # goal: scores (N x C): the output layer, an affine map of h1 with W2 and b2. (lecture 4: neural networks)
    # idea: The same affine step as the first layer, on the hidden activations, with no ReLU after it: the
    #   scores are unbounded.
    # formula: s = h1 W2 + b2.
    # code: One matrix product plus the bias row b2.
    scores = h1 @ W2 + b2
    # END SOLUTION
    cache = {
        "X": X, "y": y, "reg": reg, "W1": W1, "b1": b1, "W2": W2, "b2": b2,
        "z1": z1, "h1": h1, "scores": scores, "probs": None, "data_loss": None, "reg_loss": None,
    }
    if y is None:
        return None, cache
    # BEGIN SOLUTION two_layer_forward: probs
    # goal: probs (N x C): the softmax of each row of scores, computed so that exp cannot overflow. (lecture
    #   3: the softmax classifier; the softmax assignment's shifted and probs stages)
    # idea: As in softmax.py: shift every row so that its largest score is 0, exponentiate, and divide each
    #   row by its sum.
    # formula: p_{i,j} = e^{s_{i,j} - max_k s_{i,k}} / sum_l e^{s_{i,l} - max_k s_{i,k}}.
    # code: The row maxima (.max(axis=1)), a subtraction, .exp() and a division by the row sums
    #   (.sum(axis=1)); keep the shifted scores and the exponentials in variables, as the loss needs them.
    shifted = scores - scores.max(axis=1)
    exps = shifted.exp()
    probs = exps / exps.sum(axis=1)
    # END SOLUTION
    # BEGIN SOLUTION two_layer_forward: loss
    # goal: data_loss (a float), the mean over the examples of minus the log of the correct class's
    #   probability, never taking a log of 0; and reg_loss (a float), the L2 penalty of both weight matrices
    #   as the docstring says (the biases are not regularized). (lecture 3: the softmax classifier;
    #   regularization)
    # idea: As in softmax.py: -log p_y is the log of the row's sum of exponentials minus the correct class's
    #   shifted score. The penalty adds up the squares of every weight of W1 and of W2.
    # formula: L_data = (1/N) sum_i [log sum_k e^{shifted_{i,k}} - shifted_{i,y_i}]; R = reg (sum W1^2 + sum
    #   W2^2).
    # code: Row sums of the exponentials, .log(), minus the correct-class column of the shifted scores
    #   (.pick(y)), .sum(), divided by N; and reg times the sum of the two matrices' entry-by-entry squares,
    #   each reduced with .sum().
    data_loss = (exps.sum(axis=1).log() - shifted.pick(y)).sum() / N
    reg_loss = reg * ((W1 * W1).sum() + (W2 * W2).sum())
    # END SOLUTION
    cache.update(probs=probs, data_loss=data_loss, reg_loss=reg_loss)
    return data_loss + reg_loss, cache


def two_layer_backward(cache: dict) -> dict:
    """Backward pass of the two-layer net, from the cache of two_layer_forward (with y).

    Returns {"dscores": N x C, "dW2": H x C, "db2": 1 x C, "dh1": N x H,
    "dz1": N x H, "dW1": D x H, "db1": 1 x H}; dW1 and dW2 include 2 * reg * W.
    """
    X, y, reg, probs = cache["X"], cache["y"], cache["reg"], cache["probs"]
    W1, W2, z1, h1 = cache["W1"], cache["W2"], cache["z1"], cache["h1"]
    if probs is None:
        raise ValueError("two_layer_backward: the cache has no probs; call two_layer_forward with labels y")
    N = X.shape[0]
    # BEGIN SOLUTION two_layer_backward: dscores
    # goal: dscores (N x C): the gradient of the mean softmax loss with respect to the scores, the same stage
    #   as in softmax_backward. When one score rises, how does -log p_y change? (lecture 3: the softmax
    #   classifier)
    # idea: As in softmax.py: each score's gradient is its class's probability, one less at the correct class,
    #   divided by N.
    # formula: dscores_{i,j} = (p_{i,j} - 1[j = y_i]) / N.
    # code: A copy of probs, 1 taken away at the correct classes with .add_at(y, ...), then a division by N.
    dscores = probs.copy()
    dscores.add_at(y, -1.0)
    dscores = dscores / N
    # END SOLUTION
    # BEGIN SOLUTION two_layer_backward: dW2_db2
    # goal: dW2 (H x C) and db2 (1 x C): the gradients on the output layer's parameters, from dscores (dW2
    #   with the penalty's gradient). scores = h1 W2 + b2: which product has the shape of W2, and since b2 was
    #   added to every row, how do the rows' gradients combine? (lecture 4: backpropagation, gradients for
    #   vectorized operations; gradients add at branches)
    # idea: W2 behaves as W does in the linear classifier, with h1 as its input. The bias is used once per
    #   example, a branch N ways, so its gradient adds up every row of dscores.
    # formula: dW2 = h1^T dscores + 2 reg W2; db2 = sum_i dscores_{i,:}.
    # code: The transpose of h1 (.T) times dscores, plus the penalty's gradient; the column sums of dscores
    #   (.sum(axis=0)), a 1 x C row.
    dW2 = h1.T @ dscores + 2 * reg * W2
    db2 = dscores.sum(axis=0)
    # END SOLUTION
    # BEGIN SOLUTION two_layer_backward: dh1
    # goal: dh1 (N x H): the gradient on the hidden activations, flowing back through scores = h1 W2 + b2. It
    #   has the shape of h1: which product of dscores and W2 is N x H? (lecture 4: backpropagation, gradients
    #   for vectorized operations)
    # idea: Each hidden activation feeds every score of its row, weighted by a row of W2; collecting those
    #   contributions is again a matrix product, whose order the shapes give.
    # formula: dh1 = dscores W2^T.
    # code: One matrix product of dscores with the transpose of W2: (N x C)(C x H).
    dh1 = dscores @ W2.T
    # END SOLUTION
    # BEGIN SOLUTION two_layer_backward: dz1
    # goal: dz1 (N x H): the gradient on z1, through the ReLU h1 = max(0, z1). What does the ReLU do to the
    #   gradient of a unit that was active, and of one that was not? (lecture 4: backpropagation, patterns in
    #   backward flow: the max gate)
    # idea: The ReLU is a max gate with 0: where z1 was positive it passed z1 on (local gradient 1); elsewhere
    #   its output did not depend on z1 at all (local gradient 0).
    # formula: dz1_{i,k} = dh1_{i,k} 1[z1_{i,k} > 0].
    # code: dh1 times, entry by entry, a 0/1 mask that a comparison of z1 with 0 gives (comparisons of a
    #   Matrix make 0.0/1.0 matrices).
    dz1 = dh1 * (z1 > 0)
    # END SOLUTION
    # BEGIN SOLUTION two_layer_backward: dW1_db1
    # goal: dW1 (D x H) and db1 (1 x H): the gradients on the first layer's parameters, from dz1 (dW1 with the
    #   penalty's gradient). The same pattern as dW2 and db2, one layer down: what plays the part of h1 there,
    #   and what the part of dscores? (lecture 4: backpropagation, gradients for vectorized operations)
    # idea: z1 = X W1 + b1 has the form of scores = h1 W2 + b2: X plays the part of h1, and dz1 that of
    #   dscores.
    # formula: dW1 = X^T dz1 + 2 reg W1; db1 = sum_i dz1_{i,:}.
    # code: The transpose of X times dz1, plus the penalty's gradient; the column sums of dz1 (axis=0), a 1 x
    #   H row.
    dW1 = X.T @ dz1 + 2 * reg * W1
    db1 = dz1.sum(axis=0)
    # END SOLUTION
    return {"dscores": dscores, "dW2": dW2, "db2": db2, "dh1": dh1, "dz1": dz1, "dW1": dW1, "db1": db1}


def _accuracy(y_pred: list[int], y: list[int]) -> float:
    """The fraction of predictions equal to the labels."""
    return sum(p == t for p, t in zip(y_pred, y)) / len(y)


class TwoLayerNet:
    """A two-layer fully connected net: affine - ReLU - affine - softmax."""

    def __init__(self, input_size: int, hidden_size: int, output_size: int,
                 std: float = 1e-4, seed: Union[int, random.Random, None] = None) -> None:
        """Weights std * randn drawn from seed, biases zero.

        params: W1 (input_size x hidden_size), b1 (1 x hidden_size),
        W2 (hidden_size x output_size), b2 (1 x output_size).
        """
        rng = seed if isinstance(seed, random.Random) else random.Random(seed)
        self.params = {
            "W1": Matrix.randn(input_size, hidden_size, std=std, seed=rng),
            "b1": Matrix.zeros(1, hidden_size),
            "W2": Matrix.randn(hidden_size, output_size, std=std, seed=rng),
            "b2": Matrix.zeros(1, output_size),
        }

    def loss(self, X: Matrix, y: Optional[list[int]] = None,
             reg: float = 0.0) -> Union[Matrix, tuple[float, dict]]:
        """Scores (N x C) without y; with y, (loss, grads), grads keyed and shaped as params.

        The loss includes reg * (sum(W1 * W1) + sum(W2 * W2)); biases are 1 x C rows.
        """
        loss, cache = two_layer_forward(self.params, X, y, reg)
        if y is None:
            return cache["scores"]
        grads = two_layer_backward(cache)
        return loss, {"W1": grads["dW1"], "b1": grads["db1"], "W2": grads["dW2"], "b2": grads["db2"]}

    def train(self, X: Matrix, y: list[int], X_val: Matrix, y_val: list[int],
              learning_rate: float = 1e-3, learning_rate_decay: float = 0.95, reg: float = 5e-6,
              num_iters: int = 100, batch_size: int = 200, verbose: bool = False,
              seed: Union[int, random.Random, None] = None) -> dict:
        """Train by minibatch SGD; the learning rate decays once an epoch.

        X: N x D, y: N labels; X_val, y_val: the validation set. reg: L2 strength
        (reg * sum(W * W) on W1 and W2, gradient 2 * reg * W). Returns
        {"loss_history", "train_acc_history", "val_acc_history"}: the loss of
        every iteration and, once an epoch, the minibatch and validation accuracy.
        The generator of seed draws each minibatch: batch_size row indices, one
        after the other, uniformly with replacement.
        """
        rng = seed if isinstance(seed, random.Random) else random.Random(seed)
        N = X.shape[0]
        iterations_per_epoch = max(N // batch_size, 1)
        history = {"loss_history": [], "train_acc_history": [], "val_acc_history": []}
        for it in range(num_iters):
            # BEGIN SOLUTION TwoLayerNet.train: minibatch
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
            loss, grads = self.loss(X_batch, y_batch, reg)
            history["loss_history"].append(loss)
            # BEGIN SOLUTION TwoLayerNet.train: update
            # goal: One step of gradient descent on every parameter of self.params (W1, b1, W2, b2), each
            #   against its own gradient in grads, with step size learning_rate. (lecture 3: optimization,
            #   gradient descent)
            # idea: Every parameter moves against its own gradient, which has its shape. Matrix operations
            #   make new matrices, so store each result back into self.params.
            # formula: p <- p - learning_rate dL/dp, for every parameter p.
            # code: A loop over the names of self.params, each entry replaced by itself minus learning_rate
            #   times the gradient of the same name.
            for name in self.params:
                self.params[name] = self.params[name] - learning_rate * grads[name]
            # END SOLUTION
            if verbose and it % 100 == 0:
                print(f"iteration {it} / {num_iters}: loss {loss:.6f}")
            if it % iterations_per_epoch == 0:
                history["train_acc_history"].append(_accuracy(self.predict(X_batch), y_batch))
                history["val_acc_history"].append(_accuracy(self.predict(X_val), y_val))
                learning_rate *= learning_rate_decay
        return history

    def predict(self, X: Matrix) -> list[int]:
        """Predicted labels of the N rows of X (N x D): a list of N ints."""
        # BEGIN SOLUTION TwoLayerNet.predict: labels
        # goal: labels (N ints): the class with the highest score for each row of X. Which method of this
        #   class already gives the scores? (lecture 4: neural networks)
        # idea: Run the forward pass without labels to get the N x C scores, then pick in each row the index
        #   of the largest.
        # formula: label_i = argmax_j s_{i,j}.
        # code: self.loss(X) without y returns the scores; .argmax(axis=1) gives one int per row.
        labels = self.loss(X).argmax(axis=1)
        # END SOLUTION
        return labels


def train_net(X: Matrix, y: list[int], X_val: Matrix, y_val: list[int], hidden_size: int,
              learning_rate: float = 1.0, reg: float = 1e-3, num_iters: int = 100, batch_size: int = 100,
              seed: Union[int, random.Random, None] = 0) -> TwoLayerNet:
    """A TwoLayerNet with hidden_size hidden units (weights std 0.1), trained on X (N x D) and y with
    these settings (X_val and y_val only for its accuracy history): the search's one way to train."""
    net = TwoLayerNet(X.shape[1], hidden_size, max(y) + 1, std=0.1, seed=seed)
    net.train(X, y, X_val, y_val, learning_rate=learning_rate, reg=reg, num_iters=num_iters,
              batch_size=batch_size, seed=seed)
    return net


def search_hidden_size(X_train: Matrix, y_train: list[int], X_val: Matrix, y_val: list[int],
                       hidden_sizes: Sequence[int], learning_rate: float = 1.0, reg: float = 1e-3,
                       num_iters: int = 100, batch_size: int = 100,
                       seed: Union[int, random.Random, None] = 0) -> tuple[int, list]:
    """Try every hidden size: train a net on the training split, score it on both splits.

    Each net comes from train_net(X_train, y_train, X_val, y_val, hidden_size, learning_rate, reg,
    num_iters, batch_size, seed). Returns (best, results): results a list of (hidden_size, training
    accuracy, validation accuracy), one per size, in the order given; best the hidden size of the
    highest validation accuracy (the first such size tried, on a tie).
    """
    # BEGIN SOLUTION search_hidden_size: sizes
    # goal: results, one row (hidden_size, training accuracy, validation accuracy) for every size, each net
    #   trained by train_net; and best, the size to keep. Which split trains, and which one chooses?
    #   (lecture 2: setting hyperparameters, validation sets; lecture 4: the size of a network)
    # idea: As in the linear classifier's search, with one hyperparameter: each net learns from the training
    #   split (the validation split goes to train only for its history); the validation accuracy, not the
    #   training accuracy, says which size generalizes best.
    # formula: for each H: net = train(X_train, y_train; H); row = (H, acc(net, X_train, y_train), acc(net,
    #   X_val, y_val)); best = the H of the highest validation accuracy.
    # code: A loop over hidden_sizes with one train_net call and two _accuracy calls on net.predict of each
    #   split, appending a tuple; then max over the rows by their validation accuracy.
    results = []
    for hidden_size in hidden_sizes:
        trained = train_net(X_train, y_train, X_val, y_val, hidden_size, learning_rate, reg, num_iters,
                            batch_size, seed)
        results.append((hidden_size, _accuracy(trained.predict(X_train), y_train),
                        _accuracy(trained.predict(X_val), y_val)))
    best = max(results, key=lambda row: row[2])[0]
    # END SOLUTION
    return best, results
