"""The results the library promises, as seeded tests: spiral, micrograd's moons demo, digits, optimizers."""
from __future__ import annotations

from tinybackprop.data import accuracy, load_digits, make_moons, make_spiral, standardize, train_test_split
from tinybackprop.losses import l2, max_margin, softmax_cross_entropy
from tinybackprop.nn import MLP
from tinybackprop.optim import SGD, Adam
from tinybackprop.train import predict, train


def test_spiral_softmax_linear_classifier_gets_about_half_right():
    X, y = make_spiral(100, 3, seed=0)
    model = MLP(2, [3], seed=0)
    train(model, X, y, optimizer=SGD(model.parameters(), lr=1.0), epochs=200, reg=1e-3, verbose=False)
    assert 0.49 <= accuracy(predict(model, X), y) <= 0.55


def test_spiral_two_layer_net_with_100_hidden_units_gets_95_percent():
    X, y = make_spiral(100, 3, seed=0)
    model = MLP(2, [100, 3], seed=0)
    train(model, X, y, optimizer=Adam(model.parameters(), lr=0.05), epochs=100, reg=1e-3, verbose=False)
    assert accuracy(predict(model, X), y) >= 0.95


def _moons_step(model, X, rows, y, k, run):
    """One step of micrograd's demo (max-margin + 1e-4 L2, lr 1.0 - 0.9 k / 100), run either way."""
    params = model.parameters()
    model.zero_grad()
    if run == "values":
        scores = [model(row) for row in rows]
        loss = max_margin(scores, y) + l2(params, 1e-4)
        loss.backward()
        predicted = [int(s.data > 0) for s in scores]
        loss = loss.data
    else:
        scores = model(X)
        data_loss, dscores = max_margin(scores, y)
        model.backward(dscores, input_grad=False)
        penalty = l2(params, 1e-4)
        penalty.backward()
        predicted = [int(s > 0) for (s,) in scores.data]
        loss = data_loss + penalty.data
    for p in params:
        p.data -= (1.0 - 0.9 * k / 100) * p.grad
    return loss, accuracy(predicted, y)


def test_micrograd_moons_demo_reaches_100_percent_both_ways():
    X, y = make_moons(100, noise=0.1, seed=1)
    rows = X.tolist()
    results = {}
    for run in ("values", "matrix"):
        model = MLP(2, [16, 16, 1], seed=1)
        results[run] = [_moons_step(model, X, rows, y, k, run) for k in range(100)]
        assert results[run][-1][1] == 1.0
    assert max(abs(a[0] - b[0]) for a, b in zip(results["values"], results["matrix"])) < 1e-9


def test_digits_mlp_gets_95_percent_on_a_held_out_fifth():
    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=0)
    X_train, X_test = standardize(X_train, X_test)
    model = MLP(64, [100, 10], seed=0)
    history = train(model, X_train, y_train, optimizer=Adam(model.parameters(), lr=0.005), epochs=5,
                    batch_size=64, reg=1e-4, seed=0, verbose=False)
    assert len(y_test) == 359 and history.loss[-1] < history.loss[0]
    assert accuracy(predict(model, X_test), y_test) >= 0.95


def _steps_to_reach(make_optimizer, target=0.5, limit=150):
    """Full-batch steps a spiral net needs until its loss is below target (limit + 1 if it never is)."""
    X, y = make_spiral(100, 3, seed=0)
    model = MLP(2, [30, 3], seed=0)
    optimizer = make_optimizer(model.parameters())
    for step in range(limit):
        loss, dscores = softmax_cross_entropy(model(X), y)
        if loss < target:
            return step
        optimizer.zero_grad()
        model.backward(dscores, input_grad=False)
        optimizer.step()
    return limit + 1


def test_momentum_and_adam_need_fewer_steps_than_plain_sgd():
    sgd = _steps_to_reach(lambda p: SGD(p, lr=0.5))
    momentum = _steps_to_reach(lambda p: SGD(p, lr=0.5, momentum=0.9))
    nesterov = _steps_to_reach(lambda p: SGD(p, lr=0.5, momentum=0.9, nesterov=True))
    adam = _steps_to_reach(lambda p: Adam(p, lr=0.02))
    assert sgd <= 150  # plain SGD gets there too, only later
    assert momentum < sgd / 2 and nesterov < sgd / 2 and adam < sgd
