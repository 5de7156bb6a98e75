"""The reference linear classifier: initialisation, minibatch SGD, prediction, digits accuracy."""
from __future__ import annotations

import random

from operator import attrgetter

import pytest

from autograder.oracle import reference
from tinybackprop.data import accuracy
from tinybackprop.matrix import Matrix

LinearClassifier, LinearSVM, Softmax = attrgetter("LinearClassifier", "LinearSVM", "Softmax")(
    reference("linear_classifier"))
softmax_loss_vectorized = reference("softmax").softmax_loss_vectorized
svm_loss_vectorized = reference("svm").svm_loss_vectorized


def toy_data():
    """Two well separated classes in 2-D (plus a constant feature for the bias)."""
    X = Matrix([[2.0, 1.0, 1.0], [3.0, 2.0, 1.0], [2.5, 0.5, 1.0],
                [-2.0, -1.0, 1.0], [-3.0, -2.0, 1.0], [-1.5, -0.5, 1.0]])
    return X, [0, 0, 0, 1, 1, 1]


def test_weights_start_as_small_gaussian_noise_from_the_seed():
    X, y = toy_data()
    clf = LinearSVM()
    assert clf.train(X, y, num_iters=0, seed=7) == []
    assert clf.W == Matrix.randn(3, 2, std=0.001, seed=random.Random(7))


def test_training_is_reproducible_with_a_seed():
    X, y = toy_data()
    first, second = Softmax(), Softmax()
    history = first.train(X, y, learning_rate=0.1, num_iters=20, batch_size=4, seed=3)
    assert second.train(X, y, learning_rate=0.1, num_iters=20, batch_size=4, seed=3) == history
    assert first.W == second.W
    assert len(history) == 20


@pytest.mark.parametrize("cls, loss", [(LinearSVM, svm_loss_vectorized), (Softmax, softmax_loss_vectorized)])
def test_one_step_is_sgd_on_a_minibatch_drawn_with_replacement(cls, loss):
    """With batch_size > N the batch must repeat rows; the step is W - learning_rate * dW."""
    X, y = toy_data()
    clf = cls()
    clf.train(X, y, num_iters=0, seed=1)
    W0 = clf.W
    rng = random.Random(1)
    Matrix.randn(3, 2, std=0.001, seed=rng)  # the draw that initialised W
    rows = [rng.randrange(6) for _ in range(10)]
    expected_loss, dW = loss(W0, X[rows], [y[i] for i in rows], 0.5)
    fresh = cls()
    history = fresh.train(X, y, learning_rate=0.2, reg=0.5, num_iters=1, batch_size=10, seed=1)
    assert history == [expected_loss]
    assert fresh.W.allclose(W0 - 0.2 * dW, rtol=0, atol=1e-15)


def test_predict_returns_the_argmax_of_the_scores():
    clf = LinearSVM()
    clf.W = Matrix([[1.0, -1.0, 0.0], [0.0, 0.0, 1.0]])
    assert clf.predict(Matrix([[1.0, 0.0], [-1.0, 0.0], [0.0, 5.0]])) == [0, 1, 2]


def test_predict_before_training_explains_itself():
    with pytest.raises(ValueError, match="call train first"):
        Softmax().predict(Matrix([[1.0]]))


def test_base_class_has_no_loss():
    X, y = toy_data()
    with pytest.raises(NotImplementedError, match="LinearSVM or Softmax"):
        LinearClassifier().train(X, y, num_iters=1, seed=0)


def test_label_count_must_match_rows():
    X, y = toy_data()
    with pytest.raises(ValueError, match="X has 6 rows but y has 5 labels"):
        LinearSVM().train(X, y[:5], seed=0)


@pytest.mark.parametrize("cls, learning_rate", [(LinearSVM, 3e-2), (Softmax, 3e-1)])
def test_reaches_90_percent_on_digits(cls, learning_rate, digits):
    X_train, X_val, y_train, y_val = digits
    clf = cls()
    history = clf.train(X_train, y_train, learning_rate=learning_rate, reg=1e-3, num_iters=100,
                        batch_size=100, seed=0)
    assert history[-1] < history[0] / 4
    assert accuracy(clf.predict(X_val), y_val) >= 0.90
