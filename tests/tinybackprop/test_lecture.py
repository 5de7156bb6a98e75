"""The lecture's three circuits, exactly, through gates, through ComputationalGraph and through Value."""
from __future__ import annotations

import math

import pytest

from tinybackprop.__main__ import add_circuit, max_circuit, sigmoid_circuit
from tinybackprop.gates import (
    AddConstantGate,
    AddGate,
    ExpGate,
    MaxGate,
    MultiplyGate,
    ReciprocalGate,
    ScaleGate,
    SigmoidGate,
)
from tinybackprop.value import Value

W = [2.0, -3.0, -3.0]
X = [-1.0, -2.0]

# Closed form of the sigmoid neuron: dot = 1, so f = sigma(1) and df/d(dot) = f (1 - f).
F_SIGMOID = 1.0 / (1.0 + math.exp(-1.0))
D_DOT = F_SIGMOID * (1.0 - F_SIGMOID)
DW = [D_DOT * X[0], D_DOT * X[1], D_DOT]
DX = [D_DOT * W[0], D_DOT * W[1]]


def assert_sigmoid_neuron(f, dw, dx):
    assert f == pytest.approx(F_SIGMOID, abs=1e-12)
    assert dw == pytest.approx(DW, abs=1e-12)
    assert dx == pytest.approx(DX, abs=1e-12)
    # the numbers on the slide
    assert [round(d, 2) for d in dw] == [-0.20, -0.39, 0.20]
    assert [round(d, 2) for d in dx] == [0.39, -0.59]


# ----- through gates, as the lecture writes the code -----

def test_add_multiply_circuit_with_gates():
    add, mul = AddGate(), MultiplyGate()
    q = add.forward(-2.0, 5.0)
    f = mul.forward(q, -4.0)
    dq, dz = mul.backward(1.0)
    dx, dy = add.backward(dq)
    assert (q, f) == (3.0, -12.0)
    assert (dx, dy, dz) == (-4.0, -4.0, 3.0)


def test_sigmoid_neuron_with_staged_gates():
    mul0, mul1, add0, add1 = MultiplyGate(), MultiplyGate(), AddGate(), AddGate()
    neg, exp, plus1, inv = ScaleGate(-1.0), ExpGate(), AddConstantGate(1.0), ReciprocalGate()
    a = mul0.forward(W[0], X[0])
    b = mul1.forward(W[1], X[1])
    dot = add1.forward(add0.forward(a, b), W[2])
    f = inv.forward(plus1.forward(exp.forward(neg.forward(dot))))
    (d_den,) = inv.backward(1.0)
    (d_e,) = plus1.backward(d_den)
    (d_neg,) = exp.backward(d_e)
    (d_dot,) = neg.backward(d_neg)
    d_s, dw2 = add1.backward(d_dot)
    da, db = add0.backward(d_s)
    dw0, dx0 = mul0.backward(da)
    dw1, dx1 = mul1.backward(db)
    assert_sigmoid_neuron(f, [dw0, dw1, dw2], [dx0, dx1])


def test_sigmoid_neuron_with_one_sigmoid_gate():
    gate = SigmoidGate()
    f = gate.forward(W[0] * X[0] + W[1] * X[1] + W[2])
    (d_dot,) = gate.backward(1.0)
    assert_sigmoid_neuron(f, [d_dot * X[0], d_dot * X[1], d_dot], [d_dot * W[0], d_dot * W[1]])


def test_max_circuit_with_gates():
    mul, mx, add, scale = MultiplyGate(), MaxGate(), AddGate(), ScaleGate(2.0)
    f = scale.forward(add.forward(mul.forward(3.0, -4.0), mx.forward(2.0, -1.0)))
    (ds,) = scale.backward(1.0)
    dxy, dm = add.backward(ds)
    dx, dy = mul.backward(dxy)
    dz, dw = mx.backward(dm)
    assert f == -20.0
    assert (dx, dy, dz, dw) == (-8.0, 6.0, 2.0, 0.0)


# ----- through ComputationalGraph (the circuits the demo prints) -----

def test_add_multiply_circuit_with_graph():
    _, g, inputs, _ = add_circuit()
    assert g.forward(inputs) == -12.0
    assert g.backward() == {"x": -4.0, "y": -4.0, "z": 3.0}


def test_sigmoid_neuron_with_graph():
    _, g, inputs, _ = sigmoid_circuit()
    assert inputs == {"w0": W[0], "x0": X[0], "w1": W[1], "x1": X[1], "w2": W[2]}
    f = g.forward(inputs)
    grads = g.backward()
    assert_sigmoid_neuron(f, [grads["w0"], grads["w1"], grads["w2"]], [grads["x0"], grads["x1"]])
    assert g["dot"].grad == pytest.approx(D_DOT, abs=1e-12)


def test_max_circuit_with_graph():
    _, g, inputs, _ = max_circuit()
    assert g.forward(inputs) == -20.0
    assert g.backward() == {"x": -8.0, "y": 6.0, "z": 2.0, "w": 0.0}


# ----- through Value -----

def test_add_multiply_circuit_with_value():
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    f = (x + y) * z
    f.backward()
    assert f.data == -12.0
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)


@pytest.mark.parametrize(
    "neuron",
    [
        lambda w, x: (w[0] * x[0] + w[1] * x[1] + w[2]).sigmoid(),
        lambda w, x: 1 / (1 + (-(w[0] * x[0] + w[1] * x[1] + w[2])).exp()),
        lambda w, x: (Value.dot(w, x + [1.0])).sigmoid(),
    ],
    ids=["sigmoid", "staged", "dot"],
)
def test_sigmoid_neuron_with_value(neuron):
    w = [Value(v) for v in W]
    x = [Value(v) for v in X]
    f = neuron(w, x)
    f.backward()
    assert_sigmoid_neuron(f.data, [v.grad for v in w], [v.grad for v in x])


def test_max_circuit_with_value():
    x, y, z, w = Value(3.0), Value(-4.0), Value(2.0), Value(-1.0)
    f = 2 * (x * y + z.max(w))
    f.backward()
    assert f.data == -20.0
    assert (x.grad, y.grad, z.grad, w.grad) == (-8.0, 6.0, 2.0, 0.0)
