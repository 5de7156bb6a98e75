"""A class sharded over machines and merged: byte for byte a single run, and the guide's recipes as they run."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from autograder import batch, merge
from autograder.content import REFERENCE, part

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "instructors.md").read_text(encoding="utf-8")
GATES = part("gates", REFERENCE).read_text(encoding="utf-8")
STUB = (ROOT / "assignments" / "gates.py").read_text(encoding="utf-8")
CHEAP = "--seed 2025 --only gates"  # the recipes' seed, and a cheap assignment for a quick test


def canvas_class(path: Path, students: int = 7) -> Path:
    """A Canvas download as one zip: every other student still has the stub, one is late."""
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(students):
            late = "_LATE" if i == 3 else ""
            zf.writestr("student%d%s_%d_%d_gates.py" % (i, late, 1000 + i, 50 + i), GATES if i % 2 else STUB)
    return path


def outputs(out: Path) -> dict:
    """The files a batch derives from its records."""
    return {name: (out / name).read_bytes() for name in ("grades.csv", "canvas.csv", "summary.txt")}


def test_a_class_sharded_three_ways_merges_byte_for_byte(tmp_path):
    subs = canvas_class(tmp_path / "class.zip")
    common = [str(subs), "--lms", "canvas", "--only", "gates", "--seed", "5", "--jobs", "2"]
    assert batch.main(common + ["--out", str(tmp_path / "single")]) == 0
    shards = [tmp_path / ("shard%d" % k) for k in (1, 2, 3)]
    for k, out in enumerate(shards, start=1):
        assert batch.main(common + ["--out", str(out), "--shard", "%d/3" % k]) == 0
    sizes = [len(list((out / "results").glob("*.json"))) for out in shards]
    assert sum(sizes) == 7 and sorted(sizes)[-1] < 7  # the class really was spread

    assert merge.main([str(out) for out in shards] + ["--out", str(tmp_path / "merged")]) == 0

    single, merged = outputs(tmp_path / "single"), outputs(tmp_path / "merged")
    assert merged == single
    assert b"1003,,,,," not in merged["canvas.csv"] and single["grades.csv"].count(b"\n") == 8


def test_merge_refuses_shards_of_different_seeds(tmp_path, capsys):
    subs = canvas_class(tmp_path / "class.zip", students=2)
    for seed in ("1", "2"):
        assert batch.main([str(subs), "--lms", "canvas", "--only", "gates.gates", "--seed", seed,
                           "--out", str(tmp_path / seed)]) == 0
    assert merge.main([str(tmp_path / "1"), str(tmp_path / "2"), "--out", str(tmp_path / "m")]) == 2
    assert "different batch seeds" in capsys.readouterr().err


def test_a_shard_needs_a_seed(tmp_path, capsys):
    try:
        batch.main([str(tmp_path), "--out", str(tmp_path / "out"), "--shard", "1/2"])
    except SystemExit as exc:
        assert exc.code == 2
    assert "--shard needs --seed" in capsys.readouterr().err


def code_blocks(language: str) -> list:
    """The guide's fenced code blocks in one language."""
    return re.findall(r"```%s\n(.*?)```" % language, GUIDE, re.S)


def shell(command: str, cwd: Path, **env: str) -> None:
    """Run a recipe's command with bash, this checkout importable, as the recipe's scheduler would."""
    environment = dict(os.environ, PYTHONPATH=str(ROOT), **env)
    environment["PATH"] = os.path.dirname(sys.executable) + os.pathsep + environment["PATH"]
    done = subprocess.run(["bash", "-c", command.replace("--seed 2025", CHEAP)], cwd=str(cwd), env=environment,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def single_run(tmp_path: Path) -> dict:
    """The class graded on one machine, as the recipes grade it."""
    canvas_class(tmp_path / "submissions.zip")
    shell("python -m autograder batch submissions.zip --lms canvas --seed 2025 --out single", tmp_path)
    return outputs(tmp_path / "single")


def test_the_slurm_recipe_grades_the_class_as_one_machine_would(tmp_path):
    expected = single_run(tmp_path)
    array, submit = [block for block in code_blocks("bash") if "SLURM" in block or "sbatch" in block][:2]
    tasks = int(re.search(r"--array=1-(\d+)", array).group(1))
    assert tasks > 1
    for task in range(1, 4):  # the same script as an array of 3 tasks
        shell(array, tmp_path, SLURM_ARRAY_TASK_ID=str(task), SLURM_ARRAY_TASK_COUNT="3", SLURM_CPUS_PER_TASK="1")
    shell(re.search(r'--wrap "(.*)"', submit).group(1), tmp_path)
    assert outputs(tmp_path / "class") == expected


def test_the_github_actions_recipe_grades_the_class_as_one_machine_would(tmp_path):
    expected = single_run(tmp_path)
    workflow, = [block for block in code_blocks("yaml") if "matrix" in block]
    grade_job, merge_job = workflow.split("\n  merge:\n")
    shards = re.search(r"shard: \[([\d, ]+)\]", grade_job).group(1).split(", ")
    runs = [line for line in re.findall(r"- run: (.*)", grade_job) if "pip install" not in line]
    for shard in shards:  # each matrix job on a fresh runner, its output uploaded as an artifact
        runner = tmp_path / ("runner" + shard)
        runner.mkdir()
        shutil.copyfile(str(tmp_path / "submissions.zip"), str(runner / "submissions.zip"))
        for run in runs:
            shell(run.replace("${{ matrix.shard }}", shard), runner)
        artifact = re.search(r"name: (shard-\$\{\{ matrix.shard \}\})\n\s+path: (\S+)", grade_job)
        shutil.copytree(str(runner / artifact.group(2)),
                        str(tmp_path / "shards" / artifact.group(1).replace("${{ matrix.shard }}", shard)))
    assert "path: shards" in merge_job
    for run in re.findall(r"- run: (.*)", merge_job):
        if "pip install" not in run:
            shell(run, tmp_path)
    assert outputs(tmp_path / "class") == expected
