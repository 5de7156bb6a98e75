"""One training step of a two-layer net on the digits: tinybackprop's Matrix path against plain lists and numpy.

The step: N=200 images, 64 -> 100 (ReLU) -> 10, softmax cross-entropy plus
L2 (reg * sum(W^2)) on the weights, backward, and an SGD update. Three
versions of the same step run interleaved, round after round, so that a busy
machine slows them alike; the medians are compared:

- ``tinybackprop``: MLP(64, [100, 10]) called on a Matrix, losses, optim.SGD;
- ``lists``: the same step written by hand as plainly and as fast as plain
  Python allows (list comprehensions, ``sum(map(mul, ...))`` dot products,
  weights stored one neuron per row so that no transpose is needed);
- ``numpy``: the same step in numpy (needs ``pip install numpy``), on one
  BLAS thread.

Times are CPU time (``time.process_time``), so that other processes on a
shared machine do not count.

Run: ``python3 bench/bench_digits_step.py [--rounds 15]`` (also under pypy3).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
import time
from operator import mul
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tinybackprop.data import load_digits, standardize  # noqa: E402
from tinybackprop.losses import l2, softmax_cross_entropy  # noqa: E402
from tinybackprop.nn import MLP  # noqa: E402
from tinybackprop.optim import SGD  # noqa: E402

N, D, H, C = 200, 64, 100, 10
LR, REG = 0.1, 1e-3


def tinybackprop_step(model, optimizer, X, y):
    """One step on tinybackprop's Matrix path; returns the loss."""
    scores = model(X)
    loss, dscores = softmax_cross_entropy(scores, y)
    optimizer.zero_grad()
    model.backward(dscores, input_grad=False)
    penalty = l2(model.weights(), REG)
    penalty.backward()
    optimizer.step()
    return loss + penalty.data


def lists_step(params, X, y):
    """The same step by hand on lists; W1t (H x D) and W2t (C x H) hold one neuron per row."""
    W1t, b1, W2t, b2 = params
    n = len(X)
    h = [[sum(map(mul, x, w)) + b for w, b in zip(W1t, b1)] for x in X]
    h = [[v if v > 0.0 else 0.0 for v in row] for row in h]
    scores = [[sum(map(mul, r, w)) + b for w, b in zip(W2t, b2)] for r in h]
    loss = 0.0
    dscores = []
    for row, label in zip(scores, y):
        top = max(row)
        exps = [math.exp(s - top) for s in row]
        total = sum(exps)
        loss += math.log(total) - (row[label] - top)
        d = [e / (total * n) for e in exps]
        d[label] -= 1.0 / n
        dscores.append(d)
    loss = loss / n + REG * (sum(w * w for row in W1t for w in row) + sum(w * w for row in W2t for w in row))
    d_columns = list(zip(*dscores))
    h_columns = list(zip(*h))
    dW2t = [[sum(map(mul, dc, hc)) + 2 * REG * w for hc, w in zip(h_columns, wrow)]
            for dc, wrow in zip(d_columns, W2t)]
    db2 = [sum(dc) for dc in d_columns]
    W2 = list(zip(*W2t))
    dh = [[sum(map(mul, d, w)) for w in W2] for d in dscores]
    dz = [[g if v > 0.0 else 0.0 for g, v in zip(grow, hrow)] for grow, hrow in zip(dh, h)]
    z_columns = list(zip(*dz))
    x_columns = list(zip(*X))
    dW1t = [[sum(map(mul, zc, xc)) + 2 * REG * w for xc, w in zip(x_columns, wrow)]
            for zc, wrow in zip(z_columns, W1t)]
    db1 = [sum(zc) for zc in z_columns]
    params[0] = [[w - LR * g for w, g in zip(wrow, grow)] for wrow, grow in zip(W1t, dW1t)]
    params[1] = [b - LR * g for b, g in zip(b1, db1)]
    params[2] = [[w - LR * g for w, g in zip(wrow, grow)] for wrow, grow in zip(W2t, dW2t)]
    params[3] = [b - LR * g for b, g in zip(b2, db2)]
    return loss


def numpy_step(np, params, X, y):
    """The same step in numpy."""
    W1, b1, W2, b2 = params
    n = X.shape[0]
    h = np.maximum(0.0, X @ W1 + b1)
    scores = h @ W2 + b2
    shifted = scores - scores.max(axis=1, keepdims=True)
    exps = np.exp(shifted)
    probs = exps / exps.sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(n), y]).mean() + REG * ((W1 * W1).sum() + (W2 * W2).sum())
    dscores = probs
    dscores[np.arange(n), y] -= 1.0
    dscores /= n
    dW2 = h.T @ dscores + 2 * REG * W2
    db2 = dscores.sum(axis=0)
    dh = dscores @ W2.T
    dh[h <= 0.0] = 0.0
    dW1 = X.T @ dh + 2 * REG * W1
    db1 = dh.sum(axis=0)
    params[:] = [W1 - LR * dW1, b1 - LR * db1, W2 - LR * dW2, b2 - LR * db2]
    return float(loss)


def timed(fn) -> float:
    """CPU seconds one call of fn takes (CPU time, not wall time: waiting while other processes run is left out)."""
    start = time.process_time()
    fn()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="timed steps per version (default 15)")
    parser.add_argument("--warmup", type=int, default=5,
                        help="untimed steps per version first (default 5; PyPy's JIT compiles during them)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE as JSON")
    args = parser.parse_args()

    X_all, y_all = load_digits()
    X = standardize(X_all)[:N]
    y = y_all[:N]
    model = MLP(D, [H, C], seed=0)
    optimizer = SGD(model.parameters(), lr=LR)
    # The hand-written version starts from the same weights, one neuron per row.
    W1t, b1 = [[w.data for w in n.w] for n in model.layers[0].neurons], [0.0] * H
    W2t, b2 = [[w.data for w in n.w] for n in model.layers[1].neurons], [0.0] * C
    lists = [W1t, b1, W2t, b2]
    versions = {
        "tinybackprop Matrix path": lambda: tinybackprop_step(model, optimizer, X, y),
        "hand-written lists": lambda: lists_step(lists, X.data, y),
    }
    # One BLAS thread: idle BLAS threads spin for a while after each call, and on a
    # small machine they would steal the CPU from (and add CPU time to) the next version.
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    try:
        import numpy as np
    except ImportError:
        np = None
        print("numpy is not installed: `pip install numpy` (the project's bench extra) for the numpy row")
    if np is not None:
        arrays = [np.array(list(zip(*W1t))), np.zeros(H), np.array(list(zip(*W2t))), np.zeros(C)]
        X_np, y_np = np.array(X.data), np.array(y)
        versions["numpy"] = lambda: numpy_step(np, arrays, X_np, y_np)

    # The first steps agree to rounding: the same computation three times.
    first = {name: step() for name, step in versions.items()}
    print("loss after the first step: " + ", ".join(f"{name} {loss:.12f}" for name, loss in first.items()))
    for _ in range(args.warmup):
        for step in versions.values():
            step()
    times = {name: [] for name in versions}
    for _ in range(args.rounds):
        for name, step in versions.items():
            times[name].append(timed(step))
    best = {name: min(ts) for name, ts in times.items()}
    implementation = f"{sys.implementation.name} {sys.version.split()[0]}"
    print(f"digits two-layer step, N={N}, {D}-{H}-{C}, {args.rounds} interleaved rounds ({implementation})")
    base = best["hand-written lists"]
    for name, seconds in best.items():
        print(f"  {name:<26} best {seconds * 1e3:9.2f} ms  (median {statistics.median(times[name]) * 1e3:9.2f} ms)"
              f"  {seconds / base:6.2f} x hand-written lists")
    if np is not None:
        print(f"  tinybackprop / numpy: {best['tinybackprop Matrix path'] / best['numpy']:.0f} x")
    if args.json:
        figures = {f"{name} (ms)": seconds * 1e3 for name, seconds in best.items()}
        figures["tinybackprop / hand-written lists"] = best["tinybackprop Matrix path"] / base
        Path(args.json).write_text(json.dumps(figures), encoding="utf-8")


if __name__ == "__main__":
    main()
