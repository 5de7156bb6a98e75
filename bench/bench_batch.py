"""Batch throughput: submissions graded per minute with 1 job and with 2 jobs, in one run.

    python3 bench/bench_batch.py [--students 16] [--seed 1] [--repeat 1]

Makes a class of copies of the reference solutions (every other one with the
stubs of one assignment left in, so grades differ), grades it with
`python -m autograder batch --jobs 1` and `--jobs 2` into fresh folders, and
prints each rate and the ratio (the target: 2 jobs at least 1.7 times 1 job
on 2 cores). Every assignment and every check, public and hidden, is graded.
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_class(folder: Path, students: int) -> None:
    """A class of reference submissions, half of them with svm.py still the stub."""
    for i in range(students):
        student = folder / ("student%03d" % i)
        student.mkdir(parents=True)
        for source in (ROOT / "autograder" / "reference").glob("*.py"):
            if source.name != "__init__.py":
                shutil.copyfile(str(source), str(student / source.name))
        if i % 2:
            shutil.copyfile(str(ROOT / "assignments" / "svm.py"), str(student / "svm.py"))


def grade_class(folder: Path, out: Path, jobs: int, seed: int) -> float:
    """Seconds to batch-grade the class with this many jobs."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "batch", str(folder), "--out", str(out),
                    "--jobs", str(jobs), "--seed", str(seed)],
                   cwd=str(ROOT), env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def statuses(out: Path) -> Counter:
    """How many rows of grades.csv have each status."""
    with open(str(out / "grades.csv"), newline="", encoding="utf-8") as f:
        return Counter(row["status"] for row in csv.DictReader(f))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=16)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="best of this many runs of each")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as scratch:
        folder = Path(scratch) / "class"
        make_class(folder, args.students)
        one = two = float("inf")
        for _ in range(args.repeat):  # alternated, so that a change of machine load hits both alike
            one = min(one, grade_class(folder, Path(scratch) / "one", 1, args.seed))
            two = min(two, grade_class(folder, Path(scratch) / "two", 2, args.seed))
        same = (Path(scratch) / "one" / "grades.csv").read_bytes() == (Path(scratch) / "two" / "grades.csv").read_bytes()
        counts = statuses(Path(scratch) / "two")
    if set(counts) != {"graded"}:
        # A rate of submissions that were not really graded would mean nothing.
        sys.exit("not every submission was graded (%s): no figures" % dict(counts))
    print("batch of %d submissions (all assignments, public and hidden), %d cores, load average %.1f -> %.1f"
          % (args.students, os.cpu_count() or 1, load, os.getloadavg()[0]))
    print("  --jobs 1: %6.1f s  %6.1f submissions/min" % (one, 60 * args.students / one))
    print("  --jobs 2: %6.1f s  %6.1f submissions/min" % (two, 60 * args.students / two))
    print("  throughput ratio 2 jobs / 1 job: %.2f (target >= 1.7)" % (one / two))
    print("  same grades.csv with 1 and 2 jobs: %s" % same)


if __name__ == "__main__":
    main()
