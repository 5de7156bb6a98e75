"""Checks inside the notebook: ``check("svm.forward")`` grades one stage and shows the verdict under the cell.

A check cell grades the stage in the notebook's folder (the ``assignments/``
the notebook sits in: the kernel's working directory), the files as saved,
exactly as ``python -m autograder`` would: the student's code runs in the
grader's sandbox, never in the notebook's own process (except in a browser,
below). Only the public checks run; the verdict says that the official grade
draws fresh inputs and adds hidden tests.

Who grades is a :class:`Runner`, a one-method interface (swap it with
:func:`use_runner`). :class:`SandboxRunner`, the default, calls
``autograder.grade.grade_submission``; a browser kernel (Pyodide), which
cannot start a process, gets :class:`InProcessRunner`, the same grading
through the in-process channel (``autograder.inprocess``), and a verdict that
says it is no official grade. Both import the grader only when a check runs.

The result, :class:`StageCheck`, shows itself: ``_repr_html_`` in Jupyter
(the verdict in colour, the points, each test's message with the expected
value and how far off the answer is, and its hint), ``repr`` as plain text.
``%check svm.forward`` is the same as a magic (see :func:`load_ipython_extension`).

``hint("svm.forward")`` is the hint ladder of ``python -m autograder hint`` in
the notebook (where a browser tab has no terminal): it grades the stage the
same way, finds the first solution stage that fails and shows its next hint,
remembered beside the folder as the command does, so the two climb the same
ladder.
"""
from __future__ import annotations

import html
import sys
from pathlib import Path
from typing import Any, List, Optional, Protocol

from autograder.results import GradeResult, TestResult, label, points, tests_worth

# The colour of each verdict, and of each test's status (the rest are failures of some kind).
COLOURS = {"passed": "#1a7f37", "not implemented": "#9a6700", "failed": "#cf222e"}
FAILURE_COLOUR = COLOURS["failed"]


class Runner(Protocol):
    """What grades one stage of a folder for a check cell: the sandbox here, in-process in the browser."""

    def grade(self, folder: Path, stage: str) -> GradeResult:
        """The public checks of ``stage`` ("svm.forward", or a whole assignment "svm") on ``folder``."""


class SandboxRunner:
    """The command line's runner: each assignment's code in its own sandboxed child process."""

    def grade(self, folder: Path, stage: str) -> GradeResult:
        """Grade ``stage`` of the folder's files as saved (a ValueError names an unknown stage)."""
        # Imported here: the sandbox needs subprocesses, which a browser kernel does not have.
        from autograder.grade import grade_submission

        return grade_submission(str(folder), only=[stage], public_only=True)


class InProcessRunner:
    """The browser's runner: the same public checks, the student's code in the kernel's own process."""

    # Said under every verdict of this runner: what ran where, and what it is not.
    NOTE = ("Checked in this browser tab, in the notebook's own Python: no sandbox, a soft time limit, "
            "no memory limit. A check of your work on your own machine, never the official grade.")

    def grade(self, folder: Path, stage: str) -> GradeResult:
        """Grade ``stage`` of the folder's files as saved, through the in-process channel."""
        from autograder.grade import grade_submission
        from autograder.inprocess import InProcess

        result = grade_submission(str(folder), only=[stage], public_only=True, channel=InProcess,
                                  probe=InProcess.PROBE)
        result.message = " ".join(part for part in (result.message, self.NOTE) if part)
        return result


def default_runner() -> Runner:
    """The sandbox, except in a browser kernel (Pyodide), where no process can be started."""
    return InProcessRunner() if sys.platform == "emscripten" else SandboxRunner()


_runner: Runner = default_runner()


def use_runner(runner: Runner) -> Runner:
    """Make ``runner`` grade every check from now on; return the one it replaces."""
    global _runner
    previous, _runner = _runner, runner
    return previous


def check(stage: str, folder: Optional[str] = None) -> StageCheck:
    """Grade one stage, e.g. ``check("svm.forward")``, of the notebook's folder (``folder``: another one)."""
    where = Path(folder) if folder is not None else Path.cwd()
    return StageCheck(stage, _runner.grade(where, stage))


class Hint:
    """The next hint of a stage's ladder, as the notebook shows it: plain text."""

    def __init__(self, lines: List[str]) -> None:
        self.lines = lines

    def __repr__(self) -> str:
        return "\n".join(self.lines)


def hint(stage: str, folder: Optional[str] = None, again: bool = False) -> Hint:
    """The next hint for the first stage of ``stage`` ("svm.backward", or "svm") that fails in the
    notebook's folder (``folder``: another one); ``again=True`` shows the last one again."""
    from autograder import hint as ladder
    from autograder.config import load_config

    if not load_config().ladder:
        return Hint([ladder.LADDER_OFF])
    where = Path(folder) if folder is not None else Path.cwd()
    result = _runner.grade(where, stage)
    _, lines = ladder.advice(result, ladder.read_ladders(), where, ladder.read_shown(where), stage, again,
                             False, f'hint("{stage}")', ladder.NOTEBOOK_WORDS)
    return Hint(lines)


def verdict(tests: List[TestResult]) -> str:
    """One word for a stage: passed (every test), not implemented (nothing failed yet), or failed."""
    if tests and all(t.status == "passed" for t in tests):
        return "passed"
    if tests and all(t.status in ("passed", "not implemented") for t in tests):
        return "not implemented"
    return "failed"


class StageCheck:
    """The verdict of one check cell: a stage's public tests, shown inline."""

    def __init__(self, stage: str, result: GradeResult) -> None:
        self.stage = stage
        self.result = result
        self.verdict = verdict(result.tests) if result.status == "graded" else result.status

    @property
    def passed(self) -> bool:
        """True when every public test of the stage passed."""
        return self.verdict == "passed"

    def headline(self) -> str:
        """'svm.forward: passed, 5 / 5 points (public checks)'."""
        return f"{self.stage}: {self.verdict}, {points(self.result.score, self.result.max_score)} points " \
               "(public checks)"

    def notes(self) -> List[str]:
        """What follows the tests: why nothing was graded, where hints come from, what the official grade adds."""
        lines = [self.result.message] if self.result.message else []
        if self.result.status == "graded" and not self.passed:
            lines.append(f"Stuck? `hint(\"{self.stage}\")` in a cell (or `python -m autograder hint "
                         f"{self.stage}` in a terminal) gives a hint, one step at a time.")
        hidden, worth = self.result.hidden_pending
        also = f" ({tests_worth(hidden, worth)})" if hidden else ""
        lines.append(f"These are the public checks; the official grade uses fresh inputs and hidden tests{also}.")
        return lines

    def __repr__(self) -> str:
        lines = [self.headline()]
        for test in self.result.tests:
            lines.append(f"  {test.status:15s} {label(test, short=True)}: {points(test.score, test.max_score)}")
            lines += [f"      {line}" for line in test.output.splitlines()]
            if test.hint:
                lines.append(f"      hint: {test.hint}")
            if test.printed:
                lines.append("      your code printed: " + test.printed.replace("\n", "\n      "))
        return "\n".join(lines + self.notes())

    def _repr_html_(self) -> str:
        colour = COLOURS.get(self.verdict, FAILURE_COLOUR)
        rows = "".join(_test_row(test) for test in self.result.tests)
        notes = "".join(f"<div style='color:#57606a'>{_code(note)}</div>" for note in self.notes())
        return (f"<div style='border-left:4px solid {colour};padding:4px 10px'>"
                f"<div><b style='color:{colour}'>{html.escape(self.verdict)}</b> "
                f"<code>{html.escape(self.stage)}</code>: "
                f"{html.escape(points(self.result.score, self.result.max_score))} points</div>"
                f"<table style='border-collapse:collapse;margin:4px 0;font-size:inherit'>{rows}</table>{notes}</div>")


def _test_row(test: TestResult) -> str:
    """One test as a table row: its status in colour, its name and points, its message and hint."""
    colour = COLOURS.get(test.status, FAILURE_COLOUR)
    detail = f"<pre style='margin:0;white-space:pre-wrap'>{html.escape(test.output)}</pre>"
    if test.hint:
        detail += f"<div><i>hint:</i> {html.escape(test.hint)}</div>"
    if test.printed:
        detail += (f"<div><i>your code printed:</i></div>"
                   f"<pre style='margin:0;white-space:pre-wrap'>{html.escape(test.printed)}</pre>")
    cell = "padding:2px 8px;vertical-align:top;text-align:left"
    return (f"<tr><td style='{cell};color:{colour};white-space:nowrap'>{html.escape(test.status)}</td>"
            f"<td style='{cell}'>{html.escape(label(test, short=True))}</td>"
            f"<td style='{cell};white-space:nowrap'>{html.escape(points(test.score, test.max_score))}</td>"
            f"<td style='{cell}'>{detail}</td></tr>")


def _code(text: str) -> str:
    """Text as HTML, its `backquoted` parts as code."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{part}</code>" if index % 2 else part for index, part in enumerate(parts))


def setup_notebook() -> None:
    """In a Jupyter kernel: the ``%check <stage>`` magic, and one line instead of a traceback for a stub.

    Does nothing outside IPython (``python notebook.py`` runs the cells as plain Python).
    """
    ipython = sys.modules["IPython"].get_ipython() if "IPython" in sys.modules else None
    if ipython is not None:
        load_ipython_extension(ipython)


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext autograder.inline``: what :func:`setup_notebook` sets up, in the given shell."""
    from autograder.unfinished import watch

    ipython.register_magic_function(lambda line: check(line.strip()), magic_kind="line", magic_name="check")
    watch(ipython)
