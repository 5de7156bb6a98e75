"""Checks inside the notebook (autograder.inline): a stage graded in the sandbox, its verdict shown inline."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from autograder import inline
from autograder.content import write_references
from autograder.inline import InProcessRunner, SandboxRunner, StageCheck, check, use_runner, verdict
from autograder.results import GradeResult, TestResult


def result(*tests: TestResult, status: str = "graded", message: str = "", hidden=(2, 3.0)) -> GradeResult:
    """A GradeResult of the given tests."""
    return GradeResult("assignments", sum(t.score for t in tests), sum(t.max_score for t in tests), status,
                       message, list(tests), hidden)


def outcome(name: str, status: str, score: float, output: str = "", hint: str = "") -> TestResult:
    """One test's result in stage svm.forward, worth 2 points."""
    return TestResult(f"svm.forward.{name}", "svm", "forward", score, 2.0, status, output, hint)


class Recorder:
    """A runner that answers with a fixed result and remembers what it was asked."""

    def __init__(self, answer: GradeResult) -> None:
        self.answer = answer
        self.asked = []

    def grade(self, folder: Path, stage: str) -> GradeResult:
        self.asked.append((folder, stage))
        return self.answer


@pytest.fixture
def runner():
    """Install a Recorder as the runner for one test (the previous runner put back after)."""
    recorder = Recorder(result(outcome("fixed", "passed", 2.0)))
    previous = use_runner(recorder)
    yield recorder
    use_runner(previous)


def test_check_grades_the_notebooks_folder_with_the_installed_runner(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a kernel's working directory is the notebook's folder
    shown = check("svm.forward")
    assert runner.asked == [(tmp_path, "svm.forward")]
    assert shown.passed and shown.verdict == "passed" and shown.result is runner.answer
    check("svm.backward", folder="elsewhere")
    assert runner.asked[-1] == (Path("elsewhere"), "svm.backward")


def test_the_default_runner_is_the_sandbox_and_a_browser_grades_in_process(monkeypatch):
    assert isinstance(inline.default_runner(), SandboxRunner)
    monkeypatch.setattr(inline.sys, "platform", "emscripten")
    assert isinstance(inline.default_runner(), InProcessRunner)


@pytest.mark.parametrize("statuses, expected", [
    (["passed", "passed"], "passed"),
    (["passed", "not implemented"], "not implemented"),
    (["not implemented", "failed"], "failed"),
    (["passed", "error"], "failed"),
    (["timeout"], "failed"),
    ([], "failed"),  # a stage without a test passed nothing
])
def test_a_stage_has_one_verdict(statuses, expected):
    assert verdict([outcome(str(i), status, 0.0) for i, status in enumerate(statuses)]) == expected


def test_a_failed_stage_shows_each_test_with_what_was_expected_and_the_hint():
    shown = StageCheck("svm.forward", result(
        outcome("fixed", "passed", 2.0, "scores, margins: all right"),
        outcome("random", "failed", 1.2, "then cache['reg_loss'] is 0.25; expected 0.5 (relative error 3.3e-01)",
             "Your penalty is 0.5 * reg * sum(W * W) <another course's>")))
    text = repr(shown)
    assert text.splitlines()[0] == "svm.forward: failed, 3.2 / 4 points (public checks)"
    assert "  passed          fixed: 2 / 2" in text and "  failed          random: 1.2 / 2" in text
    assert "expected 0.5 (relative error 3.3e-01)" in text and "hint: Your penalty is 0.5 * reg" in text
    assert '`hint("svm.forward")` in a cell (or `python -m autograder hint svm.forward` in a terminal)' in text
    assert text.splitlines()[-1] == ("These are the public checks; the official grade uses fresh inputs and "
                                     "hidden tests (2 tests worth 3 points).")
    page = shown._repr_html_()
    assert "<b style='color:#cf222e'>failed</b>" in page and "color:#1a7f37;white-space:nowrap'>passed" in page
    assert "expected 0.5 (relative error 3.3e-01)" in page and "&lt;another course&#x27;s&gt;" in page
    assert "<code>hint(&quot;svm.forward&quot;)</code>" in page
    assert "<code>python -m autograder hint svm.forward</code>" in page
    assert "<another" not in page  # the student's and the grader's text is escaped


def test_a_passed_stage_offers_no_hint_and_a_submission_problem_is_said():
    shown = StageCheck("svm.forward", result(outcome("fixed", "passed", 2.0, "all right"), hidden=(0, 0.0)))
    assert "hint" not in repr(shown) and repr(shown).endswith("fresh inputs and hidden tests.")
    missing = StageCheck("svm.forward", result(status="missing submission", message="assignments does not exist"))
    assert missing.verdict == "missing submission" and "assignments does not exist" in repr(missing)
    assert "color:#cf222e" in missing._repr_html_()


@pytest.fixture(scope="module")
def buggy(tmp_path_factory):
    """The references with the 0.5 * reg convention in the SVM's forward pass, as a student's folder."""
    folder = write_references(tmp_path_factory.mktemp("buggy") / "assignments")
    svm = folder / "svm.py"
    source = svm.read_text(encoding="utf-8")
    assert "    reg_loss = reg * (W * W).sum()" in source
    svm.write_text(source.replace("    reg_loss = reg * (W * W).sum()", "    reg_loss = 0.5 * reg * (W * W).sum()"),
                   encoding="utf-8")
    return folder


def test_a_real_check_grades_the_saved_file_in_the_sandbox(buggy):
    """The sandbox runner: the stage's public tests only, the student's mistake diagnosed."""
    forward = check("svm.forward", folder=str(buggy))
    assert forward.verdict == "failed" and 0 < forward.result.score < forward.result.max_score
    assert {t.stage for t in forward.result.tests} == {"forward"} and not any(t.hidden for t in forward.result.tests)
    assert "0.5 * reg" in repr(forward) and "expected" in repr(forward)
    assert check("svm.naive", folder=str(buggy)).passed


def test_in_a_browser_the_same_check_runs_in_process_and_says_it_is_no_official_grade(buggy):
    """The browser's runner: the sandbox's verdict, the student's code in this process, and a line saying so."""
    forward = StageCheck("svm.forward", InProcessRunner().grade(buggy, "svm.forward"))
    assert forward.verdict == "failed" and 0 < forward.result.score < forward.result.max_score
    assert "0.5 * reg" in repr(forward) and "expected" in repr(forward)
    assert InProcessRunner.NOTE in repr(forward) and "never the official grade" in forward._repr_html_()
    assert StageCheck("svm.naive", InProcessRunner().grade(buggy, "svm.naive")).passed


def test_hint_climbs_the_ladder_of_the_first_failing_stage_with_the_command_line(tmp_path):
    """hint() in the notebook: the next rung each time, remembered beside the folder like the command's."""
    folder = write_references(tmp_path / "assignments")
    svm = folder / "svm.py"
    svm.write_text(svm.read_text(encoding="utf-8").replace("    dscores = positive / N\n", "    dscores = positive\n"),
                   encoding="utf-8")
    first = repr(inline.hint("svm.backward", folder=str(folder))).splitlines()
    assert first[0] == "svm.backward: the first stage that fails is svm_backward: dscores"
    assert any(line.startswith("Hint 1 of 3, the idea: ") for line in first)
    assert first[-1] == 'Run `hint("svm.backward")` again for hint 2 (the formula); again=True shows this one again.'
    second = repr(inline.hint("svm.backward", folder=str(folder)))
    assert "Hint 2 of 3, the formula: " in second
    assert "Hint 2 of 3" in repr(inline.hint("svm.backward", folder=str(folder), again=True))
    from autograder import hint as command  # the terminal's command continues where the notebook is
    assert command.read_shown(folder) == {"svm_backward: dscores": 2}


def test_hint_in_a_passing_stage_says_none_is_needed(buggy):
    assert repr(inline.hint("svm.naive", folder=str(buggy))) == "Every stage of svm.naive passes: no hint needed."


def test_a_stage_that_does_not_exist_is_named_in_the_error(buggy):
    with pytest.raises(ValueError, match="unknown assignment or stage svm.forwrad"):
        check("svm.forwrad", folder=str(buggy))


def test_the_check_magic_and_the_guard_are_set_up_once_in_ipython():
    shell = pytest.importorskip("IPython.core.interactiveshell").InteractiveShell.instance()
    from autograder.unfinished import GuardCells

    try:
        inline.setup_notebook()
        inline.setup_notebook()
        assert "check" in shell.magics_manager.magics["line"]
        assert sum(isinstance(t, GuardCells) for t in shell.ast_transformers) == 1
    finally:
        shell.ast_transformers[:] = [t for t in shell.ast_transformers if not isinstance(t, GuardCells)]
        shell.magics_manager.magics["line"].pop("check", None)


def test_outside_ipython_setup_does_nothing(tmp_path):
    """`python notebook.py` runs the cells as plain Python: setting up the notebook changes nothing."""
    import subprocess
    import sys

    script = "import sys\nfrom autograder.inline import setup_notebook\nsetup_notebook()\nprint('IPython' in sys.modules)\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=str(tmp_path),
                          env=dict(os.environ, PYTHONPATH=str(Path(inline.__file__).resolve().parent.parent)))
    assert done.returncode == 0 and done.stdout == "False\n", done.stderr
