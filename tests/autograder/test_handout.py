"""The student kit: everything a student needs, no reference solution, no hidden test, grading works."""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import handout
from autograder.content import COURSE, REFERENCE, part, reference_files
from autograder.grade import discover_checks
from autograder.stubgen import find_regions

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("handout") / "kit"
    assert handout.main([str(out)]) == 0
    return out


def region_blocks() -> list:
    """The body of every solution region with two or more code lines, whitespace collapsed."""
    blocks = []
    for path in reference_files().values():
        lines = path.read_text(encoding="utf-8").splitlines()
        for region in find_regions("\n".join(lines), str(path)):
            body = [" ".join(line.split()) for line in lines[region.begin:region.end - 1]]
            body = [line for line in body if line and not line.startswith("#")]
            if len(body) >= 2:
                blocks.append("\n".join(body))
    return blocks


def kit_texts(kit: Path) -> dict:
    """Every file of the kit as text with whitespace collapsed per line (blank lines dropped)."""
    texts = {}
    for path in kit.rglob("*"):
        if path.is_file():
            lines = path.read_bytes().decode("utf-8", "replace").splitlines()
            texts[path] = "\n".join(" ".join(line.split()) for line in lines if line.strip())
    return texts


def test_the_kit_has_what_a_student_needs(kit):
    for needed in ("tinybackprop/matrix.py", "assignments/svm.py", "assignments/svm.ipynb",
                   "autograder/__main__.py", "autograder/grade.py", "course/svm/checks.py",
                   "course/recorded.json", "autograder/config.toml", "pyproject.toml", "README.md"):
        assert (kit / needed).is_file(), needed
    secrets = [f"course/{name}/{secret}.py" for name in ("gates", "svm", "softmax", "linear_classifier",
                                                           "two_layer_net") for secret in ("reference", "hidden")]
    for secret in secrets + ["autograder/batch.py", "autograder/handout.py", "autograder/gradescope.py",
                             "autograder/stubgen.py"]:
        assert not (kit / secret).exists(), secret
    # Nor their bytecode (reference.cpython-311.pyc) anywhere.
    assert not [path for path in kit.rglob("*") if path.name.split(".")[0] in ("reference", "hidden")]


def test_the_kits_course_is_as_readable_as_the_rest_of_the_kit(tmp_path):
    os.chmod(COURSE, 0o700)  # as the grader leaves it after grading as root
    out = tmp_path / "kit"
    assert handout.main([str(out)]) == 0
    assert stat.S_IMODE((out / "course").stat().st_mode) == stat.S_IMODE((out / "autograder").stat().st_mode)


def test_the_manifest_counts_the_hidden_tests_without_naming_them(kit):
    hidden = [c for c in discover_checks() if c.hidden]
    manifest = json.loads((kit / "autograder" / handout.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["count"] == len(hidden) == len(manifest["tests"]) > 0
    assert sorted((e["assignment"], e["stage"], e["points"]) for e in manifest["tests"]) == \
        sorted((c.assignment, c.stage, c.points) for c in hidden)
    assert not any("name" in entry for entry in manifest["tests"])
    readme = " ".join((kit / "README.md").read_text(encoding="utf-8").split())
    assert "%d hidden tests worth %g points" % (len(hidden), manifest["points"]) in readme


def test_the_kit_holds_no_reference_code_and_no_hidden_test_name(kit):
    texts = kit_texts(kit)
    blocks = region_blocks()
    assert len(blocks) > 10
    for path, text in texts.items():
        for block in blocks:
            assert block not in text, "%s holds a solution region:\n%s" % (path, block)
    public = {c.name for c in discover_checks() if not c.hidden}
    hidden_only = [c.name for c in discover_checks() if c.hidden and c.name not in public]
    assert hidden_only
    for path, text in texts.items():
        for name in hidden_only:
            assert name not in text, "%s names the hidden test %s" % (path, name)
    assert handout.find_leaks(kit, handout.solution_snippets(), hidden_only) == []


def test_the_leak_search_finds_a_planted_solution_and_a_hidden_name(kit, tmp_path):
    copy = tmp_path / "kit"
    shutil.copytree(kit, copy)
    planted = part("two_layer_net", REFERENCE)
    # Re-indented and re-spaced, as a careless copy would be.
    text = re.sub(r"[ ]{4}", "\t", planted.read_text(encoding="utf-8")).replace(" = ", "=")
    (copy / "assignments" / "notes.py").write_text(text, encoding="utf-8")
    name = next(c.name for c in discover_checks() if c.hidden)
    (copy / "README.md").write_text("see %s\n" % name, encoding="utf-8")
    leaks = handout.find_leaks(copy, handout.solution_snippets(), [name])
    assert any("assignments/notes.py" in leak and "two_layer_backward" in leak for leak in leaks)
    assert any("README.md names the hidden test" in leak for leak in leaks)


def test_an_existing_folder_is_not_overwritten_without_force(kit, capsys):
    assert handout.main([str(kit)]) == 2
    assert "--force" in capsys.readouterr().err


def test_grading_the_kit_stubs_works_out_of_the_box(kit, tmp_path):
    copy = tmp_path / "kit"
    shutil.copytree(kit, copy)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NO_COLOR")}
    done = subprocess.run([sys.executable, "-m", "autograder"], cwd=str(copy), env=env,
                          capture_output=True, text=True, timeout=120)
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    assert "Traceback" not in report
    total = re.search(r"Total: ([\d.]+) / ([\d.]+)", report)
    assert total and float(total.group(1)) == 0 and float(total.group(2)) > 0, report
    assert "not implemented" in report
    assert "Hidden tests: %d tests" % len([c for c in discover_checks() if c.hidden]) in report


def test_the_instructors_config_goes_into_the_kit(kit, tmp_path):
    config = tmp_path / "mine.toml"
    config.write_text((ROOT / "autograder" / "config.toml").read_text(encoding="utf-8")
                      .replace('"svm.forward" = 8', '"svm.forward" = 16'), encoding="utf-8")
    out = tmp_path / "kit"
    assert handout.main([str(out), "--config", str(config)]) == 0
    assert (out / "autograder" / "config.toml").read_bytes() == config.read_bytes()
    default = json.loads((kit / "autograder" / handout.MANIFEST).read_text(encoding="utf-8"))
    mine = json.loads((out / "autograder" / handout.MANIFEST).read_text(encoding="utf-8"))
    hidden_forward = [c for c in discover_checks() if c.hidden and c.assignment == "svm" and c.stage == "forward"]
    assert hidden_forward and mine["points"] > default["points"]


def test_code_lines_drop_strings_and_comments_but_keep_code() -> None:
    source = ('hint = f"compute {name}: shifted = scores - scores.max(axis=1)"  # shifted = ...\n'
              'nested = f"{f\'{x}\'} {y!r:>{width}}"\n'
              'shifted = scores - scores.max(axis=1)\n')
    lines = handout.code_lines(source)
    assert lines[0] == "hint="  # an f-string's text and expressions are a string (tokens of their own on 3.12+)
    assert lines[1] == "nested="
    assert lines[2] == "shifted=scores-scores.max(axis=1)"


def config_file(tmp_path: Path, **settings: str) -> Path:
    """The shipped config.toml with some [hints] settings changed."""
    text = (ROOT / "autograder" / "config.toml").read_text(encoding="utf-8")
    for key, value in settings.items():
        text = re.sub(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_default_kit_has_the_ladders_and_says_how_to_ask_for_a_hint(kit, tmp_path):
    for name in ("gates", "svm", "softmax", "linear_classifier", "two_layer_net"):
        assert (kit / "course" / name / "hints.json").is_file()
    assert "python3 -m autograder hint svm.backward" in (kit / "README.md").read_text(encoding="utf-8")
    stub = (kit / "assignments" / "svm.py").read_text(encoding="utf-8")
    assert stub == (ROOT / "assignments" / "svm.py").read_text(encoding="utf-8")
    copy = tmp_path / "kit"
    shutil.copytree(kit, copy)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NO_COLOR")}
    done = subprocess.run([sys.executable, "-m", "autograder", "hint", "svm.backward"], cwd=str(copy), env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("svm.backward: the first stage that fails is svm_backward: dscores\n")
    assert "Hint 1 of 3, the idea" in done.stdout and (copy / ".tinybackprop-hints.json").is_file()


def test_a_kit_without_the_ladder_carries_no_hints_and_its_stubs_follow_the_level(tmp_path):
    out = tmp_path / "kit"
    assert handout.main([str(out), "--config", str(config_file(tmp_path, ladder="false", stubs='"formula"'))]) == 0
    assert not list(out.rglob("hints.json"))
    assert "autograder hint" not in (out / "README.md").read_text(encoding="utf-8")
    stub = (out / "assignments" / "svm.py").read_text(encoding="utf-8")
    assert "# Idea: " in stub and "# Formula: " in stub and "# Code: " not in stub and "autograder hint" not in stub
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NO_COLOR")}
    done = subprocess.run([sys.executable, "-m", "autograder", "hint"], cwd=str(out), env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "the instructor has switched hints off" in done.stdout
    report = subprocess.run([sys.executable, "-m", "autograder", "svm"], cwd=str(out), env=env,
                            capture_output=True, text=True, timeout=120)
    assert report.returncode == 0 and "a hint is available" not in report.stdout


def test_a_kit_at_the_code_level_still_holds_no_solution_line(tmp_path):
    out = tmp_path / "kit"
    assert handout.main([str(out), "--config", str(config_file(tmp_path, stubs='"code"'))]) == 0
    stub = (out / "assignments" / "two_layer_net.py").read_text(encoding="utf-8")
    assert "# Code: " in stub
    assert handout.text_leaks("two_layer_net.py", stub, handout.solution_lines(parts=False)) == []
