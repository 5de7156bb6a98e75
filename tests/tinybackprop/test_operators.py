"""operators: the one table of activations, read alike by Value, the gates, Neuron and the layers."""
from __future__ import annotations

import doctest

import pytest

from tinybackprop import operators
from tinybackprop.activations import get_activation
from tinybackprop.gates import ReLUGate, SigmoidGate, TanhGate
from tinybackprop.operators import ACTIVATION_FUNCTIONS
from tinybackprop.value import Value

POINTS = (-2.0, -0.3, 0.4, 1.7)


@pytest.mark.parametrize("name", sorted(ACTIVATION_FUNCTIONS))
def test_each_local_gradient_read_from_the_output_matches_finite_differences(name):
    function, local = ACTIVATION_FUNCTIONS[name]
    h = 1e-6
    for x in POINTS:
        numerical = (function(x + h) - function(x - h)) / (2 * h)
        assert local(function(x)) == pytest.approx(numerical, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("name", ["relu", "tanh", "sigmoid", "leaky_relu", "elu"])
def test_value_and_the_layers_compute_the_table(name):
    function, local = ACTIVATION_FUNCTIONS[name]
    activation = get_activation(name)
    for x in POINTS:
        out = getattr(Value(x), name)()
        assert (out.data, out._local_grads) == (function(x), (local(function(x)),))
        assert activation.scalar(x) == (function(x), local(function(x)))


@pytest.mark.parametrize("gate, name", [(SigmoidGate, "sigmoid"), (TanhGate, "tanh"), (ReLUGate, "relu")])
def test_the_gates_compute_the_table(gate, name):
    function, local = ACTIVATION_FUNCTIONS[name]
    for x in POINTS:
        g = gate()
        assert g.forward(x) == function(x)
        assert g.backward(0.5) == (0.5 * local(function(x)),)


def test_module_docstring_examples_run():
    failed, attempted = doctest.testmod(operators)
    assert attempted > 0 and failed == 0
