"""Benchmark: the time to grade a complete submission (the reference solutions), beside the 10 s target.

    python3 bench/bench_grader.py [--repeat 3]

Copies the reference solutions (``course/*/reference.py``) into a temporary
folder, grades it with every suite (public and hidden) a few times, and prints
the wall-clock time of each run, the best and the median, and their ratio to
the 10 s target of the issue (a 2-core machine, CPython). The stubs as shipped are timed too, as the
cheapest complete run (every check stops at the first NotImplementedError),
and, once, the reference with an infinite loop in ``svm_loss_naive``: its five
naive checks cost one per-call limit (5 s), not five, since a function that
timed out is not called again.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.content import write_references  # noqa: E402  (after the path is set)
from autograder.grade import grade_submission  # noqa: E402

TARGET_SECONDS = 10.0


def reference_submission(folder: Path) -> Path:
    """The reference solutions copied into ``folder/reference`` as a submission."""
    return write_references(folder / "reference")


def looping_submission(folder: Path) -> Path:
    """The reference solutions with an infinite loop in svm_loss_naive, in ``folder/looping/reference``."""
    target = reference_submission(folder / "looping")
    svm = target / "svm.py"
    svm.write_text(svm.read_text(encoding="utf-8").replace("    loss /= N\n", "    while True:\n        pass\n"),
                   encoding="utf-8")
    return target


def timed(path, repeat: int) -> list:
    """Grade ``path`` ``repeat`` times; return (seconds, result) per run."""
    runs = []
    for seed in range(repeat):
        start = time.perf_counter()
        result = grade_submission(str(path) if path else None, seed=seed)
        runs.append((time.perf_counter() - start, result))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        medians = {}
        for label, path, repeat in (("reference solutions", reference_submission(Path(folder)), args.repeat),
                                    ("stubs as shipped", None, args.repeat),
                                    ("one infinite loop", looping_submission(Path(folder)), 1)):
            runs = timed(path, repeat)
            seconds = [s for s, _ in runs]
            result = runs[-1][1]
            hidden = sum(t.hidden for t in result.tests)
            print(f"{label}: {len(result.tests)} tests ({hidden} hidden), score "
                  f"{result.score:g} / {result.max_score:g}")
            print("  runs: " + ", ".join(f"{s:.2f} s" for s in seconds))
            medians[label] = statistics.median(seconds)
            print(f"  best {min(seconds):.2f} s, median {medians[label]:.2f} s; "
                  f"target {TARGET_SECONDS:.0f} s: median / target = "
                  f"{medians[label] / TARGET_SECONDS:.2f}")
        timeouts = sum(t.status == "timeout" for t in result.tests)
        print(f"one infinite loop: {timeouts} timeouts; its time / the reference's median = "
              f"{medians['one infinite loop'] / medians['reference solutions']:.1f}")


if __name__ == "__main__":
    main()
