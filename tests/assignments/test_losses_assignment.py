"""The reference SVM and softmax losses: sanity values, naive vs vectorized, gradient checks, caches."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.oracle import reference
from tinybackprop.gradcheck import numerical_gradient, rel_error
from tinybackprop.matrix import Matrix

softmax, svm = reference("softmax"), reference("svm")

# name: (naive, forward, backward, vectorized, the contract's cache keys)
LOSSES = {
    "svm": (svm.svm_loss_naive, svm.svm_forward, svm.svm_backward, svm.svm_loss_vectorized,
            {"W", "X", "y", "reg", "scores", "margins", "data_loss", "reg_loss"}),
    "softmax": (softmax.softmax_loss_naive, softmax.softmax_forward, softmax.softmax_backward,
                softmax.softmax_loss_vectorized,
                {"W", "X", "y", "reg", "scores", "shifted", "probs", "data_loss", "reg_loss"}),
}
# The CS231n notes' thresholds: the hinge's kinks allow a looser bound for the SVM.
GRAD_TOLERANCE = {"svm": 1e-6, "softmax": 1e-7}


def problem(seed, N=8, D=5, C=4):
    """A small random problem (W, X, y) with entries of order 1, so gradients are not tiny."""
    W = Matrix.randn(D, C, std=1.0, seed=seed)
    X = Matrix.randn(N, D, std=1.0, seed=seed + 100)
    y = [(3 * i + seed) % C for i in range(N)]
    return W, X, y


def away_from_kinks(W, X, y):
    """True when every SVM margin s_j - s_y + 1 is far from 0 compared with the step h = 1e-5."""
    scores = X @ W
    return all(abs(scores[i, j] - scores[i, y[i]] + 1.0) > 1e-3
               for i in range(len(y)) for j in range(W.shape[1]) if j != y[i])


@pytest.mark.parametrize("name", LOSSES)
def test_small_weights_sanity_value(name, digits):
    """With W = 0.0001 randn and 10 classes the SVM loss is close to 9, softmax to -log(0.1)."""
    naive, _, _, vectorized, _ = LOSSES[name]
    X_train, _, y_train, _ = digits
    W = Matrix.randn(64, 10, std=0.0001, seed=1)
    expected = {"svm": 9.0, "softmax": -math.log(0.1)}[name]
    assert vectorized(W, X_train, y_train, 0.0)[0] == pytest.approx(expected, abs=0.01)
    assert naive(W, X_train[:30], y_train[:30], 0.0)[0] == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize("reg", [0.0, 0.1, 10.0])
def test_naive_and_vectorized_agree(name, reg, digits):
    naive, _, _, vectorized, _ = LOSSES[name]
    X_train, _, y_train, _ = digits
    W = Matrix.randn(64, 10, std=0.01, seed=2)
    loss_naive, dW_naive = naive(W, X_train[:40], y_train[:40], reg)
    loss_vectorized, dW_vectorized = vectorized(W, X_train[:40], y_train[:40], reg)
    assert abs(loss_naive - loss_vectorized) < 1e-10
    assert dW_naive.shape == dW_vectorized.shape == (64, 10)
    assert max(abs(v) for v in (dW_naive - dW_vectorized).flatten()) < 1e-10


@pytest.mark.parametrize("name", LOSSES)
@settings(max_examples=20, deadline=None)
@given(N=st.integers(1, 6), D=st.integers(1, 5), C=st.integers(2, 5), seed=st.integers(0, 10**6),
       reg=st.sampled_from([0.0, 1e-3, 2.5]))
def test_naive_and_vectorized_agree_on_any_shape(name, N, D, C, seed, reg):
    naive, _, _, vectorized, _ = LOSSES[name]
    W, X, y = problem(seed, N, D, C)
    loss_naive, dW_naive = naive(W, X, y, reg)
    loss_vectorized, dW_vectorized = vectorized(W, X, y, reg)
    assert abs(loss_naive - loss_vectorized) < 1e-10
    assert dW_naive.shape == dW_vectorized.shape == (D, C)
    assert max(abs(v) for v in (dW_naive - dW_vectorized).flatten()) < 1e-10


@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("version", ["naive", "vectorized"])
def test_gradient_check(name, seed, version):
    naive, _, _, vectorized, _ = LOSSES[name]
    loss_fn = naive if version == "naive" else vectorized
    W, X, y = problem(seed)
    if name == "svm":
        assert away_from_kinks(W, X, y), "pick another seed: this point is too close to a kink"
    reg = 0.3
    _, dW = loss_fn(W, X, y, reg)
    numerical = numerical_gradient(lambda W: loss_fn(W, X, y, reg)[0], W)
    assert rel_error(dW, numerical) < GRAD_TOLERANCE[name]


@pytest.mark.parametrize("name", LOSSES)
def test_cache_holds_every_stage(name):
    _, forward, backward, _, keys = LOSSES[name]
    W, X, y = problem(3)
    loss, cache = forward(W, X, y, 0.2)
    assert set(cache) == keys
    assert cache["scores"].allclose(X @ W)
    assert cache["reg_loss"] == pytest.approx(0.2 * (W * W).sum())
    assert loss == pytest.approx(cache["data_loss"] + cache["reg_loss"])
    grads = backward(cache)
    assert set(grads) == {"dscores", "dW"}
    assert grads["dscores"].shape == (8, 4) and grads["dW"].shape == (5, 4)
    assert grads["dW"].allclose(X.T @ grads["dscores"] + 0.4 * W)
    # Each row of dscores sums to 0: the loss does not change when a row's scores shift together.
    assert all(abs(v) < 1e-12 for v in grads["dscores"].sum(axis=1).flatten())


@pytest.mark.parametrize("name", LOSSES)
def test_regularization_is_reg_times_sum_of_squares(name):
    """loss(reg) - loss(0) = reg * sum(W * W) and dW(reg) - dW(0) = 2 * reg * W."""
    _, _, _, vectorized, _ = LOSSES[name]
    W, X, y = problem(4)
    loss0, dW0 = vectorized(W, X, y, 0.0)
    loss1, dW1 = vectorized(W, X, y, 0.7)
    assert loss1 - loss0 == pytest.approx(0.7 * (W * W).sum())
    assert (dW1 - dW0).allclose(1.4 * W)


def test_svm_margins_are_zero_at_the_correct_class():
    W, X, y = problem(5)
    _, cache = svm.svm_forward(W, X, y, 0.0)
    assert cache["margins"].pick(y).flatten() == [0.0] * len(y)
    assert min(cache["margins"].flatten()) >= 0.0


def test_svm_backward_counts_positive_margins():
    """One example, scores [1, 0, 3] with y = 1: margins [2, 0, 4], dscores [1, -2, 1]."""
    W = Matrix([[1.0, 0.0, 3.0]])
    loss, cache = svm.svm_forward(W, Matrix([[1.0]]), [1], 0.0)
    assert loss == 6.0
    assert svm.svm_backward(cache)["dscores"] == Matrix([[1.0, -2.0, 1.0]])


def test_softmax_is_stable_for_huge_scores():
    W, X, y = problem(6)
    loss, cache = softmax.softmax_forward(1e4 * W, X, y, 0.0)
    assert math.isfinite(loss) and loss > 100
    assert max(cache["shifted"].max(axis=1).flatten()) == 0.0
    assert all(abs(v - 1.0) < 1e-12 for v in cache["probs"].sum(axis=1).flatten())


@pytest.mark.parametrize("name", LOSSES)
def test_shape_mismatch_names_both_shapes(name):
    _, _, _, vectorized, _ = LOSSES[name]
    W, X, y = problem(7)
    with pytest.raises(ValueError, match=r"\(8, 5\).*\(4, 4\)"):
        vectorized(Matrix.randn(4, 4, seed=0), X, y, 0.0)
