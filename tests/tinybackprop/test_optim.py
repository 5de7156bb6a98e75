"""Tests of tinybackprop.optim: each update rule by hand, schedules, and both ways of running a model."""
from __future__ import annotations

import math

import pytest

from tinybackprop.data import make_blobs
from tinybackprop.losses import softmax_cross_entropy
from tinybackprop.nn import MLP
from tinybackprop.optim import SGD, Adam, ExponentialDecay, RMSProp, StepDecay
from tinybackprop.value import Value


def _params(grads=(0.5, -2.0), data=(1.0, 3.0)):
    params = [Value(d) for d in data]
    for p, g in zip(params, grads):
        p.grad = g
    return params


def test_plain_sgd_steps_against_the_gradient():
    params = _params()
    SGD(params, lr=0.1).step()
    assert [p.data for p in params] == pytest.approx([0.95, 3.2])


def test_momentum_accumulates_velocity():
    params = _params()
    opt = SGD(params, lr=0.1, momentum=0.9)
    opt.step()
    opt.step()  # v1 = -0.1 g, v2 = 0.9 v1 - 0.1 g = -0.19 g
    assert [p.data for p in params] == pytest.approx([1.0 - 0.29 * 0.5, 3.0 + 0.29 * 2.0])


def test_nesterov_looks_ahead():
    params = _params()
    opt = SGD(params, lr=0.1, momentum=0.9, nesterov=True)
    opt.step()  # v = -0.1 g; x += (1 + mu) v
    assert [p.data for p in params] == pytest.approx([1.0 - 0.19 * 0.5, 3.0 + 0.19 * 2.0])
    opt.step()  # v' = -0.19 g; x += -mu v + (1 + mu) v' = (0.09 - 0.361) g
    assert params[0].data == pytest.approx(1.0 - 0.19 * 0.5 - 0.271 * 0.5)


def test_weight_decay_adds_to_the_gradient():
    params = _params()
    SGD(params, lr=0.1, weight_decay=0.01).step()
    assert params[0].data == pytest.approx(1.0 - 0.1 * (0.5 + 0.01 * 1.0))


def test_rmsprop_divides_by_the_running_rms():
    params = _params()
    RMSProp(params, lr=0.01, decay_rate=0.9).step()
    # cache = 0.1 g^2, so the step is lr * g / (sqrt(0.1) |g|) = lr / sqrt(0.1) for either gradient.
    assert [p.data for p in params] == pytest.approx([1.0 - 0.01 / math.sqrt(0.1), 3.0 + 0.01 / math.sqrt(0.1)])


def test_adam_first_step_has_size_lr_whatever_the_gradient():
    params = _params(grads=(1e-3, -50.0))
    Adam(params, lr=0.01).step()
    assert [p.data for p in params] == pytest.approx([1.0 - 0.01, 3.0 + 0.01], rel=1e-6)


def test_zero_grad_and_argument_errors():
    params = _params()
    SGD(params, lr=0.1).zero_grad()
    assert [p.grad for p in params] == [0.0, 0.0]
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(ValueError, match="learning rate must be positive"):
        Adam(params, lr=0.0)
    with pytest.raises(ValueError, match="nesterov=True needs a momentum"):
        SGD(params, lr=0.1, nesterov=True)


def test_schedules_set_the_learning_rate_per_epoch():
    opt = SGD(_params(), lr=1.0)
    step = StepDecay(opt, step_size=2, gamma=0.5)
    assert [step.step() for _ in range(5)] == [1.0, 0.5, 0.5, 0.25, 0.25]
    opt = SGD(_params(), lr=1.0)
    decay = ExponentialDecay(opt, gamma=0.9)
    decay.step()
    decay.step()
    assert opt.lr == pytest.approx(0.81)
    with pytest.raises(ValueError, match="step_size"):
        StepDecay(opt, step_size=0)


@pytest.mark.parametrize("make_optimizer", [
    lambda p: SGD(p, lr=0.1, momentum=0.9),
    lambda p: RMSProp(p, lr=0.01),
    lambda p: Adam(p, lr=0.05),
])
def test_optimizers_train_a_model_run_either_way(make_optimizer):
    X, y = make_blobs(60, centers=3, cluster_std=2.0, seed=0)
    X = X / 10.0
    runs = {}
    for run in ("values", "matrix"):
        model = MLP(2, [8, 3], seed=0)
        opt = make_optimizer(model.parameters())
        losses = []
        for _ in range(15):
            opt.zero_grad()
            if run == "matrix":
                loss, dscores = softmax_cross_entropy(model(X), y)
                model.backward(dscores, input_grad=False)
            else:
                value_loss = softmax_cross_entropy([model(row) for row in X.data], y)
                value_loss.backward()
                loss = value_loss.data
            opt.step()
            losses.append(loss)
        runs[run] = losses
    assert runs["values"][-1] < 0.5 * runs["values"][0]
    assert runs["matrix"] == pytest.approx(runs["values"], rel=1e-9)  # the same training, run two ways
