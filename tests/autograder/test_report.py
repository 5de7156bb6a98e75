"""The report: plain text off a terminal, grouped by assignment and stage, hints, totals, pending tests."""
from __future__ import annotations

import importlib.util
import io

from autograder.results import GradeResult, TestResult
from autograder.report import plain_report, print_report, use_color

HAS_RICH = importlib.util.find_spec("rich") is not None


def result() -> GradeResult:
    """A small hand-made grade with every kind of status."""
    tests = [
        TestResult("svm.forward.fixed", "svm", "forward", 2.0, 2.0, "passed", "loss = 1.5 is right"),
        TestResult("svm.backward.dW", "svm", "backward", 0.0, 3.0, "failed",
                   "dW is off by a relative error of 0.5", hint="use 2 * reg * W", printed="debug 42",
                   traceback="Traceback (most recent call last):\n  File \"svm.py\", line 3\nValueError: x"),
        TestResult("svm.naive.loops", "svm", "naive", 0.0, 1.0, "not implemented",
                   "Not implemented yet: svm_loss_naive: loops"),
        TestResult("softmax.forward.secret", "softmax", "forward", 0.0, 4.0, "timeout",
                   "Your code did not return within 5.0 s", hidden=True, visibility="after_published"),
    ]
    return GradeResult("alice", 2.0, 10.0, "graded", "", tests, hidden_pending=(3, 12.5), seed=11)


def test_the_plain_report_groups_by_assignment_then_stage_in_lecture_order():
    text = plain_report(result())
    assert text.index("svm  2 / 6") < text.index("softmax  0 / 4")
    assert text.index("  forward") < text.index("  backward") < text.index("  naive")
    assert "[not implemented] 0 / 1  svm.naive.loops" in text
    assert "[timeout] 0 / 4  softmax.forward.secret (hidden)" in text


def test_messages_hints_and_prints_are_shown_and_tracebacks_only_when_verbose():
    text = plain_report(result())
    assert "Hint: use 2 * reg * W" in text and "debug 42" in text
    assert "Traceback" not in text
    assert "ValueError: x" in plain_report(result(), verbose=True)


def test_the_summary_has_the_total_and_the_pending_hidden_tests():
    text = plain_report(result())
    assert "Total: 2 / 10" in text
    assert "3 tests worth 12.5 points" in text
    assert "1 passed, 1 failed, 1 not implemented, 1 timeout" in text


def test_no_colour_off_a_terminal_or_with_no_color(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = io.StringIO()
    print_report(result(), stream=stream)
    assert "\x1b[" not in stream.getvalue() and "Total: 2 / 10" in stream.getvalue()
    assert use_color(Terminal()) == HAS_RICH  # without rich, a terminal gets plain text too
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(Terminal())


def test_the_report_on_a_terminal_has_the_same_content_in_colour_when_rich_is_there():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    print_report(result(), stream=stream)
    text = stream.getvalue()
    assert ("\x1b[" in text) == HAS_RICH
    for words in ("svm", "Total: 2 / 10", "use 2 * reg * W", "not implemented", "12.5 points"):
        assert words in text


def test_results_json_follows_gradescope_with_extra_keys_only():
    data = result().to_results_json()
    assert data["score"] == 2.0 and data["max_score"] == 10.0
    for test in data["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
        assert test["status"] in ("passed", "failed")
    assert data["tests"][1]["outcome"] == "failed" and "Hint: use 2 * reg * W" in data["tests"][1]["output"]
    assert data["tests"][3]["visibility"] == "after_published"
    assert "hidden 3 tests worth 12.5 points" in data["output"]


def test_markdown_hides_hidden_details_unless_asked():
    brief = result().to_markdown(hidden_details=False)
    assert "did not return" not in brief and "hidden test" in brief
    assert "did not return" in result().to_markdown(hidden_details=True)
    assert "| svm.backward.dW | failed | 0 / 3 |" in brief


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
