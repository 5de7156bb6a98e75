"""The suites: comparisons, hints, the reference scoring 100, recorded answers, trivial answers scoring 0."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from autograder import oracle
from autograder.compare import (compare_matrix, compare_number, credit_before_stop, in_order, rel_error,
                                compare_entries_of, compare_floats)
from autograder.config import load_config
from autograder.content import REFERENCE, part, write_references
from autograder.grade import discover_checks, grade_submission
from autograder.suite import NotImplementedYet
from course import hints
from tinybackprop.matrix import Matrix

W = Matrix([[1.0, -2.0], [0.5, 3.0], [-1.5, 0.25]])
DATA_GRAD = Matrix([[0.1, -0.1], [0.3, -0.3], [-0.2, 0.2]])


def grade(folder: Path, only=None, public_only=False):
    """Grade a folder of assignment files with a fixed seed."""
    return grade_submission(str(folder), only=only, public_only=public_only, seed=7)


def reference_copy(tmp_path: Path) -> Path:
    """A submission folder holding the reference solutions."""
    return write_references(tmp_path / "submission")


# -- compare ---------------------------------------------------------------
def test_relative_error_follows_the_project_convention():
    assert rel_error(0.0, 0.0) == 0.0
    assert rel_error(1.0, 3.0) == pytest.approx(0.5)
    assert rel_error(1e-12, 0.0) == pytest.approx(1e-4)  # the 1e-8 floor
    assert rel_error(float("nan"), 1.0) == math.inf


def test_a_matrix_of_the_wrong_shape_names_both_shapes():
    result = compare_matrix("dW", W.T, W, what="D x C, the shape of W")
    assert not result.ok and result.shape == (2, 3)
    assert "(2, 3)" in result.message and "(3, 2)" in result.message


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinity_are_wrong_answers(bad):
    assert not compare_number("loss", bad, 1.0).ok
    assert not compare_matrix("dW", Matrix([[bad, 0.0], [0.0, 0.0], [0.0, 0.0]]), W).ok
    assert not compare_floats("dw", [bad, 1.0], [1.0, 1.0]).ok
    # Also against an expected value that is not finite: no error small enough to pass.
    assert rel_error(bad, bad) == math.inf and rel_error(1.0, bad) == math.inf


def test_a_function_stopped_after_two_stages_is_credited_for_them_in_its_verdict():
    stopped = NotImplementedYet("svm_forward: data_loss", {"scores": W, "margins": W * 2})
    verdict = credit_before_stop(stopped, {"scores": W, "margins": W, "data_loss": 1.0},
                                 ("scores", "margins", "data_loss"), 4)
    assert verdict.stopped is stopped
    assert verdict.fraction == pytest.approx(1 / 4)  # scores right, then margins wrong: 1 of 4 stages
    assert verdict.message.startswith("right so far: scores; then margins is off")
    nothing = credit_before_stop(stopped, {"dscores": W}, ("dscores",), 2)
    assert (nothing.fraction, nothing.message, nothing.stopped) == (0.0, "", stopped)


@pytest.mark.parametrize("got", [True, "1.0", None, {"a": 1.0}, [1.0]])
def test_what_is_not_a_number_is_refused_before_any_arithmetic(got):
    result = compare_number("loss", got, 1.0)
    assert not result.ok and "should be a number" in result.message


def test_a_list_of_rows_is_compared_like_a_matrix_and_ragged_rows_are_refused():
    assert compare_matrix("dW", W.tolist(), W).ok
    assert not compare_matrix("dW", [[1.0, -2.0], [0.5], [-1.5, 0.25]], W).ok


def test_an_all_zero_answer_says_so_and_fails():
    result = compare_matrix("dW", Matrix.zeros(3, 2), W)
    assert not result.ok and "all zeros" in result.message


def test_in_order_credits_the_stages_before_the_first_wrong_one_and_names_it():
    stages = compare_entries_of("cache", {"scores": W, "margins": W * 2}, {"scores": W, "margins": W},
                                ("scores", "margins"))
    fraction, message, wrong = in_order(stages)
    assert (fraction, wrong) == (0.5, "margins")
    assert message.startswith("right so far: scores; then cache['margins'] is off")


def test_a_missing_cache_entry_is_named():
    stages = compare_entries_of("cache", {"scores": W}, {"scores": W, "margins": W}, ("scores", "margins"))
    assert not stages[1][1].ok and "no 'margins'" in stages[1][1].message


def test_a_list_of_the_wrong_length_fails():
    assert not compare_floats("dw", [1.0, 2.0], [1.0, 2.0, 3.0]).ok


# -- hints -----------------------------------------------------------------
@pytest.mark.parametrize("got, words", [
    (2.0, "regularization is missing"),
    (2.0 + 2 * 0.1 * 5.0, "2 * reg * sum(W * W)"),
    (2.0 * 4 + 0.1 * 5.0, "N times too large"),
    (2.0 + 0.5 * 0.1 * 5.0, "0.5 * reg"),
])
def test_the_loss_hint_names_the_variant_the_answer_matches(got, words):
    assert words in hints.loss_hint(got, data_loss=2.0, squares=5.0, reg=0.1, N=4)


def test_without_regularization_the_loss_hint_claims_nothing_about_it():
    assert hints.loss_hint(8.0, data_loss=2.0, squares=5.0, reg=0.0, N=4) == hints.NOT_DIVIDED


def test_no_loss_hint_for_an_answer_no_known_mistake_explains():
    assert hints.loss_hint(3.14159, data_loss=2.0, squares=5.0, reg=0.1, N=4) == ""


@pytest.mark.parametrize("multiple, words", [
    (0.0, "regularization gradient is missing"),
    (1.0, "the regularization gradient is reg * W, half of what it should be"),
    (3.0, "3 * reg * W"),
])
def test_the_gradient_hint_finds_the_regularization_multiple(multiple, words):
    got = DATA_GRAD + multiple * 0.1 * W
    assert words in hints.gradient_hint("dW", got, DATA_GRAD, W, reg=0.1, N=4)


def test_the_gradient_hint_finds_a_gradient_not_divided_by_n():
    got = DATA_GRAD * 4 + 2 * 0.1 * W
    assert "N times too large" in hints.gradient_hint("dW", got, DATA_GRAD, W, reg=0.1, N=4)


def test_without_regularization_the_gradient_hint_fits_no_penalty():
    assert hints.gradient_hint("dW", DATA_GRAD * 4, DATA_GRAD, W, reg=0.0, N=4) == f"dW: {hints.NOT_DIVIDED}"
    assert hints.gradient_hint("dW", DATA_GRAD * 4 + 0.3 * W, DATA_GRAD, W, reg=0.0, N=4) == ""


def test_no_gradient_hint_for_an_unrelated_answer():
    assert hints.gradient_hint("dW", W * W, DATA_GRAD, W, reg=0.1, N=4) == ""


def test_a_transposed_gradient_is_called_transposed_and_its_product_named():
    text = hints.shape_hint("dW1", (2, 3), (3, 2), "W1", "X and dz1")
    assert "(3, 2)" in text and "(2, 3)" in text and "transposed" in text and "product of X and dz1" in text
    assert "@" not in text and ".T" not in text  # the order is the student's to find


def test_the_relu_hint_names_the_variant_the_answer_matches():
    variants = [(W, hints.RELU_MASK), (W * 2, hints.RELU_ACTIVATIONS)]
    assert hints.relu_hint("dz1", W, variants) == f"dz1: {hints.RELU_MASK}"
    assert hints.relu_hint("dz1", W * 2, variants) == f"dz1: {hints.RELU_ACTIVATIONS}"
    assert hints.relu_hint("dz1", W * 0.5, variants) == ""


@pytest.mark.parametrize("got", [-2.0, 3.0])
def test_the_fork_hint_fires_for_one_branch_alone(got):
    """x = -2, y = 5: the add gate sends x -2, the multiply gate 3; dx is their sum, 1."""
    assert hints.fork_hint(got, (-2.0, 3.0)) == hints.FORK
    assert "gradients add at forks" in hints.FORK


@pytest.mark.parametrize("got", [1.0, 0.5, -1.0, float("nan"), "1.0", None])
def test_the_fork_hint_is_silent_for_the_sum_and_for_what_no_branch_explains(got):
    assert hints.fork_hint(got, (-2.0, 3.0)) == ""


def test_the_fork_hint_is_silent_when_the_other_branch_sends_nothing():
    """With a zero branch, one branch alone is the sum: no mistake to see."""
    assert hints.fork_hint(3.0, (0.0, 3.0)) == ""


# -- the suites on real submissions ------------------------------------------
def test_points_add_up_to_the_configured_total_with_a_third_hidden():
    checks = discover_checks()
    total = sum(load_config().points.values())
    assert sum(c.points for c in checks) == pytest.approx(total)
    hidden = sum(c.points for c in checks if c.hidden)
    assert 0.30 * total <= hidden <= 0.36 * total


def test_the_reference_solutions_score_every_point(tmp_path):
    result = grade(reference_copy(tmp_path))
    failing = [(t.name, t.status, t.output) for t in result.tests if t.status != "passed"]
    assert failing == []
    total = sum(load_config().points.values())
    assert result.score == pytest.approx(total) and result.max_score == pytest.approx(total)


def same_answers(a, b) -> bool:
    """Equal JSON data, numbers within 1e-9 (a change of summation order is not a new answer)."""
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and \
            (a == b or rel_error(float(a), float(b)) <= 1e-9)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_answers(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_answers(a[k], b[k]) for k in a)
    return a == b


def test_the_recorded_answers_are_in_sync_with_the_references(tmp_path):
    fresh = tmp_path / "recorded.json"
    oracle.record(fresh)
    assert same_answers(json.loads(fresh.read_text()), json.loads(oracle.RECORDED.read_text())), \
        "the references changed: run python3 -m autograder.oracle and commit course/recorded.json"


def test_without_the_references_the_public_checks_use_the_recorded_answers(tmp_path, monkeypatch):
    monkeypatch.setattr(oracle, "reference", lambda assignment: None)
    result = grade(reference_copy(tmp_path), public_only=True)
    assert [t.name for t in result.tests if t.status != "passed"] == []
    assert result.score == pytest.approx(result.max_score)


TRIVIAL_LOSS = '''
from tinybackprop.matrix import Matrix

def {name}_loss_naive(W, X, y, reg):
    return 0.0, Matrix.zeros(*W.shape)

def {name}_forward(W, X, y, reg):
    zeros = Matrix.zeros(X.shape[0], W.shape[1])
    return 0.0, {{"W": W, "X": X, "y": y, "reg": reg, "scores": zeros, "margins": zeros,
                 "shifted": zeros, "probs": zeros, "data_loss": 0.0, "reg_loss": 0.0}}

def {name}_backward(cache):
    return {{"dscores": Matrix.zeros(*cache["scores"].shape), "dW": Matrix.zeros(*cache["W"].shape)}}

def {name}_loss_vectorized(W, X, y, reg):
    return 0.0, Matrix.zeros(*W.shape)
'''


@pytest.mark.parametrize("name", ["svm", "softmax"])
def test_a_loss_of_zero_with_a_zero_gradient_earns_nothing_anywhere(tmp_path, name):
    """(0.0, zeros) would pass a gradient check of its own loss: the check differentiates the right one."""
    (tmp_path / f"{name}.py").write_text(TRIVIAL_LOSS.format(name=name))
    result = grade(tmp_path, only=[name])
    assert result.tests and all(t.score == 0 for t in result.tests), \
        [(t.name, t.score) for t in result.tests if t.score]
    gradcheck = next(t for t in result.tests if t.name.endswith("numerical_gradient_of_the_loss"))
    assert "does not match the numerical gradient of the loss" in gradcheck.output


def test_a_backward_that_fits_a_wrong_loss_fails_the_gradient_check_of_the_right_one(tmp_path):
    """Twice the loss with twice its gradient agrees with its own numerical gradient, and is wrong:
    the forward stage pays for the loss, the backward stage for dW, each once."""
    source = part("svm", REFERENCE).read_text()
    old = "    return data_loss + reg_loss, cache\n"
    assert source.count(old) == 1
    source = source.replace(old, "    return 2 * (data_loss + reg_loss), cache\n")
    old = '    return {"dscores": dscores, "dW": dW}\n'
    assert source.count(old) == 1
    (tmp_path / "svm.py").write_text(source.replace(old, '    return {"dscores": dscores, "dW": 2 * dW}\n'))
    result = grade(tmp_path, only=["svm.forward", "svm.backward"])
    tests = {t.name: t for t in result.tests}
    gradcheck = tests["svm.backward.numerical_gradient_of_the_loss"]
    assert gradcheck.score == 0 and "does not match the numerical gradient of the loss" in gradcheck.output
    forward = tests["svm.forward.small_with_reg"]
    assert forward.score == pytest.approx(4 / 5 * forward.max_score)  # every cache entry right, the loss wrong


def test_a_nan_answer_earns_nothing(tmp_path):
    source = TRIVIAL_LOSS.format(name="svm").replace("return 0.0,", "return float('nan'),")
    (tmp_path / "svm.py").write_text(source.replace("Matrix.zeros(*W.shape)", "Matrix.full(*W.shape, float('nan'))"))
    result = grade(tmp_path, only=["svm.naive", "svm.vectorized"])
    assert result.tests and all(t.score == 0 for t in result.tests)
