"""ComputationalGraph: gates wired into a graph that runs forward and backward (the lecture's pseudo-code).

Gates are wired into a directed acyclic graph. ``forward`` runs every gate in
topological order (each after the gates it reads from); ``backward`` runs them
in reverse, handing each gate the gradient of the output with respect to its
own output (``upstream``) and adding what it returns into its inputs, so
gradients add up where a node feeds several gates.

    >>> from tinybackprop.gates import AddGate, MultiplyGate
    >>> g = ComputationalGraph()
    >>> x, y, z = g.input("x"), g.input("y"), g.input("z")
    >>> q = g.gate(AddGate(), x, y, name="q")
    >>> f = g.gate(MultiplyGate(), q, z, name="f")
    >>> g.forward({"x": -2.0, "y": 5.0, "z": -4.0})
    -12.0
    >>> g.backward()
    {'x': -4.0, 'y': -4.0, 'z': 3.0}
"""
from __future__ import annotations

import inspect
import sys
from numbers import Real
from operator import attrgetter
from typing import Dict, Iterator, List, Mapping, Optional, Tuple, Union

from tinybackprop.gates import Gate
from tinybackprop.value import WASM_PLATFORMS, CycleError, free_in_one_loop, topological_order


class Node:
    """A vertex of a ComputationalGraph: an input (gate None) or a gate applied to other nodes."""

    # A dict of slots: help(Node) shows each attribute with its description.
    __slots__ = {
        "name": "the node's name: the key of its value in forward's inputs and backward's result",
        "gate": "the Gate this node applies (None for an input)",
        "inputs": "the Nodes the gate reads, in the order of forward's arguments",
        "value": "the output of the latest forward (None before one)",
        "grad": "d(graph output)/d(this node) from the latest backward (0.0 after forward)",
        "_refs": "the inputs as given: Nodes or names, which may refer to nodes added later",
    }

    def __init__(self, name: str, gate: Optional[Gate] = None, refs: Tuple[Union[Node, str], ...] = ()) -> None:
        """A node called ``name`` that applies ``gate`` to the nodes ``refs`` (Nodes or names)."""
        self.name = name
        self.gate = gate
        self._refs = refs
        self.inputs: Tuple[Node, ...] = tuple(r for r in refs if isinstance(r, Node))
        self.value: Optional[float] = None
        self.grad: Optional[float] = None

    def __repr__(self) -> str:
        kind = "input" if self.gate is None else repr(self.gate)
        return f"Node({self.name!r}, {kind}, value={self.value!r}, grad={self.grad!r})"

    if sys.platform in WASM_PLATFORMS:
        def __del__(self) -> None:
            """Free the nodes below this dying one in the one freeing loop (tinybackprop.value)."""
            held = [self.inputs, self._refs]
            self.inputs = self._refs = ()
            free_in_one_loop(held)


class ComputationalGraph:
    """Gates wired into a DAG: forward in topological order, backward in reverse order."""

    def __init__(self) -> None:
        self._by_name: Dict[str, Node] = {}
        self._gate_users: Dict[int, str] = {}  # id(gate) -> the node that uses it
        self._order: Optional[List[Node]] = None  # the topological order of the last forward

    # ----- building -----

    def input(self, name: str) -> Node:
        """A new input node; forward takes its value from ``inputs[name]``."""
        return self._add(Node(name))

    def gate(self, gate: Gate, *nodes: Union[Node, str], name: Optional[str] = None) -> Node:
        """A new node that applies ``gate`` to ``nodes`` (Nodes, or names of nodes added before or after)."""
        if isinstance(gate, type):
            raise TypeError(f"pass a gate instance such as {gate.__name__}(), not the class {gate.__name__}")
        if not (hasattr(gate, "forward") and hasattr(gate, "backward")):
            raise TypeError(f"expected a gate with forward() and backward(), got {type(gate).__name__}")
        arity = _arity(gate)
        if arity is not None and len(nodes) != arity:
            raise ValueError(f"{type(gate).__name__} takes {arity} input(s), got {len(nodes)}")
        if id(gate) in self._gate_users:
            raise ValueError(
                f"this {type(gate).__name__} is already node {self._gate_users[id(gate)]!r}: make a new "
                "gate for each node (a gate caches one forward pass for its backward)"
            )
        for ref in nodes:
            if isinstance(ref, Node) and self._by_name.get(ref.name) is not ref:
                raise ValueError(f"node {ref.name!r} belongs to another graph")
            if not isinstance(ref, (Node, str)):
                raise TypeError(f"gate inputs are Nodes or node names, got {type(ref).__name__}")
        if name is None:
            name = self._fresh_name(type(gate).__name__.replace("Gate", "").lower() or "gate")
        node = self._add(Node(name, gate, tuple(nodes)))
        self._gate_users[id(gate)] = name  # the graph holds the gate, so its id stays unique
        return node

    def _fresh_name(self, stem: str) -> str:
        """stem followed by the first number not yet taken, e.g. 'multiply3'."""
        k = len(self._by_name)
        while f"{stem}{k}" in self._by_name:
            k += 1
        return f"{stem}{k}"

    def _add(self, node: Node) -> Node:
        if not isinstance(node.name, str) or not node.name:
            raise ValueError(f"a node name must be a non-empty string, got {node.name!r}")
        if node.name in self._by_name:
            raise ValueError(f"a node named {node.name!r} already exists in this graph")
        self._by_name[node.name] = node
        self._order = None  # the graph changed: a forward pass must come before backward
        return node

    # ----- reading -----

    @property
    def nodes(self) -> List[Node]:
        """Every node in topological order (each after the nodes it reads from)."""
        return self._sorted()

    @property
    def output(self) -> Node:
        """The one node no other node reads from."""
        return self._output(self._sorted())

    def __getitem__(self, name: str) -> Node:
        """g["q"]: the node called q."""
        return self._lookup(name, None)

    def __len__(self) -> int:
        """How many nodes (inputs and gates) the graph has."""
        return len(self._by_name)

    def __iter__(self) -> Iterator[Node]:
        """The nodes in topological order, as ``nodes``."""
        return iter(self._sorted())

    # ----- running -----

    def forward(self, inputs: Mapping[str, float]) -> float:
        """Run every gate in topological order; returns the output's value.

        ``inputs`` maps each input node's name to a number. Resets every
        node's ``grad`` to 0.
        """
        order = self._sorted()
        output = self._output(order)
        input_names = [node.name for node in order if node.gate is None]
        if not isinstance(inputs, Mapping):
            example = ", ".join(f"{name!r}: ..." for name in input_names)
            raise TypeError(f"forward takes a dict of input values {{{example}}}, got {type(inputs).__name__}")
        for key in inputs:
            if isinstance(key, Node):
                raise TypeError(f"forward: the keys of inputs are node names such as {key.name!r}, "
                                "not the Node itself")
        missing = [name for name in input_names if name not in inputs]
        if missing:
            raise ValueError(f"forward: no value for input {', '.join(map(repr, missing))}; "
                             f"expected a value for each of {', '.join(input_names)}")
        for key in inputs:
            if key not in input_names:
                what = "a gate node, not an input" if key in self._by_name else "not a node of this graph"
                raise ValueError(f"forward: {key!r} is {what}; the inputs are {', '.join(input_names)}")
        self._order = None
        for node in order:
            if node.gate is None:
                value = inputs[node.name]
                if not isinstance(value, Real):
                    raise TypeError(f"forward: input {node.name!r} must be a number, got {type(value).__name__}")
                node.value = float(value)
            else:
                node.value = node.gate.forward(*[i.value for i in node.inputs])
                if not isinstance(node.value, Real):
                    raise TypeError(f"{type(node.gate).__name__}.forward returned {node.value!r} for node "
                                    f"{node.name!r}; expected a number (does forward end with return?)")
            node.grad = 0.0
        self._order = order
        return output.value

    def backward(self, dout: float = 1.0) -> Dict[str, float]:
        """Run the gates in reverse order from ``dout`` at the output; returns {input name: gradient}.

        Every node's ``grad`` is filled in; each call starts again from zero.
        Where a node feeds several gates, the gradients they send back add up.
        """
        order = self._order
        if order is None:
            raise RuntimeError("backward was called before forward: run forward(inputs) after "
                               "building (or changing) the graph, then backward()")
        if not isinstance(dout, Real):
            raise TypeError(f"backward: dout must be a number (d loss / d output, usually 1.0), "
                            f"got {type(dout).__name__}")
        for node in order:
            node.grad = 0.0
        self._output(order).grad = float(dout)
        for node in reversed(order):
            if node.gate is None:
                continue
            upstream = node.grad
            # What a gate returns is already upstream * local: the gradient for each of its inputs.
            downstream = node.gate.backward(upstream)
            gate_name = type(node.gate).__name__
            if not isinstance(downstream, tuple) or len(downstream) != len(node.inputs):
                names = [f"d{i.name}" for i in node.inputs]
                example = f"({names[0]},)" if len(names) == 1 else f"({', '.join(names)})"
                raise ValueError(
                    f"{gate_name}.backward must return a tuple with one gradient per "
                    f"input ({len(node.inputs)}), got {downstream!r}; write it as {example}"
                )
            for input_node, grad in zip(node.inputs, downstream):
                if not isinstance(grad, Real):
                    raise TypeError(f"{gate_name}.backward returned {grad!r} as the gradient for input "
                                    f"{input_node.name!r} of node {node.name!r}; expected a number")
                input_node.grad += grad  # += : gradients add at forks
        return {node.name: node.grad for node in order if node.gate is None}

    # ----- topological order -----

    def _lookup(self, ref: Union[Node, str], user: Optional[Node]) -> Node:
        name = ref.name if isinstance(ref, Node) else ref
        if name not in self._by_name:
            known = f"the graph has {', '.join(self._by_name) or 'no nodes'}"
            if user is None:
                raise ValueError(f"unknown node {name!r}; {known}")
            raise ValueError(f"unknown node {name!r} (an input of node {user.name!r}); {known}: add it with "
                             f"g.input({name!r}) or g.gate(..., name={name!r}), or fix the name")
        return self._by_name[name]

    def _sorted(self) -> List[Node]:
        """Resolve names to nodes and order the nodes inputs-first; ValueError naming a cycle."""
        for node in self._by_name.values():
            node.inputs = tuple(self._lookup(ref, node) for ref in node._refs)
        try:
            return topological_order(self._by_name.values(), attrgetter("inputs"))
        except CycleError as error:
            cycle = " <- ".join(node.name for node in error.args[0])
            raise ValueError(f"the graph has a cycle: {cycle} (each node is an input of the one before); "
                             "a computational graph must be acyclic") from None

    def _output(self, order: List[Node]) -> Node:
        if not order:
            raise ValueError("the graph is empty: add inputs with g.input(name) and gates with "
                             "g.gate(gate, *nodes) first")
        used = {id(i) for node in order for i in node.inputs}
        sinks = [node for node in order if id(node) not in used]
        if len(sinks) != 1:
            names = ", ".join(n.name for n in sinks) or "none"
            raise ValueError(f"the graph needs exactly one output (a node no other node reads); found {names}")
        return sinks[0]

    # ----- display: tinybackprop.draw reads the graph through its nodes -----

    def __str__(self) -> str:
        """The compact text tree of the graph (tinybackprop.draw.to_text)."""
        from tinybackprop.draw import to_text  # pictures stay beside the graph: loaded when first asked for

        return to_text(self)

    def _repr_svg_(self) -> Optional[str]:
        """The graph as SVG, for Jupyter; None when it is too large to draw (Jupyter then shows the repr)."""
        from tinybackprop.draw import notebook_svg

        return notebook_svg(self)

    def __repr__(self) -> str:
        """The graph in one line: its size, its inputs and its output."""
        if not self._by_name:
            return "ComputationalGraph(empty)"
        # From the names alone, so that even a graph with an unknown node or a cycle has a repr.
        inputs = [name for name, node in self._by_name.items() if node.gate is None]
        used = {ref.name if isinstance(ref, Node) else ref for node in self._by_name.values() for ref in node._refs}
        outputs = [name for name in self._by_name if name not in used]
        return (f"ComputationalGraph({len(self)} nodes: inputs {', '.join(inputs) or 'none'}; "
                f"output{'' if len(outputs) == 1 else 's'} {', '.join(outputs) or 'none'})")


def _arity(gate: Gate) -> Optional[int]:
    """How many inputs gate.forward takes (None when it takes any number)."""
    params = inspect.signature(gate.forward).parameters.values()
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return None
    return sum(1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
