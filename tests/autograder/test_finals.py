"""Late work and overrides: the policy, the overrides file, the final grade, and a class re-computed without re-grading."""
from __future__ import annotations

import csv
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from autograder import batch
from autograder.config import ConfigError
from autograder.content import REFERENCE, part
from autograder.finals import final_grade
from autograder.gradebook import StudentRecord
from autograder.late import LatePolicy, load_late_policy
from autograder.overrides import Override, read_overrides

ROOT = Path(__file__).resolve().parents[2]
GATES = part("gates", REFERENCE).read_text(encoding="utf-8")
PLUS_ONE = timezone(timedelta(hours=1))
DUE = datetime(2025, 3, 1, 23, 59, tzinfo=PLUS_ONE)


def test_days_late_count_started_days_after_the_grace_period():
    policy = LatePolicy(due=DUE, grace_minutes=10, per_day=10, max_penalty=30, flagged_days=1)
    assert policy.days_late(DUE + timedelta(minutes=9), False) == 0
    assert policy.days_late(DUE + timedelta(minutes=31), False) == 1
    assert policy.days_late(DUE + timedelta(days=3, hours=1), False) == 4
    assert policy.days_late(DUE + timedelta(days=3, hours=1), False, extension_days=3) == 1
    assert policy.days_late(None, True) == 1 and policy.days_late(None, True, extension_days=2) == 0
    assert policy.days_late(None, False) == 0
    assert [policy.penalty_percent(d) for d in (0, 1, 2, 4)] == [0, 10, 20, 30]


def test_the_late_table_is_read_and_checked(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[late]\ndue = "2025-03-01T23:59:00Z"\nper_day = 5\n', encoding="utf-8")
    policy = load_late_policy(config)
    assert policy.due == datetime(2025, 3, 1, 23, 59, tzinfo=timezone.utc) and policy.per_day == 5
    assert load_late_policy(ROOT / "autograder" / "config.toml").due is None
    refused(config, '[late]\ndue = "next friday"\n', load_late_policy, "ISO 8601")
    refused(config, '[late]\nper_day = -5\n', load_late_policy, "per_day")


def refused(path: Path, text: str, read, message: str) -> None:
    """Write text to path and check that reading it is refused with a message saying why."""
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        read(path)


def test_overrides_come_from_toml_or_csv_and_bad_ones_are_named(tmp_path):
    toml = tmp_path / "overrides.toml"
    toml.write_text('["12345"]\nextension_days = 2\nadjust = -1.5\nexcuse = ["svm.backward", "gates"]\n'
                    'reason = "flu"\n\n[alice]\ndays_late = 0\n', encoding="utf-8")
    found = read_overrides(toml)
    assert found.get("12345") == Override("12345", 2.0, None, -1.5, ("svm.backward", "gates"), "flu")
    assert found.get("alice").days_late == 0 and found.get("bob") == Override("bob")
    table = tmp_path / "overrides.csv"
    table.write_text("student,extension_days,days_late,adjust,excuse,reason\n12345,2,,-1.5,svm.backward gates,flu\n",
                     encoding="utf-8")
    assert read_overrides(table).get("12345") == found.get("12345")
    refused(toml, '["1"]\nbonus = 3\n', read_overrides, "unknown key bonus")
    refused(toml, '["1"]\nexcuse = ["svm.backwards"]\n', read_overrides, "cannot excuse svm.backwards")


def test_the_final_grade_excuses_adjusts_then_takes_the_penalty():
    record = StudentRecord("s", "k", "graded", "", 60.0, 100.0,
                           {"svm": (10.0, 30.0), "svm.backward": (0.0, 20.0)}, intake={"late": True})
    policy = LatePolicy(per_day=10, max_penalty=50, flagged_days=2)
    plain = final_grade(record, Override("s"), policy, 100.0)
    assert (plain.days_late, plain.penalty, plain.final) == (2, 20.0, 40.0)
    excused = final_grade(record, Override("s", excuse=("svm.backward",), adjust=5, days_late=0), policy, 100.0)
    assert excused.final == pytest.approx(60.0 / 80.0 * 100.0 + 5) and excused.penalty == 0
    assert any("excused svm.backward" in line for line in excused.audit)
    capped = final_grade(record, Override("s", adjust=70, days_late=9), policy, 100.0)
    assert capped.final == 50.0 and capped.adjustment == 40.0  # 130 kept at 100, then half taken


def grades(out: Path) -> dict:
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def test_late_moodle_students_and_an_override_file_recomputed_without_regrading(tmp_path):
    subs = tmp_path / "moodle"
    for student, name in (("4242", "Ann On-Time"), ("4343", "Bob Late"), ("4444", "Cy Extended")):
        folder = subs / ("%s_%s_assignsubmission_file_" % (name, student))
        folder.mkdir(parents=True)
        (folder / "gates.py").write_text(GATES, encoding="utf-8")
    worksheet = tmp_path / "worksheet.csv"
    worksheet.write_text(
        "Identifier,Full name,Status,Last modified (submission),Grade\n"
        "Participant 4242,Ann On-Time,Submitted,\"Saturday, 1 March 2025, 11:00 PM\",\n"
        "Participant 4343,Bob Late,Submitted,\"Monday, 3 March 2025, 10:00 PM\",\n"
        "Participant 4444,Cy Extended,Submitted,\"Tuesday, 4 March 2025, 9:00 AM\",\n"
        "Participant 4545,Di Absent,No submission,-,\n", encoding="utf-8")
    config = tmp_path / "config.toml"
    shipped = (ROOT / "autograder" / "config.toml").read_text(encoding="utf-8")
    config.write_text(shipped.replace('due = ""', 'due = "2025-03-01T23:59:00+01:00"')
                      .replace("per_day = 0 ", "per_day = 10 "), encoding="utf-8")
    overrides = tmp_path / "overrides.toml"
    overrides.write_text('["4444"]\nextension_days = 3\nreason = "medical note"\n', encoding="utf-8")
    out = tmp_path / "out"
    argv = [str(subs), "--out", str(out), "--lms", "moodle", "--only", "gates.gates", "--seed", "8",
            "--config", str(config), "--worksheet", str(worksheet), "--overrides", str(overrides)]

    assert batch.main(argv) == 0

    rows = grades(out)
    assert [(rows[s]["total"], rows[s]["days_late"], rows[s]["penalty"], rows[s]["final"])
            for s in ("4242", "4343", "4444")] == [("10", "0", "0", "10"), ("10", "2", "2", "8"),
                                                   ("10", "0", "0", "10")]
    assert "extension of 3 days: medical note" in rows["4444"]["audit"]
    assert "2 days late" in (out / "feedback" / "4343.md").read_text(encoding="utf-8")
    stamps = {p.name: p.stat().st_mtime_ns for p in (out / "results").iterdir()}

    overrides.write_text('["4343"]\nadjust = -3\nreason = "copied the gates from the notes"\n',
                         encoding="utf-8")
    assert batch.main(argv + ["--resume"]) == 0

    rows = grades(out)
    assert {p.name: p.stat().st_mtime_ns for p in (out / "results").iterdir()} == stamps  # nothing re-run
    assert (rows["4343"]["adjustment"], rows["4343"]["final"]) == ("-3", "5")
    assert rows["4444"]["days_late"] == "3" and rows["4444"]["final"] == "7"  # the extension is gone
    feedback = (out / "feedback" / "4343.md").read_text(encoding="utf-8")
    assert "-3 points: copied the gates from the notes" in feedback and "Final grade: 5 / 10" in feedback
    moodle = (out / "moodle.csv").read_text(encoding="utf-8")
    assert "Participant 4343,Bob Late,5,10," in moodle
