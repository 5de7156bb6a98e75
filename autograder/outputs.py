"""What a class's records become: grades.csv, the LMS's import, each student's feedback, the summary.

Everything here is computed from the stored records (``results/<id>.json``),
the late policy of the configuration and the overrides file, never by
running student code: ``batch`` calls it as students finish and at the end,
``merge`` after joining shards, and a ``batch --resume`` after an edit of the
overrides or of ``[late]`` re-computes every final grade this way.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

from autograder.exports import canvas_csv, moodle_csv
from autograder.finals import Final, final_grade, points
from autograder.gradebook import StudentRecord, atomic_write, grades_csv, summary_text
from autograder.late import LatePolicy, load_late_policy
from autograder.overrides import Overrides, read_overrides

FEEDBACK_KEY = "tinybackprop_feedback"  # results.json's extra key holding the feedback as graded
LMS_FILES = {"canvas": "canvas.csv", "moodle": "moodle.csv"}


@dataclass(frozen=True)
class Publishing:
    """What the derived files depend on besides the records: the late policy, the overrides, the LMS."""

    policy: LatePolicy
    overrides: Overrides
    lms: str = "none"
    title: str = "tinybackprop"  # the assignment's column in Canvas's import

    @classmethod
    def load(cls, config: Optional[str], overrides: Optional[str], lms: str, title: str) -> "Publishing":
        """Read the [late] table and the overrides file (ConfigError if either is invalid)."""
        return cls(load_late_policy(config), read_overrides(Path(overrides) if overrides else None), lms, title)

    def finals(self, records: List[StudentRecord]) -> Dict[str, Final]:
        """Each student's final grade."""
        top = max([r.max_score for r in records] + [0.0])
        return {r.student: final_grade(r, self.overrides.get(r.student), self.policy, top) for r in records}


def feedback_text(graded: str, record: StudentRecord, final: Final) -> str:
    """The student's feedback: as graded, then what happened to the grade after grading, if anything."""
    notes = list(record.intake.get("notes", []))
    if not notes and not final.audit:
        return graded
    lines = [graded.rstrip("\n"), "", "## Your grade", ""]
    lines += ["- Not graded: %s" % note for note in notes]
    lines += ["- %s" % line for line in final.audit]
    lines += ["", "**Final grade: %s / %s** (the autograder's score: %s)"
              % (points(final.final), points(final.max_score), points(final.raw))]
    return "\n".join(lines) + "\n"


def graded_feedback(results_path: Path) -> Optional[str]:
    """The feedback stored in a results.json as the grader wrote it (None if absent)."""
    try:
        return str(json.loads(results_path.read_text(encoding="utf-8"))[FEEDBACK_KEY])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_if_changed(path: Path, text: str) -> None:
    """Write a file only when its text changes (a re-computation leaves untouched files alone)."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    atomic_write(path, text)


def write_feedback(out: Path, record: StudentRecord, final: Final) -> None:
    """feedback/<id>.md of one student, from the feedback stored in its results.json."""
    graded = graded_feedback(out / "results" / (record.student + ".json"))
    if graded is not None:
        write_if_changed(out / "feedback" / (record.student + ".md"), feedback_text(graded, record, final))


def write_gradebook(out: Path, records: List[StudentRecord], publishing: Publishing,
                    feedback: bool = False) -> Dict[str, Final]:
    """grades.csv and the LMS's import file (and, with feedback, every feedback file); returns the finals."""
    finals = publishing.finals(records)
    ordered = sorted(records, key=lambda r: r.student)
    atomic_write(out / "grades.csv", grades_csv(ordered, finals))
    rows = [(r, finals[r.student]) for r in ordered]
    if publishing.lms == "canvas":
        atomic_write(out / LMS_FILES["canvas"], canvas_csv(rows, publishing.title))
    elif publishing.lms == "moodle":
        atomic_write(out / LMS_FILES["moodle"], moodle_csv(rows))
    if feedback:
        for record in ordered:
            write_feedback(out, record, finals[record.student])
    return finals


def write_summary(out: Path, records: List[StudentRecord], finals: Dict[str, Final],
                  previous_max: Optional[float]) -> str:
    """summary.txt; returns its text."""
    text = summary_text(records, finals, previous_max)
    atomic_write(out / "summary.txt", text)
    return text


def read_state(out: Path) -> Dict[str, Any]:
    """out/batch.json (the batch seed, the shard, the maximum of the last run), or {}."""
    try:
        state = json.loads((out / "batch.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def write_state(out: Path, state: Dict[str, Any]) -> None:
    """Write out/batch.json."""
    atomic_write(out / "batch.json", json.dumps(state, indent=1, sort_keys=True) + "\n")
