"""Pictures of a computational graph with no graphviz: DOT text, our own SVG, a text tree.

Each function takes a `Value` (the graph below it), a list of Values (the
graphs below all of them) or a `ComputationalGraph`. A value is drawn as a box
with its label, its forward value (`data`, green) and its gradient (`grad`,
red) as in the lecture; each operation is a small oval between the values it
reads and the value it makes; edges follow the forward pass, left to right.

    >>> from tinybackprop.value import Value
    >>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    >>> f = (x + y) * z
    >>> f.backward()
    >>> svg = to_svg(f)          # or f in a notebook; print(f) shows to_text(f)
"""

from __future__ import annotations

from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

from tinybackprop import svg as s
from tinybackprop.layout import Layout

#: Graphs with more drawn nodes (values plus operations) than this are refused:
#: past a few hundred nodes a picture is a hairball nobody can read.
DEFAULT_MAX_NODES = 500


class GraphTooLarge(ValueError):
    """A graph with more nodes than a readable picture holds."""


class Entry(NamedTuple):
    """One value of a graph as the drawings see it: what it shows and what it was computed from."""

    label: str
    data: Optional[float]
    grad: Optional[float]
    op: str  # "" for an input (a leaf)
    inputs: Tuple[int, ...]  # indices of earlier entries


# ---------------------------------------------------------------------------
# Reading a graph: Values, lists of Values, or a ComputationalGraph


def entries(graph: Any) -> List[Entry]:
    """The values of `graph` in topological order (inputs before what uses them).

    A Value is read through its public walk (`topo()`, `children`, `op`), so
    graphs 100,000 nodes deep are fine; a ComputationalGraph through `nodes`.
    """
    if hasattr(graph, "topo"):
        return _value_entries([graph])
    if hasattr(graph, "nodes"):
        return _graph_entries(graph.nodes)
    if isinstance(graph, (list, tuple)) and graph and all(hasattr(v, "topo") for v in graph):
        return _value_entries(list(graph))
    raise TypeError(
        "expected a Value, a non-empty list of Values or a ComputationalGraph to draw, "
        "got %s" % type(graph).__name__
    )


def _value_entries(roots: List[Any]) -> List[Entry]:
    # Each root's nodes in topological order, minus those an earlier root already placed:
    # still an order in which every node comes after its children.
    index: Dict[int, int] = {}
    order: List[Any] = []
    for root in roots:
        for node in root.topo():
            if id(node) not in index:
                index[id(node)] = len(order)
                order.append(node)
    return [
        Entry(
            label=str(v.label or ""),
            data=v.data,
            grad=v.grad,
            op=(v.op or "?") if v.children else "",
            inputs=tuple(index[id(c)] for c in v.children),
        )
        for v in order
    ]


def _graph_entries(nodes: Sequence[Any]) -> List[Entry]:
    index = {id(node): i for i, node in enumerate(nodes)}
    return [
        Entry(
            label=str(node.name),
            data=node.value,
            grad=node.grad,
            op="" if node.gate is None else gate_symbol(node.gate),
            inputs=tuple(index[id(n)] for n in node.inputs),
        )
        for node in nodes
    ]


# The lecture writes gates as symbols; fixed-number gates show their number.
_GATE_SYMBOLS = {
    "AddGate": "+", "MultiplyGate": "*", "MaxGate": "max", "ExpGate": "exp",
    "ReciprocalGate": "1/x", "SigmoidGate": "sigmoid", "TanhGate": "tanh",
    "ReLUGate": "relu", "LogGate": "log",
}


def gate_symbol(gate: Any) -> str:
    """The short name drawn for a gate: '+', '*', 'exp', '+1' (AddConstantGate(1)), '*-1'."""
    name = type(gate).__name__
    if name in _GATE_SYMBOLS:
        return _GATE_SYMBOLS[name]
    if name == "AddConstantGate":
        return "+" + s.fmt(gate.c)
    if name == "ScaleGate":
        return "*" + s.fmt(gate.a)
    if name == "PowerGate":
        return "**" + s.fmt(gate.p)
    return name[:-4].lower() if name.endswith("Gate") and len(name) > 4 else name


def _drawn_items(graph: Any, max_nodes: Optional[int]) -> Tuple[List[Entry], List[Tuple[str, int]], List[Tuple[int, int]]]:
    """Entries, drawn items (('value', i) or ('op', i)) and edges between items."""
    graph_entries = entries(graph)
    if not graph_entries:
        raise ValueError("nothing to draw: the graph has no nodes yet (add inputs and gates first)")
    count = len(graph_entries) + sum(1 for e in graph_entries if e.inputs)
    if max_nodes is not None and count > max_nodes:
        raise GraphTooLarge(
            "this graph has %d nodes (%d values and %d operations), more than the %d "
            "a readable picture holds; draw a smaller expression (one neuron rather than "
            "the whole net) or pass max_nodes=%d if you really want it"
            % (count, len(graph_entries), count - len(graph_entries), max_nodes, count)
        )
    items: List[Tuple[str, int]] = []
    edges: List[Tuple[int, int]] = []
    box = {}  # entry index -> item index of its value box
    for i, entry in enumerate(graph_entries):
        if entry.inputs:
            op_item = len(items)
            items.append(("op", i))
            edges.extend((box[c], op_item) for c in entry.inputs)
            edges.append((op_item, op_item + 1))
        box[i] = len(items)
        items.append(("value", i))
    return graph_entries, items, edges


def notebook_svg(graph: Any) -> Optional[str]:
    """`to_svg(graph)` for Jupyter's display, or None when the graph is too large (Jupyter then shows the repr)."""
    try:
        return to_svg(graph)
    except GraphTooLarge:
        return None


# ---------------------------------------------------------------------------
# DOT


def to_dot(graph: Any, max_nodes: Optional[int] = DEFAULT_MAX_NODES) -> str:
    """Graphviz DOT text of the graph (render it with `dot -Tsvg`), left to right.

    Raises ValueError when the graph has more than `max_nodes` values plus operations.
    """
    graph_entries, items, edges = _drawn_items(graph, max_nodes)
    lines = [
        "digraph tinybackprop {",
        "  rankdir=LR;",
        '  node [fontname="monospace", fontsize=11];',
    ]
    for n, (kind, i) in enumerate(items):
        entry = graph_entries[i]
        if kind == "op":
            lines.append('  n%d [shape=ellipse, label="%s"];' % (n, _dot_string(entry.op)))
            continue
        rows = ["<b>%s</b>" % s.escape(entry.label)] if entry.label else []
        rows.append('<font color="%s">data %s</font>' % (s.DATA_COLOR, s.fmt(entry.data)))
        rows.append('<font color="%s">grad %s</font>' % (s.GRAD_COLOR, s.fmt(entry.grad)))
        lines.append("  n%d [shape=box, style=rounded, label=<%s>];" % (n, "<br/>".join(rows)))
    lines.extend("  n%d -> n%d;" % edge for edge in edges)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


# ---------------------------------------------------------------------------
# SVG: a layered layout (columns by longest path from the inputs)

FONT_SIZE = 12
LINE_HEIGHT = 15
PAD = 6
OP_HEIGHT = 24


def to_svg(graph: Any, max_nodes: Optional[int] = DEFAULT_MAX_NODES) -> str:
    """A standalone SVG picture of the graph, laid out by us (no graphviz needed).

    Boxes (`class="value"`) show label, data (green) and grad (red); ovals
    (`class="op"`) the operations; `class="edge"` the wires, left to right.
    Raises ValueError when the graph has more than `max_nodes` values plus operations.
    """
    graph_entries, items, edges = _drawn_items(graph, max_nodes)
    sizes = [_item_size(graph_entries[i], kind) for kind, i in items]
    layout = Layout(sizes, edges)
    # Wires into an operation whose operand order matters (a - b, a / b, a ** b)
    # are numbered, since the layout may stack b above a.
    operand: Dict[int, int] = {}
    body = []
    for (_, v), path in zip(edges, layout.paths):
        kind, i = items[v]
        entry = graph_entries[i]
        numbered = kind == "op" and len(entry.inputs) > 1 and (entry.op in ("-", "/") or entry.op.startswith("**"))
        operand[v] = operand.get(v, 0) + 1
        body.append(_edge_svg(layout, path, operand[v] if numbered else None))
    for n, (kind, i) in enumerate(items):
        body.append(_item_svg(graph_entries[i], kind, layout.box(n)))
    return s.document(layout.width, layout.height, body, font_size=FONT_SIZE)


def _value_lines(entry: Entry) -> List[Tuple[str, str]]:
    """(css class, text) of each line in a value box."""
    lines = [("label", entry.label)] if entry.label else []
    return lines + [("data", "data " + s.fmt(entry.data)), ("grad", "grad " + s.fmt(entry.grad))]


def _item_size(entry: Entry, kind: str) -> Tuple[float, float]:
    if kind == "op":
        return max(OP_HEIGHT + 4, s.text_width(entry.op, FONT_SIZE) + 18), OP_HEIGHT
    lines = _value_lines(entry)
    width = max(s.text_width(text, FONT_SIZE) for _, text in lines) + 2 * PAD
    return width, len(lines) * LINE_HEIGHT + 2 * PAD - 2


def _item_svg(entry: Entry, kind: str, box: Tuple[float, float, float, float]) -> str:
    x, y, w, h = box
    cx = x + w / 2
    if kind == "op":
        return s.element(
            "g",
            [
                s.element("ellipse", cx=cx, cy=y + h / 2, rx=w / 2, ry=h / 2, fill="#fff8c5", stroke="#57606a"),
                s.text(cx, y + h / 2 + 4, entry.op, text_anchor="middle"),
            ],
            class_="op",
        )
    colors = {"label": "#1f2328", "data": s.DATA_COLOR, "grad": s.GRAD_COLOR}
    parts = [
        s.element("title", s.escape("%s data=%r grad=%r" % (entry.label, entry.data, entry.grad))),
        s.element("rect", x=x, y=y, width=w, height=h, rx=4, fill="#f6f8fa", stroke="#57606a"),
    ]
    for row, (css, content) in enumerate(_value_lines(entry)):
        parts.append(
            s.text(
                cx, y + PAD + FONT_SIZE - 1 + row * LINE_HEIGHT, content,
                class_=css, fill=colors[css], text_anchor="middle",
                font_weight="bold" if css == "label" else None,
            )
        )
    return s.element("g", parts, class_="value")


def _edge_svg(layout: Layout, path: List[int], operand: Optional[int] = None) -> str:
    """A wire through the nodes of `path`: straight across columns, curved between them.

    `operand` (1, 2, ...) is written on the wire's last bend, for operations where order matters.
    """
    x0, y0 = layout.exit(path[0])
    d = ["M%s,%s" % (s.num(x0), s.num(y0))]
    label = []
    for node in path[1:]:
        x1, y1 = layout.entry(node)
        if operand is not None and node == path[-1]:
            label.append(s.text((x0 + x1) / 2, (y0 + y1) / 2 - 4, operand, class_="operand",
                                font_size=10, fill="#57606a", text_anchor="middle"))
        bend = (x1 - x0) / 2
        d.append(
            "C%s,%s %s,%s %s,%s"
            % (s.num(x0 + bend), s.num(y0), s.num(x1 - bend), s.num(y1), s.num(x1), s.num(y1))
        )
        x0, y0 = layout.exit(node)
        if x0 != x1:
            d.append("L%s,%s" % (s.num(x0), s.num(y0)))
    tip_x, tip_y = layout.entry(path[-1])
    arrow = "M%s,%s l-7,-4 v8 z" % (s.num(tip_x), s.num(tip_y))
    return s.element(
        "g",
        [
            s.element("path", d=" ".join(d), fill="none", stroke="#8c959f", stroke_width=1.3),
            s.element("path", d=arrow, fill="#57606a"),
        ] + label,
        class_="edge",
    )


# ---------------------------------------------------------------------------
# Text


def to_text(graph: Any, max_lines: Optional[int] = 100) -> str:
    """A compact tree, output at the top: '[op] label  data=..  grad=..', children indented.

    A value used more than once is printed in full the first time (marked `#n`)
    and referred to afterwards. At most `max_lines` lines (None: all); the last
    line then says how many values were left out.
    """
    graph_entries = entries(graph)
    if not graph_entries:
        return "(an empty graph)"
    uses = [0] * len(graph_entries)
    for entry in graph_entries:
        for i in entry.inputs:
            uses[i] += 1
    roots = [i for i in range(len(graph_entries)) if uses[i] == 0]
    tags: Dict[int, int] = {}  # shared entry -> its #number, once printed
    printed = set()
    lines: List[str] = []
    # (entry, prefix for its own line, prefix for its children's lines)
    stack = [(i, "", "") for i in reversed(roots)]
    while stack:
        if max_lines is not None and len(lines) >= max_lines:
            left = len(graph_entries) - len(printed)
            lines.append("... %d more values not shown (to_text(..., max_lines=None) shows all)" % left)
            break
        i, head, indent = stack.pop()
        entry = graph_entries[i]
        name = entry.label + "  " if entry.label else ""
        if i in tags:
            lines.append("%s%s(#%d, shown above)" % (head, name, tags[i]))
            continue
        op = "[%s] " % entry.op if entry.op else ""
        line = "%s%s%sdata=%s  grad=%s" % (head, op, name, s.fmt(entry.data), s.fmt(entry.grad))
        if uses[i] > 1:
            tags[i] = len(tags) + 1
            line += "  (#%d)" % tags[i]
        lines.append(line)
        printed.add(i)
        children = entry.inputs
        for k in range(len(children) - 1, -1, -1):
            last = k == len(children) - 1
            stack.append(
                (children[k], indent + ("└── " if last else "├── "), indent + ("    " if last else "│   "))
            )
    return "\n".join(lines)
