"""The reference two-layer net: the CS231n toy, gradient checks, caches, training on digits."""
from __future__ import annotations

from operator import attrgetter

import pytest

from autograder.oracle import reference
from tinybackprop.data import accuracy
from tinybackprop.gradcheck import numerical_gradient, rel_error
from tinybackprop.matrix import Matrix

TwoLayerNet, two_layer_backward, two_layer_forward = attrgetter(
    "TwoLayerNet", "two_layer_backward", "two_layer_forward")(reference("two_layer_net"))

# Gradients of the toy at reg = 0 (regression values computed by the reference; the
# numerical gradient checks below confirm them independently). Hidden unit 0 is dead.
TOY_GRADS_NO_REG = {
    "W1": [[0.0, 0.0002136568864, 3.938172649e-05, -4.369248489e-05] + [-0.001043368782] * 6,
           [0.0, 0.0002086574758, -3.339135748e-05, -5.83136209e-05] + [-0.0008738390215] * 6,
           [0.0, 0.0002036580651, -0.0001061644415, -7.293475691e-05] + [-0.0007043092606] * 6,
           [0.0, 0.0001986586544, -0.0001789375254, -8.755589291e-05] + [-0.0005347794997] * 6],
    "b1": [[0.0, -0.0001356982896, -0.001975269422, -0.0003968594059] + [0.004601522082] * 6],
    "W2": [[0.0, 0.0, 0.0],
           [0.001907174621, -0.0111354707, 0.009228296078],
           [0.01015452779, -0.02248313346, 0.01232860567],
           [0.02222939722, -0.04024525615, 0.01801585894],
           [0.02279332208, -0.05948657257, 0.03669325049],
           [0.01871050317, -0.07722000457, 0.0585095014],
           [0.01462768427, -0.09495343656, 0.0803257523],
           [0.01054486536, -0.1126868686, 0.1021420032],
           [0.006462046451, -0.1304203006, 0.1239582541],
           [0.002379227543, -0.1481537326, 0.145774505]],
    "b2": [[-0.07162159948, -0.1236450818, 0.1952666813]],
}
SHAPES = {"W1": (4, 10), "b1": (1, 10), "W2": (10, 3), "b2": (1, 3)}


def linspace(low, high, count):
    return [low + (high - low) * i / (count - 1) for i in range(count)]


def toy():
    """CS231n's 2015 toy: parameters and inputs from linspace, row-major."""
    net = TwoLayerNet(4, 10, 3)
    net.params = {"W1": Matrix(linspace(-0.2, 0.6, 40)).reshape(4, 10),
                  "b1": Matrix(linspace(-0.3, 0.7, 10)),
                  "W2": Matrix(linspace(-0.4, 0.1, 30)).reshape(10, 3),
                  "b2": Matrix(linspace(-0.5, 0.9, 3))}
    return net, Matrix(linspace(-0.2, 0.5, 20)).reshape(5, 4), [0, 1, 2, 2, 1]


def test_toy_scores():
    net, X, _ = toy()
    scores = net.loss(X)
    assert scores.shape == (5, 3)
    assert scores[0] == pytest.approx([-0.5328368, 0.20031504, 0.93346689], abs=1e-8)


def test_toy_loss_and_gradients():
    net, X, y = toy()
    loss0, grads0 = net.loss(X, y, reg=0.0)
    assert loss0 == pytest.approx(1.1226275363741316, abs=1e-12)
    for name, expected in TOY_GRADS_NO_REG.items():
        assert grads0[name].shape == SHAPES[name]
        assert grads0[name].allclose(Matrix(expected), rtol=1e-8, atol=1e-12), name
    loss, grads = net.loss(X, y, reg=0.05)
    assert loss == pytest.approx(1.381919460924677, abs=1e-12)
    # Only the weights are regularized: 2 * reg * W on W1 and W2, nothing on the biases.
    for name in ("W1", "W2"):
        assert grads[name].allclose(grads0[name] + 0.1 * net.params[name], rtol=0, atol=1e-14)
    for name in ("b1", "b2"):
        assert grads[name] == grads0[name]


def test_toy_gradient_check():
    """At reg = 0.05, as in CS231n (at reg = 0 some W1 entries are near 4e-5, where the
    rounding error of h = 1e-5 differences alone gives relative errors near 1e-7)."""
    net, X, y = toy()
    _, grads = net.loss(X, y, reg=0.05)
    for name, param in net.params.items():
        numerical = numerical_gradient(lambda _: net.loss(X, y, reg=0.05)[0], param)
        assert rel_error(grads[name], numerical) < 1e-7, name


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradient_check_at_random_points_away_from_kinks(seed):
    # Weights of order 1 keep every gradient entry well above the finite differences' rounding error.
    net = TwoLayerNet(6, 7, 4, std=1.0, seed=seed)
    net.params["b1"] = Matrix.randn(1, 7, std=0.5, seed=seed + 10)
    net.params["b2"] = Matrix.randn(1, 4, std=0.5, seed=seed + 20)
    X = Matrix.randn(9, 6, seed=seed + 30)
    y = [i % 4 for i in range(9)]
    _, cache = two_layer_forward(net.params, X, y, 0.1)
    assert min(abs(v) for v in cache["z1"].flatten()) > 1e-3, "pick another seed: a ReLU is at its kink"
    _, grads = net.loss(X, y, reg=0.1)
    for name, param in net.params.items():
        numerical = numerical_gradient(lambda _: net.loss(X, y, reg=0.1)[0], param)
        assert rel_error(grads[name], numerical) < 1e-7, name


def test_cache_and_backward_keys_and_shapes():
    net, X, y = toy()
    loss, cache = two_layer_forward(net.params, X, y, 0.05)
    assert set(cache) == {"X", "y", "reg", "W1", "b1", "W2", "b2", "z1", "h1",
                          "scores", "probs", "data_loss", "reg_loss"}
    assert cache["h1"] == cache["z1"].maximum(0.0)
    assert loss == pytest.approx(cache["data_loss"] + cache["reg_loss"])
    grads = two_layer_backward(cache)
    shapes = {"dscores": (5, 3), "dW2": (10, 3), "db2": (1, 3), "dh1": (5, 10),
              "dz1": (5, 10), "dW1": (4, 10), "db1": (1, 10)}
    assert {key: grads[key].shape for key in grads} == shapes
    # The ReLU blocks the gradient wherever z1 <= 0.
    assert grads["dz1"] == grads["dh1"] * (cache["z1"] > 0)


def test_forward_without_labels_gives_scores_only():
    net, X, _ = toy()
    loss, cache = two_layer_forward(net.params, X)
    assert loss is None
    assert cache["probs"] is None and cache["data_loss"] is None and cache["reg_loss"] is None
    with pytest.raises(ValueError, match="call two_layer_forward with labels y"):
        two_layer_backward(cache)


def test_init_shapes_and_seed():
    first, second = TwoLayerNet(5, 3, 2, std=0.1, seed=4), TwoLayerNet(5, 3, 2, std=0.1, seed=4)
    assert {name: p.shape for name, p in first.params.items()} == {
        "W1": (5, 3), "b1": (1, 3), "W2": (3, 2), "b2": (1, 2)}
    assert first.params["W1"] == second.params["W1"]
    assert first.params["b1"] == Matrix.zeros(1, 3)


def test_train_history_and_learning_rate_decay():
    net, X, y = toy()
    stats = net.train(X, y, X, y, learning_rate=0.1, num_iters=6, batch_size=2, seed=0)
    assert set(stats) == {"loss_history", "train_acc_history", "val_acc_history"}
    assert len(stats["loss_history"]) == 6
    # 5 rows in batches of 2: an epoch is 2 iterations, checked at iterations 0, 2 and 4.
    assert len(stats["val_acc_history"]) == len(stats["train_acc_history"]) == 3
    assert all(0.0 <= a <= 1.0 for a in stats["val_acc_history"])


def test_reaches_95_percent_on_digits(digits):
    X_train, X_val, y_train, y_val = digits
    net = TwoLayerNet(64, 32, 10, std=0.1, seed=0)
    stats = net.train(X_train, y_train, X_val, y_val, learning_rate=1.0, learning_rate_decay=0.95,
                      reg=1e-3, num_iters=100, batch_size=100, seed=0)
    assert stats["loss_history"][-1] < stats["loss_history"][0] / 4
    assert accuracy(net.predict(X_val), y_val) >= 0.95
