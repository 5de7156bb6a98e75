"""Batch grading through the real grader: rows for broken submissions, safe class zips, resume, SIGKILL."""
from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from autograder import batch, lms, pool
from autograder.content import REFERENCE, part, write_references
from autograder.gradebook import StudentRecord, grades_csv, summary_text
from autograder.late import LatePolicy
from autograder.outputs import Publishing
from autograder.overrides import Overrides

ROOT = Path(__file__).resolve().parents[2]
GATES = part("gates", REFERENCE)  # the reference gates.py
STUBS = ROOT / "assignments"


def reference_folder(path: Path) -> Path:
    """A submission folder holding the reference solutions (full marks)."""
    path.mkdir(parents=True)
    return write_references(path)


def stub_folder(path: Path) -> Path:
    """A submission folder holding the stubs as shipped (zero)."""
    path.mkdir(parents=True)
    for source in STUBS.glob("*.py"):
        shutil.copyfile(source, path / source.name)
    return path


def read_grades(out: Path) -> dict:
    """grades.csv as {student: row}."""
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def run_batch(*argv: str) -> int:
    """Run `batch` in this process (its workers are separate processes)."""
    return batch.main([str(a) for a in argv])


def test_broken_submissions_get_a_row_each_and_the_batch_goes_on(tmp_path):
    subs = tmp_path / "subs"
    reference_folder(subs / "good")
    (subs / "corrupt.zip").write_bytes(b"PK\x03\x04 this is not a zip")
    for name, evil in (("climbs", "../escaped.py"), ("absolute", "/tmp/tinybackprop-absolute.py")):
        with zipfile.ZipFile(subs / (name + ".zip"), "w") as zf:
            zf.write(GATES, "gates.py")
            zf.writestr(evil, "x = 1\n")
    os.symlink(str(reference_folder(tmp_path / "elsewhere")), str(subs / "symlinked"))
    (subs / "badjson.ipynb").write_text('{"cells": [', encoding="utf-8")
    (subs / "latin1").mkdir()
    (subs / "latin1" / "gates.py").write_bytes(b"# caf\xe9\nx = 1\n")
    (subs / "empty").mkdir()
    (subs / "huge").mkdir()
    with open(subs / "huge" / "gates.py", "wb") as f:
        f.truncate(100 * 1024 * 1024)  # sparse: 100 MB on paper, nothing on disk
    (subs / "notes.txt").write_text("not a submission", encoding="utf-8")
    out = tmp_path / "out"

    assert run_batch(subs, "--out", out, "--only", "gates", "--jobs", "2", "--seed", "5") == 0

    rows = read_grades(out)
    assert sorted(rows) == ["absolute", "badjson", "climbs", "corrupt", "empty", "good", "huge",
                            "latin1", "notes", "symlinked"]
    assert float(rows["good"]["total"]) == float(rows["good"]["max"]) > 0
    assert rows["good"]["status"] == "graded"
    expected = {"corrupt": "corrupt zip", "climbs": "unsafe zip", "absolute": "unsafe zip",
                "symlinked": "symlink", "badjson": "invalid notebook", "empty": "empty submission",
                "latin1": "partly graded", "huge": "partly graded", "notes": "unsupported submission"}
    for student, status in expected.items():
        row = rows[student]
        assert row["status"] == status, (student, row)
        assert float(row["total"]) == 0.0 and float(row["gates"]) == 0.0
        assert float(row["max"]) == float(rows["good"]["max"])
        assert row["message"], student
        assert (out / "results" / (student + ".json")).is_file()
        assert (out / "feedback" / (student + ".md")).is_file()
    assert "UTF-8" in rows["latin1"]["message"]
    assert "104857600 bytes" in rows["huge"]["message"]
    assert not (tmp_path / "escaped.py").exists()
    results = json.loads((out / "results" / "good.json").read_text(encoding="utf-8"))
    assert results["score"] == results["max_score"] > 0 and results["tests"]
    summary = (out / "summary.txt").read_text(encoding="utf-8")
    assert "gates (of" in summary and "corrupt: corrupt zip" in summary


def test_one_zip_of_the_class_is_extracted_safely(tmp_path):
    archive = tmp_path / "class.zip"
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.write(GATES, "gates.py")
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(GATES, "submissions/alice/gates.py")
        zf.write(inner, "submissions/bob.zip")
        zf.writestr("submissions/mallory/../../../outside.py", "x = 1\n")
        link = zipfile.ZipInfo("submissions/eve/gates.py")
        link.external_attr = 0o120777 << 16
        zf.writestr(link, "/etc/passwd")
    out = tmp_path / "out"

    assert run_batch(archive, "--out", out, "--only", "gates", "--seed", "1") == 0

    rows = read_grades(out)
    assert sorted(rows) == ["alice", "bob", "eve", "mallory"]
    assert float(rows["alice"]["total"]) == float(rows["bob"]["total"]) == float(rows["alice"]["max"]) > 0
    assert rows["eve"]["status"] == "unsafe zip" and "symlink" in rows["eve"]["message"]
    assert float(rows["eve"]["total"]) == 0.0
    assert rows["mallory"]["status"] == "unsafe zip" and ".." in rows["mallory"]["message"]
    assert not (tmp_path / "outside.py").exists()


def test_a_corrupt_class_zip_is_a_clear_error(tmp_path, capsys):
    archive = tmp_path / "class.zip"
    archive.write_bytes(b"not a zip at all")
    assert run_batch(archive, "--out", tmp_path / "out") == 2
    assert "cannot read" in capsys.readouterr().err


def test_one_students_folder_is_not_taken_for_a_class(tmp_path, capsys):
    assert run_batch(reference_folder(tmp_path / "alice"), "--out", tmp_path / "out") == 2
    assert "--submission" in capsys.readouterr().err


def test_resume_grades_only_what_is_missing_or_changed(tmp_path):
    subs = tmp_path / "subs"
    reference_folder(subs / "alice")
    stub_folder(subs / "bob")
    reference_folder(subs / "carol")
    out = tmp_path / "out"
    assert run_batch(subs, "--out", out, "--only", "gates", "--seed", "9") == 0
    first = read_grades(out)
    stamps = {s: (out / "results" / (s + ".json")).stat().st_mtime_ns for s in first}

    (out / "results" / "carol.json").unlink()  # as if the batch died before carol
    shutil.copyfile(GATES, subs / "bob" / "gates.py")  # bob fixed his work
    time.sleep(0.01)
    assert run_batch(subs, "--out", out, "--only", "gates", "--resume") == 0

    second = read_grades(out)
    assert (out / "results" / "alice.json").stat().st_mtime_ns == stamps["alice"]
    assert (out / "results" / "bob.json").stat().st_mtime_ns != stamps["bob"]
    assert float(first["bob"]["total"]) == 0.0 < float(second["bob"]["total"])
    assert second["carol"] == first["carol"] and second["alice"] == first["alice"]


def test_a_batch_killed_with_sigkill_and_resumed_gives_the_same_grades(tmp_path):
    subs = tmp_path / "subs"
    for i in range(10):
        # Half the class right, half with the gates still stubbed: the grades differ.
        (reference_folder if i % 2 else stub_folder)(subs / ("student%02d" % i))
    # What SIGKILL leaves behind (sandbox folders) goes into a scratch folder deleted at the end;
    # it must be traversable, as the sandbox's unprivileged user works below it.
    with tempfile.TemporaryDirectory(prefix="batch-sigkill-") as scratch:
        os.chmod(scratch, 0o711)
        env = dict(os.environ, PYTHONPATH=str(ROOT), TMPDIR=scratch)
        kill_and_resume(subs, tmp_path, env)


def kill_and_resume(subs: Path, tmp_path: Path, env: dict) -> None:
    """Start a batch, SIGKILL it after two students, resume it, and compare with a batch left alone."""
    command = [sys.executable, "-m", "autograder", "batch", str(subs), "--only", "gates", "--jobs", "1"]

    killed = tmp_path / "killed"
    process = subprocess.Popen(command + ["--out", str(killed), "--seed", "11"], cwd=str(ROOT), env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    results = killed / "results"
    deadline = time.monotonic() + 60
    while not (results.is_dir() and len(list(results.glob("*.json"))) >= 2):
        assert process.poll() is None and time.monotonic() < deadline, "the batch ended before it was killed"
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    graded_before_kill = len(list(results.glob("*.json")))
    assert 2 <= graded_before_kill < 10

    resumed = subprocess.run(command + ["--out", str(killed), "--resume"], cwd=str(ROOT), env=env,
                             capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    straight = subprocess.run(command + ["--out", str(tmp_path / "straight"), "--seed", "11"], cwd=str(ROOT),
                              env=env, capture_output=True, text=True, timeout=120)
    assert straight.returncode == 0, straight.stderr

    # The killed batch's sandbox folders were cleaned by the resumed one: nothing is left in TMPDIR.
    assert [name for name in os.listdir(env["TMPDIR"]) if name.startswith("tinybackprop")] == []
    assert not (killed / ".staging").exists() and not (killed / ".work").exists()
    killed_csv = (killed / "grades.csv").read_text(encoding="utf-8")
    assert killed_csv == (tmp_path / "straight" / "grades.csv").read_text(encoding="utf-8")
    rows = read_grades(killed)
    assert len(rows) == 10 and {r["status"] for r in rows.values()} == {"graded"}
    assert {float(r["total"]) > 0 for r in rows.values()} == {True, False}
    # The resumed run graded only the students the killed one had not finished.
    progress = [line for line in resumed.stderr.splitlines() if line.startswith("[")]
    assert len(progress) == 10 - graded_before_kill


def test_canvas_and_moodle_names_give_student_ids(tmp_path):
    canvas = tmp_path / "canvas"
    canvas.mkdir()
    (canvas / "smithjohn_12345_67890_gates.py").write_text("a = 1\n", encoding="utf-8")
    (canvas / "smithjohn_12345_67891_svm-1.py").write_text("b = 2\n", encoding="utf-8")
    (canvas / "doejane_LATE_777_555_work.zip").write_bytes(b"zip")
    entries = lms.find_submissions(canvas, tmp_path / "staged", "canvas")
    assert [(e.student, e.problem) for e in entries] == [("12345", ""), ("777", "")]
    assert sorted(p.name for p in entries[0].path.iterdir()) == ["gates.py", "svm.py"]
    assert entries[1].path.name == "doejane_LATE_777_555_work.zip"  # a lone zip is graded as it is

    moodle = tmp_path / "moodle"
    (moodle / "Jane Doe_4242_assignsubmission_file_").mkdir(parents=True)
    (moodle / "John Roe_4343_assignsubmission_file_svm.py").write_text("c = 3\n", encoding="utf-8")
    entries = lms.find_submissions(moodle, tmp_path / "staged2", "moodle")
    assert [e.student for e in entries] == ["4242", "4343"]
    assert [p.name for p in entries[1].path.iterdir()] == ["svm.py"]


def test_a_grader_failure_costs_one_row_and_is_retried(tmp_path):
    subs = tmp_path / "subs"
    reference_folder(subs / "alice")
    args = batch.parse_args([str(subs), "--out", str(tmp_path / "out"), "--only", "gates"])
    (entry, good), = batch.make_jobs(lms.find_submissions(subs, tmp_path / "staged"), 1, args)
    broken = dict(good, student="bob", config=str(tmp_path / "missing.toml"))
    done = {}
    pool.run_pool([broken, good], 2, lambda job, payload: done.setdefault(job["student"], payload),
                   args.worker_timeout)
    assert "missing.toml" in done["bob"]["error"]
    assert done["alice"]["record"]["score"] == done["alice"]["record"]["max_score"] > 0

    book = batch.Batch(tmp_path / "out", [entry, lms.Entry("bob", entry.path)], args.publishing)
    record = book.finish(broken, done["bob"])
    assert record.status == "grader error" and not record.final
    assert not book.up_to_date("bob", broken["key"])  # --resume grades bob again
    assert (tmp_path / "out" / "logs" / "bob.log").is_file()


def test_gradebook_columns_zeros_and_summary():
    good = StudentRecord("b", "k", "graded", "", 15.0, 20.0,
                         {"svm": (10.0, 12.0), "svm.naive": (10.0, 12.0), "gates": (5.0, 8.0),
                          "gates.gates": (5.0, 8.0)}, ["svm.naive.x"], ["Divide by N."],
                         {"notes": ["b_1_2_svm.py: an older upload of svm.py, replaced by b_1_3_svm.py"]})
    broken = StudentRecord("a", "k", "corrupt zip", "a.zip is not, a zip", 0.0, 0.0)
    finals = Publishing(LatePolicy(), Overrides()).finals([good, broken])
    text = grades_csv([good, broken], finals)
    lines = text.splitlines()
    assert lines[0] == ("student,total,max,days_late,penalty,adjustment,final,gates,gates.gates,svm,svm.naive,"
                        "status,message,audit")
    assert lines[1] == 'a,0,20,0,0,0,0,0,0,0,0,corrupt zip,"a.zip is not, a zip",'
    assert lines[2] == ('b,15,20,0,0,0,15,5,5,10,10,graded,"b_1_2_svm.py: an older upload of svm.py, '
                        'replaced by b_1_3_svm.py",')
    summary = summary_text([good, broken], finals)
    assert "svm (of 12 points: naive 12)" in summary and "1 of 2  svm.naive.x" in summary
    assert "mean per stage: naive 5 of 12" in summary and "1 of 2  Divide by N." in summary
    assert "a: corrupt zip" in summary
    assert "maximum" not in summary
    assert "The maximum is 20; the last run of this gradebook had 25" in summary_text([good], finals, 25.0)
    regraded = StudentRecord("c", "k2", "graded", "", 22.0, 22.0)
    mixed = summary_text([good, regraded], Publishing(LatePolicy(), Overrides()).finals([good, regraded]))
    assert "different maxima" in mixed and "20 (1 student), 22 (1 student)" in mixed


def test_the_instructors_config_sets_the_points_and_the_feedback(tmp_path):
    config = tmp_path / "config.toml"
    text = (ROOT / "autograder" / "config.toml").read_text(encoding="utf-8")
    config.write_text(text.replace('"gates.gates" = 10', '"gates.gates" = 25')
                      .replace('visibility = "after_published"', 'visibility = "hidden"'), encoding="utf-8")
    reference_folder(tmp_path / "subs" / "alice")
    mine, default = tmp_path / "mine", tmp_path / "default"
    assert run_batch(tmp_path / "subs", "--out", mine, "--only", "gates.gates", "--config", config) == 0
    assert run_batch(tmp_path / "subs", "--out", default, "--only", "gates.gates") == 0
    assert read_grades(mine)["alice"]["max"] == read_grades(mine)["alice"]["total"] == "25"
    assert read_grades(default)["alice"]["max"] == "10"
    # Hidden tests' messages reach the feedback unless the config keeps hidden tests hidden.
    hidden_line = "(hidden test: details are not shown)"
    assert hidden_line in (mine / "feedback" / "alice.md").read_text(encoding="utf-8")
    assert hidden_line not in (default / "feedback" / "alice.md").read_text(encoding="utf-8")


def test_a_stuck_grading_process_is_stopped(tmp_path):
    subs = tmp_path / "subs"
    reference_folder(subs / "alice")
    args = batch.parse_args([str(subs), "--out", str(tmp_path / "out")])
    assert args.worker_timeout > 60  # from the config's submission_seconds
    jobs = [job for _, job in batch.make_jobs(lms.find_submissions(subs, tmp_path / "staged"), 1, args)]
    done = []
    started = time.monotonic()
    # Grading every assignment takes far longer than 0.3 s: the watchdog must stop it.
    pool.run_pool(jobs, 1, lambda job, payload: done.append(payload), worker_timeout=0.3)
    assert len(done) == 1 and "longer than 0.3 s" in done[0]["error"]
    assert time.monotonic() - started < 10
