"""A grade as Markdown feedback (what the batch hands back to each student)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from autograder.report import grouped, label, points, summary_lines, test_text

if TYPE_CHECKING:
    from autograder.grade import GradeResult


def _cell(text: str) -> str:
    """Text made safe for one Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", "<br>")


def render_markdown(result: "GradeResult", hidden_details: bool = False) -> str:
    """The feedback: a table per assignment; hidden tests show only their score unless ``hidden_details``."""
    lines = [f"# Autograder feedback: {result.student}", ""]
    for assignment, stages in grouped(result).items():
        tests = [t for stage in stages.values() for t in stage]
        lines += [f"## {assignment}: {points(sum(t.score for t in tests), sum(t.max_score for t in tests))}",
                  "", "| stage | test | status | points | message |", "|---|---|---|---|---|"]
        for stage, stage_tests in stages.items():
            for test in stage_tests:
                message = test_text(test, verbose=False)
                if test.hidden and not hidden_details:
                    message = "(hidden test: details are not shown)"
                lines.append(f"| {stage} | {_cell(label(test))} | {test.status} | "
                             f"{points(test.score, test.max_score)} | {_cell(message)} |")
        lines.append("")
    lines += [f"**{line}**" if line.startswith("Total") else line for line in summary_lines(result)]
    return "\n".join(lines) + "\n"
