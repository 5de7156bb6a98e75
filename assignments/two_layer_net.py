# Generated from course/two_layer_net/reference.py by `python -m autograder stubs`:
# replace each `raise NotImplementedError` with your code for the stage described above it.
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
from typing import Optional, Union

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
    # z1, h1 (N x H): the hidden layer before and after the ReLU,
    # z1 = X W1 + b1 and h1 = max(0, z1).
    # TODO (two_layer_forward: z1_h1): your code here.
    raise NotImplementedError("two_layer_forward: z1_h1")
    # scores (N x C): scores = h1 W2 + b2.
    # TODO (two_layer_forward: scores): your code here.
    raise NotImplementedError("two_layer_forward: scores")
    cache = {
        "X": X, "y": y, "reg": reg, "W1": W1, "b1": b1, "W2": W2, "b2": b2,
        "z1": z1, "h1": h1, "scores": scores, "probs": None, "data_loss": None, "reg_loss": None,
    }
    if y is None:
        return None, cache
    # probs (N x C): the softmax of each row of scores, shifted by the row's max
    # first so that exp cannot overflow.
    # TODO (two_layer_forward: probs): your code here.
    raise NotImplementedError("two_layer_forward: probs")
    # data_loss (a float): the mean over N of -log p_{y_i}
    # = log(sum_k e^{shifted_k}) - shifted_{y_i} (this form never takes log(0));
    # reg_loss (a float): reg * (sum(W1 * W1) + sum(W2 * W2)), biases left out.
    # TODO (two_layer_forward: loss): your code here.
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
    # dscores (N x C): (probs - 1 at each row's correct class) / N.
    # TODO (two_layer_backward: dscores): your code here.
    raise NotImplementedError("two_layer_backward: dscores")
    # dW2 (H x C) = h1^T dscores + 2 * reg * W2; db2 (1 x C) = the column sums
    # of dscores (b2 was added to every row, so its gradients add up).
    # TODO (two_layer_backward: dW2_db2): your code here.
    raise NotImplementedError("two_layer_backward: dW2_db2")
    # dh1 (N x H) = dscores W2^T.
    # TODO (two_layer_backward: dh1): your code here.
    raise NotImplementedError("two_layer_backward: dh1")
    # dz1 (N x H): the ReLU passes dh1 where z1 > 0 and blocks it elsewhere,
    # dz1 = dh1 * (z1 > 0).
    # TODO (two_layer_backward: dz1): your code here.
    raise NotImplementedError("two_layer_backward: dz1")
    # dW1 (D x H) = X^T dz1 + 2 * reg * W1; db1 (1 x H) = the column sums of dz1.
    # TODO (two_layer_backward: dW1_db1): your code here.
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
        """
        rng = seed if isinstance(seed, random.Random) else random.Random(seed)
        N = X.shape[0]
        iterations_per_epoch = max(N // batch_size, 1)
        history = {"loss_history": [], "train_acc_history": [], "val_acc_history": []}
        for it in range(num_iters):
            # minibatch: batch_size row indices drawn uniformly with replacement
            # (rng.randrange(N)); X_batch (batch_size x D) and y_batch (batch_size ints).
            # TODO (TwoLayerNet.train: minibatch): your code here.
            raise NotImplementedError("TwoLayerNet.train: minibatch")
            loss, grads = self.loss(X_batch, y_batch, reg)
            history["loss_history"].append(loss)
            # update (each parameter p and its gradient dp = grads[name] have the same
            # shape): one SGD step on every parameter, p <- p - learning_rate * dp.
            # TODO (TwoLayerNet.train: update): your code here.
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
        # labels (N ints): for each row, the class with the highest score
        # (self.loss(X) without y returns the N x C scores).
        # TODO (TwoLayerNet.predict: labels): your code here.
        raise NotImplementedError("TwoLayerNet.predict: labels")
        return labels
