"""Cheating submissions (tests/autograder/cheats/): none gains a point, each ends with a clear status.

Each fixture is a submission with an ``svm.py`` that attacks the grader one way.
They are graded on the SVM suites (naive, forward and backward stages: every
kind of call) with short limits, so that the loops and bombs cost seconds. The isolation from the reference solutions
and the hidden tests needs root (to drop to another uid); the tests run as
root here, where every assertion holds for real.
"""
from __future__ import annotations

import random
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from autograder.config import load_config
from autograder.grade import grade_submission
from autograder.results import STATUSES
from autograder.sandbox import Sandbox, running_as_root
from autograder.suite import Session
from autograder.workspace import Workspace

CHEATS = Path(__file__).resolve().parent / "cheats"
REPO = Path(__file__).resolve().parents[2]
STAGES = ["svm.naive", "svm.forward", "svm.backward"]

# What each cheat may end as; anything else (or a single point) is a hole in the grader.
EXPECTED = {
    "zeros": {"failed"},
    "fake_output": {"failed"},
    "sys_exit_at_import": {"error"},
    "os_exit": {"error", "timeout"},  # restarting after each death may use up the time budget
    "infinite_loop_at_import": {"timeout", "failed"},
    "infinite_loop_in_call": {"timeout", "failed"},
    "memory_bomb": {"error", "timeout", "failed"},
    "fork_bomb": {"error"},
    "monkeypatch": {"failed"},
    "always_equal": {"failed", "error"},
    "read_secrets": {"failed", "error"},
    "write_outside": {"failed", "error"},
    "output_flood": {"failed"},
    "forbidden_import": {"forbidden"},
    "escape_process_group": {"timeout", "failed"},
    "library_attribute": {"error", "forbidden"},  # the child's tinybackprop holds Matrix only
}


@pytest.fixture(scope="module")
def config():
    """The shipped config with limits short enough for tests."""
    shipped = load_config()
    return replace(shipped, limits=replace(shipped.limits, call_seconds=0.5, submission_seconds=2.0,
                                           memory_mb=256))


def cheat(name: str, tmp_path: Path) -> Path:
    """A copy of a cheat fixture with the paths it attacks filled in."""
    target = tmp_path / name
    shutil.copytree(CHEATS / name, target)
    for path in target.glob("*.py"):
        path.write_text(path.read_text(encoding="utf-8").replace("__REPO__", str(REPO))
                        .replace("__TARGET__", str(tmp_path)), encoding="utf-8")
    return target


def test_every_fixture_is_covered():
    assert {p.name for p in CHEATS.iterdir() if p.is_dir()} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_cheat_earns_nothing_and_every_test_ends_clearly(name, tmp_path, config):
    if name == "read_secrets" and not running_as_root():
        pytest.fail("reading the reference cannot be prevented without root; run the tests as root")
    result = grade_submission(str(cheat(name, tmp_path)), only=STAGES, seed=7, config=config)
    assert result.status == "graded"
    assert result.tests, "the SVM suites should have checks"
    assert result.score == 0.0, [(t.name, t.score, t.output) for t in result.tests if t.score]
    statuses = {t.status for t in result.tests}
    assert statuses <= set(STATUSES)
    assert statuses <= EXPECTED[name], [(t.name, t.status, t.output) for t in result.tests]
    for test in result.tests:
        assert test.output, test.name
        assert "autograder/" not in test.output + test.printed  # no grader path, no grader traceback


def test_printed_fake_results_stay_in_the_printed_output(tmp_path, config):
    result = grade_submission(str(cheat("fake_output", tmp_path)), only=STAGES, seed=7, config=config)
    assert result.score == 0.0
    assert any("Total: 100 / 100" in t.printed for t in result.tests)
    assert "100 / 100" not in result.to_results_json()["output"]


def test_an_output_flood_is_trimmed(tmp_path, config):
    result = grade_submission(str(cheat("output_flood", tmp_path)), only=STAGES, seed=7, config=config)
    assert all(len(t.printed) < 2000 for t in result.tests)


def test_the_static_check_names_the_forbidden_imports(tmp_path, config):
    result = grade_submission(str(cheat("forbidden_import", tmp_path)), only=STAGES, seed=7, config=config)
    message = result.tests[0].output
    assert "tinybackprop.losses" in message and "course.svm.reference" in message


def test_writes_outside_the_work_directory_fail(tmp_path, config):
    workspace = Workspace({"svm.py": cheat("write_outside", tmp_path).joinpath("svm.py").read_text()})
    sandbox = Sandbox(workspace, "svm", config.limits)
    try:
        wrote = Session(sandbox, random.Random(0)).call("svm.svm_backward", {})["wrote"]
        untouched = not (workspace.lib / "assignments" / "svm.py").read_text().endswith("by a submission\n")
    finally:
        sandbox.close()
        workspace.close()
    planted = REPO / "tests" / "autograder" / "cheats" / "planted.txt"
    leaked = [p for p in (planted, tmp_path / "planted.txt") if p.exists()]
    for path in leaked:
        path.unlink()
    assert wrote == [] and untouched and leaked == [], (wrote, leaked)


def test_a_cheat_graded_on_every_assignment_scores_0_of_100(tmp_path, config):
    result = grade_submission(str(cheat("always_equal", tmp_path)), seed=7, config=config)
    assert result.status == "graded"
    assert result.score == 0.0 and result.max_score == 100.0
    assert {t.assignment for t in result.tests} == {"gates", "svm", "softmax", "linear_classifier",
                                                    "two_layer_net"}


def test_a_sandbox_that_cannot_start_is_a_grader_error_not_a_zero_for_the_student(monkeypatch, tmp_path,
                                                                                   config):
    monkeypatch.setattr("autograder.sandbox.CHILD", tmp_path / "no_such_child.py")
    result = grade_submission(str(cheat("zeros", tmp_path)), only=["svm.naive"], seed=1, config=config)
    assert result.status == "grader error"
    assert "must be redone" in result.message
    assert all(t.status == "error" for t in result.tests)
    assert "sandbox did not start" in result.tests[0].output
