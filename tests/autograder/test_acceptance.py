"""What a student and an instructor met when they first used the grader, kept from coming back.

Each test grades a real submission (the reference with one change) and reads
the report as its user would: the status, the points, where the message
points and what the hint says.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from autograder.config import load_config
from autograder.content import write_references
from autograder.grade import grade_submission


@pytest.fixture(scope="module")
def quick():
    """The shipped config with limits short enough for tests, long enough for a loaded machine."""
    shipped = load_config()
    return replace(shipped, limits=replace(shipped.limits, call_seconds=1.0, submission_seconds=10.0))


def submission(tmp_path: Path, file: str = "", old: str = "", new: str = "") -> Path:
    """The reference solutions, with ``old`` replaced by ``new`` (found exactly once) in ``file``."""
    folder = write_references(tmp_path / "submission")
    if file:
        source = (folder / file).read_text(encoding="utf-8")
        assert source.count(old) == 1, old
        (folder / file).write_text(source.replace(old, new), encoding="utf-8")
    return folder


def by_name(result) -> dict:
    """The result's tests by name."""
    return {test.name: test for test in result.tests}


def graded_test(folder: Path, name: str):
    """The result of test ``name`` when its stage of ``folder`` is graded (public tests, seed 1)."""
    stage = name.rsplit(".", 1)[0]
    return by_name(grade_submission(str(folder), only=[stage], public_only=True, seed=1))[name]


def test_a_typo_says_in_which_file_and_line_it_is(tmp_path):
    folder = submission(tmp_path, "svm.py", "    data_loss = margins.sum() / N\n",
                        "    data_loss = margin.sum() / N\n")
    line = (folder / "svm.py").read_text(encoding="utf-8").split("\n").index(
        "    data_loss = margin.sum() / N") + 1
    test = graded_test(folder, "svm.forward.small_with_reg")
    assert test.status == "error"
    assert "NameError: name 'margin' is not defined" in test.output
    assert f"assignments/svm.py, line {line}, in svm_forward" in test.output
    assert "tinybackprop-grade-" not in test.traceback and 'File "assignments/svm.py"' in test.traceback


def test_a_module_that_never_finishes_importing_costs_only_its_own_assignment(tmp_path, quick):
    folder = submission(tmp_path, "svm.py", "from tinybackprop.matrix import Matrix\n",
                        "from tinybackprop.matrix import Matrix\n\nwhile True:\n    pass\n")
    result = grade_submission(str(folder), only=["svm", "softmax"], public_only=True, seed=1,
                              config=quick)
    svm = [t for t in result.tests if t.assignment == "svm"]
    softmax = [t for t in result.tests if t.assignment == "softmax"]
    assert all(t.status == "timeout" and t.score == 0 for t in svm)
    assert "top level of a file" in svm[0].output and "running assignments/svm.py, line " in svm[0].output
    assert all("Not run: importing svm.py did not finish" in t.output for t in svm[1:])
    assert all(t.status == "passed" for t in softmax), [(t.name, t.output) for t in softmax]


def test_an_infinite_loop_in_one_function_costs_only_that_functions_tests(tmp_path, quick):
    folder = submission(tmp_path, "svm.py", "    loss /= N\n", "    while True:\n        pass\n")
    result = grade_submission(str(folder), only=["svm", "softmax"], public_only=True, seed=1,
                              config=quick)
    naive = [t for t in result.tests if t.name.startswith("svm.naive.")]
    assert [t.status for t in naive] == ["timeout"] * len(naive)
    assert "svm.svm_loss_naive did not return within 1.0 s" in naive[0].output
    assert all("in an earlier test" in t.output for t in naive[1:])
    others = [t for t in result.tests if not t.name.startswith("svm.naive.")]
    assert all(t.status == "passed" for t in others), [(t.name, t.output) for t in others]


def test_an_overflowing_softmax_reads_as_one_sentence(tmp_path):
    folder = submission(tmp_path, "softmax.py", "    shifted = scores - scores.max(axis=1)\n",
                        "    shifted = scores\n")
    test = graded_test(folder, "softmax.forward.scores_near_1000")
    assert test.status == "failed"
    assert test.output.startswith("On scores as large as 1000, softmax.softmax_forward raised OverflowError")


def test_a_gradient_check_lists_only_the_entries_that_disagree(tmp_path):
    folder = submission(tmp_path, "two_layer_net.py", "    dz1 = dh1 * (z1 > 0)\n", "    dz1 = dh1\n")
    test = graded_test(folder, "two_layer_net.backward.numerical_gradient_of_the_loss")
    assert test.status == "failed" and test.output.startswith("dW1, db1 do not match")
    assert "dW1[" in test.output
    assert "dW2[" not in test.output and "db2[" not in test.output  # those agree: no reason to list them


def test_a_passed_gradient_check_says_so_in_one_line(tmp_path):
    result = grade_submission(str(submission(tmp_path)), only=["svm.backward", "two_layer_net.backward"],
                              public_only=True, seed=1)
    for name in ("svm.backward.numerical_gradient_of_the_loss",
                 "two_layer_net.backward.numerical_gradient_of_the_loss"):
        test = by_name(result)[name]
        assert test.status == "passed"
        assert test.output.startswith("all ") and "analytic" not in test.output, test.output


STUB_DATA_LOSS = ("    data_loss = margins.sum() / N\n",
                  '    raise NotImplementedError("svm_forward: data_loss")\n')


def test_the_stages_done_before_a_stub_earn_their_points(tmp_path):
    folder = submission(tmp_path, "svm.py", *STUB_DATA_LOSS)
    test = graded_test(folder, "svm.forward.small_with_reg")
    assert test.status == "not implemented"
    assert test.score == pytest.approx(2 / 5 * test.max_score)  # scores and margins of 5 stages
    assert test.output == "Not implemented yet: svm_forward: data_loss. Before it: scores, margins: all right"


def test_a_wrong_stage_before_a_stub_is_named_and_earns_nothing_after_it(tmp_path):
    folder = submission(tmp_path, "svm.py", *STUB_DATA_LOSS)
    source = (folder / "svm.py").read_text(encoding="utf-8")
    (folder / "svm.py").write_text(source.replace("    margins.add_at(y, -1.0)\n", ""), encoding="utf-8")
    test = graded_test(folder, "svm.forward.small_with_reg")
    assert test.status == "not implemented"
    assert test.score == pytest.approx(1 / 5 * test.max_score)
    assert "right so far: scores; then margins is off" in test.output


def test_a_backward_stopped_by_a_stub_is_credited_up_to_it(tmp_path):
    folder = submission(tmp_path, "two_layer_net.py", "    dz1 = dh1 * (z1 > 0)\n",
                        '    raise NotImplementedError("two_layer_backward: dz1")\n')
    test = graded_test(folder, "two_layer_net.backward.reference_cache_toy")
    assert test.status == "not implemented"
    assert test.score == pytest.approx(4 / 7 * test.max_score)  # dscores, dW2, db2, dh1


def test_a_crash_in_a_late_stage_keeps_the_credit_of_the_stages_before_it(tmp_path):
    folder = submission(tmp_path, "svm.py", "    data_loss = margins.sum() / N\n",
                        "    data_loss = margin.sum() / N\n")
    test = graded_test(folder, "svm.forward.small_with_reg")
    assert test.status == "error"
    assert test.score == pytest.approx(2 / 5 * test.max_score)
    assert test.output.endswith("Before it: scores, margins: all right")


def test_a_loop_in_an_imported_file_is_located_in_that_file(tmp_path, quick):
    folder = submission(tmp_path, "svm.py", "from tinybackprop.matrix import Matrix\n",
                        "from tinybackprop.matrix import Matrix\n\nwhile True:\n    pass\n")
    result = grade_submission(str(folder), only=["linear_classifier"], public_only=True, seed=1,
                              config=quick)
    first = result.tests[0]
    assert first.status == "timeout" and "Importing linear_classifier.py did not finish" in first.output
    assert "it was running assignments/svm.py, line " in first.output
    assert "top level of linear_classifier.py" not in first.output  # the loop is not there


@pytest.mark.parametrize("file, old, new, names", [
    ("svm.py", "    dW = X.T @ dscores + 2 * reg * W\n", "    dW = (X.T @ dscores + 2 * reg * W).tolist()\n",
     ("svm.backward.reference_cache", "svm.vectorized.matches_naive_small")),
    ("two_layer_net.py", "    db1 = dz1.sum(axis=0)\n", "    db1 = dz1.sum(axis=0).tolist()\n",
     ("two_layer_net.backward.reference_cache_toy",)),
])
def test_right_numbers_returned_as_lists_pass_with_a_note_that_training_needs_a_matrix(
        tmp_path, file, old, new, names):
    folder = submission(tmp_path, file, old, new)
    for name in names:
        test = graded_test(folder, name)
        assert test.status == "passed", test.output
        assert "came back as a list of lists, not a Matrix" in test.hint
