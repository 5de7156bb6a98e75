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

    Walks `Value._prev` iteratively, so graphs 100,000 nodes deep are fine.
    """
    if hasattr(graph, "_prev"):
        return _value_entries([graph])
    if hasattr(graph, "nodes"):
        return _graph_entries(graph.nodes)
    if isinstance(graph, (list, tuple)) and graph and all(hasattr(v, "_prev") for v in graph):
        return _value_entries(list(graph))
    raise TypeError(
        "expected a Value, a non-empty list of Values or a ComputationalGraph to draw, "
        "got %s" % type(graph).__name__
    )


def _value_entries(roots: List[Any]) -> List[Entry]:
    order: List[Any] = []
    index: Dict[int, int] = {}
    on_stack = set()
    for root in roots:
        if id(root) in index or id(root) in on_stack:
            continue
        on_stack.add(id(root))
        stack = [(root, iter(root._prev))]
        while stack:
            node, children = stack[-1]
            for child in children:
                if id(child) not in index and id(child) not in on_stack:
                    on_stack.add(id(child))
                    stack.append((child, iter(child._prev)))
                    break
            else:  # every child is placed, so the node can follow them
                stack.pop()
                index[id(node)] = len(order)
                order.append(node)
    return [
        Entry(
            label=str(v.label or ""),
            data=v.data,
            grad=v.grad,
            op=(v._op or "?") if v._prev else "",
            inputs=tuple(index[id(c)] for c in v._prev),
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
COLUMN_GAP = 44  # room for the wires to bend between columns
ROW_GAP = 12
WIRE_HEIGHT = 8  # a long wire passing through a column keeps this much room
OP_HEIGHT = 24
MARGIN = 12
SWEEPS = 4


def to_svg(graph: Any, max_nodes: Optional[int] = DEFAULT_MAX_NODES) -> str:
    """A standalone SVG picture of the graph, laid out by us (no graphviz needed).

    Boxes (`class="value"`) show label, data (green) and grad (red); ovals
    (`class="op"`) the operations; `class="edge"` the wires, left to right.
    Raises ValueError when the graph has more than `max_nodes` values plus operations.
    """
    graph_entries, items, edges = _drawn_items(graph, max_nodes)
    sizes = [_item_size(graph_entries[i], kind) for kind, i in items]
    layout = _Layout(sizes, edges)
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


def _edge_svg(layout: "_Layout", path: List[int], operand: Optional[int] = None) -> str:
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


class _Layout:
    """Positions for a DAG drawn left to right (a small Sugiyama-style layout).

    1. Columns: each node's column is its longest path from an input; then
       a node used only later moves right, next to its first use.
    2. A wire spanning several columns gets a placeholder node in each column
       it crosses, so that it takes room and can be routed around boxes.
    3. Order within columns: barycenter sweeps (each node moves to the mean
       position of its neighbours), keeping the order with fewest crossings.
    4. Heights: each column is placed as close as possible to its neighbours
       without overlaps (a least-squares fit, solved by pool adjacent violators).
    """

    def __init__(self, sizes: List[Tuple[float, float]], edges: List[Tuple[int, int]]) -> None:
        n = len(sizes)
        self.sizes = list(sizes)
        column = [0] * n
        for u, v in sorted(edges, key=lambda e: e[1]):  # items are in topological order
            column[v] = max(column[v], column[u] + 1)
        # A node with slack (such as a bias added late) then moves right, next
        # to its first use: its wire is short instead of crossing the picture.
        users: List[List[int]] = [[] for _ in range(n)]
        for u, v in edges:
            users[u].append(v)
        for u in range(n - 1, -1, -1):  # users come later in topological order
            if users[u]:
                column[u] = min(column[v] for v in users[u]) - 1
        self.paths: List[List[int]] = []
        for u, v in edges:
            path = [u]
            for c in range(column[u] + 1, column[v]):
                self.sizes.append((0.0, WIRE_HEIGHT))
                column.append(c)
                path.append(len(self.sizes) - 1)
            self.paths.append(path + [v])
        self.real = n
        self.preds: List[List[int]] = [[] for _ in self.sizes]
        self.succs: List[List[int]] = [[] for _ in self.sizes]
        for path in self.paths:
            for a, b in zip(path, path[1:]):
                self.succs[a].append(b)
                self.preds[b].append(a)
        self.columns: List[List[int]] = [[] for _ in range(max(column) + 1 if column else 0)]
        for node, c in enumerate(column):
            self.columns[c].append(node)
        self._order()
        self._place_columns()
        self._place_rows()

    # -- 3. order within columns
    def _order(self) -> None:
        self.pos = {node: i for col in self.columns for i, node in enumerate(col)}
        best, fewest = [list(c) for c in self.columns], self.crossings()
        for _ in range(SWEEPS):
            for c in range(1, len(self.columns)):
                self._sort(self.columns[c], self.preds)
            for c in range(len(self.columns) - 2, -1, -1):
                self._sort(self.columns[c], self.succs)
            crossings = self.crossings()
            if crossings < fewest:
                best, fewest = [list(c) for c in self.columns], crossings
        self.columns = best
        self.pos = {node: i for col in self.columns for i, node in enumerate(col)}

    def _sort(self, col: List[int], neighbours: List[List[int]]) -> None:
        def barycenter(node: int) -> float:
            near = neighbours[node]
            return sum(self.pos[m] for m in near) / len(near) if near else self.pos[node]

        col.sort(key=barycenter)
        for i, node in enumerate(col):
            self.pos[node] = i

    def crossings(self) -> int:
        """How many pairs of wire segments cross between neighbouring columns."""
        total = 0
        for col in self.columns:
            segments = [(self.pos[a], self.pos[b]) for a in col for b in self.succs[a]]
            for i, (a1, b1) in enumerate(segments):
                total += sum(1 for a2, b2 in segments[i + 1:] if (a1 - a2) * (b1 - b2) < 0)
        return total

    # -- 4. coordinates
    def _place_columns(self) -> None:
        self.left, x = [], float(MARGIN)
        self.col_width = []
        for col in self.columns:
            width = max(self.sizes[node][0] for node in col)
            self.left.append(x)
            self.col_width.append(width)
            x += width + COLUMN_GAP
        self.width = x - COLUMN_GAP + MARGIN
        self.col_of = {node: c for c, col in enumerate(self.columns) for node in col}

    def _place_rows(self) -> None:
        self.cy = [0.0] * len(self.sizes)
        for col in self.columns:
            self._fit(col, [0.0] * len(col))
        for _ in range(SWEEPS):
            for cols, neighbours in ((self.columns[1:], self.preds), (self.columns[-2::-1], self.succs)):
                for col in cols:
                    wanted = [
                        sum(self.cy[m] for m in neighbours[node]) / len(neighbours[node])
                        if neighbours[node] else self.cy[node]
                        for node in col
                    ]
                    self._fit(col, wanted)
        top = min(self.cy[node] - self.sizes[node][1] / 2 for node in range(len(self.sizes)))
        self.cy = [y - top + MARGIN for y in self.cy]
        bottom = max(self.cy[node] + self.sizes[node][1] / 2 for node in range(len(self.sizes)))
        self.height = bottom + MARGIN

    def _fit(self, col: List[int], wanted: List[float]) -> None:
        """Centers for `col`, in order and apart, closest to `wanted` in least squares."""
        offsets = [0.0]
        for a, b in zip(col, col[1:]):
            offsets.append(offsets[-1] + (self.sizes[a][1] + self.sizes[b][1]) / 2 + ROW_GAP)
        # with z = center - offset the constraint is just "z never decreases":
        # an isotonic regression, solved by pooling neighbours that disagree
        blocks: List[List[float]] = []
        for w, o in zip(wanted, offsets):
            blocks.append([w - o, 1.0])
            while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
                total, count = blocks.pop()
                blocks[-1][0] += total
                blocks[-1][1] += count
        z = [total / count for total, count in blocks for _ in range(int(count))]
        for node, zi, o in zip(col, z, offsets):
            self.cy[node] = zi + o

    def box(self, node: int) -> Tuple[float, float, float, float]:
        """(x, y, width, height) of a node, centered in its column."""
        w, h = self.sizes[node]
        c = self.col_of[node]
        return self.left[c] + (self.col_width[c] - w) / 2, self.cy[node] - h / 2, w, h

    def entry(self, node: int) -> Tuple[float, float]:
        """Where a wire comes into a node (a placeholder's wire enters at its column's left)."""
        if node >= self.real:
            return self.left[self.col_of[node]], self.cy[node]
        x, y, _, h = self.box(node)
        return x, y + h / 2

    def exit(self, node: int) -> Tuple[float, float]:
        """Where a wire leaves a node (a placeholder's wire leaves at its column's right)."""
        if node >= self.real:
            c = self.col_of[node]
            return self.left[c] + self.col_width[c], self.cy[node]
        x, y, w, h = self.box(node)
        return x + w, y + h / 2


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
