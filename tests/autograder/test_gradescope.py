"""The Gradescope bundle: its layout, and run_autograder against a fake /autograder tree."""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib", reason="tomllib reads pyproject.toml (Python 3.11+)")

from autograder import gradescope
from autograder.content import REFERENCE, part, write_references

ROOT = Path(__file__).resolve().parents[2]

# Gradescope's documented results.json (gradescope-autograders.readthedocs.io, "Autograder Specifications").
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
OUTPUT_FORMATS = {"text", "html", "simple_format", "md", "ansi"}
STATUSES = {"passed", "failed"}


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def schema_errors(results) -> list:
    """What in a results.json breaks Gradescope's documented schema (extra keys are allowed)."""
    errors = []
    if not isinstance(results, dict):
        return ["results.json is not an object"]
    tests = results.get("tests", [])
    if not isinstance(tests, list):
        errors.append("tests is not a list")
        tests = []
    if "score" not in results and not all(isinstance(t, dict) and "score" in t for t in tests):
        errors.append("no score: neither at the top nor on every test")
    for key in ("score", "max_score", "execution_time"):
        if key in results and not is_number(results[key]):
            errors.append("%s is not a number" % key)
    for key in ("output", "stdout_visibility"):
        if key in results and not isinstance(results[key], str):
            errors.append("%s is not a string" % key)
    for key in ("output_format", "test_output_format"):
        if key in results and results[key] not in OUTPUT_FORMATS:
            errors.append("%s %r is not a Gradescope format" % (key, results[key]))
    if "visibility" in results and results["visibility"] not in VISIBILITIES:
        errors.append("visibility %r" % results["visibility"])
    if "extra_data" in results and not isinstance(results["extra_data"], dict):
        errors.append("extra_data is not an object")
    for i, test in enumerate(tests):
        if not isinstance(test, dict):
            errors.append("tests[%d] is not an object" % i)
            continue
        for key in ("score", "max_score"):
            if key in test and not is_number(test[key]):
                errors.append("tests[%d].%s is not a number" % (i, key))
        for key in ("name", "output", "number"):
            if key in test and not isinstance(test[key], str):
                errors.append("tests[%d].%s is not a string" % (i, key))
        if "status" in test and test["status"] not in STATUSES:
            errors.append("tests[%d].status %r is not passed/failed" % (i, test["status"]))
        if "visibility" in test and test["visibility"] not in VISIBILITIES:
            errors.append("tests[%d].visibility %r" % (i, test["visibility"]))
        if "output_format" in test and test["output_format"] not in OUTPUT_FORMATS:
            errors.append("tests[%d].output_format %r" % (i, test["output_format"]))
        tags = test.get("tags", [])
        if not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
            errors.append("tests[%d].tags is not a list of strings" % i)
    return errors


def test_the_schema_check_catches_what_gradescope_refuses():
    assert schema_errors({"score": 1.0, "tests": []}) == []
    assert schema_errors({"tests": [{"name": "a"}]})
    assert schema_errors({"score": "10", "tests": []})
    assert schema_errors({"score": 1, "tests": [{"score": 1, "status": "error"}]})
    assert schema_errors({"score": 1, "tests": [{"score": 1, "visibility": "later"}]})
    assert schema_errors({"score": 1, "output_format": "rtf"})


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    assert gradescope.main([str(out)]) == 0
    return out


def fake_autograder(tmp_path: Path, bundle: Path) -> Path:
    """Gradescope's /autograder tree in a temporary folder: source unpacked, empty submission and results."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(root / "source")
        for info in zf.infolist():  # extractall drops the permission bits
            os.chmod(root / "source" / info.filename, (info.external_attr >> 16) & 0o777)
    (root / "submission").mkdir()
    (root / "results").mkdir()
    return root


def run_autograder(root: Path, python: str = sys.executable) -> subprocess.CompletedProcess:
    """Run the bundle's run_autograder as Gradescope would, with the root moved to root."""
    env = dict(os.environ, TINYBACKPROP_GRADESCOPE_ROOT=str(root), TINYBACKPROP_PYTHON=python,
               PYTHONPATH=str(root / "source"))
    return subprocess.run([str(root / "source" / "run_autograder")], cwd=str(root), env=env,
                          capture_output=True, text=True, timeout=120)


def read_results(root: Path) -> dict:
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert schema_errors(results) == []
    return results


def test_the_bundle_has_gradescope_layout_and_the_hidden_tests(bundle):
    with zipfile.ZipFile(bundle) as zf:
        infos = {info.filename: info for info in zf.infolist()}
    for name in ("setup.sh", "run_autograder"):
        assert name in infos
        assert stat.S_IMODE(infos[name].external_attr >> 16) == 0o755
    names = set(infos)
    assert {"pyproject.toml", "README.md", "gradescope.json", "autograder/config.toml", "autograder/grade.py",
            "tinybackprop/matrix.py"} <= names
    assert "course/svm/hidden.py" in names and "course/recorded.json" in names
    assert "course/svm/reference.py" in names and "course/svm/hints.json" in names
    assert not any(n.startswith(("tests/", "assignments/", "bench/")) or "__pycache__" in n for n in names)


def test_the_bundle_is_the_same_bytes_each_time(bundle, tmp_path):
    again = tmp_path / "again.zip"
    gradescope.build(again)
    assert again.read_bytes() == bundle.read_bytes()


def test_run_autograder_grades_the_reference_to_full_marks(bundle, tmp_path):
    root = fake_autograder(tmp_path, bundle)
    write_references(root / "submission")

    done = run_autograder(root)

    assert done.returncode == 0, done.stderr
    results = read_results(root)
    assert results["score"] == results["max_score"] > 0
    assert abs(sum(t["max_score"] for t in results["tests"]) - results["max_score"]) < 1e-6
    assert {t["status"] for t in results["tests"]} == {"passed"}
    hidden = [t for t in results["tests"] if t.get("hidden")]
    assert hidden and {t["visibility"] for t in hidden} == {"after_published"}
    assert {t["visibility"] for t in results["tests"] if not t.get("hidden")} == {"visible"}
    assert results["output_format"] == "md" and isinstance(results["extra_data"]["seed"], int)
    # The overall output is visible at once: it names no hidden test, and its total is the public
    # tests' (Gradescope keeps the score back while tests are hidden; the output must not give it).
    assert not any(t["name"] in results["output"] for t in hidden)
    public = [t for t in results["tests"] if not t.get("hidden")]
    public_total = "Total: %.4g / %.4g" % (sum(t["score"] for t in public), sum(t["max_score"] for t in public))
    assert public_total in results["output"]
    assert re.search(r"Hidden tests: \d+ tests worth [\d.]+ points, pending", results["output"])
    assert "Total: %.4g / %.4g" % (results["score"], results["max_score"]) not in results["output"]
    # Student code ran while the references and hidden tests were root's alone.
    assert stat.S_IMODE((root / "source").stat().st_mode) == 0o700


def test_a_zipped_stub_submission_scores_zero(bundle, tmp_path):
    root = fake_autograder(tmp_path, bundle)
    metadata = {"id": 1, "users": [{"email": "ada@example.com", "id": 7, "name": "Ada Lovelace"}]}
    (root / "submission_metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    with zipfile.ZipFile(root / "submission" / "mine.zip", "w") as zf:
        for stub in (ROOT / "assignments").glob("*.py"):
            zf.write(stub, "assignments/" + stub.name)
    done = run_autograder(root)
    assert done.returncode == 0, done.stderr
    results = read_results(root)
    assert results["score"] == 0 and results["max_score"] > 0 and results["tests"]
    assert "Traceback" not in results["output"] and "Ada Lovelace" in results["output"]


def test_results_json_is_written_when_grading_fails(bundle, tmp_path):
    root = fake_autograder(tmp_path, bundle)
    (root / "source" / "gradescope.json").write_text("{broken", encoding="utf-8")
    (root / "results" / "results.json").write_text('{"score": 100, "tests": []}', encoding="utf-8")
    done = run_autograder(root)
    assert done.returncode == 0
    results = read_results(root)
    assert results["score"] == 0 and "course staff" in results["output"]
    assert "Traceback" not in results["output"] and "JSONDecodeError" in done.stderr


def test_results_json_is_written_when_python_cannot_start(bundle, tmp_path):
    root = fake_autograder(tmp_path, bundle)
    (root / "results" / "results.json").write_text('{"score": 100, "tests": []}', encoding="utf-8")
    assert run_autograder(root, python=shutil.which("false")).returncode == 0
    results = read_results(root)
    assert results["score"] == 0 and "could not start" in results["output"]


def test_ansi_format_keeps_the_colours(tmp_path):
    out = tmp_path / "ansi.zip"
    assert gradescope.main([str(out), "--format", "ansi"]) == 0
    root = fake_autograder(tmp_path, out)
    shutil.copyfile(part("gates", REFERENCE), root / "submission" / "gates.py")
    assert run_autograder(root).returncode == 0
    results = read_results(root)
    assert results["output_format"] == "ansi" and "\x1b[" in results["output"]
    assert 0 < results["score"] < results["max_score"]


def test_the_instructors_config_travels_in_the_bundle(tmp_path):
    config = tmp_path / "mine.toml"
    text = (ROOT / "autograder" / "config.toml").read_text(encoding="utf-8")
    config.write_text(text.replace('visibility = "after_published"', 'visibility = "after_due_date"'),
                      encoding="utf-8")
    out = tmp_path / "bundle.zip"
    assert gradescope.main([str(out), "--config", str(config)]) == 0
    with zipfile.ZipFile(out) as zf:
        assert zf.read("autograder/config.toml") == config.read_bytes()


def test_a_config_without_the_hint_ladder_leaves_the_ladders_out(tmp_path):
    config = tmp_path / "off.toml"
    config.write_text((ROOT / "autograder" / "config.toml").read_text(encoding="utf-8")
                      .replace("ladder = true", "ladder = false"), encoding="utf-8")
    out = tmp_path / "bundle.zip"
    assert gradescope.main([str(out), "--config", str(config)]) == 0
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
    assert "course/svm/reference.py" in names and not any(n.endswith("hints.json") for n in names)


def test_setup_installs_only_what_the_report_format_needs_the_grader_extra_says_so():
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"]["grader"]
    assert sorted(gradescope.GRADER_REQUIREMENTS.values()) == sorted(extra)
    assert gradescope.requirements("md") == ["nbformat>=5.7"]
    assert sorted(gradescope.requirements("ansi")) == sorted(extra)


def fake_image(bin_dir: Path, image: str) -> Path:
    """Commands of an Ubuntu image: its python3, and apt that records what it is asked to install.

    "22.04": python3 is new enough, with venv; "20.04": python3 is 3.8, apt has python3.9;
    "18.04": python3 is 3.6, apt has no 3.9 and deadsnakes' archive has 3.11. An installed
    Python is this machine's own.
    """
    real = Path(sys.base_prefix) / "bin" / "python3"
    log = bin_dir / "apt.log"
    bin_dir.mkdir()
    if image == "22.04":
        (bin_dir / "python3").symlink_to(real)
    else:
        (bin_dir / "python3").write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")  # too old for the check
    has = "python3.9-venv" if image == "20.04" else "none"
    scripts = {
        "apt-cache": '[ "$2" = "%s" ]\n' % has,
        "apt-get": 'echo "apt-get $*" >> %s\nfor p in "$@"; do case "$p" in python3.9|python3.11) '
                   '/bin/ln -sf %s "%s/$p";; esac; done\n' % (log, real, bin_dir),
        "add-apt-repository": 'echo "add-apt-repository $*" >> %s\n' % log,
    }
    for name, body in scripts.items():
        (bin_dir / name).write_text("#!/bin/sh\n" + body, encoding="utf-8")
    for path in bin_dir.iterdir():
        if not path.is_symlink():
            path.chmod(0o755)
    return log


@pytest.mark.parametrize("image", ["22.04", "20.04", "18.04"])
def test_setup_sh_finds_or_installs_a_python_and_the_bundle_grades_in_a_clean_tree(bundle, tmp_path, image):
    root = fake_autograder(tmp_path, bundle)
    log = fake_image(tmp_path / "bin", image)
    # Only the image's commands: no Python of this machine is found unless setup.sh installs it.
    env = {"PATH": str(tmp_path / "bin"), "HOME": str(tmp_path), "TINYBACKPROP_GRADESCOPE_ROOT": str(root)}
    done = subprocess.run(["/bin/bash", str(root / "source" / "setup.sh")], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    asked = log.read_text(encoding="utf-8") if log.exists() else ""
    expected = {"22.04": "", "20.04": "apt-get install -y -qq python3.9 python3.9-venv\n",
                "18.04": "apt-get install -y -qq software-properties-common\n"
                         "add-apt-repository -y ppa:deadsnakes/ppa\napt-get update -qq\n"
                         "apt-get install -y -qq python3.11 python3.11-venv\n"}[image]
    assert asked.replace("apt-get update -qq\n", "", 1 if image != "22.04" else 0) == expected
    installed = subprocess.run([str(root / "venv" / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
                               capture_output=True, text=True, check=True).stdout.lower()
    assert "nbformat==" in installed and "rich==" not in installed and "tinybackprop" not in installed
    if image != "20.04":
        return
    # The bundle grades with nothing but what setup.sh installed: no PYTHONPATH, no project install.
    write_references(root / "submission")
    env = dict(env, PATH=str(tmp_path / "bin") + os.pathsep + "/usr/bin:/bin")
    assert subprocess.run([str(root / "source" / "run_autograder")], cwd=str(root), env=env,
                          capture_output=True, text=True, timeout=300).returncode == 0
    results = read_results(root)
    assert results["score"] == results["max_score"] > 0 and "could not start" not in results["output"]
