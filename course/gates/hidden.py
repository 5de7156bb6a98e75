"""Hidden checks of the gates warm-up: the lecture's circuits, the neuron, the fork and the vectorized
example at inputs drawn at grading time."""
from __future__ import annotations

from course.gates import vector
from course.gates.checks import (ADD_MULTIPLY, FORK_CIRCUIT, MAX, NEURON, STAGED_NEURON, circuit_check,
                                 fork_inputs, neuron_inputs, staged_check, uniform)

CHECKS = [
    circuit_check("random_add_multiply_circuit", ADD_MULTIPLY, 0.5, uniform(("x", "y", "z")), hidden=True),
    circuit_check("random_sigmoid_neuron_circuit", NEURON, 0.5,
                  uniform(("w0", "x0", "w1", "x1", "w2"), -2.0, 2.0), hidden=True),
    circuit_check("random_max_circuit", MAX, 0.5, uniform(("x", "y", "z", "w"), extra={"two": 2.0}),
                  hidden=True),
    staged_check("random_staged_sigmoid_neuron", STAGED_NEURON, 0.5, neuron_inputs(), hidden=True),
    staged_check("random_fork_circuit", FORK_CIRCUIT, 1, fork_inputs, hidden=True),
    vector.vector_check("random_shapes", 1.25, vector.any_shape, hidden=True),
]
