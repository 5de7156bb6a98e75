"""Grades as an LMS imports them: Canvas's gradebook CSV and Moodle's grading worksheet.

The layouts are the ones the LMSs' importers read (see docs/instructors.md):

- Canvas (Grades > Import): a header ``Student, ID, SIS User ID, SIS Login ID,
  Section`` and one column per assignment, titled ``Name (assignment id)`` or
  just the assignment's name; a second row ``Points Possible``; then one row
  per student, matched on ``ID``, the Canvas user id that the download names
  carry. A blank grade changes nothing.
- Moodle (the assignment's "Upload grading worksheet", from the offline
  grading worksheet feedback plugin): the columns ``Identifier`` (``Participant
  N``, N the id of the download's folder names), ``Grade`` and ``Last modified
  (grade)`` are required; ``Full name``, ``Maximum Grade`` and ``Feedback
  comments`` come along. A blank grade is skipped.

A student whose grading failed ("grader error") gets a blank grade, so an
import never overwrites a grade with a zero that nobody gave.
"""
from __future__ import annotations

import csv
import io
from typing import Any, Iterable, List, Tuple

from autograder.finals import Final, points
from autograder.lms import MOODLE_PARTICIPANT

CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_HEADER = ["Identifier", "Full name", "Grade", "Maximum Grade", "Last modified (grade)",
                 "Feedback comments"]


def _grade(record: Any, final: Final) -> str:
    """The grade cell: the final score, or blank when the grader itself failed."""
    return "" if not record.final else points(final.final)


def canvas_csv(rows: Iterable[Tuple[Any, Final]], title: str) -> str:
    """Canvas's gradebook import: one column `title` with each student's final grade."""
    rows = list(rows)
    top = max([final.max_score for _, final in rows] + [0.0])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CANVAS_HEADER + [title])
    writer.writerow(["Points Possible", "", "", "", "", points(top)])
    for record, final in rows:
        writer.writerow([record.intake.get("name") or record.student, record.student, "", "", "",
                         _grade(record, final)])
    return out.getvalue()


def feedback_comment(record: Any, final: Final) -> str:
    """One line for Moodle's feedback comments: the grade, the changes to it, where the details are."""
    parts: List[str] = ["Autograder: %s of %s" % (points(final.final), points(final.max_score))]
    if record.status != "graded":
        parts.append("%s: %s" % (record.status, " ".join(record.message.split())))
    parts.extend(final.audit)
    return "; ".join(parts) + "."


def moodle_csv(rows: Iterable[Tuple[Any, Final]]) -> str:
    """Moodle's grading worksheet: one row per participant with the final grade and a comment."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(MOODLE_HEADER)
    for record, final in rows:
        writer.writerow([MOODLE_PARTICIPANT + record.student, record.intake.get("name", ""),
                         _grade(record, final), points(final.max_score), "", feedback_comment(record, final)])
    return out.getvalue()
