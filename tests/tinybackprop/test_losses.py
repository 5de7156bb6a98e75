"""Tests of tinybackprop.losses: known values, gradients, and the Value and Matrix forms agreeing."""
from __future__ import annotations

import math

import pytest

from tinybackprop.gradcheck import numerical_gradient, rel_error
from tinybackprop.losses import elastic_net, l1, l2, max_margin, mse, softmax_cross_entropy, svm_loss
from tinybackprop.matrix import Matrix
from tinybackprop.value import Value

SCORES = Matrix([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1], [0.4, -0.6, 1.9]])
Y = [0, 1, 2, 2]


def _value_form(loss_fn, scores: Matrix, y):
    """The loss as a Value over Value scores, and the gradient it gives each score (as rows)."""
    values = [[Value(v) for v in row] for row in scores.data]
    loss = loss_fn(values, y)
    loss.backward()
    return loss.data, [[v.grad for v in row] for row in values]


@pytest.mark.parametrize("loss_fn", [svm_loss, softmax_cross_entropy])
def test_matrix_form_gradient_matches_finite_differences(loss_fn):
    _, dscores = loss_fn(SCORES, Y)
    numerical = numerical_gradient(lambda s: loss_fn(s, Y)[0], SCORES.copy())
    assert rel_error(dscores, numerical) < 1e-7


@pytest.mark.parametrize("loss_fn", [svm_loss, softmax_cross_entropy])
def test_value_form_agrees_with_the_matrix_form(loss_fn):
    loss, dscores = loss_fn(SCORES, Y)
    value_loss, value_grads = _value_form(loss_fn, SCORES, Y)
    assert value_loss == pytest.approx(loss, abs=1e-12)
    assert rel_error(Matrix(value_grads), dscores) < 1e-12


def test_svm_loss_of_the_cs231n_lecture_example():
    # Lecture 3: cat, car, frog scores; the losses are 2.9, 0 and 12.9, mean 5.27.
    scores = Matrix([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    loss, dscores = svm_loss(scores, [0, 1, 2])
    assert loss == pytest.approx((2.9 + 0.0 + 12.9) / 3)
    assert dscores.data[0] == pytest.approx([-1 / 3, 1 / 3, 0.0])
    assert dscores.data[1] == [0.0, 0.0, 0.0]


def test_softmax_of_equal_scores_is_log_classes_and_stable_for_huge_scores():
    assert softmax_cross_entropy(Matrix([[0.0] * 10]), [3])[0] == pytest.approx(math.log(10))
    loss, dscores = softmax_cross_entropy(Matrix([[1000.0, -1000.0, 999.0], [-1000.0, 1000.0, 0.0]]), [2, 0])
    assert loss == pytest.approx((math.log(1 + math.exp(-1.0)) + 1.0 + 2000.0) / 2)
    assert all(math.isfinite(d) for d in dscores.flatten())
    value_loss, _ = _value_form(softmax_cross_entropy, Matrix([[1000.0, -1000.0]]), [1])
    assert value_loss == pytest.approx(2000.0)


def test_mse_both_forms():
    loss, dpred = mse(Matrix([[1.0, 2.0], [3.0, 5.0]]), Matrix([[1.0, 0.0], [3.0, 4.0]]))
    assert loss == pytest.approx((4.0 + 1.0) / 4)
    assert dpred == Matrix([[0.0, 1.0], [0.0, 0.5]])
    preds = [Value(1.0), Value(3.0)]
    value_loss = mse(preds, [0.0, 1.0])
    value_loss.backward()
    assert value_loss.data == pytest.approx(2.5) and [p.grad for p in preds] == [1.0, 2.0]
    with pytest.raises(ValueError, match=r"predictions of shape \(2, 1\) but targets of shape \(3, 1\)"):
        mse(preds, [0.0, 1.0, 2.0])


def test_max_margin_is_micrograds_loss():
    scores = [Value(2.0), Value(0.5), Value(-0.2), Value(-3.0)]
    y = [1, 1, -1, 0]  # 0 counts as -1, so make_moons' labels work as they are
    loss = max_margin(scores, y)
    loss.backward()
    expected = sum(max(0.0, 1 - sign * s.data) for sign, s in zip([1, 1, -1, -1], scores)) / 4
    assert loss.data == pytest.approx(expected)
    assert [s.grad for s in scores] == pytest.approx([0.0, -0.25, 0.25, 0.0])
    matrix_loss, dscores = max_margin(Matrix.column([2.0, 0.5, -0.2, -3.0]), y)
    assert matrix_loss == pytest.approx(expected) and dscores.flatten() == pytest.approx([0.0, -0.25, 0.25, 0.0])
    with pytest.raises(ValueError, match="one column"):
        max_margin(SCORES, Y)


def test_labels_are_checked():
    with pytest.raises(ValueError, match="4 rows of scores but 3 labels"):
        softmax_cross_entropy(SCORES, [0, 1, 2])
    with pytest.raises(ValueError, match="label 3 is out of range for 3 classes"):
        svm_loss(SCORES, [0, 1, 3, 0])
    with pytest.raises(ValueError, match=r"same number of scores, got rows of \[1, 2\] scores"):
        softmax_cross_entropy([[Value(1.0), Value(2.0)], [Value(0.5)]], [0, 0])
    with pytest.raises(TypeError, match=r"labels must be ints \(class indices\), got 1.0 of type float"):
        svm_loss(SCORES, [0, 1.0, 2, 0])


@pytest.mark.parametrize("penalty, value, grad", [
    (lambda w: l2(w, 0.1), 0.1 * (1 + 4 + 0.25), [0.2, -0.4, 0.1]),
    (lambda w: l1(w, 0.1), 0.1 * 3.5, [0.1, -0.1, 0.1]),
    (lambda w: elastic_net(w, 0.1, 0.5), 0.35 + 0.5 * 5.25, [1.1, -2.1, 0.6]),
])
def test_regularizers_for_values_and_matrices(penalty, value, grad):
    params = [Value(1.0), Value(-2.0), Value(0.5)]
    reg = penalty(params)
    reg.backward()
    assert reg.data == pytest.approx(value) and [p.grad for p in params] == pytest.approx(grad)
    loss, dW = penalty(Matrix([[1.0, -2.0, 0.5]]))
    assert loss == pytest.approx(value) and dW.flatten() == pytest.approx(grad)


def test_l2_is_the_assignment_convention():
    W = Matrix([[0.3, -0.1], [0.2, 0.7]])
    loss, dW = l2(W, 0.5)
    assert loss == pytest.approx(0.5 * (W * W).sum())
    assert dW.allclose(2 * 0.5 * W)
    with pytest.raises(TypeError, match="list of Values"):
        l2([1.0, 2.0], 0.1)
