"""The report a student reads: per assignment a table of checks grouped by stage, then the total.

With a terminal (and ``NO_COLOR`` unset) the report is drawn with rich;
otherwise, or without rich, it is plain text that reads the same in a log,
a pipe or a test. Only the student's own messages and tracebacks appear:
the runner never passes a grader traceback here.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from typing import TYPE_CHECKING, Dict, List, Optional, TextIO

if TYPE_CHECKING:
    from autograder.grade import GradeResult, TestResult

STAGE_ORDER = ("gates", "forward", "backward", "naive", "vectorized", "training")
STATUS_STYLE = {"passed": "green", "failed": "red", "error": "bold red", "timeout": "magenta",
                "not implemented": "yellow", "forbidden": "bold magenta"}


def grouped(result: "GradeResult") -> Dict[str, Dict[str, List["TestResult"]]]:
    """The tests by assignment (in grading order), then by stage (in the lecture's order).

    Empty when the submission could not be read at all: every test would repeat the one
    message of the closing lines (a mistyped path would print it forty times).
    """
    if result.status != "graded" and all(t.output == result.message for t in result.tests):
        return {}
    groups: Dict[str, Dict[str, List["TestResult"]]] = {}
    for test in result.tests:
        groups.setdefault(test.assignment, {}).setdefault(test.stage, []).append(test)
    order = {stage: i for i, stage in enumerate(STAGE_ORDER)}
    return {assignment: dict(sorted(stages.items(), key=lambda item: order.get(item[0], 99)))
            for assignment, stages in groups.items()}


def points(earned: float, possible: float) -> str:
    """Points as '3.5 / 8'."""
    return f"{earned:.4g} / {possible:.4g}"


def tests_worth(tests: int, points: float) -> str:
    """'1 test worth 3 points' or '4 tests worth 10 points' (never '1 tests')."""
    return f"{tests} test{'' if tests == 1 else 's'} worth {points:.4g} point{'' if points == 1 else 's'}"


def summary_lines(result: "GradeResult") -> List[str]:
    """The closing lines: the total, what is not graded here, and the status when not graded."""
    lines = [f"Total: {points(result.score, result.max_score)}"]
    if result.status != "graded":
        lines.append(f"Submission status: {result.status}. {result.message}".strip())
    tests, pending = result.hidden_pending
    if tests:
        lines.append(f"Hidden tests: {tests_worth(tests, pending)}, graded after the deadline.")
    counts: Dict[str, int] = {}
    for test in result.tests:
        counts[test.status] = counts.get(test.status, 0) + 1
    if counts:
        lines.append("Tests: " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    return lines


def label(test: "TestResult", short: bool = False) -> str:
    """A test's name (the last part when ``short``), marked when it is a hidden test."""
    name = test.name.split(".", 2)[-1] if short else test.name
    return name + " (hidden)" if test.hidden else name


def test_text(test: "TestResult", verbose: bool) -> str:
    """A test's message, hint, printed output and (verbose) traceback as plain text."""
    parts = [test.output]
    if test.hint:
        parts.append(f"Hint: {test.hint}")
    if test.printed:
        parts.append("Your code printed:\n" + test.printed)
    if verbose and test.traceback:
        parts.append(test.traceback.rstrip())
    return "\n".join(part for part in parts if part)


def plain_report(result: "GradeResult", verbose: bool = False) -> str:
    """The whole report as plain text."""
    lines = [f"tinybackprop autograder: {result.student} (seed {result.seed})", ""]
    for assignment, stages in grouped(result).items():
        tests = [t for stage in stages.values() for t in stage]
        lines.append(f"{assignment}  {points(sum(t.score for t in tests), sum(t.max_score for t in tests))}")
        for stage, stage_tests in stages.items():
            lines.append(f"  {stage}")
            for test in stage_tests:
                lines.append(f"    [{test.status}] {points(test.score, test.max_score)}  {label(test)}")
                lines += ["        " + line for line in test_text(test, verbose).splitlines()]
        lines.append("")
    return "\n".join(lines + summary_lines(result)) + "\n"


def use_color(stream: TextIO) -> bool:
    """True when the report may use colour: a terminal, NO_COLOR unset, rich installed."""
    if "NO_COLOR" in os.environ or not getattr(stream, "isatty", lambda: False)():
        return False
    return importlib.util.find_spec("rich") is not None


def print_report(result: "GradeResult", verbose: bool = False, stream: Optional[TextIO] = None) -> None:
    """Print the report to ``stream`` (default stdout): rich on a terminal, plain text otherwise."""
    stream = stream or sys.stdout
    if not use_color(stream):
        stream.write(plain_report(result, verbose))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=stream, highlight=False)
    console.print(Text(f"tinybackprop autograder: {result.student} (seed {result.seed})", style="bold"))
    for assignment, stages in grouped(result).items():
        tests = [t for stage in stages.values() for t in stage]
        table = Table(title=f"{assignment}  {points(sum(t.score for t in tests), sum(t.max_score for t in tests))}",
                      title_justify="left", show_lines=True, expand=True)
        table.add_column("stage", no_wrap=True)
        table.add_column("test", overflow="fold")
        table.add_column("status", no_wrap=True)
        table.add_column("points", justify="right", no_wrap=True)
        table.add_column("message", ratio=1, overflow="fold")
        for stage, stage_tests in stages.items():
            for i, test in enumerate(stage_tests):
                table.add_row(stage if i == 0 else "", label(test, short=True),
                              Text(test.status, style=STATUS_STYLE.get(test.status, "")),
                              points(test.score, test.max_score), Text(test_text(test, verbose)))
        console.print(table)
    for line in summary_lines(result):
        console.print(Text(line, style="bold" if line.startswith("Total") else ""))
