"""The terminal report a student reads: per assignment a table of checks grouped by stage, then the total.

With a terminal (and ``NO_COLOR`` unset) the report is drawn with rich;
otherwise, or without rich, it is plain text that reads the same in a log,
a pipe or a test. Only the student's own messages and tracebacks appear:
the runner never passes a grader traceback here.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from typing import Optional, TextIO

from autograder.results import GradeResult, grouped, label, points, summary_lines, test_text

STATUS_STYLE = {"passed": "green", "failed": "red", "error": "bold red", "timeout": "magenta",
                "not implemented": "yellow", "forbidden": "bold magenta"}


def plain_report(result: GradeResult, verbose: bool = False) -> str:
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


def print_report(result: GradeResult, verbose: bool = False, stream: Optional[TextIO] = None) -> None:
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
