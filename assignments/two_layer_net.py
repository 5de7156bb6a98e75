# Generated from course/two_layer_net/reference.py by `python -m autograder stubs`:
# replace each `raise NotImplementedError` with your code for the stage described above it.
# Stuck? `python -m autograder hint two_layer_net` gives a hint for the first stage that fails.
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
    # z1 and h1 (N x H): the hidden layer before and after its ReLU. The first layer is an affine
    #   map of X with W1 and b1: what is the shape of each term, and how does a 1 x H bias meet N
    #   rows? (lecture 4: neural networks, f = W2 max(0, W1 x))
    raise NotImplementedError("two_layer_forward: z1_h1")
    # scores (N x C): the output layer, an affine map of h1 with W2 and b2. (lecture 4: neural
    #   networks)
    raise NotImplementedError("two_layer_forward: scores")
    cache = {
        "X": X, "y": y, "reg": reg, "W1": W1, "b1": b1, "W2": W2, "b2": b2,
        "z1": z1, "h1": h1, "scores": scores, "probs": None, "data_loss": None, "reg_loss": None,
    }
    if y is None:
        return None, cache
    # probs (N x C): the softmax of each row of scores, computed so that exp cannot overflow.
    #   (lecture 3: the softmax classifier; the softmax assignment's shifted and probs stages)
    raise NotImplementedError("two_layer_forward: probs")
    # data_loss (a float), the mean over the examples of minus the log of the correct class's
    #   probability, never taking a log of 0; and reg_loss (a float), the L2 penalty of both weight
    #   matrices as the docstring says (the biases are not regularized). (lecture 3: the softmax
    #   classifier; regularization)
    raise NotImplementedError("two_layer_forward: loss")
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
    # dscores (N x C): the gradient of the mean softmax loss with respect to the scores, the same
    #   stage as in softmax_backward. When one score rises, how does -log p_y change? (lecture 3:
    #   the softmax classifier)
    raise NotImplementedError("two_layer_backward: dscores")
    # dW2 (H x C) and db2 (1 x C): the gradients on the output layer's parameters, from dscores (dW2
    #   with the penalty's gradient). scores = h1 W2 + b2: which product has the shape of W2, and
    #   since b2 was added to every row, how do the rows' gradients combine? (lecture 4:
    #   backpropagation, gradients for vectorized operations; gradients add at branches)
    raise NotImplementedError("two_layer_backward: dW2_db2")
    # dh1 (N x H): the gradient on the hidden activations, flowing back through scores = h1 W2 + b2.
    #   It has the shape of h1: which product of dscores and W2 is N x H? (lecture 4:
    #   backpropagation, gradients for vectorized operations)
    raise NotImplementedError("two_layer_backward: dh1")
    # dz1 (N x H): the gradient on z1, through the ReLU h1 = max(0, z1). What does the ReLU do to
    #   the gradient of a unit that was active, and of one that was not? (lecture 4:
    #   backpropagation, patterns in backward flow: the max gate)
    raise NotImplementedError("two_layer_backward: dz1")
    # dW1 (D x H) and db1 (1 x H): the gradients on the first layer's parameters, from dz1 (dW1 with
    #   the penalty's gradient). The same pattern as dW2 and db2, one layer down: what plays the
    #   part of h1 there, and what the part of dscores? (lecture 4: backpropagation, gradients for
    #   vectorized operations)
    raise NotImplementedError("two_layer_backward: dW1_db1")
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
            # X_batch (batch_size x D) and y_batch (batch_size ints): a minibatch drawn as the
            #   docstring says, from rng, so that the same seed gives the same batches. Why train on
            #   a small random sample rather than on all N examples at every step? (lecture 3:
            #   optimization, stochastic gradient descent)
            raise NotImplementedError("TwoLayerNet.train: minibatch")
            loss, grads = self.loss(X_batch, y_batch, reg)
            history["loss_history"].append(loss)
            # One step of gradient descent on every parameter of self.params (W1, b1, W2, b2), each
            #   against its own gradient in grads, with step size learning_rate. (lecture 3:
            #   optimization, gradient descent)
            raise NotImplementedError("TwoLayerNet.train: update")
            if verbose and it % 100 == 0:
                print(f"iteration {it} / {num_iters}: loss {loss:.6f}")
            if it % iterations_per_epoch == 0:
                history["train_acc_history"].append(_accuracy(self.predict(X_batch), y_batch))
                history["val_acc_history"].append(_accuracy(self.predict(X_val), y_val))
                learning_rate *= learning_rate_decay
        return history

    def predict(self, X: Matrix) -> list[int]:
        """Predicted labels of the N rows of X (N x D): a list of N ints."""
        # labels (N ints): the class with the highest score for each row of X. Which method of this
        #   class already gives the scores? (lecture 4: neural networks)
        raise NotImplementedError("TwoLayerNet.predict: labels")
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
    # results, one row (hidden_size, training accuracy, validation accuracy) for every size, each
    #   net trained by train_net; and best, the size to keep. Which split trains, and which one
    #   chooses? (lecture 2: setting hyperparameters, validation sets; lecture 4: the size of a
    #   network)
    raise NotImplementedError("search_hidden_size: sizes")
    return best, results
