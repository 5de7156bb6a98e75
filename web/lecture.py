"""The lecture's three circuits as tinybackprop Values, run by the site's landing page in Pyodide.

The page sends the inputs a student typed; `evaluate` runs the forward pass,
the backward pass, and draws the graph with tinybackprop's own SVG drawing
(values green, gradients red, as in the lecture).
"""
from __future__ import annotations

import inspect
import json
import math
from typing import Callable, Dict, Tuple

from tinybackprop import Value, to_svg

# A circuit's output and its inputs by name.
Circuit = Tuple[Value, Dict[str, Value]]


def named(value: Value, label: str) -> Value:
    """The value, labelled as the lecture names it."""
    value.label = label
    return value


def inputs(**numbers: float) -> Dict[str, Value]:
    """Leaf Values labelled by their names."""
    return {name: Value(number, label=name) for name, number in numbers.items()}


def add_circuit(x: float, y: float, z: float) -> Circuit:
    """f = (x + y) z: the add gate distributes the gradient, the multiply gate swaps its inputs."""
    leaves = inputs(x=x, y=y, z=z)
    q = named(leaves["x"] + leaves["y"], "q")
    return named(q * leaves["z"], "f"), leaves


def sigmoid_neuron(w0: float, x0: float, w1: float, x1: float, w2: float) -> Circuit:
    """f = 1 / (1 + exp(-(w0 x0 + w1 x1 + w2))), gate by gate as the lecture draws it."""
    leaves = inputs(w0=w0, x0=x0, w1=w1, x1=x1, w2=w2)
    dot = named(leaves["w0"] * leaves["x0"] + leaves["w1"] * leaves["x1"] + leaves["w2"], "dot")
    return named((1 + (-dot).exp()) ** -1, "f"), leaves


def max_circuit(x: float, y: float, z: float, w: float) -> Circuit:
    """f = 2 (x y + max(z, w)): the max gate routes the gradient to the larger input."""
    leaves = inputs(x=x, y=y, z=z, w=w)
    xy = named(leaves["x"] * leaves["y"], "xy")
    m = named(leaves["z"].max(leaves["w"]), "m")
    return named(2 * named(xy + m, "s"), "f"), leaves


CIRCUITS: Dict[str, Callable[..., Circuit]] = {"add": add_circuit, "neuron": sigmoid_neuron,
                                               "max": max_circuit}


def evaluate(name: str, numbers: str) -> str:
    """One circuit's forward and backward pass at numbers (JSON {input: number}).

    Returns JSON: {"f": output, "grads": {input: df/dinput}, "svg": the drawn graph}, or
    {"error": what was wrong} for inputs the circuit cannot take.
    """
    if name not in CIRCUITS:
        return json.dumps({"error": "no circuit %r; the circuits are %s" % (name, ", ".join(CIRCUITS))})
    given = json.loads(numbers)
    expected = list(inspect.signature(CIRCUITS[name]).parameters)
    if sorted(given) != sorted(expected):
        return json.dumps({"error": "%s takes the inputs %s, got %s" % (name, ", ".join(expected),
                                                                       ", ".join(sorted(given)))})
    for key in expected:
        number = given[key]
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
            return json.dumps({"error": "%s must be a finite number, got %r" % (key, number)})
    try:
        f, leaves = CIRCUITS[name](**given)
        f.backward()
    except (ArithmeticError, ValueError) as exc:
        return json.dumps({"error": str(exc)})
    return json.dumps({"f": f.data, "grads": {key: value.grad for key, value in leaves.items()},
                       "svg": to_svg(f)})
