"""The report: read at a glance (a line per passing stage), failing tests in full, hints offered, colour or not."""
from __future__ import annotations

import importlib.util
import io
from pathlib import Path

from autograder.report import heading, layout, plain_report, print_report, use_color
from autograder.results import GradeResult, TestResult

HAS_RICH = importlib.util.find_spec("rich") is not None
SYNTAX = "gates.py does not parse: invalid syntax (line 7):\n    dx = self.y *\n                 ^"


class Terminal(io.StringIO):
    """A text buffer that says it is a terminal."""

    def isatty(self):
        return True


def result() -> GradeResult:
    """A small hand-made grade with every kind of status, a file that does not parse and a hidden test."""
    tests = [
        TestResult("gates.gates.a", "gates", "gates", 0.0, 1.0, "error", SYNTAX),
        TestResult("gates.gates.b", "gates", "gates", 0.0, 2.0, "error", SYNTAX),
        TestResult("svm.forward.fixed", "svm", "forward", 2.0, 2.0, "passed", "loss = 1.5 is right"),
        TestResult("svm.forward.random", "svm", "forward", 1.0, 1.0, "passed", "loss = 0.5 is right"),
        TestResult("svm.backward.dW", "svm", "backward", 0.0, 3.0, "failed",
                   "dW is off by a relative error of 0.5", hint="use 2 * reg * W", printed="debug 42",
                   traceback="Traceback (most recent call last):\n  File \"svm.py\", line 3\nValueError: x"),
        TestResult("svm.backward.gradcheck", "svm", "backward", 1.0, 1.0, "passed", "dW agrees"),
        TestResult("svm.naive.loops", "svm", "naive", 0.0, 1.0, "not implemented",
                   "Not implemented yet: svm_loss_naive: loops"),
        TestResult("svm.naive.more", "svm", "naive", 0.5, 1.0, "not implemented",
                   "Not implemented yet: svm_loss_naive: average_and_regularize. Before it: right so far: loss"),
        TestResult("softmax.forward.secret", "softmax", "forward", 0.0, 4.0, "timeout",
                   "Your code did not return within 5.0 s", hidden=True, visibility="after_published"),
    ]
    return GradeResult("alice", 4.5, 16.0, "graded", "", tests, hidden_pending=(3, 12.5), seed=11)


REPORT = """\
tinybackprop autograder: alice (seed 11)

gates  0 / 3  gates.py does not parse: invalid syntax (line 7):
        dx = self.y *
                     ^

svm  4.5 / 9
  forward     3 / 3  passed
  backward    1 / 4  1 failed, 1 passed
    [failed] 0 / 3  svm.backward.dW
        dW is off by a relative error of 0.5
        Hint: use 2 * reg * W
        Your code printed:
        debug 42
    a hint is available: python -m autograder hint svm.backward
  naive     0.5 / 2  not implemented yet: svm_loss_naive: loops, svm_loss_naive: average_and_regularize

softmax  0 / 4
  forward  0 / 4  1 timeout
    [timeout] 0 / 4  softmax.forward.secret (hidden)
        Your code did not return within 5.0 s
    a hint is available: python -m autograder hint softmax.forward

Total: 4.5 / 16
Hidden tests: 3 tests worth 12.5 points, pending: shown with the final grade.
Tests: 2 error, 3 passed, 1 failed, 2 not implemented, 1 timeout
"""


def test_the_plain_report_reads_at_a_glance():
    assert plain_report(result(), hints=("svm", "softmax")) == REPORT


def test_without_a_ladder_no_hint_is_offered():
    text = plain_report(result(), hints=("softmax",))
    assert "hint svm.backward" not in text and "a hint is available: python -m autograder hint softmax.forward" in text
    assert "a hint is available" not in plain_report(result())


def test_verbose_shows_every_test_and_the_tracebacks():
    text = plain_report(result(), verbose=True, hints=("svm",))
    assert "[passed] 2 / 2  svm.forward.fixed\n        loss = 1.5 is right" in text
    assert "[passed] 1 / 1  svm.backward.gradcheck" in text
    assert "[not implemented] 0.5 / 1  svm.naive.more" in text
    assert "ValueError: x" in text and "ValueError: x" not in plain_report(result())
    assert text.count("does not parse") == 1  # a file that does not parse is one line, verbose or not


def test_the_first_line_names_the_folder_graded_and_says_when_it_is_not_the_local_one(tmp_path):
    (tmp_path / "assignments").mkdir()
    graded = GradeResult("assignments", 0.0, 0.0, "graded", "", seed=3)
    assert heading(graded, tmp_path / "assignments", tmp_path) == \
        "tinybackprop autograder: grading ./assignments (seed 3)"
    other = tmp_path / "sub.zip"
    assert heading(graded, other, tmp_path) == \
        f"tinybackprop autograder: grading {other}, not ./assignments (seed 3)"
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    assert heading(graded, Path("/kit/assignments"), empty) == \
        "tinybackprop autograder: grading /kit/assignments, not ./assignments, which does not exist (seed 3)"
    assert heading(graded) == "tinybackprop autograder: assignments (seed 3)"


def test_a_hint_that_repeats_the_one_above_is_said_once():
    tests = [TestResult(f"svm.forward.t{i}", "svm", "forward", 0.0, 1.0, "failed", f"loss is {i}", hint="divide by N")
             for i in range(3)]
    text = plain_report(GradeResult("bo", 0.0, 3.0, "graded", "", tests, seed=1))
    assert text.count("Hint: divide by N") == 1 and text.count("Hint: the same as above.") == 2
    assert "loss is 2" in text


def test_a_stage_not_started_is_one_line_naming_where_its_stubs_stop():
    (svm,) = [view for view in layout(result()) if view.name == "svm"]
    naive = svm.stages[-1]
    assert naive.summary == "not implemented yet: svm_loss_naive: loops, svm_loss_naive: average_and_regularize"
    assert naive.tests == [] and naive.hint == ""


def test_no_colour_off_a_terminal_or_with_no_color(monkeypatch):
    stream = io.StringIO()
    print_report(result(), stream=stream)
    assert "\x1b[" not in stream.getvalue() and stream.getvalue() == plain_report(result())
    assert use_color(Terminal()) == HAS_RICH  # without rich, a terminal gets plain text too
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(Terminal())


def test_the_report_on_a_terminal_has_the_same_content_in_colour_when_rich_is_there(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("COLUMNS", "160")
    stream = Terminal()
    print_report(result(), stream=stream, hints=("svm",))
    text = stream.getvalue()
    assert ("\x1b[" in text) == HAS_RICH
    for words in ("svm  4.5 / 9", "1 failed, 1 passed", "use 2 * reg * W", "debug 42", "Total: 4.5 / 16",
                  "not implemented yet: svm_loss_naive: loops", "gates.py does not parse", "12.5 points",
                  "a hint is available: python -m autograder hint svm.backward", "softmax.forward.secret"):
        assert words in text, words
    assert "svm.forward.fixed" not in text and text.count("does not parse") == 1


def test_results_json_follows_gradescope_with_extra_keys_only():
    data = result().to_results_json()
    assert data["score"] == 4.5 and data["max_score"] == 16.0
    for test in data["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
        assert test["status"] in ("passed", "failed")
    assert data["tests"][4]["outcome"] == "failed" and "Hint: use 2 * reg * W" in data["tests"][4]["output"]
    assert data["tests"][8]["visibility"] == "after_published"
    assert "hidden 3 tests worth 12.5 points" in data["output"]


def test_markdown_hides_hidden_details_unless_asked():
    brief = result().to_markdown(hidden_details=False)
    assert "did not return" not in brief and "hidden test" in brief
    assert "did not return" in result().to_markdown(hidden_details=True)
    assert "| svm.backward.dW | failed | 0 / 3 |" in brief
    assert "| svm.forward.fixed | passed | 2 / 2 |" in brief  # the feedback keeps every test


def test_a_submission_that_cannot_be_read_is_explained_once(tmp_path):
    from autograder.grade import grade_submission

    result = grade_submission(str(tmp_path / "mistyped.zip"), seed=1)
    report = plain_report(result)
    assert result.status == "missing submission" and result.tests
    assert report.count("does not exist") == 1, report
    assert "Total: 0 / " in report and f"Tests: {len(result.tests)} error" in report


def test_one_hidden_test_is_one_test():
    pending = GradeResult("ada", 0.0, 1.0, "graded", "", [], hidden_pending=(1, 1.0))
    assert "1 test worth 1 point," in plain_report(pending)
    assert "1 tests" not in plain_report(pending) and "1 tests" not in pending.to_results_json()["output"]
