"""LMS intake that loses nothing: Canvas and Moodle downloads as students really upload, odd names, leftovers."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path

from autograder import batch
from autograder.content import REFERENCE, part
from autograder.gradebook import atomic_write

ROOT = Path(__file__).resolve().parents[2]
GATES = part("gates", REFERENCE).read_text(encoding="utf-8")  # the reference gates.py: full marks
STUB = (ROOT / "assignments" / "gates.py").read_text(encoding="utf-8")  # the stub: zero


def zip_of(path: Path, files: dict) -> Path:
    """A zip holding files {name: text}."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return path


def notebook(path: Path, cells: list) -> Path:
    """A notebook (nbformat 4) whose code cells are the given sources."""
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": source, "metadata": {},
                                           "outputs": [], "execution_count": None} for source in cells],
                                "metadata": {}, "nbformat": 4, "nbformat_minor": 4}), encoding="utf-8")
    return path


def rows_of(text: str) -> list:
    """The rows of a CSV text."""
    return list(csv.reader(io.StringIO(text)))


def grades(out: Path) -> dict:
    """grades.csv as {student: row}."""
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def test_a_canvas_download_loses_no_upload(tmp_path):
    subs = tmp_path / "canvas"
    subs.mkdir()
    (subs / "smithjohn_12345_100_gates.py").write_text(STUB, encoding="utf-8")  # first try
    (subs / "smithjohn_12345_105_gates-1.py").write_text(GATES, encoding="utf-8")  # re-uploaded, fixed
    zip_of(subs / "doejane_LATE_777_200_homework.zip", {"assignments/gates.py": GATES})
    notebook(subs / "roeann_888_300_my work (final).ipynb", ["import math", "%%writefile gates.py\n" + GATES])
    (subs / "kimlee_999_400_gates.zip").write_bytes(b"PK\x03\x04 not really a zip")
    (subs / "kimlee_999_401_gates.py").write_text(GATES, encoding="utf-8")
    out = tmp_path / "out"

    assert batch.main([str(subs), "--out", str(out), "--lms", "canvas", "--only", "gates.gates", "--seed", "3",
                       "--lms-assignment", "Backprop 1 (4567)"]) == 0

    rows = grades(out)
    assert sorted(rows) == ["12345", "777", "888", "999"]
    for student, row in rows.items():
        assert row["status"] == "graded" and float(row["total"]) == float(row["max"]) > 0, row
    assert ("smithjohn_12345_100_gates.py: its gates.py not graded (the one from smithjohn_12345_105_gates-1.py "
            "is)") in rows["12345"]["message"]
    assert "kimlee_999_400_gates.zip" in rows["999"]["message"] and "corrupt zip" in rows["999"]["message"]
    assert rows["777"]["days_late"] == "1" and rows["12345"]["days_late"] == "0"
    feedback = (out / "feedback" / "12345.md").read_text(encoding="utf-8")
    assert "Not graded: smithjohn_12345_100_gates.py" in feedback
    # Canvas's gradebook import: the header its importer checks, the points row, rows matched on ID.
    canvas = rows_of((out / "canvas.csv").read_text(encoding="utf-8"))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Backprop 1 (4567)"]
    assert canvas[1][0] == "Points Possible" and float(canvas[1][5]) == float(rows["777"]["max"])
    assert {row[1]: (row[0], float(row[5])) for row in canvas[2:]} == {
        "12345": ("smithjohn", 10.0), "777": ("doejane", 10.0), "888": ("roeann", 10.0), "999": ("kimlee", 10.0)}
    assert not (out / ".staging").exists()


def test_a_moodle_download_with_zips_notebooks_and_online_text(tmp_path):
    subs = tmp_path / "moodle"
    jane = subs / "Jane Doe_4242_assignsubmission_file_"
    jane.mkdir(parents=True)
    zip_of(jane / "hw1 (2).zip", {"hw1/assignments/gates.py": GATES})
    text = subs / "Jane Doe_4242_assignsubmission_onlinetext_"
    text.mkdir()
    (text / "onlinetext.html").write_text("<p>I did the gates warm-up.</p>", encoding="utf-8")
    john = subs / "John Roe_4343_assignsubmission_file_"
    john.mkdir()
    notebook(john / "notebook final.ipynb", ["%%writefile gates.py\n" + GATES])
    zip_of(john / "attempt 1.zip", {"gates.py": STUB})  # in one folder, the last by name wins
    ann = subs / "Ann Bee_4444_assignsubmission_onlinetext_"
    ann.mkdir()
    (ann / "onlinetext.html").write_text("<p>def backward(self): ...</p>", encoding="utf-8")
    out = tmp_path / "out"

    assert batch.main([str(subs), "--out", str(out), "--lms", "moodle", "--only", "gates.gates", "--seed", "3"]) == 0

    rows = grades(out)
    assert sorted(rows) == ["4242", "4343", "4444"]
    assert float(rows["4242"]["total"]) == float(rows["4343"]["total"]) == float(rows["4242"]["max"]) > 0
    assert "onlinetext.html: not a file the grader reads" in rows["4242"]["message"]
    assert "attempt 1.zip: its gates.py not graded" in rows["4343"]["message"]
    # Online text alone is a row with the reason, never a silent zero.
    assert rows["4444"]["status"] == "empty submission" and "onlinetext" in rows["4444"]["message"]
    # Moodle's grading worksheet: the three columns its importer requires, "Participant N" ids.
    moodle = rows_of((out / "moodle.csv").read_text(encoding="utf-8"))
    header = moodle[0]
    assert {"Identifier", "Grade", "Last modified (grade)"} <= set(header)
    by_id = {row[header.index("Identifier")]: row for row in moodle[1:]}
    assert sorted(by_id) == ["Participant 4242", "Participant 4343", "Participant 4444"]
    assert by_id["Participant 4242"][header.index("Full name")] == "Jane Doe"
    assert float(by_id["Participant 4343"][header.index("Grade")]) == 10.0
    assert float(by_id["Participant 4444"][header.index("Grade")]) == 0.0
    assert "empty submission" in by_id["Participant 4444"][header.index("Feedback comments")]


def test_a_name_that_is_not_utf8_is_escaped_and_resume_goes_on(tmp_path):
    subs = tmp_path / "subs"
    odd = os.path.join(os.fsencode(str(subs)), b"caf\xe9")
    os.makedirs(odd)
    with open(os.path.join(odd, b"gates.py"), "w", encoding="utf-8") as f:
        f.write(GATES)
    (subs / "zoe").mkdir()
    (subs / "zoe" / "gates.py").write_text(GATES, encoding="utf-8")
    out = tmp_path / "out"
    argv = [str(subs), "--out", str(out), "--only", "gates", "--seed", "4"]

    assert batch.main(argv) == 0
    first = grades(out)
    assert sorted(first) == ["caf\\xe9", "zoe"]
    assert first["caf\\xe9"]["status"] == "graded" and float(first["caf\\xe9"]["total"]) > 0
    assert batch.main(argv + ["--resume"]) == 0
    assert grades(out) == first


def test_a_batch_leaves_nothing_behind_and_its_files_follow_the_umask(tmp_path, monkeypatch):
    # The system's temporary folder, watched: it must be one the sandbox's user can pass through.
    scratch = Path(tempfile.mkdtemp(prefix="batch-leftovers-"))
    os.chmod(str(scratch), 0o711)
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr("tempfile.tempdir", None)
    try:
        leaves_nothing_behind(tmp_path, scratch)
    finally:
        shutil.rmtree(str(scratch), ignore_errors=True)


def leaves_nothing_behind(tmp_path: Path, scratch: Path) -> None:
    """Grade a class whose entry is staged, after a killed batch's leftovers; check what is left."""
    subs = tmp_path / "subs"
    zip_of(tmp_path / "hw.zip", {"gates.py": GATES})
    (subs / "ada").mkdir(parents=True)
    os.replace(tmp_path / "hw.zip", subs / "ada" / "hw.zip")  # staged: a zip inside the folder
    out = tmp_path / "out"
    (out / ".staging" / "old").mkdir(parents=True)  # what a killed batch left
    old = os.umask(0o027)
    try:
        assert batch.main([str(subs), "--out", str(out), "--only", "gates", "--seed", "2"]) == 0
    finally:
        os.umask(old)
    assert float(grades(out)["ada"]["total"]) > 0
    assert not (out / ".staging").exists() and not (out / ".work").exists()
    assert [p.name for p in scratch.iterdir() if p.name.startswith("tinybackprop")] == []
    for name in ("grades.csv", "summary.txt", "batch.json", "results/ada.json", "feedback/ada.md"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o640, name


def test_atomic_write_gives_what_the_umask_allows(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "a.txt", "x")
        os.umask(0o077)
        atomic_write(tmp_path / "b.txt", "y")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "b.txt").stat().st_mode) == 0o600
