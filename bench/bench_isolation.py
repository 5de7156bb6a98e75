"""Benchmark: the cost of starting the grader's child isolated, beside starting it plainly.

    python3 bench/bench_isolation.py [--rounds 20] [--python PATH]

Starts ``python -I -S -B -c pass`` (the interpreter's real path, as the
sandbox runs it) plainly with :mod:`subprocess` and isolated with
:func:`autograder.isolation.start` (launcher, namespaces, the new root, the
child as PID 2), in interleaved rounds, until each has ended. Prints, per way,
the fastest and the median wall time and CPU time (of the whole process tree:
the launcher waits for the init, the init for the child, so their CPU time is
counted), and the isolated / plain ratios. The probe runs first, untimed, and
its mode is printed: the figures are for that mode.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder import isolation  # noqa: E402  (after the path is set)

ARGUMENTS = ["-I", "-S", "-B", "-c", "pass"]


def children_cpu() -> float:
    """CPU seconds used so far by the processes this one has waited for (and theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(run) -> tuple:
    """(wall seconds, CPU seconds) of one start-to-end run."""
    wall, cpu = time.perf_counter(), children_cpu()
    run()
    return time.perf_counter() - wall, children_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--python", default=sys.executable, help="the interpreter the child runs")
    options = parser.parse_args()
    probe = isolation.probe(options.python)
    print(probe.describe())
    if not probe.isolated:
        sys.exit("nothing to measure: this machine gives the child no private view")
    executable = isolation.discover(options.python).executable
    lib = tempfile.mkdtemp(prefix="tinybackprop-bench-")
    os.chmod(lib, 0o755)
    view = isolation.View(lib=lib, interpreter=options.python)
    ways = {
        "plain": lambda: subprocess.run([executable] + ARGUMENTS, check=True),
        "isolated": lambda: isolation.start(ARGUMENTS, view, probe).wait(),
    }
    for run in ways.values():  # warm-up: file caches, the installation's discovery
        run()
    times = {name: [] for name in ways}
    for _ in range(options.rounds):
        for name, run in ways.items():
            times[name].append(timed(run))
    shutil.rmtree(lib)
    print(f"{options.rounds} interleaved rounds of {executable} {' '.join(ARGUMENTS)}")
    print(f"{'':10} {'wall best':>10} {'median':>8} {'cpu best':>9} {'median':>8}   (ms)")
    widths = (10, 8, 9, 8)
    figures = {}
    for name, runs in times.items():
        walls, cpus = [wall for wall, _ in runs], [cpu for _, cpu in runs]
        figures[name] = (min(walls), statistics.median(walls), min(cpus), statistics.median(cpus))
        print(f"{name:10} " + " ".join(f"{value * 1000:>{width}.1f}" for value, width in zip(figures[name], widths)))
    ratios = [isolated / plain for isolated, plain in zip(figures["isolated"], figures["plain"])]
    print(f"{'isolated / plain':10} " + " ".join(f"{ratio:>{width}.2f}" for ratio, width in zip(ratios, widths)))


if __name__ == "__main__":
    main()
