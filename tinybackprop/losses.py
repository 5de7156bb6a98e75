"""Loss functions and regularizers, each for Values and for Matrix batches.

Every loss takes the scores and the labels:
- scores as a Matrix (N x C) returns ``(loss, dscores)``: the float loss and
  its gradient with respect to the scores, a Matrix of the same shape, ready
  for ``model.backward(dscores)``;
- scores as Values (a list of N lists of C Values; for the one-output losses
  also a list of N Values) returns ONE Value node whose children are the
  scores, so ``loss.backward()`` reaches the whole graph.
Data losses are averaged over the N examples. Each loss is written once, on
rows of floats; the two forms only wrap it.
"""
from __future__ import annotations

import math
from operator import mul
from typing import Callable, Sequence, Union

from tinybackprop.matrix import Matrix
from tinybackprop.value import Value

Rows = list  # list[list[float]]: one row of scores per example
ValueScores = Sequence[Union[Value, Sequence[Value]]]
LossResult = Union[Value, "tuple[float, Matrix]"]


def _check_labels(name: str, n: int, classes: int, y: Sequence[int]) -> None:
    """Raise a clear error unless y holds n class indices in 0..classes-1."""
    if len(y) != n:
        raise ValueError(f"{name}: {n} rows of scores but {len(y)} labels; expected one label per row")
    not_ints = [label for label in y if not isinstance(label, int)]
    if not_ints:
        raise TypeError(f"{name}: labels must be ints (class indices), got {not_ints[0]!r} of type "
                        f"{type(not_ints[0]).__name__}; convert them with [int(label) for label in y]")
    bad = [label for label in y if not 0 <= label < classes]
    if bad:
        raise ValueError(f"{name}: label {bad[0]} is out of range for {classes} classes (expected 0..{classes - 1})")


def _svm_rows(scores: Rows, y: Sequence[int], delta: float = 1.0) -> tuple[float, Rows]:
    """Multiclass hinge loss: mean over rows of sum_{j != y} max(0, s_j - s_y + delta)."""
    n = len(scores)
    _check_labels("svm_loss", n, len(scores[0]), y)
    loss, dscores = 0.0, []
    for row, label in zip(scores, y):
        correct = row[label]
        d = [1.0 / n if s - correct + delta > 0.0 else 0.0 for s in row]
        d[label] = 0.0
        loss += sum(s - correct + delta for j, s in enumerate(row) if d[j])
        # The correct score is pushed down once for every class whose margin is violated.
        d[label] = -sum(d)
        dscores.append(d)
    return loss / n, dscores


def _softmax_rows(scores: Rows, y: Sequence[int]) -> tuple[float, Rows]:
    """Cross-entropy of the softmax: mean of -log p_y; stable for any score size (max shifted to 0)."""
    n = len(scores)
    _check_labels("softmax_cross_entropy", n, len(scores[0]), y)
    exp, log = math.exp, math.log
    loss, dscores = 0.0, []
    for row, label in zip(scores, y):
        top = max(row)
        exps = [exp(s - top) for s in row]
        total = sum(exps)
        loss += log(total) - (row[label] - top)
        d = [e / (total * n) for e in exps]
        d[label] -= 1.0 / n  # dL/ds = (p - onehot(y)) / N
        dscores.append(d)
    return loss / n, dscores


def _mse_rows(pred: Rows, target: Rows) -> tuple[float, Rows]:
    """Mean squared error: the mean over all N x K entries of (pred - target)^2."""
    shape_p = (len(pred), len(pred[0]))
    shape_t = (len(target), len(target[0]) if target else 0)
    if shape_p != shape_t or any(len(row) != shape_p[1] for row in target):
        raise ValueError(f"mse: predictions of shape {shape_p} but targets of shape {shape_t}; they must match")
    count = shape_p[0] * shape_p[1]
    diffs = [[p - t for p, t in zip(prow, trow)] for prow, trow in zip(pred, target)]
    loss = sum(d * d for row in diffs for d in row) / count
    return loss, [[2.0 * d / count for d in row] for row in diffs]


def _max_margin_rows(scores: Rows, y: Sequence[int]) -> tuple[float, Rows]:
    """micrograd's binary max-margin loss: mean of max(0, 1 - y s), labels -1/+1 (0 counts as -1)."""
    n = len(scores)
    if len(scores[0]) != 1:
        raise ValueError(f"max_margin: scores must have one column (one score per example), got {len(scores[0])}")
    if len(y) != n:
        raise ValueError(f"max_margin: {n} scores but {len(y)} labels; expected one label per score")
    signs = [1.0 if label > 0 else -1.0 for label in y]
    loss, dscores = 0.0, []
    for (s,), sign in zip(scores, signs):
        margin = 1.0 - sign * s
        loss += margin if margin > 0.0 else 0.0
        dscores.append([-sign / n if margin > 0.0 else 0.0])
    return loss / n, dscores


def _as_value_rows(name: str, scores: ValueScores) -> list[list[Value]]:
    """Value scores as rows: a list of Values is one score per example."""
    if not scores:
        raise ValueError(f"{name}: no scores given")
    rows = [list(s) if isinstance(s, (list, tuple)) else [s] for s in scores]
    widths = sorted({len(row) for row in rows})
    if len(widths) > 1:
        raise ValueError(f"{name}: every example needs the same number of scores, got rows of {widths} scores")
    return rows


def _apply(name: str, rows_loss: Callable[..., tuple[float, Rows]], scores, other, op: str):
    """Run a loss written on float rows on a Matrix (-> (loss, dscores)) or on Values (-> a Value)."""
    if isinstance(scores, Matrix):
        loss, d = rows_loss(scores.data, other)
        return loss, Matrix.unchecked(d)  # rows built here: no need to check and copy them again
    rows = _as_value_rows(name, scores)
    loss, d = rows_loss([[v.data for v in row] for row in rows], other)
    children = [v for row in rows for v in row]
    return Value(loss, children, [g for row in d for g in row], op)


def svm_loss(scores: Union[Matrix, ValueScores], y: Sequence[int], delta: float = 1.0) -> LossResult:
    """Multiclass SVM (hinge) loss, mean over examples of sum_{j != y} max(0, s_j - s_y + delta)."""
    return _apply("svm_loss", lambda s, labels: _svm_rows(s, labels, delta), scores, y, "svm")


def softmax_cross_entropy(scores: Union[Matrix, ValueScores], y: Sequence[int]) -> LossResult:
    """Softmax cross-entropy, mean over examples of -log(e^{s_y} / sum_j e^{s_j}); stable for |s| ~ 1000."""
    return _apply("softmax_cross_entropy", _softmax_rows, scores, y, "softmax_ce")


def mse(pred: Union[Matrix, ValueScores], target: Union[Matrix, Sequence]) -> LossResult:
    """Mean squared error over all entries; ``target`` has the shape of ``pred`` (a Matrix or lists of numbers)."""
    if isinstance(target, Matrix):
        target_rows = target.data
    else:
        target_rows = [list(t) if isinstance(t, (list, tuple)) else [t] for t in target]
    return _apply("mse", _mse_rows, pred, target_rows, "mse")


def max_margin(scores: Union[Matrix, ValueScores], y: Sequence[int]) -> LossResult:
    """micrograd's demo loss: mean of max(0, 1 - y_i s_i), y_i in {-1, +1} (a 0 label counts as -1)."""
    return _apply("max_margin", _max_margin_rows, scores, y, "max_margin")


# ----------------------------------------------------------------------------- regularization

def _penalty(name: str, weights, penalty: Callable[[list], tuple[float, list]]):
    """A penalty written on a list of floats, for a Matrix (-> ``(loss, dW)``) or Values (-> a Value node)."""
    if isinstance(weights, Matrix):
        rows = [penalty(row) for row in weights.data]
        return sum(loss for loss, _ in rows), Matrix.unchecked([grads for _, grads in rows])
    params = list(weights)
    try:
        data = [p.data for p in params]
    except AttributeError:
        raise TypeError(f"{name}: expected a Matrix or a list of Values (model.parameters())") from None
    loss, grads = penalty(data)
    return Value(loss, params, grads, name)


def _l1(reg: float, ws: list) -> tuple[float, list]:
    """reg * sum(|w|) and its gradient reg * sign(w) (0 at w = 0, where |w| has a kink)."""
    return reg * sum(map(abs, ws)), [reg if w > 0.0 else -reg if w < 0.0 else 0.0 for w in ws]


def _l2(reg: float, ws: list) -> tuple[float, list]:
    """reg * sum(w^2) and its gradient 2 * reg * w."""
    return reg * sum(map(mul, ws, ws)), [2.0 * reg * w for w in ws]


def l2(weights: Union[Matrix, Sequence[Value]], reg: float) -> Union[Value, "tuple[float, Matrix]"]:
    """L2 penalty reg * sum(w^2), gradient 2 * reg * w; a Value for Values, ``(loss, dW)`` for a Matrix."""
    return _penalty("l2", weights, lambda ws: _l2(reg, ws))


def l1(weights: Union[Matrix, Sequence[Value]], reg: float) -> Union[Value, "tuple[float, Matrix]"]:
    """L1 penalty reg * sum(|w|), gradient reg * sign(w) (0 at w = 0); Value or ``(loss, dW)``."""
    return _penalty("l1", weights, lambda ws: _l1(reg, ws))


def elastic_net(weights: Union[Matrix, Sequence[Value]], l1_reg: float,
                l2_reg: float) -> Union[Value, "tuple[float, Matrix]"]:
    """L1 and L2 together: l1_reg * sum(|w|) + l2_reg * sum(w^2); Value or ``(loss, dW)``."""
    def both(ws: list) -> tuple[float, list]:
        (loss1, grads1), (loss2, grads2) = _l1(l1_reg, ws), _l2(l2_reg, ws)
        return loss1 + loss2, [a + b for a, b in zip(grads1, grads2)]
    return _penalty("elastic_net", weights, both)
