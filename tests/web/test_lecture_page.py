"""The landing page's Python (web/lecture.py), run natively: the lecture's numbers, pictures and clear errors."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

LECTURE = Path(__file__).resolve().parents[2] / "web" / "lecture.py"


@pytest.fixture(scope="module")
def lecture():
    spec = importlib.util.spec_from_file_location("lecture", LECTURE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def evaluate(lecture, name: str, **numbers: float) -> dict:
    return json.loads(lecture.evaluate(name, json.dumps(numbers)))


def test_the_three_circuits_give_the_lectures_numbers(lecture):
    add = evaluate(lecture, "add", x=-2, y=5, z=-4)
    assert add["f"] == -12 and add["grads"] == {"x": -4, "y": -4, "z": 3}
    neuron = evaluate(lecture, "neuron", w0=2, x0=-1, w1=-3, x1=-2, w2=-3)
    assert neuron["f"] == pytest.approx(0.7311, abs=1e-4)
    assert neuron["grads"] == pytest.approx({"w0": -0.1966, "x0": 0.3932, "w1": -0.3932, "x1": -0.5898,
                                             "w2": 0.1966}, abs=1e-4)
    biggest = evaluate(lecture, "max", x=3, y=-4, z=2, w=-1)
    assert biggest["f"] == -20 and biggest["grads"] == {"x": -8, "y": 6, "z": 2, "w": 0}


def test_each_picture_is_the_graph_after_backward(lecture):
    svg = evaluate(lecture, "add", x=-2, y=5, z=-4)["svg"]
    assert svg.startswith("<svg") and 'viewBox="' in svg and 'width="' in svg
    for text in (">x<", ">q<", ">f<", "data -12", "grad -4", "grad 3"):
        assert text in svg, text


def test_the_max_gate_routes_the_gradient_to_the_larger_input(lecture):
    assert evaluate(lecture, "max", x=3, y=-4, z=2, w=5)["grads"] == {"x": -8, "y": 6, "z": 0, "w": 2}


def test_bad_inputs_get_a_clear_error(lecture):
    assert evaluate(lecture, "add", x=1, y=2) == {"error": "add takes the inputs x, y, z, got x, y"}
    assert evaluate(lecture, "add", x=1, y=2, z="3") == {"error": "z must be a finite number, got '3'"}
    assert evaluate(lecture, "sum", x=1) == {"error": "no circuit 'sum'; the circuits are add, neuron, max"}
    overflow = evaluate(lecture, "neuron", w0=2, x0=-1, w1=-3, x1=-2, w2=-1000)["error"]
    assert overflow.startswith("exp(996.0) is too large for a float")
