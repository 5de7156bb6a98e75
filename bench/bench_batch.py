"""Batch throughput: students graded per minute with 1 job, 2 jobs, and 2 shards merged, in one run.

    python3 bench/bench_batch.py [--students 16] [--seed 1] [--repeat 1]

Makes a class of copies of the reference solutions (every other one with the
stubs of one assignment left in, so grades differ), grades it with
`python -m autograder batch --jobs 1` and `--jobs 2` into fresh folders, and
as two shards (`--shard 1/2` and `--shard 2/2`, one job each, at the same
time, as two machines would) joined by `python -m autograder merge`, and
prints each rate and the ratios (the target: 2 jobs at least 1.7 times 1 job
on 2 cores), whether the three grades.csv are the same bytes, and what a
class of 300 takes on this machine at the best rate. Every assignment and
every check, public and hidden, is graded. As a baseline measured in the
same run, plain loops of grade_submission in one and in two processes show
how far the grader itself scales on the machine as it is (a busy machine caps
both), and what the batch adds.
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
from typing import List

ROOT = Path(__file__).resolve().parent.parent
ENV = dict(os.environ, PYTHONPATH=str(ROOT))


def make_class(folder: Path, students: int) -> None:
    """A class of reference submissions, half of them with svm.py still the stub."""
    sys.path.insert(0, str(ROOT))
    from autograder.content import write_references

    for i in range(students):
        student = write_references(folder / ("student%03d" % i))
        if i % 2:
            shutil.copyfile(str(ROOT / "assignments" / "svm.py"), str(student / "svm.py"))


def batch_command(folder: Path, out: Path, jobs: int, seed: int) -> List[str]:
    """The command that batch-grades the class into out."""
    return [sys.executable, "-m", "autograder", "batch", str(folder), "--out", str(out), "--jobs", str(jobs),
            "--seed", str(seed)]


def grade_class(folder: Path, out: Path, jobs: int, seed: int) -> float:
    """Seconds to batch-grade the class with this many jobs."""
    started = time.perf_counter()
    subprocess.run(batch_command(folder, out, jobs, seed), cwd=str(ROOT), env=ENV, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def grade_shards(folder: Path, scratch: Path, shards: int, seed: int) -> float:
    """Seconds to grade the class as `shards` shards at once (one job each), then merge them."""
    outs = [scratch / ("shard%d" % k) for k in range(1, shards + 1)]
    started = time.perf_counter()
    running = [subprocess.Popen(batch_command(folder, out, 1, seed) + ["--shard", "%d/%d" % (k, shards)],
                                cwd=str(ROOT), env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for k, out in enumerate(outs, start=1)]
    if any(process.wait() != 0 for process in running):
        sys.exit("a shard failed")
    subprocess.run([sys.executable, "-m", "autograder", "merge"] + [str(out) for out in outs]
                   + ["--out", str(scratch / "merged")], cwd=str(ROOT), env=ENV, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


# Grades the folders named on the command line one after another, in one plain process.
PLAIN_LOOP = """
import sys
from autograder.grade import grade_submission
for path in sys.argv[1:]:
    grade_submission(path, seed=1)
"""


def plain_loops(folders: List[Path], processes: int) -> float:
    """Seconds for `processes` plain loops of grade_submission to grade the folders between them.

    The baseline the batch is held to: what the grader itself scales to on
    this machine now (other programs running at the same time cost both alike).
    """
    started = time.perf_counter()
    running = [subprocess.Popen([sys.executable, "-c", PLAIN_LOOP] + [str(f) for f in folders[i::processes]],
                                cwd=str(ROOT), env=ENV) for i in range(processes)]
    for process in running:
        if process.wait() != 0:
            sys.exit("a plain grading loop failed")
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
        folders = sorted(folder.iterdir())
        one = two = sharded = plain_one = plain_two = float("inf")
        for _ in range(args.repeat):  # alternated, so that a change of machine load hits all alike
            one = min(one, grade_class(folder, Path(scratch) / "one", 1, args.seed))
            two = min(two, grade_class(folder, Path(scratch) / "two", 2, args.seed))
            sharded = min(sharded, grade_shards(folder, Path(scratch), 2, args.seed))
            plain_one = min(plain_one, plain_loops(folders, 1))
            plain_two = min(plain_two, plain_loops(folders, 2))
        books = [(Path(scratch) / name / "grades.csv").read_bytes() for name in ("one", "two", "merged")]
        counts = statuses(Path(scratch) / "two")
    if set(counts) != {"graded"}:
        # A rate of submissions that were not really graded would mean nothing.
        sys.exit("not every submission was graded (%s): no figures" % dict(counts))
    rate = {name: 60 * args.students / seconds for name, seconds in
            (("1 job", one), ("2 jobs", two), ("2 shards", sharded))}
    print("batch of %d students (all assignments, public and hidden), %d cores, load average %.1f -> %.1f"
          % (args.students, os.cpu_count() or 1, load, os.getloadavg()[0]))
    print("  --jobs 1:                   %6.1f s  %6.1f students/min" % (one, rate["1 job"]))
    print("  --jobs 2:                   %6.1f s  %6.1f students/min" % (two, rate["2 jobs"]))
    print("  2 shards of 1 job + merge:  %6.1f s  %6.1f students/min" % (sharded, rate["2 shards"]))
    print("  throughput ratio 2 jobs / 1 job: %.2f (target >= 1.7); 2 shards / 1 job: %.2f"
          % (one / two, one / sharded))
    print("  baseline, plain grade_submission loops in 1 and 2 processes: %.1f s, %.1f s, ratio %.2f"
          % (plain_one, plain_two, plain_one / plain_two))
    print("  batch overhead over the plain loop: %+.0f%% with 1 job, %+.0f%% with 2"
          % (100 * (one / plain_one - 1), 100 * (two / plain_two - 1)))
    print("  same grades.csv with 1 job, 2 jobs and 2 shards merged: %s" % (books[0] == books[1] == books[2]))
    print("  a class of 300 on this machine (%d cores): %.0f minutes at the best rate (%s)"
          % (os.cpu_count() or 1, 300 / max(rate.values()), max(rate, key=rate.get)))


if __name__ == "__main__":
    main()
