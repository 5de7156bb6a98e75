"""Gates: the lecture's patterns, every backward against finite differences, clear errors."""
from __future__ import annotations

import math

import pytest

from tinybackprop import gates, operators
from tinybackprop.gates import (
    AddConstantGate,
    AddGate,
    ExpGate,
    Gate,
    LogGate,
    MaxGate,
    MultiplyGate,
    PowerGate,
    ReciprocalGate,
    ReLUGate,
    ScaleGate,
    SigmoidGate,
    TanhGate,
)
from tinybackprop.gradcheck import numerical_gradient, rel_error

# A factory (each check needs fresh gates) and inputs away from any kink.
ALL_GATES = [
    (AddGate, (1.5, -2.0)),
    (MultiplyGate, (1.5, -2.0)),
    (MaxGate, (1.5, -2.0)),
    (MaxGate, (-1.5, 2.0)),
    (ExpGate, (0.7,)),
    (ReciprocalGate, (-1.3,)),
    (lambda: AddConstantGate(3.0), (0.4,)),
    (lambda: ScaleGate(-2.5), (0.4,)),
    (SigmoidGate, (0.8,)),
    (TanhGate, (-0.6,)),
    (ReLUGate, (0.9,)),
    (ReLUGate, (-0.9,)),
    (LogGate, (2.2,)),
    (lambda: PowerGate(3), (-1.2,)),
    (lambda: PowerGate(-0.5), (2.0,)),
]


@pytest.mark.parametrize("make, inputs", ALL_GATES)
def test_backward_matches_finite_differences(make, inputs):
    gate = make()
    out = gate.forward(*inputs)
    assert isinstance(out, float)
    dout = 1.7  # not 1, so a backward that ignores dout fails
    analytic = gate.backward(dout)
    assert isinstance(analytic, tuple) and len(analytic) == len(inputs)
    numerical = numerical_gradient(lambda xs: make().forward(*xs), list(inputs))
    assert rel_error(list(analytic), [dout * n for n in numerical]) < 1e-7


@pytest.mark.parametrize("make, inputs", ALL_GATES)
def test_backward_before_forward_is_a_clear_error(make, inputs):
    with pytest.raises(RuntimeError, match="before forward"):
        make().backward(1.0)


def test_add_distributes():
    gate = AddGate()
    assert gate.forward(3.0, -4.0) == -1.0
    assert gate.backward(2.5) == (2.5, 2.5)


def test_max_routes_to_the_larger_input():
    gate = MaxGate()
    assert gate.forward(2.0, -1.0) == 2.0
    assert gate.backward(2.0) == (2.0, 0.0)
    assert gate.forward(-3.0, 5.0) == 5.0
    assert gate.backward(2.0) == (0.0, 2.0)


def test_max_sends_a_tie_to_the_first_input():
    gate = MaxGate()
    gate.forward(1.0, 1.0)
    assert gate.backward(3.0) == (3.0, 0.0)


def test_multiply_swaps():
    gate = MultiplyGate()
    assert gate.forward(3.0, -4.0) == -12.0
    assert gate.backward(2.0) == (-8.0, 6.0)


def test_one_input_gates_return_a_one_tuple():
    gate = ExpGate()
    gate.forward(0.0)
    (dx,) = gate.backward(1.0)
    assert dx == 1.0


def test_backward_uses_the_latest_forward():
    gate = MultiplyGate()
    gate.forward(1.0, 2.0)
    gate.forward(5.0, 7.0)
    assert gate.backward(1.0) == (7.0, 5.0)


def test_relu_blocks_negative_inputs():
    gate = ReLUGate()
    assert gate.forward(-2.0) == 0.0
    assert gate.backward(5.0) == (0.0,)


def test_fixed_number_gates():
    assert AddConstantGate(1.0).forward(2.0) == 3.0
    assert ScaleGate(-1.0).forward(2.0) == -2.0
    gate = PowerGate(2)
    assert gate.forward(-3.0) == 9.0
    assert gate.backward(1.0) == (-6.0,)
    assert repr(ScaleGate(-1.0)) == "ScaleGate(-1.0)"


def test_sigmoid_is_stable_at_plus_and_minus_1000():
    gate = SigmoidGate()
    assert gate.forward(1000.0) == 1.0
    assert gate.backward(1.0) == (0.0,)
    assert gate.forward(-1000.0) == 0.0
    assert gate.backward(1.0) == (0.0,)
    assert operators.sigmoid(-30.0) == pytest.approx(math.exp(-30.0) / (1 + math.exp(-30.0)), rel=1e-15)


def test_domain_errors_are_clear():
    with pytest.raises(ValueError, match=r"log\(0.0\)"):
        LogGate().forward(0.0)
    with pytest.raises(ZeroDivisionError, match="x = 0"):
        ReciprocalGate().forward(0.0)
    with pytest.raises(OverflowError, match="709.78"):
        ExpGate().forward(800.0)
    with pytest.raises(ValueError, match="whole-number exponent"):
        PowerGate(0.5).forward(-4.0)
    with pytest.raises(ZeroDivisionError, match="negative power"):
        PowerGate(-1).forward(0.0)


def test_power_derivative_edge_cases():
    assert operators.power_derivative(0.0, 0) == 0.0
    assert operators.power_derivative(0.0, 0.5) == math.inf
    assert operators.power_derivative(0.0, 1) == 1.0
    assert operators.power_derivative(2.0, 3) == 12.0


def test_base_gate_has_no_forward():
    with pytest.raises(NotImplementedError):
        Gate().forward(1.0)


def test_module_docstring_examples_run():
    import doctest

    import tinybackprop.gates

    failed, attempted = doctest.testmod(tinybackprop.gates)
    assert attempted > 0 and failed == 0
