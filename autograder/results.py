"""The results of grading: one TestResult per check, a GradeResult per submission, and how they read.

This module is what every other part reports through, and it imports nothing
of the grader: the runner (``autograder.grade``) builds these results, the
terminal report (``autograder.report``), the batch's gradebook and the
Gradescope entry read them. It holds the words a result is written in: the
statuses, the one order of the stages (the lecture's: forward before
backward, and the loops of the naive versions after them), and the pieces of
text every view shares. Two views live here because a result renders itself:
Gradescope's ``results.json`` (:meth:`GradeResult.to_results_json`) and the
Markdown feedback a batch hands back (:meth:`GradeResult.to_markdown`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Tuple

STATUSES = ("passed", "failed", "error", "timeout", "not implemented", "forbidden")
# The most characters of each text of a test: whatever a submission makes the checks say, results.json
# and the reports stay small.
TEXT_CAP = 8000
# The order of the stages in every report, gradebook column and summary.
STAGES = ("gates", "forward", "backward", "naive", "vectorized", "training", "bias", "search",
          "vector", "numerical", "rel_error", "sparse", "sampling", "local", "gradient")


@dataclass
class TestResult:
    """The outcome of one check for one submission."""

    __test__ = False  # a result, not a pytest test class

    name: str
    assignment: str
    stage: str
    score: float
    max_score: float
    status: str  # one of STATUSES
    output: str  # what was expected, what came back, by how much it is off
    hint: str = ""
    hidden: bool = False
    visibility: str = "visible"
    printed: str = ""  # what the student's code printed during the check (trimmed)
    traceback: str = ""  # the student's traceback, for --verbose

    def __post_init__(self) -> None:
        for name in ("output", "hint", "printed", "traceback"):
            setattr(self, name, capped(getattr(self, name)))

    def to_json(self) -> dict:
        """This test in Gradescope's ``tests[]`` schema (``status`` passed/failed) plus extra keys."""
        output = self.output
        if self.hint:
            output += f"\nHint: {self.hint}"
        if self.printed:
            output += f"\nYour code printed:\n{self.printed}"
        return {"name": self.name, "score": round(self.score, 4), "max_score": round(self.max_score, 4),
                "status": "passed" if self.status == "passed" else "failed", "output": output,
                "visibility": self.visibility, "outcome": self.status, "assignment": self.assignment,
                "stage": self.stage, "hint": self.hint, "hidden": self.hidden}


@dataclass
class GradeResult:
    """The grade of one submission: totals, a status, and one TestResult per check."""

    student: str
    score: float
    max_score: float
    status: str  # "graded", a submission problem ("corrupt zip", ...) or "grader error"
    message: str
    tests: List[TestResult] = field(default_factory=list)
    hidden_pending: Tuple[int, float] = (0, 0.0)  # hidden tests (and their points) not run here
    seed: int = 0
    seconds: float = 0.0
    isolation: str = ""  # how the student's code was kept apart from the machine ("namespaces (root)")

    def __post_init__(self) -> None:
        self.message = capped(self.message)

    def to_results_json(self) -> dict:
        """Gradescope's ``results.json``, extended only by extra keys."""
        summary = self.message
        if self.hidden_pending[0]:
            summary += (f"\nGraded after the deadline: hidden "
                        f"{tests_worth(self.hidden_pending[0], self.hidden_pending[1])}.")
        return {"score": round(self.score, 4), "max_score": round(self.max_score, 4),
                "output": summary.strip(), "tests": [test.to_json() for test in self.tests],
                "tinybackprop": {"student": self.student, "status": self.status, "seed": self.seed,
                                 "hidden_pending": list(self.hidden_pending),
                                 "seconds": round(self.seconds, 3), "isolation": self.isolation}}

    def to_markdown(self, hidden_details: bool = False) -> str:
        """Feedback for the student as Markdown: a table per assignment; hidden tests show only
        their score unless ``hidden_details``."""
        lines = [f"# Autograder feedback: {self.student}", ""]
        for assignment, stages in grouped(self).items():
            tests = [t for stage in stages.values() for t in stage]
            lines += [f"## {assignment}: {points(sum(t.score for t in tests), sum(t.max_score for t in tests))}",
                      "", "| stage | test | status | points | message |", "|---|---|---|---|---|"]
            for stage, stage_tests in stages.items():
                for test in stage_tests:
                    message = test_text(test, verbose=False)
                    if test.hidden and not hidden_details:
                        message = "(hidden test: details are not shown)"
                    lines.append(f"| {stage} | {markdown_cell(label(test))} | {test.status} | "
                                 f"{points(test.score, test.max_score)} | {markdown_cell(message)} |")
            lines.append("")
        lines += [f"**{line}**" if line.startswith("Total") else line for line in summary_lines(self)]
        return "\n".join(lines) + "\n"


# -- the pieces every view shares ----------------------------------------------------------

def capped(text: str, cap: int = TEXT_CAP) -> str:
    """``text`` cut to ``cap`` characters, the cut said."""
    return text if len(text) <= cap else text[:cap] + f"\n... ({len(text) - cap} more characters not shown)"


def grouped(result: GradeResult) -> Dict[str, Dict[str, List[TestResult]]]:
    """The tests by assignment (in grading order), then by stage (in the order of ``STAGES``).

    Empty when the submission could not be read at all: every test would repeat the one
    message of the closing lines (a mistyped path would print it forty times).
    """
    if result.status != "graded" and all(t.output == result.message for t in result.tests):
        return {}
    groups: Dict[str, Dict[str, List[TestResult]]] = {}
    for test in result.tests:
        groups.setdefault(test.assignment, {}).setdefault(test.stage, []).append(test)
    order = {stage: i for i, stage in enumerate(STAGES)}
    return {assignment: dict(sorted(stages.items(), key=lambda item: order.get(item[0], 99)))
            for assignment, stages in groups.items()}


def assignment_problem(tests: List[TestResult]) -> str:
    """The one reason every test of an assignment failed for, or "".

    A file that does not parse, was not submitted or imports what is forbidden
    stops every test with the same message: the reports say it once.
    """
    outputs = {test.output for test in tests}
    if len(outputs) == 1 and all(test.status in ("error", "forbidden") and not test.score for test in tests):
        return outputs.pop()
    return ""


def points(earned: float, possible: float) -> str:
    """Points as '3.5 / 8'."""
    return f"{earned:.4g} / {possible:.4g}"


def tests_worth(tests: int, points: float) -> str:
    """'1 test worth 3 points' or '4 tests worth 10 points' (never '1 tests')."""
    return f"{tests} test{'' if tests == 1 else 's'} worth {points:.4g} point{'' if points == 1 else 's'}"


def summary_lines(result: GradeResult) -> List[str]:
    """The closing lines: the total, what is not graded here, and the status when not graded."""
    lines = [f"Total: {points(result.score, result.max_score)}"]
    if result.status != "graded":
        lines.append(f"Submission status: {result.status}. {result.message}".strip())
    elif result.message:
        lines.append(result.message)
    tests, pending = result.hidden_pending
    if tests:
        lines.append(f"Hidden tests: {tests_worth(tests, pending)}, pending: shown with the final grade.")
    counts: Dict[str, int] = {}
    for test in result.tests:
        counts[test.status] = counts.get(test.status, 0) + 1
    if counts:
        lines.append("Tests: " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    if result.isolation:
        lines.append(f"Isolation: {result.isolation}")
    return lines


def label(test: TestResult, short: bool = False) -> str:
    """A test's name (the last part when ``short``), marked when it is a hidden test."""
    name = test.name.split(".", 2)[-1] if short else test.name
    return name + " (hidden)" if test.hidden else name


def test_text(test: TestResult, verbose: bool) -> str:
    """A test's message, hint, printed output and (verbose) traceback as plain text."""
    parts = [test.output]
    if test.hint:
        parts.append(f"Hint: {test.hint}")
    if test.printed:
        parts.append("Your code printed:\n" + test.printed)
    if verbose and test.traceback:
        parts.append(test.traceback.rstrip())
    return "\n".join(part for part in parts if part)


def markdown_cell(text: str) -> str:
    """Text made safe for one Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", "<br>")
