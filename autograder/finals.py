"""A student's final grade: the autograder's raw score with the overrides and the late penalty applied.

In this order, each step written into the audit:

1. excused parts (an override's ``excuse``) are left out, and what is left is
   scaled back to the maximum, so an LMS keeps one maximum for everyone;
2. the override's adjustment is added (the result stays within 0 and the maximum);
3. the late penalty, a percentage of the maximum per late day (``autograder.late``),
   is taken off, never below 0.

Nothing here runs student code: a changed override or due date gives new
finals from the stored records.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, List, Optional

from autograder.late import LatePolicy, local_time, parse_time
from autograder.overrides import Override


@dataclass
class Final:
    """The final grade of one student and how it came from the raw score."""

    raw: float
    max_score: float
    days_late: int = 0
    penalty: float = 0.0  # points taken for lateness
    adjustment: float = 0.0  # points the override and the excused parts changed
    final: float = 0.0
    audit: List[str] = field(default_factory=list)  # one line per change, with its reason


def points(x: float) -> str:
    """Points as a spreadsheet reads them: 12.5, 3.33, 0."""
    return "%g" % round(x, 2)


def submitted_at(record: Any, policy: LatePolicy) -> Optional[datetime]:
    """When the student submitted, if the LMS export said so."""
    text = record.intake.get("submitted", "")
    return local_time(parse_time(text, "submission time"), policy) if text else None


def final_grade(record: Any, override: Override, policy: LatePolicy, max_score: float) -> Final:
    """The final grade of a `gradebook.StudentRecord` (max_score: the class's maximum)."""
    top = record.max_score or max_score
    grade = Final(raw=record.score, max_score=top)
    score, audit = record.score, grade.audit
    if override.excuse:
        earned = sum(record.columns.get(name, (0.0, 0.0))[0] for name in override.excuse)
        possible = sum(record.columns.get(name, (0.0, 0.0))[1] for name in override.excuse)
        left = top - possible
        score = (score - earned) / left * top if left > 0 else top
        audit.append("excused %s (%s of %s points), the rest scaled to %s%s"
                     % (", ".join(override.excuse), points(earned), points(possible), points(top),
                        _because(override)))
    if override.adjust:
        score += override.adjust
        audit.append("%+g points%s" % (override.adjust, _because(override)))
    score = min(max(score, 0.0), top)
    grade.adjustment = score - record.score
    if override.extension_days:
        audit.append("extension of %g days%s" % (override.extension_days, _because(override)))
    if override.days_late is not None:
        grade.days_late = override.days_late
        audit.append("days late set to %d%s" % (override.days_late, _because(override)))
    else:
        grade.days_late = policy.days_late(submitted_at(record, policy), bool(record.intake.get("late")),
                                           override.extension_days)
    percent = policy.penalty_percent(grade.days_late)
    if percent:
        grade.penalty = min(score, percent / 100.0 * top)
        audit.append("%d day%s late: -%g%% of %s points = -%s" % (
            grade.days_late, "" if grade.days_late == 1 else "s", percent, points(top), points(grade.penalty)))
    grade.final = score - grade.penalty
    return grade


def _because(override: Override) -> str:
    """": reason" when the override gives one."""
    return ": " + override.reason if override.reason else ""
