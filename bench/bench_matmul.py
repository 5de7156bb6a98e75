"""Matmul speed of Matrix beside naive triple loops (and numpy when it is installed), in one run.

    python3 bench/bench_matmul.py [--size 128] [--repeat 15]

Prints MFLOP/s (2 n^3 floating-point operations per n x n product) and each
one's ratio to the naive triple loop measured in the same run. Every contender
is warmed up first (so that PyPy's JIT has compiled the loops), then the
contenders take turns, one timed call each per round, and each keeps its best
round: a busy machine slows them all alike instead of whichever ran last.
Times are CPU time (``time.process_time``), as in the other benchmarks: on a
shared machine, wall time also counts the other processes. Neither is exact
while other processes keep the machine's cores busy (they share its caches):
take the figures on a quiet machine. numpy gets one BLAS thread, so that its
idle threads do not spin beside the next contender.

What to expect on CPython 3.11: about 2.6 to 2.7 x. Each entry of ``Matrix @``
is ``sum(map(mul, row, col))``, which spends about 16 ns per multiply-add in
C; the triple loop about 42 ns in bytecode. With ``math.sumprod`` (Python
3.12+) ``@`` is about twice as fast again.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tinybackprop.matrix import Matrix  # noqa: E402

Rows = List[List[float]]


def triple_loop(a: Rows, b: Rows) -> Rows:
    """The textbook product: c[i][j] += a[i][k] * b[k][j] for every i, j, k."""
    n, inner, m = len(a), len(b), len(b[0])
    c = [[0.0] * m for _ in range(n)]
    for i in range(n):
        for j in range(m):
            for k in range(inner):
                c[i][j] += a[i][k] * b[k][j]
    return c


def triple_loop_local_sum(a: Rows, b: Rows) -> Rows:
    """The triple loop with the row of a and the running sum held in local variables."""
    n, inner, m = len(a), len(b), len(b[0])
    c = [[0.0] * m for _ in range(n)]
    for i in range(n):
        row = a[i]
        for j in range(m):
            total = 0.0
            for k in range(inner):
                total += row[k] * b[k][j]
            c[i][j] = total
    return c


def best_seconds(contenders: Dict[str, Callable[[], object]], rounds: int) -> Dict[str, float]:
    """Each contender's fastest call in CPU seconds over `rounds` interleaved rounds, after two warm-up calls."""
    for run in contenders.values():
        run()
        run()
    best = {name: math.inf for name in contenders}
    for _ in range(rounds):
        for name, run in contenders.items():
            start = time.process_time()
            run()
            best[name] = min(best[name], time.process_time() - start)
    return best


def main() -> None:
    """Time every contender on the same random n x n operands and print MFLOP/s and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=128, help="n for the n x n @ n x n product")
    parser.add_argument("--repeat", type=int, default=15, help="timed rounds (each contender's best counts)")
    args = parser.parse_args()
    n = args.size
    a = Matrix.randn(n, n, seed=1)
    b = Matrix.randn(n, n, seed=2)
    contenders = {
        "triple loop (baseline)": lambda: triple_loop(a.data, b.data),
        "triple loop, local sum": lambda: triple_loop_local_sum(a.data, b.data),
        "Matrix @": lambda: a @ b,
    }
    # One BLAS thread: idle BLAS threads spin after each call, and on a small machine they
    # would slow the contender timed next (and add to numpy's own CPU time).
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    try:
        import numpy
    except ImportError:
        numpy = None
    if numpy is not None:
        na, nb = numpy.array(a.data), numpy.array(b.data)
        contenders["numpy @"] = lambda: na @ nb

    # The contenders must agree before their speed means anything.
    want = triple_loop(a.data, b.data)
    if not (a @ b).allclose(Matrix(want), rtol=1e-9, atol=1e-9):
        raise SystemExit("Matrix @ disagrees with the triple loop")

    print(f"{n} x {n} @ {n} x {n} on {platform.python_implementation()} {platform.python_version()}")
    flops = 2.0 * n ** 3
    seconds = best_seconds(contenders, args.repeat)
    baseline = seconds["triple loop (baseline)"]
    for name, best in seconds.items():
        print(f"{name:24s} {flops / best / 1e6:10.1f} MFLOP/s  {baseline / best:8.2f} x baseline")


if __name__ == "__main__":
    main()
