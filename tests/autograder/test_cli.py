"""The command line end to end: the references score 100, the stubs 0, options and exit codes."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import cli
from autograder.config import load_config
from autograder.content import write_references
from autograder.grade import grade_submission
from autograder.suite import ASSIGNMENTS

REPO = Path(__file__).resolve().parents[2]
POINTS = load_config().points
TOTAL = f"{sum(POINTS.values()):.4g}"  # the points of every stage, as the report writes them


@pytest.fixture(scope="module")
def reference_submission(tmp_path_factory) -> Path:
    """The reference solutions copied into a folder, as a student would submit them."""
    return write_references(tmp_path_factory.mktemp("reference") / "reference")


def run(*args: str, env: dict = None) -> subprocess.CompletedProcess:
    """``python -m autograder ARGS`` from the repository, off a terminal."""
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=120, env=env)


def test_the_references_score_every_point_with_public_and_hidden_tests(reference_submission, tmp_path):
    out = tmp_path / "results.json"
    done = run("--submission", str(reference_submission), "--seed", "5", "--json", str(out))
    assert done.returncode == 0, done.stderr
    assert f"Total: {TOTAL} / {TOTAL}" in done.stdout
    data = json.loads(out.read_text())
    assert data["score"] == data["max_score"] == pytest.approx(sum(POINTS.values()))
    assert any(test["hidden"] for test in data["tests"])
    assert all(test["status"] == "passed" for test in data["tests"])
    assert "\x1b[" not in done.stdout  # plain text off a terminal


def test_the_stubs_as_shipped_score_0_in_a_line_per_stage_without_any_traceback():
    done = run("--seed", "5")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "tinybackprop autograder: grading ./assignments (seed 5)"
    assert f"Total: 0 / {TOTAL}" in lines
    assert "Traceback" not in done.stdout + done.stderr
    assert "  forward      0 / 8  not implemented yet: svm_forward: scores" in lines
    assert "  naive        0 / 4  not implemented yet: svm_loss_naive: loops" in lines
    assert "[" not in done.stdout  # no test is listed: every stage is one line
    assert len(lines) <= 8 + len(POINTS) + 2 * len(ASSIGNMENTS)  # a line per stage, two per assignment


def test_one_stage_of_one_assignment(reference_submission, capsys):
    assert cli.main(["svm.backward", "--submission", str(reference_submission), "--seed", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "svm  10 / 10" in lines and "  backward  10 / 10  passed" in lines
    assert not any(line.startswith(("  forward", "softmax")) for line in lines)


def test_one_file_is_graded_and_the_others_are_listed_as_not_submitted(reference_submission, tmp_path,
                                                                        monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    path = reference_submission / "svm.py"
    assert cli.main(["--submission", str(path), "--seed", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"tinybackprop autograder: grading {path}, not ./assignments, which does not exist (seed 1)"
    def total(name: str) -> str:
        return f"{sum(v for k, v in POINTS.items() if k.startswith(name + '.')):.4g}"

    assert f"svm  {total('svm')} / {total('svm')}" in lines and f"Total: {total('svm')} / {TOTAL}" in lines
    for name in (a for a in ASSIGNMENTS if a != "svm"):
        assert f"{name}  0 / {total(name)}  not submitted (the submission is svm.py alone)" in lines
    assert len(lines) < 10 + 2 * len(ASSIGNMENTS)  # a line and a blank line for each assignment


def test_a_file_that_does_not_parse_is_reported_once_with_its_line(reference_submission, tmp_path, capsys):
    folder = write_references(tmp_path / "broken")
    source = (folder / "svm.py").read_text(encoding="utf-8")
    (folder / "svm.py").write_text(source.replace("    scores = X @ W\n", "    scores = X @@ W\n"), encoding="utf-8")
    line = source.splitlines().index("    scores = X @ W") + 1
    assert cli.main(["svm", "linear_classifier", "--submission", str(folder), "--seed", "1"]) == 0
    text = capsys.readouterr().out
    assert f"svm  0 / 25  svm.py does not parse: invalid syntax (line {line}):\n        scores = X @@ W\n" in text
    assert text.count("does not parse") == 1
    # linear_classifier imports svm: graded on its own, with the grader's stand-in for svm.py (issue 11).
    total = sum(points for stage, points in load_config().points.items() if stage.startswith("linear_classifier."))
    assert f"linear_classifier  {total:g} / {total:g}" in text
    assert "SyntaxError" not in text


def test_a_failing_stage_offers_a_hint_unless_the_ladder_is_off(reference_submission, tmp_path, capsys):
    folder = write_references(tmp_path / "buggy")
    source = (folder / "svm.py").read_text(encoding="utf-8")
    (folder / "svm.py").write_text(source.replace("    margins.add_at(y, -1.0)\n", ""), encoding="utf-8")
    assert cli.main(["svm.forward", "--submission", str(folder), "--seed", "1"]) == 0
    text = capsys.readouterr().out
    assert "\n    a hint is available: python -m autograder hint svm.forward\n" in text
    assert "[failed]" in text and "cache['margins']" in text
    config = tmp_path / "off.toml"
    config.write_text((REPO / "autograder" / "config.toml").read_text(encoding="utf-8")
                      .replace("ladder = true", "ladder = false"), encoding="utf-8")
    assert cli.main(["svm.forward", "--submission", str(folder), "--seed", "1", "--config", str(config)]) == 0
    assert "a hint is available" not in capsys.readouterr().out


def svm_points() -> float:
    """The points of the SVM assignment in the shipped config."""
    return sum(points for stage, points in load_config().points.items() if stage.startswith("svm."))


def test_public_only_counts_the_hidden_tests_as_pending(reference_submission):
    result = grade_submission(str(reference_submission), only=["svm"], public_only=True, seed=2)
    assert result.tests and not any(t.hidden for t in result.tests)
    count, points = result.hidden_pending
    assert count > 0 and points > 0
    assert result.score == result.max_score == pytest.approx(svm_points() - points)


def test_a_notebook_submission(reference_submission, tmp_path):
    source = (reference_submission / "svm.py").read_text()
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": "%%writefile svm.py\n" + source}
    path = tmp_path / "work.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [cell]}))
    result = grade_submission(str(path), only=["svm"], seed=4)
    assert result.score == result.max_score == svm_points()


def test_the_same_seed_gives_the_same_inputs(reference_submission):
    first = grade_submission(str(reference_submission), only=["svm.forward"], seed=9)
    second = grade_submission(str(reference_submission), only=["svm.forward"], seed=9)
    assert [t.output for t in first.tests] == [t.output for t in second.tests]


def test_usage_errors_exit_2_with_a_message(capsys):
    assert cli.main(["svn"]) == 2
    assert "unknown assignment or stage svn" in capsys.readouterr().err


def test_a_bad_submission_exits_1_and_says_why(tmp_path, capsys):
    path = tmp_path / "broken.zip"
    path.write_bytes(b"not a zip")
    assert cli.main(["--submission", str(path)]) == 1
    assert "corrupt zip" in capsys.readouterr().out


def test_a_missing_subcommand_module_gives_a_clear_message(monkeypatch, capsys):
    monkeypatch.setitem(cli.SUBCOMMANDS, "stubs", "autograder.no_such_module")
    assert cli.main(["stubs"]) == 2
    assert "the 'stubs' command is not available" in capsys.readouterr().err


def test_subcommands_reach_their_modules(monkeypatch):
    seen = []
    fake = type(sys)("autograder.fake_tool")
    fake.main = lambda argv: seen.append(argv) or 0
    monkeypatch.setitem(sys.modules, "autograder.fake_tool", fake)
    monkeypatch.setitem(cli.SUBCOMMANDS, "batch", "autograder.fake_tool")
    assert cli.main(["batch", "in", "--out", "x"]) == 0
    assert seen == [["in", "--out", "x"]]


def test_a_grader_bug_is_reported_without_a_traceback(monkeypatch, capsys):
    import autograder.grade

    def broken(*args, **kwargs):
        raise KeyError("oops")

    monkeypatch.setattr(autograder.grade, "grade_submission", broken)
    assert cli.main(["--seed", "1"]) == 1
    err = capsys.readouterr().err
    assert "the grader itself failed (KeyError" in err and "Traceback" not in err


def test_every_test_name_in_a_result_is_unique(reference_submission):
    result = grade_submission(str(reference_submission), only=["svm.forward", "softmax.forward"], seed=3)
    names = [t.name for t in result.tests]
    assert len(names) == len(set(names))


def test_a_python_file_that_is_no_assignment_is_refused(tmp_path, capsys):
    path = tmp_path / "notes.py"
    path.write_text("x = 1\n", encoding="utf-8")
    assert cli.main(["--submission", str(path)]) == 1
    out = capsys.readouterr().out
    expected = ", ".join(f"{name}.py" for name in ASSIGNMENTS)
    assert out.count(f"notes.py is not an assignment's file: expected {expected}") == 1
    assert "Submission status: unsupported submission." in out
