"""What grading does in each isolation mode: it says which, refuses where it must, and grades right.

batch refuses modes "uid drop" and "none" unless ``--unisolated``; Gradescope
grades in "uid drop" and refuses "none" unless the bundle says
``--unisolated``; a single run warns once and grades. The mode is forced here
by replacing the probe where a command asks for it; the children of a forced
mode run as that mode says. Root of a user namespace (``unshare -Ur``, rootless
containers) grades the references to full marks.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import batch, cli, gradescope, isolation
from autograder.config import load_config
from autograder.content import write_references
from autograder.isolation.probe import uid_drop_works

REPO = Path(__file__).resolve().parents[2]
NONE = isolation.Probe(isolation.Mode.NONE, "not root; no user namespace (forced by the test)")
UID_DROP = isolation.Probe(isolation.Mode.UID_DROP, "root without CAP_SYS_ADMIN (forced by the test)")
CAN_DROP = os.geteuid() == 0 and uid_drop_works(sys.executable)


def force(monkeypatch, probe: isolation.Probe) -> None:
    """Make every command of this process find ``probe``."""
    monkeypatch.setattr(isolation, "probe", lambda interpreter=sys.executable: probe)


def one_student(tmp_path: Path) -> Path:
    """A class folder with one student, whose svm.py is the reference's."""
    write_references(tmp_path / "class" / "alice")
    return tmp_path / "class"


def test_batch_refuses_to_grade_without_isolation_and_says_how_to_go_on(monkeypatch, tmp_path, capsys):
    force(monkeypatch, NONE)
    out = tmp_path / "out"
    assert batch.main([str(one_student(tmp_path)), "--out", str(out), "--only", "svm.naive"]) == 1
    err = capsys.readouterr().err
    assert "isolation: none: not root; no user namespace (forced by the test)" in err
    assert "cannot be isolated on this machine" in err and "--unisolated" in err
    assert not out.exists()  # nobody was graded


def test_batch_refuses_the_uid_drop_too_naming_the_file_permissions(monkeypatch, tmp_path, capsys):
    force(monkeypatch, UID_DROP)
    assert batch.main([str(one_student(tmp_path)), "--out", str(tmp_path / "out")]) == 1
    assert "make the submissions and the output folder mode 0700" in capsys.readouterr().err


@pytest.mark.parametrize("probe", [UID_DROP] if CAN_DROP else [NONE], ids=lambda probe: probe.mode.value)
def test_batch_grades_unisolated_when_asked_and_every_result_says_so(probe, monkeypatch, tmp_path, capsys):
    force(monkeypatch, probe)
    out = tmp_path / "out"
    argv = [str(one_student(tmp_path)), "--out", str(out), "--only", "svm.naive", "--unisolated"]
    assert batch.main(argv) == 0
    results = json.loads((out / "results" / "alice.json").read_text(encoding="utf-8"))
    assert results["score"] == results["max_score"] > 0
    said = f"{probe.mode.value}: {probe.reason} (graded unisolated: the instructor passed --unisolated)"
    assert results["tinybackprop"]["isolation"] == said
    assert capsys.readouterr().err.count(f"isolation: {said}") == 1  # once in the log, not per student


def test_batch_stops_before_grading_anyone_when_the_sandbox_cannot_start(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr("autograder.sandbox.CHILD", tmp_path / "missing_child.py")
    out = tmp_path / "out"
    # --unisolated: on a machine without isolation the batch would refuse before its self-test.
    assert batch.main([str(one_student(tmp_path)), "--out", str(out), "--unisolated"]) == 1
    err = capsys.readouterr().err
    assert "grader error: the grader's sandbox" in err and "missing_child.py" in err and "nobody was graded" in err
    assert not out.exists()


def gradescope_root(tmp_path: Path, unisolated: bool) -> Path:
    """Gradescope's /autograder: the bundle's settings in source/, the references as the submission."""
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    (root / "source" / gradescope.SETTINGS).write_text(json.dumps({"unisolated": unisolated}), encoding="utf-8")
    write_references(root / "submission")
    return root


def test_gradescope_refuses_without_any_isolation_and_says_it_is_not_a_grade(monkeypatch, tmp_path, capsys):
    force(monkeypatch, NONE)
    results = gradescope.run(gradescope_root(tmp_path, unisolated=False))
    assert results["score"] == 0.0 and results["tests"] == []
    assert "did not grade" in results["output"] and "not a grade" in results["output"]
    assert results["tinybackprop"] == {"status": "grader error", "isolation": NONE.label()}
    log = capsys.readouterr().out
    assert f"{NONE.describe()}\n" in log and "--unisolated" in log


@pytest.mark.parametrize("probe, unisolated", [(NONE, True)] + ([(UID_DROP, False)] if CAN_DROP else []),
                         ids=lambda value: getattr(getattr(value, "mode", None), "value", str(value)))
def test_gradescope_grades_in_uid_drop_mode_or_when_the_bundle_accepts_none(probe, unisolated, monkeypatch,
                                                                           tmp_path, capsys):
    force(monkeypatch, probe)
    results = gradescope.run(gradescope_root(tmp_path, unisolated))
    assert results["score"] == results["max_score"] == pytest.approx(sum(load_config().points.values()))
    said = probe.label() + (" (graded unisolated: the instructor passed --unisolated)" if unisolated else "")
    assert results["tinybackprop"]["isolation"] == said
    assert capsys.readouterr().out.count("isolation: ") == 1


def test_a_single_run_without_isolation_warns_once_and_grades(monkeypatch, tmp_path, capsys):
    force(monkeypatch, NONE)
    write_references(tmp_path / "mine")
    assert cli.main(["svm.naive", "--submission", str(tmp_path / "mine")]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("warning: isolation: none") == 1
    assert f"Isolation: {NONE.label()}" in captured.out and "Total: 4 / 4" in captured.out


def test_root_of_a_user_namespace_grades_the_references_to_full_marks(tmp_path):
    if not shutil.which("unshare") or subprocess.run(["unshare", "-Ur", "true"], capture_output=True).returncode:
        # No user namespace can be made here (unshare -Ur makes one): the grader's probe knows it too.
        assert isolation.probe().mode is not isolation.Mode.USER_NAMESPACE
        return
    write_references(tmp_path / "solved")
    out = tmp_path / "results.json"
    done = subprocess.run(["unshare", "-Ur", sys.executable, "-m", "autograder", "--submission",
                           str(tmp_path / "solved"), "--json", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["score"] == results["max_score"] == pytest.approx(sum(load_config().points.values()))
    assert results["tinybackprop"]["status"] == "graded"
    # The mode there: a nested user namespace where the kernel allows one, else none (said, not hidden).
    assert results["tinybackprop"]["isolation"].startswith(("user namespace (root of a user namespace", "none: "))
