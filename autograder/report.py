"""The terminal report a student reads: per assignment its stages, what failed and why, then the total.

The report is read at a glance: a passing stage is one line, a stage not
started yet is one line naming where its stub stops, a failing test shows
its message, hint and prints, and under a stage that fails the report says
how to ask for a hint. An assignment whose every test failed for one reason
(a file that does not parse, a file not submitted, a forbidden import) is one
line with that reason. ``verbose`` shows every test, passed ones too, and the
tracebacks of the student's code.

Both renderers draw the same :func:`layout`: rich with a terminal (and
``NO_COLOR`` unset), plain text otherwise (a log, a pipe, a test, no rich).
Only the student's own messages and tracebacks appear: the runner never
passes a grader traceback here.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection, List, Optional, TextIO, Tuple

from autograder.results import (STATUSES, GradeResult, TestResult, assignment_problem, grouped, label, points,
                                summary_lines, test_text)

STATUS_STYLE = {"passed": "green", "failed": "red", "error": "bold red", "timeout": "magenta",
                "not implemented": "yellow", "forbidden": "bold magenta"}
NOT_IMPLEMENTED = "Not implemented yet: "  # how the runner opens the message of a stub that raised
# A stage with a test of these statuses gets the line that offers a hint.
HINTED = ("failed", "error", "timeout")


@dataclass
class StageView:
    """One stage as the report shows it: its points, a one-line summary, the tests shown below it."""

    name: str
    points: str
    summary: str
    status: str  # the status that colours the summary: "passed", or the first status that is not
    tests: List[Tuple[TestResult, str]] = field(default_factory=list)  # each with the text shown under it
    hint: str = ""  # the command that shows a hint, when one is offered


@dataclass
class AssignmentView:
    """One assignment: its points and stages, or the one problem that stopped every test of it."""

    name: str
    points: str
    problem: str = ""
    stages: List[StageView] = field(default_factory=list)


def hint_command(assignment: str, stage: str) -> str:
    """The command that shows the next hint for a stage, e.g. ``python -m autograder hint svm.backward``."""
    return f"python -m autograder hint {assignment}.{stage}"


def layout(result: GradeResult, verbose: bool = False, hints: Collection[str] = ()) -> List[AssignmentView]:
    """What the report shows, renderer aside. hints: the assignments whose hint ladder is available."""
    views = []
    for assignment, stages in grouped(result).items():
        tests = [t for stage in stages.values() for t in stage]
        view = AssignmentView(assignment, points(sum(t.score for t in tests), sum(t.max_score for t in tests)),
                              assignment_problem(tests))
        if not view.problem:
            view.stages = [stage_view(assignment, stage, stage_tests, verbose, assignment in hints)
                           for stage, stage_tests in stages.items()]
        views.append(view)
    return views


def stage_view(assignment: str, stage: str, tests: List[TestResult], verbose: bool, hinted: bool) -> StageView:
    """One stage: passed, not started (where its stubs stop), or its failing tests in full."""
    earned = points(sum(t.score for t in tests), sum(t.max_score for t in tests))
    counts = {status: sum(t.status == status for t in tests) for status in STATUSES}
    trouble = [status for status in STATUSES if counts[status] and status != "passed"]
    if not trouble:
        return StageView(stage, earned, "passed", "passed", details(tests, verbose) if verbose else [])
    if trouble == ["not implemented"] and not counts["passed"] and not verbose:
        stubs = []
        for test in tests:
            first = test.output.split(". Before it:")[0]
            name = first[len(NOT_IMPLEMENTED):] if first.startswith(NOT_IMPLEMENTED) else first
            if name not in stubs:
                stubs.append(name)
        return StageView(stage, earned, "not implemented yet: " + ", ".join(stubs), "not implemented")
    summary = ", ".join(f"{counts[status]} {status}" for status in trouble + ["passed"] if counts[status])
    shown = details(tests if verbose else [t for t in tests if t.status != "passed"], verbose)
    offer = hinted and any(t.status in HINTED for t in tests)
    return StageView(stage, earned, summary, trouble[0], shown, hint_command(assignment, stage) if offer else "")


def details(tests: List[TestResult], verbose: bool = False) -> List[Tuple[TestResult, str]]:
    """Each test with the text shown under it; a hint that repeats the one above is not said again."""
    shown, previous = [], ""
    for test in tests:
        text = test_text(test, verbose)
        if test.hint and test.hint == previous:
            text = text.replace(f"Hint: {test.hint}", "Hint: the same as above.", 1)
        previous = test.hint or previous
        shown.append((test, text))
    return shown


def heading(result: GradeResult, graded: Optional[Path] = None, here: Optional[Path] = None) -> str:
    """The report's first line: what is graded and, when it is not ./assignments, that it is not.

    graded: the folder or file graded (None: the report names the student, as a batch does);
    here: the current directory (default: the process's).
    """
    seed = f"(seed {result.seed})"
    if graded is None:
        return f"tinybackprop autograder: {result.student} {seed}"
    local = (here or Path.cwd()) / "assignments"
    if graded.resolve() == local.resolve():
        return f"tinybackprop autograder: grading ./assignments {seed}"
    where = "not ./assignments" if local.is_dir() else "not ./assignments, which does not exist"
    return f"tinybackprop autograder: grading {graded}, {where} {seed}"


def plain_report(result: GradeResult, verbose: bool = False, graded: Optional[Path] = None,
                 hints: Collection[str] = ()) -> str:
    """The whole report as plain text."""
    lines = [heading(result, graded), ""]
    for view in layout(result, verbose, hints):
        if view.problem:
            first, *rest = view.problem.splitlines()
            lines += [f"{view.name}  {view.points}  {first}"] + ["    " + line for line in rest] + [""]
            continue
        lines.append(f"{view.name}  {view.points}")
        width = max(len(stage.name) for stage in view.stages)
        column = max(len(stage.points) for stage in view.stages)
        for stage in view.stages:
            lines.append(f"  {stage.name:<{width}}  {stage.points:>{column}}  {stage.summary}")
            for test, text in stage.tests:
                lines.append(f"    [{test.status}] {points(test.score, test.max_score)}  {label(test)}")
                lines += ["        " + line for line in text.splitlines()]
            if stage.hint:
                lines.append(f"    a hint is available: {stage.hint}")
        lines.append("")
    return "\n".join(lines + summary_lines(result)) + "\n"


def use_color(stream: TextIO) -> bool:
    """True when the report may use colour: a terminal, NO_COLOR unset, rich installed."""
    if "NO_COLOR" in os.environ or not getattr(stream, "isatty", lambda: False)():
        return False
    return importlib.util.find_spec("rich") is not None


def print_report(result: GradeResult, verbose: bool = False, stream: Optional[TextIO] = None,
                 graded: Optional[Path] = None, hints: Collection[str] = ()) -> None:
    """Print the report to ``stream`` (default stdout): rich on a terminal, plain text otherwise.

    graded: the folder or file graded, for the first line; hints: the assignments whose
    hint ladder is available (a failing stage of one of them offers a hint).
    """
    stream = stream or sys.stdout
    if not use_color(stream):
        stream.write(plain_report(result, verbose, graded, hints))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=stream, highlight=False)
    console.print(Text(heading(result, graded), style="bold"))
    for view in layout(result, verbose, hints):
        if view.problem:
            line = Text(f"{view.name}  {view.points}  ", style="bold")
            line.append(view.problem, style="bold red")
            console.print(line)
            continue
        table = Table(title=f"{view.name}  {view.points}", title_justify="left", show_header=False,
                      show_lines=False, expand=True)
        table.add_column("stage", no_wrap=True)
        table.add_column("points", justify="right", no_wrap=True)
        table.add_column("result", ratio=1, overflow="fold")
        for stage in view.stages:
            table.add_row(Text(stage.name, style="bold"), stage.points,
                          Text(stage.summary, style=STATUS_STYLE.get(stage.status, "")))
            for test, shown in stage.tests:
                text = Text()
                text.append(f"[{test.status}] ", style=STATUS_STYLE.get(test.status, ""))
                text.append(label(test))
                if shown:
                    text.append("\n" + shown)
                table.add_row("", points(test.score, test.max_score), text)
            if stage.hint:
                table.add_row("", "", Text(f"a hint is available: {stage.hint}", style="cyan"))
        console.print(table)
    for line in summary_lines(result):
        console.print(Text(line, style="bold" if line.startswith("Total") else ""))
