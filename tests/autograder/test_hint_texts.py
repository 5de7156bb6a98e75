"""What a check says after a mistake names the mistake; it never hands over the stage's code.

The hint ladder (``python -m autograder hint``, ``hint()`` in a notebook) is
where help comes on demand; a report's diagnosis only says what went wrong.
The handout's leak search, run over every diagnosis the checks can give,
finds none of the reference solutions' lines or expressions in them.
"""
from __future__ import annotations

import importlib

import pytest

from autograder.handout import solution_lines, text_leaks

# The modules whose constants are the diagnoses the checks attach to a failed test.
MODULES = ("course.hints", "course.linear_loss", "course.search", "course.two_layer_net.checks",
           "course.gradient_check.checks", "course.linear_classifier.bias", "course.training",
           "course.optimization.checks")


def diagnoses():
    """(where, text) for every diagnosis: the upper-case string constants of the check modules."""
    found = []
    for name in MODULES:
        module = importlib.import_module(name)
        for key, value in vars(module).items():
            texts = value.values() if isinstance(value, dict) else [value]
            found += [(f"{name}.{key}", text) for text in texts
                      if key.isupper() and isinstance(text, str) and " " in text]
    return found


def test_there_are_diagnoses_to_search():
    assert len(diagnoses()) > 20


@pytest.mark.parametrize("where, text", diagnoses(), ids=[where for where, _ in diagnoses()])
def test_no_diagnosis_holds_solution_code(where, text):
    assert text_leaks(where, text, solution_lines()) == []
