"""Per-student overrides an instructor writes: extensions, days late, a manual adjustment, excused parts.

``overrides.toml`` holds one table per student id::

    ["12345"]
    extension_days = 2          # the due date moves by this many days for this student
    adjust = 3.5                # points added (or taken, if negative) after grading
    excuse = ["svm.backward"]   # assignments or stages left out; the rest is scaled to the maximum
    reason = "the svm.backward hint misled her"

``days_late = 0`` sets the days late outright (e.g. a Canvas LATE flag with a
doctor's note). A CSV with the header ``student,extension_days,days_late,
adjust,excuse,reason`` (``excuse`` separated by spaces) says the same. The
overrides are applied to the grades already computed (``autograder.finals``):
no student code runs again.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from autograder.config import ConfigError, read_toml
from autograder.results import STAGES
from autograder.suite import ASSIGNMENTS

KEYS = ("extension_days", "days_late", "adjust", "excuse", "reason")


@dataclass(frozen=True)
class Override:
    """What an instructor changes in one student's grade, and why."""

    student: str
    extension_days: float = 0.0
    days_late: Optional[int] = None  # None: computed from the times and the late flag
    adjust: float = 0.0
    excuse: Tuple[str, ...] = ()  # assignment or assignment.stage columns left out of the grade
    reason: str = ""


@dataclass
class Overrides:
    """Every student's override, and the file they came from."""

    by_student: Dict[str, Override] = field(default_factory=dict)
    source: str = ""

    def get(self, student: str) -> Override:
        """The student's override (an empty one when the file says nothing of the student)."""
        return self.by_student.get(student, Override(student))


def excusable(name: str) -> bool:
    """True for a name an override may excuse: an assignment, or assignment.stage."""
    assignment, dot, stage = name.partition(".")
    return assignment in ASSIGNMENTS and (not dot or stage in STAGES)


def _override(student: str, values: Dict[str, Any], where: str) -> Override:
    """One student's override from its values, checked; ConfigError names the student and the key."""
    unknown = sorted(set(values) - set(KEYS))
    if unknown:
        raise ConfigError(f"{where}: student {student}: unknown key {', '.join(unknown)}; "
                          f"expected {', '.join(KEYS)}")
    numbers = {}
    for key in ("extension_days", "days_late", "adjust"):
        value = values.get(key)
        if value is None or value == "":
            continue
        try:
            numbers[key] = float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: student {student}: {key} must be a number, got {value!r}") from None
        if key != "adjust" and numbers[key] < 0:
            raise ConfigError(f"{where}: student {student}: {key} must be >= 0, got {value!r}")
    excuse = values.get("excuse", ())
    names: List[str] = excuse.split() if isinstance(excuse, str) else [str(name) for name in excuse]
    wrong = [name for name in names if not excusable(name)]
    if wrong:
        raise ConfigError(f"{where}: student {student}: cannot excuse {', '.join(wrong)}; expected an "
                          f"assignment ({', '.join(ASSIGNMENTS)}) or assignment.stage "
                          f"(stages: {', '.join(STAGES)})")
    days = numbers.get("days_late")
    return Override(student, numbers.get("extension_days", 0.0), None if days is None else int(days),
                    numbers.get("adjust", 0.0), tuple(names), str(values.get("reason", "")))


def read_overrides(path: Optional[Path]) -> Overrides:
    """The overrides in a .toml or .csv file (None: no overrides); ConfigError if the file is invalid."""
    if path is None:
        return Overrides()
    path = Path(path)
    where = path.name
    if not path.is_file():
        raise ConfigError(f"{path}: no such overrides file")
    found: Dict[str, Override] = {}
    if path.suffix.lower() == ".csv":
        with open(str(path), newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            if not reader.fieldnames or "student" not in reader.fieldnames:
                raise ConfigError(f"{where}: the first line must name the columns: student, "
                                  f"{', '.join(KEYS)}")
            for row in reader:
                student = (row.pop("student") or "").strip()
                if student:
                    found[student] = _override(student, {k: v for k, v in row.items() if v not in (None, "")},
                                               where)
    else:
        for student, values in read_toml(path).items():
            if not isinstance(values, dict):
                raise ConfigError(f"{where}: {student} = ... outside a [\"student id\"] table")
            if values:
                found[str(student)] = _override(str(student), values, where)
    return Overrides(found, str(path))
