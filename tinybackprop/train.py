"""A small training loop on Matrix batches that keeps a history and shows its progress."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence, TextIO

from tinybackprop.data import accuracy, minibatches
from tinybackprop.losses import l2, softmax_cross_entropy
from tinybackprop.matrix import Matrix, Seed, make_rng
from tinybackprop.nn import Module
from tinybackprop.optim import Adam, Optimizer, Schedule

LossFn = Callable[[Matrix, Sequence[int]], "tuple[float, Matrix]"]


@dataclass
class History:
    """What happened in training, one entry per epoch: mean loss, train and validation accuracy."""

    loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)


def predict(model: Module, X: Matrix, negative: int = 0) -> list[int]:
    """Predicted labels for a batch (N, D): argmax of the scores, or for a single score 1 if > 0 else `negative`."""
    return scores_to_labels(model(X), negative)


def scores_to_labels(scores: Matrix, negative: int = 0) -> list[int]:
    """Labels from a batch of scores (N, C): the argmax of each row, or when C = 1, 1 if score > 0 else `negative`.

    `negative` is 0 for 0/1 labels, -1 for the -1/+1 labels of a max-margin (hinge) loss.
    """
    if scores.shape[1] == 1:
        return [1 if s > 0.0 else negative for (s,) in scores.data]
    return scores.argmax(axis=1)


def train(model: Module, X: Matrix, y: Sequence[int], *, loss: LossFn = softmax_cross_entropy,
          optimizer: Optional[Optimizer] = None, epochs: int = 10, batch_size: Optional[int] = None,
          reg: float = 0.0, X_val: Optional[Matrix] = None, y_val: Optional[Sequence[int]] = None,
          schedule: Optional[Schedule] = None, seed: Seed = None, verbose: bool = True,
          stream: Optional[TextIO] = None) -> History:
    """Train ``model`` on X (N, D) and labels y, and return the History.

    Each step runs the model's Matrix forward/backward on a minibatch
    (``batch_size=None``: the whole set, one step per epoch), adds the L2
    penalty ``reg * sum(W^2)`` on the weights (gradient ``2 * reg * W``, biases
    not penalized) and lets the optimizer (default: Adam, lr 0.01) step.
    ``train_acc`` is measured on the batches as they are seen, ``val_acc`` on
    (X_val, y_val) after each epoch. Progress goes to ``stream`` (stdout):
    one line updated in place on a terminal, about ten lines otherwise (a log
    or a notebook), nothing when ``verbose=False``.
    """
    if len(X) != len(y):
        raise ValueError(f"train: X has {len(X)} rows but y has {len(y)} labels")
    if (X_val is None) != (y_val is None):
        raise ValueError("train: give both X_val and y_val, or neither")
    optimizer = optimizer or Adam(model.parameters(), lr=0.01)
    weights = model.weights()
    negative = -1 if -1 in y else 0  # a single score separates -1/+1 or 0/1 labels
    rng = make_rng(seed)
    out = stream or sys.stdout
    live = verbose and out.isatty()
    every = max(1, epochs // 10)  # a log file gets about ten lines, however long the training
    history = History()
    for epoch in range(1, epochs + 1):
        total_loss, correct = 0.0, 0
        for X_batch, y_batch in minibatches(X, y, batch_size or len(X), shuffle=batch_size is not None, seed=rng):
            scores = model(X_batch)
            data_loss, dscores = loss(scores, y_batch)
            optimizer.zero_grad()
            model.backward(dscores, input_grad=False)
            if reg:
                penalty = l2(weights, reg)
                penalty.backward()
                data_loss += penalty.data
            optimizer.step()
            total_loss += data_loss * len(y_batch)
            correct += sum(int(p == t) for p, t in zip(scores_to_labels(scores, negative), y_batch))
        history.loss.append(total_loss / len(X))
        history.train_acc.append(correct / len(X))
        if X_val is not None:
            history.val_acc.append(accuracy(predict(model, X_val, negative), y_val))
        if schedule is not None:
            schedule.step()
        if live:
            out.write("\r" + _progress(epoch, epochs, history))
            out.flush()
        elif verbose and (epoch % every == 0 or epoch == epochs):
            out.write(_progress(epoch, epochs, history) + "\n")
    if live:
        out.write("\n")
    return history


def _progress(epoch: int, epochs: int, history: History) -> str:
    """One line about the latest epoch."""
    line = f"epoch {epoch:>{len(str(epochs))}}/{epochs}  loss {history.loss[-1]:.4f}  train {history.train_acc[-1]:6.1%}"
    if history.val_acc:
        line += f"  val {history.val_acc[-1]:6.1%}"
    return line
