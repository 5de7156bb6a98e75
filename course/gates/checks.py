"""Public checks of the gates warm-up: the lecture's three circuits, the staged sigmoid neuron and
the staged circuit with a fork (stage gates), and the vectorized example (stage vector, in vector.py).

A circuit is a list of gates wired by name. It runs twice: with the
reference gates here in the parent, and with the student's gates in the
child (each gate an object that stays there). The message draws the circuit
as a table of wires with the expected and the student's gradient side by side.
The kit's self-check runs the lecture's numbers, which students can compare
with the slides; an official grade draws new ones, whose answers were never
published.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable, Optional

from autograder.compare import (EXACT, compare_floats, compare_number, describe, fmt, is_number,
                                rel_error, tuple_message, unpack)
from autograder.oracle import answer, make_check, published
from autograder.suite import Check, Session, Verdict
from course.gates import vector
from course.hints import fork_hint


@dataclass(frozen=True)
class Step:
    """One gate of a circuit: `out = Gate(*inputs)`, wires named by strings."""

    out: str
    gate: str  # "AddGate", "MultiplyGate", "MaxGate" or "SigmoidGate"
    inputs: tuple


@dataclass(frozen=True)
class Circuit:
    """Gates in forward order; `shown` are the wires whose gradients the student must get right."""

    formula: str
    steps: tuple
    shown: tuple

    def reference(self, values: dict) -> dict:
        """The gradient of the output on every wire, with the reference gates."""
        return answer("gates", self.formula, lambda ref: self.backprop(ref, values), values)

    def backprop(self, ref, values: dict) -> dict:
        """Forward then backward through the circuit built from the gates of module ref."""
        gates = {}
        values = dict(values)
        for step in self.steps:
            gates[step.out] = getattr(ref, step.gate)()
            values[step.out] = gates[step.out].forward(*(values[w] for w in step.inputs))
        grads = {self.steps[-1].out: 1.0}
        for step in reversed(self.steps):
            local = gates[step.out].backward(grads.get(step.out, 0.0))
            local = local if isinstance(local, tuple) else (local,)
            for wire, g in zip(step.inputs, local):
                grads[wire] = grads.get(wire, 0.0) + g  # gradients add at forks
        return grads

    def student(self, session: Session, values: dict) -> tuple:
        """The student's gradient on every wire reached, and the first problem met (or "")."""
        handles = {}
        values = dict(values)
        for step in self.steps:
            handles[step.out] = session.new(f"gates.{step.gate}")
            value = session.method(handles[step.out], "forward", *(values[w] for w in step.inputs))
            if not is_number(value):
                return {}, f"{step.gate}.forward returned {describe(value)}; expected a number"
            values[step.out] = value
        grads = {self.steps[-1].out: 1.0}
        for step in reversed(self.steps):
            local = session.method(handles[step.out], "backward", grads.get(step.out, 0.0))
            problem = backward_problem(step, local)
            if problem:
                return grads, problem
            for wire, g in zip(step.inputs, local if len(step.inputs) == 2 else [local]):
                grads[wire] = grads.get(wire, 0.0) + g
        return grads, ""


def backward_problem(step: Step, local) -> str:
    """What is wrong with the type of a gate's backward result ("" when it is what the contract says)."""
    if step.gate == "SigmoidGate":
        return "" if is_number(local) else (f"SigmoidGate.backward returned {describe(local)}; "
                                            "expected one number, dx")
    if isinstance(local, list) and len(local) == 2 and all(is_number(g) for g in local):
        return ""
    return tuple_message(local, ("dx", "dy"), f"{step.gate}.backward")


def table(circuit: Circuit, values: dict, want: dict, got: dict) -> tuple:
    """(all right, the circuit's wires as text: value, expected gradient, the student's)."""
    lines = [f"{circuit.formula} at " + ", ".join(f"{k}={fmt(v)}" for k, v in values.items()),
             f"{'wire':>6} {'expected':>12} {'yours':>12}"]
    right = True
    for wire in circuit.shown:
        yours = got.get(wire)
        ok = yours is not None and rel_error(yours, want[wire]) <= EXACT
        right = right and ok
        shown = fmt(yours) if yours is not None else "-"
        lines.append(f"{'d' + wire:>6} {fmt(want[wire]):>12} {shown:>12}  {'ok' if ok else 'WRONG'}")
    return right, "\n".join(lines)


ADD_MULTIPLY = Circuit("f = (x + y) * z",
                       (Step("q", "AddGate", ("x", "y")), Step("f", "MultiplyGate", ("q", "z"))),
                       ("x", "y", "z", "q"))
NEURON = Circuit("f = sigmoid(w0*x0 + w1*x1 + w2)",
                 (Step("a", "MultiplyGate", ("w0", "x0")), Step("b", "MultiplyGate", ("w1", "x1")),
                  Step("c", "AddGate", ("a", "b")), Step("dot", "AddGate", ("c", "w2")),
                  Step("f", "SigmoidGate", ("dot",))),
                 ("w0", "x0", "w1", "x1", "w2", "dot"))
MAX = Circuit("f = 2 * (x * y + max(z, w))",
              (Step("a", "MultiplyGate", ("x", "y")), Step("b", "MaxGate", ("z", "w")),
               Step("c", "AddGate", ("a", "b")), Step("f", "MultiplyGate", ("c", "two"))),
              ("x", "y", "z", "w", "c"))


# What each gate's backward does, for the hint that names the first wrong gate.
GATE_RULES = {
    "AddGate": "add passes the upstream gradient on to both inputs unchanged",
    "MultiplyGate": "multiply swaps its inputs (each input's gradient is the other input times the "
                    "upstream gradient)",
    "MaxGate": "max routes the upstream gradient to the larger input, and the other input gets 0",
    "SigmoidGate": "sigmoid multiplies the upstream gradient by its local gradient (1 - f) * f",
}


def wrong_gate(circuit: Circuit, want: dict, got: dict) -> Optional[Step]:
    """The first gate, going backward, that got the right upstream gradient and passed on a wrong one."""
    def right(wire: str) -> bool:
        return got.get(wire) is not None and rel_error(got[wire], want[wire]) <= EXACT
    for step in reversed(circuit.steps):
        if right(step.out) and not all(right(wire) for wire in step.inputs):
            return step
    return None


def circuit_hint(circuit: Circuit, want: dict, got: dict) -> str:
    """Name the gate whose backward is wrong and say what it should do."""
    step = wrong_gate(circuit, want, got)
    if step is None:
        return ("Each gate's backward returns upstream times its local gradient: " +
                ", ".join(GATE_RULES.values()) + ".")
    passed = ", ".join(f"d{wire} = {fmt(got[wire])}" if got.get(wire) is not None else f"no d{wire}"
                       for wire in step.inputs)
    return (f"{step.gate}.backward is wrong: given the right upstream gradient "
            f"{fmt(want[step.out])}, it gave {passed}. The rule: {GATE_RULES[step.gate]}.")


def circuit_check(name: str, circuit: Circuit, points: float, inputs: Callable,
                  hidden: bool = False) -> Check:
    """Backpropagate through a circuit built from the student's gates; all shown wires must be right."""
    def run(session: Session, rng: random.Random) -> Verdict:
        values = inputs(rng)
        got, problem = circuit.student(session, values)
        want = circuit.reference(values)
        right, text = table(circuit, values, want, got)
        if problem:
            return Verdict(0.0, f"{problem}\n{text}")
        return Verdict(1.0 if right else 0.0, text, "" if right else circuit_hint(circuit, want, got))
    return make_check(f"gates.gates.{name}", "gates", points, run, hidden)


@dataclass(frozen=True)
class Staged:
    """A staged exercise: `forward(*inputs) -> (f, cache)` and `backward(cache, dout)` -> two gradients."""

    formula: str
    forward: str  # e.g. "sigmoid_neuron_forward"; the backward is the same name with "_backward"
    inputs: tuple  # the names of forward's arguments
    key: str  # the intermediate of the cache checked beside f
    grads: tuple  # the names of backward's two gradients
    compare: Callable  # compare_floats (lists of gradients) or compare_number (one float each)
    hint: Callable  # hint(got, want, dout) -> str, got and want the two gradients
    # The shares of the check's points of the cache's key, f and the two gradients when a final
    # result (f or a gradient) is wrong: what the exercise teaches weighs most.
    weights: tuple = (0.25, 0.25, 0.25, 0.25)

    @property
    def backward(self) -> str:
        """The name of the backward function."""
        return self.forward[:-len("_forward")] + "_backward"

    def reference(self, ref, args: tuple, dout: float) -> tuple:
        """((f, cache), gradients) of the reference's forward and backward."""
        f, cache = getattr(ref, self.forward)(*args)
        return (f, cache), getattr(ref, self.backward)(cache, dout)


def staged_check(name: str, staged: Staged, points: float, inputs: Callable, hidden: bool = False) -> Check:
    """The student's forward (its cache's key, f) and backward fed the reference cache (two gradients).

    inputs(rng) gives (forward's arguments, dout). With f and both gradients right, all the points
    (the key is a note); otherwise each right part earns its share of ``staged.weights``.
    """
    def run(session: Session, rng: random.Random) -> Verdict:
        args, dout = inputs(rng)
        what = staged.forward[:-len("_forward")]
        (_, cache), want = answer("gates", what, lambda ref: staged.reference(ref, args, dout), *args, dout)
        results = forward_results(session.call(f"gates.{staged.forward}", *args), cache,
                                  staged.forward, staged.key)
        grads = session.call(f"gates.{staged.backward}", cache, dout)
        pair = unpack(grads, 2)
        hint = ""
        if pair is None:
            results.append((False, tuple_message(grads, staged.grads, staged.backward)))
        else:
            results += [(c.ok, c.message) for c in (staged.compare(staged.grads[0], pair[0], want[0]),
                                                    staged.compare(staged.grads[1], pair[1], want[1]))]
            hint = staged.hint(pair, want, dout)
        where = f"{staged.formula} at " + ", ".join(
            f"{n} = {listed(v) if isinstance(v, list) else fmt(v)}" for n, v in zip(staged.inputs, args))
        finals_right = all(ok for ok, _ in results[1:])
        fraction = 1.0 if finals_right else sum(w for w, (ok, _) in zip(staged.weights, results) if ok)
        return Verdict(fraction, f"{where}, dout = {fmt(dout)}: " + "; ".join(m for _, m in results), hint)
    return make_check(f"gates.gates.{name}", "gates", points, run, hidden)


def upstream_hint(got: list, want: tuple, dout: float) -> str:
    """The neuron's hint for gradients computed as if dout were 1."""
    if dout != 1.0 and matches_scaled(got[0], want[0], 1.0 / dout):
        return ("Your gradients are those for dout = 1: multiply the local gradient "
                "(1 - f) * f by the upstream gradient dout (the chain rule).")
    return ""


def fork_branches_hint(got: list, want: tuple, dout: float) -> str:
    """The fork's hint for a dx that is only one gate's contribution."""
    dx, dy = want
    # The add gate sends x what it sends y (dy); the multiply gate sends the rest.
    return fork_hint(got[0], (dy, dx - dy))


def matches_scaled(got, want: list, scale: float) -> bool:
    """True when ``got`` is the list ``want`` times ``scale``, entry by entry."""
    return compare_floats("", got, [v * scale for v in want]).ok


def listed(values) -> str:
    """Numbers as a short list for messages: [2, -3, -3]."""
    return "[" + ", ".join(fmt(v) for v in values) + "]"


def forward_results(result, cache: dict, function: str, key: str) -> list:
    """(ok, message) for the cache's intermediate `key` and the output f of a staged forward."""
    pair = unpack(result, 2)
    if pair is None or not isinstance(pair[1], dict):
        message = tuple_message(result, ("f", "cache"), function)
        return [(False, message), (False, f"so {key} could not be checked")]
    inner = compare_number(f"cache['{key}']", pair[1].get(key), cache[key])
    f = compare_number("f", pair[0], cache["f"])
    return [(inner.ok, inner.message), (f.ok, f.message)]


STAGED_NEURON = Staged("f = sigmoid(w0*x0 + w1*x1 + w2)", "sigmoid_neuron_forward", ("w", "x"), "dot",
                       ("dw", "dx"), compare_floats, upstream_hint)
# The fork's lesson is dx, the sum of what both gates send back: most of the check.
FORK_CIRCUIT = Staged("f = (x + y) * x", "fork_circuit_forward", ("x", "y"), "q", ("dx", "dy"),
                      compare_number, fork_branches_hint, weights=(0.05, 0.05, 0.8, 0.1))


def lecture(values, draw: Callable) -> Callable:
    """An input maker: the lecture's numbers in the kit's self-check (to compare with the slides),
    new ones from ``draw(rng)`` in an official grade."""
    return lambda rng: values if published(rng) else draw(rng)


def uniform(names: tuple, low: float = -5.0, high: float = 5.0, extra: Optional[dict] = None) -> Callable:
    """An input maker drawing each named wire uniformly from [low, high] (ties have probability 0)."""
    def make(rng: random.Random) -> dict:
        values = {name: round(rng.uniform(low, high), 6) for name in names}
        values.update(extra or {})
        return values
    return make


def neuron_inputs(dout: Optional[float] = None) -> Callable:
    """An input maker of the staged neuron: (w, x) drawn in [-3, 3], and dout (drawn in [-2, 2] when None)."""
    def make(rng: random.Random) -> tuple:
        w = [round(rng.uniform(-3, 3), 6) for _ in range(3)]
        x = [round(rng.uniform(-3, 3), 6) for _ in range(2)]
        return (w, x), round(rng.uniform(-2, 2), 6) if dout is None else dout
    return make


def fork_inputs(rng: random.Random) -> tuple:
    """An input maker of the fork: x and y drawn in [-5, 5], dout in [-2, 2]."""
    return (round(rng.uniform(-5, 5), 6), round(rng.uniform(-5, 5), 6)), round(rng.uniform(-2, 2), 6)


LECTURE_NEURON = ([2.0, -3.0, -3.0], [-1.0, -2.0])
CHECKS = [
    circuit_check("add_multiply_circuit", ADD_MULTIPLY, 1,
                  lecture({"x": -2.0, "y": 5.0, "z": -4.0}, uniform(("x", "y", "z")))),
    circuit_check("sigmoid_neuron_circuit", NEURON, 1,
                  lecture({"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0},
                          uniform(("w0", "x0", "w1", "x1", "w2"), -2.0, 2.0))),
    circuit_check("max_circuit", MAX, 1, lecture({"x": 3.0, "y": -4.0, "z": 2.0, "w": -1.0, "two": 2.0},
                                                 uniform(("x", "y", "z", "w"), extra={"two": 2.0}))),
    staged_check("staged_sigmoid_neuron", STAGED_NEURON, 0.5, lecture((LECTURE_NEURON, 1.0), neuron_inputs(1.0))),
    # The neuron as part of a larger circuit: an upstream gradient other than 1
    # shows whether the backward multiplies by it.
    staged_check("staged_sigmoid_neuron_upstream", STAGED_NEURON, 0.5,
                 lecture((LECTURE_NEURON, 0.5), neuron_inputs())),
    # x = -2, y = 5 as in the lecture's first circuit: f = -6, dx = 2x + y = 1, dy = x = -2.
    staged_check("fork_circuit", FORK_CIRCUIT, 3, lecture(((-2.0, 5.0), 1.0), fork_inputs)),
] + vector.CHECKS
