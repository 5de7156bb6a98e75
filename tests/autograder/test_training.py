"""Each assignment graded on its own: the linear classifier does not pay for the losses it trains with."""
from __future__ import annotations

from pathlib import Path

import pytest

from autograder import grade, oracle
from autograder.config import load_config
from autograder.content import write_references
from autograder.grade import grade_submission
from course.training import OWN_LOSS

SOFTMAX_WITHOUT_THE_MINUS_ONE = ("    dscores.add_at(y, -1.0)\n", "")


def submission(folder: Path, file: str = "", change: tuple = ()) -> Path:
    """The references, with ``file`` replaced by ``change`` (old, new), or removed when change is empty."""
    write_references(folder)
    if file and not change:
        (folder / file).unlink()
    elif file:
        source = (folder / file).read_text(encoding="utf-8")
        assert source.count(change[0]) == 1
        (folder / file).write_text(source.replace(*change), encoding="utf-8")
    return folder


def classifier(folder: Path):
    """The grade of the linear classifier alone."""
    return grade_submission(str(folder), only=["linear_classifier"], seed=5)


@pytest.mark.parametrize("file, change, why", [
    ("svm.py", (), "ModuleNotFoundError: No module named 'assignments.svm'"),
    ("svm.py", ("    data_loss = margins.sum() / N\n", "    data_loss = margins.sum( / N\n"), "SyntaxError"),
    ("softmax.py", ("from tinybackprop.matrix import Matrix\n",
                    "from tinybackprop.matrix import Matrix\nraise RuntimeError('not done')\n"),
     "RuntimeError: not done"),
])
def test_a_missing_or_broken_loss_file_costs_the_classifier_nothing_and_the_report_says_so(
        tmp_path, file, change, why):
    result = classifier(submission(tmp_path / "submission", file, change))
    total = sum(points for stage, points in load_config().points.items() if stage.startswith("linear_classifier."))
    assert result.score == result.max_score == total, [(t.name, t.output) for t in result.tests
                                                       if t.score < t.max_score]
    for test in result.tests:
        assert f"{file} cannot be imported ({why}" in test.output, test.output
        assert "the grader lends the reference loss in its place" in test.output
        assert "graded on its own" in test.output


def test_a_wrong_loss_costs_the_classifier_nothing_in_the_official_grade(tmp_path):
    result = classifier(submission(tmp_path / "submission", "softmax.py", SOFTMAX_WITHOUT_THE_MINUS_ONE))
    assert result.score == result.max_score
    accuracy = next(t for t in result.tests if t.name == "linear_classifier.training.softmax_accuracy")
    assert accuracy.output.startswith("trained with the reference loss, lent to train")


def test_in_the_kit_a_wrong_loss_is_named_before_the_training_code(tmp_path, monkeypatch):
    """The kit has no reference loss to lend: training runs with the student's own, and a missed floor
    points at the loss's own tests first."""
    monkeypatch.setattr(oracle, "reference", lambda assignment: None)
    monkeypatch.setattr(grade, "official", lambda assignments: False)
    folder = submission(tmp_path / "submission", "softmax.py", SOFTMAX_WITHOUT_THE_MINUS_ONE)
    result = grade_submission(str(folder), only=["linear_classifier"], public_only=True, seed=5)
    tests = {t.name.rsplit(".", 1)[-1]: t for t in result.tests}
    assert tests["softmax_accuracy"].score == 0 and tests["softmax_accuracy"].hint == OWN_LOSS
    assert tests["svm_accuracy"].score == tests["svm_accuracy"].max_score
    assert all(tests[name].status == "passed" for name in ("minibatch_rows_and_labels",
                                                           "update_against_the_gradient",
                                                           "history_of_the_losses"))
