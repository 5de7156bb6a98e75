"""Run the benchmarks under CPython and PyPy and print their figures side by side.

Each benchmark (bench_digits_step.py, bench_micrograd.py) runs once per
interpreter as a subprocess and writes its figures as JSON; this script puts
them in one table. Ratios are only ever taken inside one interpreter's run.

What it needs: ``python3`` (numpy and micrograd 0.1.0 for their rows:
``pip install numpy micrograd==0.1.0``) and PyPy. PyPy's own site-packages
rarely have micrograd, so by default PyPy runs from the venv
``/tmp/pypyvenv`` when it exists (make it with
``pypy3 -m venv /tmp/pypyvenv && /tmp/pypyvenv/bin/pip install micrograd==0.1.0``),
else as plain ``pypy3``; rows a run cannot fill show ``-``.

Run: ``python3 bench/compare_interpreters.py [--micrograd-steps 20] [--rounds 15]``
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYPY_VENV = Path("/tmp/pypyvenv/bin/python")


def run_bench(interpreter: str, script: str, extra: list[str]) -> dict:
    """The figures one benchmark writes when run under ``interpreter`` (empty if it failed)."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "figures.json"
        command = [interpreter, str(HERE / script), "--json", str(out)] + extra
        print("$ " + " ".join(command), flush=True)
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        print(result.stdout, end="", flush=True)
        if result.returncode != 0 or not out.exists():
            print(f"({script} failed under {interpreter}, exit status {result.returncode})")
            return {}
        return json.loads(out.read_text(encoding="utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="the CPython interpreter (default: this one)")
    parser.add_argument("--pypy", default=str(PYPY_VENV) if PYPY_VENV.exists() else "pypy3",
                        help="the PyPy interpreter (default: /tmp/pypyvenv/bin/python if present, else pypy3)")
    parser.add_argument("--micrograd-steps", default="20", help="passed on to bench_micrograd.py")
    parser.add_argument("--rounds", default="15", help="passed on to bench_digits_step.py")
    args = parser.parse_args()

    interpreters = {"CPython": args.python, "PyPy": args.pypy}
    missing = [name for name, path in interpreters.items() if shutil.which(path) is None]
    for name in missing:
        print(f"{name} interpreter {interpreters[name]!r} not found: its column stays empty")
    benches = [("bench_digits_step.py", "digits step", ["--rounds", args.rounds]),
               ("bench_micrograd.py", "moons step", ["--micrograd-steps", args.micrograd_steps])]
    columns = {name: {} for name in interpreters}
    for name, interpreter in interpreters.items():
        if name in missing:
            continue
        for script, label, extra in benches:
            for key, value in run_bench(interpreter, script, extra).items():
                columns[name][f"{label}: {key}"] = value

    rows = list(dict.fromkeys(key for figures in columns.values() for key in figures))
    width = max([len(row) for row in rows] + [10])
    print()
    print(f"{'figure':<{width}}  " + "  ".join(f"{name:>10}" for name in interpreters))
    for row in rows:
        cells = [f"{columns[name][row]:10.2f}" if row in columns[name] else f"{'-':>10}" for name in interpreters]
        print(f"{row:<{width}}  " + "  ".join(cells))


if __name__ == "__main__":
    main()
