"""micrograd's moons demo, one training step at a time: micrograd 0.1.0 against tinybackprop's two paths.

The step is the one of micrograd's demo notebook: MLP(2, [16, 16, 1]) with
ReLU, 100 moons (noise 0.1), max-margin loss + 1e-4 * sum(p^2) over all
parameters, full-batch SGD with lr = 1.0 - 0.9 k / 100. All three run on the
same data:

- ``micrograd``: micrograd 0.1.0 exactly as its demo does it (needs
  ``pip install micrograd==0.1.0``, the project's bench extra; without it the
  other rows still run);
- ``tinybackprop Value path``: the same graph of Values, each neuron ONE node;
- ``tinybackprop Matrix path``: the same model called on a Matrix batch.
  Its backward leaves out the examples whose gradient is zero: with the
  max-margin loss, those beyond the margin, 87% of them on average over the
  100 steps (all but 1 to 3% in the last steps). So the forward pass, which
  every example needs, is about two thirds of its time; were every example
  inside the margin, a step would cost about 1.7 times as much.

micrograd's step grows slower as the reference cycles of its closures pile
up for the garbage collector, so its mean is taken over ``--micrograd-steps``
steps from the start (20 by default: its cheaper early steps, which favours
micrograd), in one run (each takes about 45 s on CPython); ours over the
demo's 100 steps, the fastest of ``--repeat`` runs from fresh weights (a run
takes a fraction of a second, so one busy moment of the machine would
otherwise weigh on it far more than on micrograd's long run).

Each row gives CPU time (``time.process_time``: what other processes on a
shared machine do to wall time is left out, so it is the figure to trust
there) and wall time; the ratios are of the same kind of time.

Run: ``python3 bench/bench_micrograd.py [--micrograd-steps 20]`` (also under pypy3).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tinybackprop.data import make_moons  # noqa: E402
from tinybackprop.losses import l2, max_margin  # noqa: E402
from tinybackprop.nn import MLP  # noqa: E402

STEPS = 100
ALPHA = 1e-4


def learning_rate(k: int) -> float:
    """The demo's schedule: 1.0 falling linearly to 0.1 over 100 steps."""
    return 1.0 - 0.9 * k / STEPS


def value_step(model, rows, y, k):
    """One step on the graph of Values; returns (loss, accuracy)."""
    scores = [model(row) for row in rows]
    loss = max_margin(scores, y) + l2(model.parameters(), ALPHA)
    model.zero_grad()
    loss.backward()
    lr = learning_rate(k)
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss.data, sum((s.data > 0) == (label == 1) for s, label in zip(scores, y)) / len(y)


def matrix_step(model, X, y, k):
    """One step on the Matrix path; returns (loss, accuracy)."""
    scores = model(X)
    loss, dscores = max_margin(scores, y)
    penalty = l2(model.parameters(), ALPHA)
    model.zero_grad()
    model.backward(dscores, input_grad=False)
    penalty.backward()
    lr = learning_rate(k)
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss + penalty.data, sum((s > 0) == (label == 1) for (s,), label in zip(scores.data, y)) / len(y)


def micrograd_step(model, Value, rows, y, k):
    """One step written as micrograd's demo writes it; returns (loss, accuracy)."""
    signs = [2 * label - 1 for label in y]
    inputs = [list(map(Value, row)) for row in rows]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(signs, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum((p * p for p in model.parameters()))
    total = data_loss + reg_loss
    model.zero_grad()
    total.backward()
    lr = learning_rate(k)
    for p in model.parameters():
        p.data -= lr * p.grad
    return total.data, sum((yi > 0) == (si.data > 0) for yi, si in zip(signs, scores)) / len(y)


def run(name, make_step, steps, repeat=1):
    """Run ``steps`` steps, ``repeat`` times from fresh weights; print and return the best (CPU, wall) s/step."""
    cpu, wall = [], []
    for _ in range(repeat):
        step = make_step()
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        for k in range(steps):
            loss, acc = step(k)
        cpu.append((time.process_time() - start_cpu) / steps)
        wall.append((time.perf_counter() - start_wall) / steps)
    runs = f"best of {repeat} runs" if repeat > 1 else "one run"
    print(f"  {name:<26} {min(cpu) * 1e3:10.2f} ms CPU {min(wall) * 1e3:10.2f} ms wall per step  "
          f"({steps} steps, {runs}; then loss {loss:.4f}, training accuracy {acc:.0%})")
    return min(cpu), min(wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--micrograd-steps", type=int, default=20,
                        help="steps of micrograd to average over (default 20; 100 is the whole demo)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of our 100-step demo, each from fresh weights; the fastest counts (default 3)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE as JSON")
    args = parser.parse_args()

    X, y = make_moons(100, noise=0.1, seed=1)
    rows = X.tolist()
    print(f"moons step: MLP(2, [16, 16, 1]), 100 points ({sys.implementation.name} {sys.version.split()[0]})")
    value_mean = run("tinybackprop Value path", lambda: _stepper(value_step, rows, y), STEPS, args.repeat)
    matrix_mean = run("tinybackprop Matrix path", lambda: _stepper(matrix_step, X, y), STEPS, args.repeat)
    figures = {"Value path (ms CPU/step)": value_mean[0] * 1e3, "Matrix path (ms CPU/step)": matrix_mean[0] * 1e3,
               "Value path (ms wall/step)": value_mean[1] * 1e3, "Matrix path (ms wall/step)": matrix_mean[1] * 1e3}
    try:
        from micrograd.engine import Value
        from micrograd.nn import MLP as MicrogradMLP
    except ImportError:
        print("  micrograd is not installed: `pip install micrograd==0.1.0` (the project's bench extra) "
              "for the side-by-side ratios")
    else:
        figures.update(compare_with_micrograd(MicrogradMLP, Value, rows, y, args.micrograd_steps, value_mean,
                                              matrix_mean))
    if args.json:
        Path(args.json).write_text(json.dumps(figures), encoding="utf-8")


def _stepper(step, data, y):
    """A function of k doing step k on a fresh MLP(2, [16, 16, 1])."""
    model = MLP(2, [16, 16, 1], seed=1)
    return lambda k: step(model, data, y, k)


def compare_with_micrograd(MicrogradMLP, Value, rows, y, steps, value_mean, matrix_mean) -> dict:
    """Run micrograd's demo steps, print how many times faster our paths are, and return the figures."""
    random.seed(1337)  # micrograd initialises from the global generator, as in its demo
    model = MicrogradMLP(2, [16, 16, 1])
    micro = run("micrograd 0.1.0", lambda: lambda k: micrograd_step(model, Value, rows, y, k), steps)
    figures = {"micrograd (ms CPU/step)": micro[0] * 1e3, "micrograd (ms wall/step)": micro[1] * 1e3}
    for path, mean in (("Value path", value_mean), ("Matrix path", matrix_mean)):
        figures[f"micrograd / {path} (CPU)"] = micro[0] / mean[0]
        figures[f"micrograd / {path} (wall)"] = micro[1] / mean[1]
        print(f"  {path + ':':<13} {micro[0] / mean[0]:6.0f} x faster than micrograd in CPU time, "
              f"{micro[1] / mean[1]:6.0f} x in wall time")
    return figures


if __name__ == "__main__":
    main()
