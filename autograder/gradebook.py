"""The gradebook of a batch: one record per student, grades.csv, and the class summary.

A `StudentRecord` is what the batch remembers about one graded submission:
the totals per assignment and per stage, the status, and which tests failed.
It is stored inside the student's `results/<id>.json` (under the extra key
`RECORD_KEY`, which Gradescope's schema allows), so that `grades.csv` and the
summary can always be rebuilt from the result files alone: that is what
makes a killed batch resumable without losing a grade.
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

from autograder.finals import Final, points
# Columns and histograms come in the order of the assignments and of the report's stages.
from autograder.results import STAGES
from autograder.suite import ASSIGNMENTS

# The extra key of results.json under which the batch keeps its record.
RECORD_KEY = "tinybackprop_batch"


@dataclass
class StudentRecord:
    """One student's grade as the batch stores it: totals, per-column points, failed tests."""

    student: str
    key: str  # fingerprint of (submission, seed, config, options): unchanged means no re-grade
    status: str  # "graded", a submission error such as "corrupt zip", or "grader error"
    message: str
    score: float
    max_score: float
    columns: Dict[str, Tuple[float, float]] = field(default_factory=dict)  # name -> (earned, possible)
    failed: List[str] = field(default_factory=list)  # names of the tests that did not pass
    hints: List[str] = field(default_factory=list)  # the hints of those tests (one each at most)
    intake: Dict[str, Any] = field(default_factory=dict)  # the LMS's name, late flag, time, upload notes

    @property
    def final(self) -> bool:
        """True when the grade stands; a grader failure is retried by --resume."""
        return not self.status.startswith("grader ")

    def to_json(self) -> Dict[str, Any]:
        """The record as plain JSON data."""
        return {
            "student": self.student,
            "key": self.key,
            "status": self.status,
            "message": self.message,
            "score": self.score,
            "max_score": self.max_score,
            "columns": {name: list(pair) for name, pair in self.columns.items()},
            "failed": list(self.failed),
            "hints": list(self.hints),
            "intake": dict(self.intake),
        }

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "StudentRecord":
        """A record read back from results.json; KeyError or ValueError if it is malformed."""
        return cls(
            student=str(data["student"]),
            key=str(data["key"]),
            status=str(data["status"]),
            message=str(data["message"]),
            score=float(data["score"]),
            max_score=float(data["max_score"]),
            columns={str(k): (float(v[0]), float(v[1])) for k, v in data["columns"].items()},
            failed=[str(name) for name in data["failed"]],
            hints=[str(hint) for hint in data.get("hints", [])],
            intake=dict(data.get("intake", {})),
        )


def record_from_result(student: str, key: str, result: Any) -> StudentRecord:
    """A record built from a `GradeResult` (its totals, status, and per-test scores and statuses)."""
    columns: Dict[str, List[float]] = {}
    failed, hints = [], []
    for test in result.tests:
        earned, possible = float(test.score), float(test.max_score)
        for column in (test.assignment, "%s.%s" % (test.assignment, test.stage)):
            pair = columns.setdefault(column, [0.0, 0.0])
            pair[0] += earned
            pair[1] += possible
        if test.status != "passed":
            failed.append(test.name)
            if test.hint:
                hints.append(test.hint)
    problems = file_problems(result.tests)
    status, message = str(result.status), str(result.message)
    if status == "graded" and problems:
        status, message = "partly graded", "; ".join(problems)
    return StudentRecord(
        student=student,
        key=key,
        status=status,
        message=message,
        score=float(result.score),
        max_score=float(result.max_score),
        columns={name: (pair[0], pair[1]) for name, pair in columns.items()},
        failed=failed,
        hints=hints,
    )


def file_problems(tests: Iterable[Any]) -> List[str]:
    """"assignment: why" for each assignment the grader could not run at all (a missing,
    oversized, non-UTF-8 or forbidden file): all its tests are errors with one same message."""
    by_assignment: Dict[str, List[Any]] = {}
    for test in tests:
        by_assignment.setdefault(test.assignment, []).append(test)
    problems = []
    for assignment, group in by_assignment.items():
        outputs = {test.output for test in group}
        if len(outputs) == 1 and all(test.status in ("error", "forbidden") for test in group):
            problems.append("%s: %s" % (assignment, outputs.pop()))
    return problems


def column_order(records: Iterable[StudentRecord]) -> List[str]:
    """Every assignment and stage column seen, each assignment followed by its stages."""
    seen = {name for record in records for name in record.columns}

    def rank(name: str) -> Tuple[int, str, int, str]:
        assignment, _, stage = name.partition(".")
        a = ASSIGNMENTS.index(assignment) if assignment in ASSIGNMENTS else len(ASSIGNMENTS)
        s = STAGES.index(stage) if stage in STAGES else len(STAGES)
        # The assignment total (no stage) comes before its stages.
        return (a, assignment, s if stage else -1, stage)

    return sorted(seen, key=rank)


def grades_csv(records: Iterable[StudentRecord], finals: Dict[str, Final]) -> str:
    """grades.csv: one row per student (sorted by id): raw total, max, lateness, penalty, adjustment,
    final, each assignment and stage, status, message (with the uploads not graded) and the audit."""
    records = sorted(records, key=lambda r: r.student)
    columns = column_order(records)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "total", "max", "days_late", "penalty", "adjustment", "final"] + columns
                    + ["status", "message", "audit"])
    for record in records:
        final = finals[record.student]
        # A column the student has no tests in (a broken submission) is a zero, not a blank.
        cells = [points(record.columns.get(name, (0.0, 0.0))[0]) for name in columns]
        message = "; ".join([record.message] * bool(record.message) + record.intake.get("notes", []))
        writer.writerow(
            [record.student, points(record.score), points(final.max_score), final.days_late,
             points(final.penalty), points(final.adjustment), points(final.final)]
            + cells
            + [record.status, " ".join(message.split()), "; ".join(final.audit)]
        )
    return out.getvalue()


def column_maxima(records: Iterable[StudentRecord]) -> Dict[str, float]:
    """The points possible in each column (the largest seen: broken submissions have none)."""
    maxima: Dict[str, float] = {}
    for record in records:
        for name, (_, possible) in record.columns.items():
            maxima[name] = max(maxima.get(name, 0.0), possible)
    return maxima


def histogram(fractions: List[float], bins: int = 10, width: int = 30) -> List[str]:
    """A text histogram of scores as fractions of the maximum, one line per bin."""
    counts = [0] * bins
    for f in fractions:
        counts[min(int(max(f, 0.0) * bins), bins - 1)] += 1
    top = max(counts) if counts else 0
    lines = []
    for i, count in enumerate(counts):
        bar = "#" * (round(width * count / top) if top else 0)
        lines.append("%3d-%3d%% | %-*s %d" % (100 * i // bins, 100 * (i + 1) // bins, width, bar, count))
    return lines


def summary_text(records: List[StudentRecord], finals: Dict[str, Final], previous_max: Optional[float] = None,
                 most_failed: int = 10, most_hinted: int = 5) -> str:
    """The class summary: totals, what changed the maximum, a histogram and the stage means per
    assignment, the tests failed most often, the hints given most often, late work, broken entries."""
    if not records:
        return "No submissions graded.\n"
    lines = []
    graded = [r for r in records if r.status == "graded"]
    mean = sum(r.score for r in records) / len(records)
    mean_final = sum(finals[r.student].final for r in records) / len(records)
    top = max(r.max_score for r in records)
    lines.append(
        "%d students, %d graded, %d with a broken submission or grader failure; mean total %s of %s"
        "%s" % (len(records), len(graded), len(records) - len(graded), points(mean), points(top),
                "" if round(mean_final, 2) == round(mean, 2) else ", mean final %s" % points(mean_final))
    )
    lines.extend(maximum_changes(records, previous_max))
    maxima = column_maxima(records)
    columns = column_order(records)
    for assignment in [c for c in columns if "." not in c]:
        possible = maxima.get(assignment, 0.0)
        if possible <= 0:
            continue
        fractions = [r.columns.get(assignment, (0.0, 0.0))[0] / possible for r in records]
        stages = [c for c in columns if c.startswith(assignment + ".") and maxima[c] > 0]
        lines.append("")
        lines.append("%s (of %s points: %s)" % (assignment, points(possible), ", ".join(
            "%s %s" % (c.partition(".")[2], points(maxima[c])) for c in stages)))
        lines.extend("  " + line for line in histogram(fractions))
        # The stage means say what the class misunderstood, where the histogram only says how much.
        lines.append("  mean per stage: " + ", ".join(
            "%s %s of %s" % (c.partition(".")[2], points(sum(r.columns.get(c, (0.0, 0.0))[0] for r in records)
                                                        / len(records)), points(maxima[c])) for c in stages))
    failures = Counter(name for r in records for name in r.failed)
    if failures:
        lines.append("")
        lines.append("Tests failed most often:")
        for name, count in sorted(failures.items(), key=lambda kv: (-kv[1], kv[0]))[:most_failed]:
            lines.append("  %4d of %d  %s" % (count, len(records), name))
    hints = Counter(hint for r in records for hint in set(r.hints))
    if hints:
        lines.append("")
        lines.append("Hints given most often (students who got each):")
        for hint, count in sorted(hints.items(), key=lambda kv: (-kv[1], kv[0]))[:most_hinted]:
            lines.append("  %4d of %d  %s" % (count, len(records), " ".join(hint.split())))
    late = [finals[r.student] for r in records if finals[r.student].days_late > 0]
    if late:
        lines.append("")
        lines.append("Late: %d submission%s, %s days late on average, %s points of penalty on average"
                     % (len(late), "" if len(late) == 1 else "s",
                        points(sum(f.days_late for f in late) / len(late)),
                        points(sum(f.penalty for f in late) / len(late))))
    changed = [r for r in records if finals[r.student].audit]
    if changed:
        lines.append("Overrides or penalties applied to %d student%s (grades.csv, column audit)"
                     % (len(changed), "" if len(changed) == 1 else "s"))
    broken = [r for r in records if r.status != "graded"]
    if broken:
        lines.append("")
        lines.append("Submissions that could not be graded normally:")
        for r in broken:
            lines.append("  %s: %s (%s)" % (r.student, r.status, " ".join(r.message.split())))
    return "\n".join(lines) + "\n"


def maximum_changes(records: List[StudentRecord], previous_max: Optional[float]) -> List[str]:
    """Lines saying that the maximum changed since the last run, or differs between students."""
    lines = []
    maxima = Counter(points(r.max_score) for r in records if r.max_score > 0)
    if len(maxima) > 1:
        lines.append("Students were graded with different maxima (the configuration changed between "
                     "runs): " + ", ".join("%s (%d student%s)" % (maximum, n, "" if n == 1 else "s")
                                     for maximum, n in sorted(maxima.items())))
    top = max([r.max_score for r in records] + [0.0])
    if previous_max is not None and top > 0 and points(previous_max) != points(top):
        lines.append("The maximum is %s; the last run of this gradebook had %s (config.toml's points "
                     "were edited, or --only changed)." % (points(top), points(previous_max)))
    return lines


def current_umask() -> int:
    """The process's umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: Path, data: str) -> None:
    """Write text to path so that a reader (or a crash) sees the old file or the new one, never half.

    The file gets the permissions the umask gives a new file (mkstemp alone would make it 0600).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=str(path.parent), prefix="." + path.name, suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~current_umask())
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(data)
            f.flush()
            # fsync before the rename: after a power cut the new name must not point at empty data.
            os.fsync(f.fileno())
        os.replace(tmp, str(path))
    except BaseException:
        os.unlink(tmp)
        raise


def read_record(path: Path) -> Optional[StudentRecord]:
    """The record stored in one results/<id>.json, or None if the file is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return StudentRecord.from_json(data[RECORD_KEY])
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
