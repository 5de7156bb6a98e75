"""The reference gates, sigmoid neuron and fork circuit on the lecture's circuits; the stubs."""
from __future__ import annotations

from operator import attrgetter

import pytest

from assignments import gates as stubs
from autograder.oracle import reference
from tinybackprop.gradcheck import numerical_gradient, rel_error

(AddGate, MaxGate, MultiplyGate, SigmoidGate, fork_circuit_backward, fork_circuit_forward, sigmoid,
 sigmoid_neuron_backward, sigmoid_neuron_forward) = attrgetter(
    "AddGate", "MaxGate", "MultiplyGate", "SigmoidGate", "fork_circuit_backward", "fork_circuit_forward",
    "sigmoid", "sigmoid_neuron_backward", "sigmoid_neuron_forward")(reference("gates"))


def test_add_then_multiply_circuit():
    """f = (x + y) z at x=-2, y=5, z=-4: f=-12, df/dx = df/dy = -4, df/dz = 3."""
    add, mul = AddGate(), MultiplyGate()
    f = mul.forward(add.forward(-2.0, 5.0), -4.0)
    dq, dz = mul.backward(1.0)
    dx, dy = add.backward(dq)
    assert (f, dx, dy, dz) == (-12.0, -4.0, -4.0, 3.0)


def test_max_circuit():
    """2 (x y + max(z, w)) at x=3, y=-4, z=2, w=-1: -20, dx=-8, dy=6, dz=2, dw=0."""
    mul, mx, add, double = MultiplyGate(), MaxGate(), AddGate(), MultiplyGate()
    f = double.forward(2.0, add.forward(mul.forward(3.0, -4.0), mx.forward(2.0, -1.0)))
    _, dsum = double.backward(1.0)
    dxy, dmax = add.backward(dsum)
    dx, dy = mul.backward(dxy)
    dz, dw = mx.backward(dmax)
    assert (f, dx, dy, dz, dw) == (-20.0, -8.0, 6.0, 2.0, 0.0)


def test_max_gate_routes_to_the_larger_input_and_to_x_on_a_tie():
    gate = MaxGate()
    gate.forward(-1.0, 3.0)
    assert gate.backward(5.0) == (0.0, 5.0)
    gate.forward(2.0, 2.0)
    assert gate.backward(5.0) == (5.0, 0.0)


def test_sigmoid_gate_gradient_matches_finite_differences():
    gate = SigmoidGate()
    for x in (-3.0, 0.0, 0.7, 4.0):
        gate.forward(x)
        assert rel_error(gate.backward(2.0), 2.0 * numerical_gradient(sigmoid, x)) < 1e-8


def test_sigmoid_does_not_overflow():
    assert sigmoid(-1000.0) == 0.0
    assert sigmoid(1000.0) == 1.0


def test_sigmoid_neuron_lecture_values():
    """w = [2, -3, -3], x = [-1, -2]: dw = [-0.20, -0.39, 0.20], dx = [0.39, -0.59]."""
    f, cache = sigmoid_neuron_forward([2.0, -3.0, -3.0], [-1.0, -2.0])
    assert set(cache) == {"w", "x", "dot", "f"}
    assert cache["dot"] == 1.0
    assert f == pytest.approx(0.73105858)
    dw, dx = sigmoid_neuron_backward(cache)
    assert [round(v, 2) for v in dw] == [-0.20, -0.39, 0.20]
    assert [round(v, 2) for v in dx] == [0.39, -0.59]


def test_sigmoid_neuron_gradient_check_with_upstream():
    w, x = [0.5, -1.5, 0.25], [2.0, 0.75]
    _, cache = sigmoid_neuron_forward(w, x)
    dw, dx = sigmoid_neuron_backward(cache, dout=-3.0)
    assert rel_error(dw, numerical_gradient(lambda w: -3.0 * sigmoid_neuron_forward(w, x)[0], w)) < 1e-8
    assert rel_error(dx, numerical_gradient(lambda x: -3.0 * sigmoid_neuron_forward(w, x)[0], x)) < 1e-8


def test_sigmoid_neuron_refuses_wrong_lengths():
    with pytest.raises(ValueError, match="expected 3 weights .* got 2 weights and 2 inputs"):
        sigmoid_neuron_forward([1.0, 2.0], [1.0, 2.0])


def test_fork_circuit_lecture_values():
    """f = (x + y) x at x=-2, y=5: f=-6; dx = 2x + y = 1 (-2 from the add, 3 from the multiply), dy = x = -2."""
    f, cache = fork_circuit_forward(-2.0, 5.0)
    assert cache == {"x": -2.0, "y": 5.0, "q": 3.0, "f": -6.0}
    assert f == -6.0
    assert fork_circuit_backward(cache) == (1.0, -2.0)


@pytest.mark.parametrize("x, y, dout", [(-2.0, 5.0, 1.0), (0.75, -1.25, -3.0), (4.0, 2.5, 0.5)])
def test_fork_circuit_gradient_matches_finite_differences(x, y, dout):
    _, cache = fork_circuit_forward(x, y)
    dx, dy = fork_circuit_backward(cache, dout)
    assert rel_error(dx, numerical_gradient(lambda x: dout * fork_circuit_forward(x, y)[0], x)) < 1e-8
    assert rel_error(dy, numerical_gradient(lambda y: dout * fork_circuit_forward(x, y)[0], y)) < 1e-8


def test_the_fork_circuit_stubs_name_their_first_stage():
    with pytest.raises(NotImplementedError, match=r"^fork_circuit_forward: q$"):
        stubs.fork_circuit_forward(-2.0, 5.0)
    _, cache = fork_circuit_forward(-2.0, 5.0)
    with pytest.raises(NotImplementedError, match=r"^fork_circuit_backward: product$"):
        stubs.fork_circuit_backward(cache)
