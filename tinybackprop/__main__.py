"""``python -m tinybackprop``: see backpropagation happen on the lecture's three circuits.

Each circuit is a ComputationalGraph of gates. The demo runs forward (every
node's value) and backward (every node's gradient d f / d node) and prints one
row per node, so the patterns show: add distributes, multiply swaps, max routes.

Subcommands: ``lecture`` (the default), ``spiral`` and ``digits`` (nets that
learn in seconds), ``all``. Each saves its pictures (SVG) in a folder,
``tinybackprop-pictures`` unless ``--pictures DIR`` or ``--no-pictures``.
"""
from __future__ import annotations

import argparse
import sys
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from tinybackprop.gates import (
    AddConstantGate,
    AddGate,
    ExpGate,
    Gate,
    MaxGate,
    MultiplyGate,
    ReciprocalGate,
    ScaleGate,
)
from tinybackprop.demos import digits_demo, save_pictures, spiral_demo
from tinybackprop.draw import to_svg
from tinybackprop.graph import ComputationalGraph, Node
from tinybackprop.value import Value

PICTURES = "tinybackprop-pictures"

Circuit = Tuple[str, ComputationalGraph, Dict[str, float], str]


def add_circuit() -> Circuit:
    """f = (x + y) z at x=-2, y=5, z=-4: f = -12, df/dx = df/dy = -4, df/dz = 3."""
    g = ComputationalGraph()
    x, y, z = g.input("x"), g.input("y"), g.input("z")
    q = g.gate(AddGate(), x, y, name="q")
    g.gate(MultiplyGate(), q, z, name="f")
    note = "add distributes (x and y both get df/dq); multiply swaps (df/dq = z, df/dz = q)"
    return "f = (x + y) * z", g, {"x": -2.0, "y": 5.0, "z": -4.0}, note


def sigmoid_circuit() -> Circuit:
    """f = sigmoid(w0 x0 + w1 x1 + w2), staged as the lecture draws it: *, +, *-1, exp, +1, 1/x."""
    g = ComputationalGraph()
    w0, x0, w1, x1, w2 = (g.input(name) for name in ("w0", "x0", "w1", "x1", "w2"))
    a = g.gate(MultiplyGate(), w0, x0, name="w0x0")
    b = g.gate(MultiplyGate(), w1, x1, name="w1x1")
    dot = g.gate(AddGate(), g.gate(AddGate(), a, b, name="s"), w2, name="dot")
    e = g.gate(ExpGate(), g.gate(ScaleGate(-1.0), dot, name="neg"), name="e")
    g.gate(ReciprocalGate(), g.gate(AddConstantGate(1.0), e, name="den"), name="f")
    inputs = {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}
    note = "the four gates after dot are one sigmoid gate: df/d(dot) = f (1 - f) = {f_local:.4g}"
    return "f = sigmoid(w0*x0 + w1*x1 + w2)", g, inputs, note


def max_circuit() -> Circuit:
    """f = 2 (x y + max(z, w)) at x=3, y=-4, z=2, w=-1: f = -20, dx=-8, dy=6, dz=2, dw=0."""
    g = ComputationalGraph()
    x, y, z, w = (g.input(name) for name in ("x", "y", "z", "w"))
    xy = g.gate(MultiplyGate(), x, y, name="xy")
    m = g.gate(MaxGate(), z, w, name="m")
    g.gate(ScaleGate(2.0), g.gate(AddGate(), xy, m, name="s"), name="f")
    note = "max routes (z, the larger, gets the gradient; w gets 0); multiply swaps"
    return "f = 2 * (x*y + max(z, w))", g, {"x": 3.0, "y": -4.0, "z": 2.0, "w": -1.0}, note


CIRCUITS: List[Callable[[], Circuit]] = [add_circuit, sigmoid_circuit, max_circuit]


# How the demo writes the gates it uses; gates with a number are handled in computes().
_TEMPLATES: Dict[type, str] = {
    AddGate: "{0} + {1}", MultiplyGate: "{0} * {1}", MaxGate: "max({0}, {1})",
    ExpGate: "exp({0})", ReciprocalGate: "1 / {0}",
}


def computes(node: Node) -> str:
    """What a node computes, written with its input names: 'x + y', 'exp(-dot)', 'input'."""
    if node.gate is None:
        return "input"
    args = [i.name for i in node.inputs]
    gate: Gate = node.gate
    if isinstance(gate, AddConstantGate):
        return f"{gate.c:g} + {args[0]}"
    if isinstance(gate, ScaleGate):
        return f"{gate.a:g} * {args[0]}"
    return _TEMPLATES[type(gate)].format(*args)


def circuit_report(number: int, circuit: Circuit) -> str:
    """The forward and backward pass of one circuit as a table, one row per node."""
    title, g, inputs, note = circuit
    value = g.forward(inputs)
    g.backward()
    at = ", ".join(f"{name} = {v:g}" for name, v in inputs.items())
    rows = [(node.name, computes(node), f"{node.value:.4g}", f"{node.grad:.4g}") for node in g.nodes]
    header = ("node", "computes", "value", "df/dnode")
    widths = [max(len(r[k]) for r in rows + [header]) for k in range(4)]
    lines = [f"{number}. {title}    at {at}", ""]
    for k, row in enumerate([header] + rows):
        name, what, val, grad = row
        lines.append(f"   {name:<{widths[0]}}  {what:<{widths[1]}}  {val:>{widths[2]}}  {grad:>{widths[3]}}")
        if k == 0:
            lines.append("   " + "-" * (sum(widths) + 6))
    lines += ["", f"   f = {value:.4g}; " + note.format(f_local=value * (1.0 - value)), ""]
    return "\n".join(lines)


def run_lecture(args: argparse.Namespace) -> int:
    """Print the three lecture circuits, forward values and gradients, and save their pictures."""
    print("Backpropagation on the lecture's three circuits.")
    print("Forward fills each node's value; backward fills df/dnode, from f back to the inputs,")
    print("each gate multiplying the gradient from above by its local gradient.\n")
    figures = {}
    for number, make in enumerate(CIRCUITS, start=1):
        circuit = make()
        print(circuit_report(number, circuit))
        figures[f"lecture-circuit-{number}"] = to_svg(circuit[1])
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    f = (x + y) * z
    f.backward()
    print("The same with Value, where operator overloading records the graph for you:")
    print("    >>> x, y, z = Value(-2.0), Value(5.0), Value(-4.0)")
    print("    >>> f = (x + y) * z; f.backward(); f.data, x.grad, y.grad, z.grad")
    print(f"    {(f.data, x.grad, y.grad, z.grad)!r}")
    save_pictures(pictures_folder(args), figures, sys.stdout)
    return 0


def run_spiral(args: argparse.Namespace) -> int:
    """Train a linear classifier and a two-layer net on the CS231n spiral."""
    spiral_demo(seed=args.seed, pictures=pictures_folder(args))
    return 0


def run_digits(args: argparse.Namespace) -> int:
    """Train an MLP on the UCI handwritten digits and test it on a held-out fifth."""
    digits_demo(seed=args.seed, pictures=pictures_folder(args))
    return 0


def run_all(args: argparse.Namespace) -> int:
    """Every demo, one after the other."""
    for run in (run_lecture, run_spiral, run_digits):
        run(args)
        print()
    return 0


def pictures_folder(args: argparse.Namespace) -> Optional[str]:
    """Where the demos save their pictures: None when asked not to."""
    return None if args.no_pictures else args.pictures


def demo_options(default: object) -> argparse.ArgumentParser:
    """The options every demo takes, with `default` as each one's default."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--pictures", metavar="DIR", default=default,
                         help=f"folder for the SVG pictures (default: {PICTURES})")
    options.add_argument("--no-pictures", action="store_true", default=default, help="save no pictures")
    options.add_argument("--seed", type=int, default=default, help="seed of the data and the weights (default: 0)")
    return options


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Parse the command line and run a demo; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m tinybackprop", description="tinybackprop demos",
                                     parents=[demo_options(argparse.SUPPRESS)])
    parser.set_defaults(pictures=PICTURES, no_pictures=False, seed=0)
    commands = parser.add_subparsers(title="demos", dest="command", metavar="DEMO")
    for name, run, help_text in (
        ("lecture", run_lecture, "the lecture's three circuits, forward and backward (default)"),
        ("spiral", run_spiral, "a linear classifier and a two-layer net on the CS231n spiral"),
        ("digits", run_digits, "an MLP on real handwritten digits"),
        ("all", run_all, "every demo"),
    ):
        # SUPPRESS: an option given before the demo's name is not reset by the demo's defaults
        commands.add_parser(name, help=help_text, parents=[demo_options(argparse.SUPPRESS)]).set_defaults(run=run)
    args = parser.parse_args(argv)
    run = getattr(args, "run", run_lecture)  # no subcommand: the lecture demo
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
