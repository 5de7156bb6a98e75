"""The notebooks' texts ask for the gradients instead of stating them (the lesson is the derivation).

The stubs' comments are searched for solution code by the handout's leak
search; the notebooks' markdown is prose and LaTeX, which that search does not
read, so this test lists the forms in which a notebook once gave a gradient
away and asserts that none of them is back.
"""
from __future__ import annotations

import json

import pytest

from autograder.stubgen import ASSIGNMENTS_DIR

# (assignment, what the text must not say): each one a gradient the student is asked to derive.
ANSWERS = [
    ("gates", r"(1 - \sigma(t))\,\sigma(t)"),
    ("gates", "(1 - f) f"),
    ("gates", "(1 - cache['f'])"),
    ("svm", r"dW = X^T"),
    ("svm", r"2 \lambda W"),
    ("svm", r"\frac{\partial L_i}{\partial s_j} ="),
    ("svm", "2 * reg * W"),
    ("softmax", r"p_j - \mathbb{1}"),
    ("softmax", r"dW = X^T"),
    ("softmax", "2 * reg * W"),
    ("two_layer_net", r"\odot \mathbb{1}(z_1 > 0)"),
    ("two_layer_net", r"dW_1 = X^T"),
    ("two_layer_net", r"dh_1 = d\mathrm{scores}"),
    ("two_layer_net", r"(p - \mathbb{1}_y)/N"),
]


def markdown(assignment: str) -> str:
    """All markdown and code comments of an assignment's shipped notebook."""
    notebook = json.loads((ASSIGNMENTS_DIR / f"{assignment}.ipynb").read_text(encoding="utf-8"))
    return "\n".join("".join(cell["source"]) for cell in notebook["cells"])


@pytest.mark.parametrize("assignment, answer", ANSWERS, ids=[f"{a}: {s}" for a, s in ANSWERS])
def test_no_notebook_states_a_gradient_the_student_derives(assignment, answer):
    assert answer not in markdown(assignment)


@pytest.mark.parametrize("assignment", ["svm", "softmax", "two_layer_net"])
def test_each_notebook_says_where_the_hints_are(assignment):
    assert f'hint("{assignment}.backward")' in markdown(assignment)
