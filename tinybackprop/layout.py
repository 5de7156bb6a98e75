"""Layout: where each box of a graph picture goes, left to right, with few crossing wires (no graphviz).

``tinybackprop.draw`` gives it the size of every box and the edges between
them (boxes in topological order); it returns each box's position and the
route of each wire. It knows nothing of Values or gates.
"""

from __future__ import annotations

from typing import List, Tuple

COLUMN_GAP = 44  # room for the wires to bend between columns
ROW_GAP = 12
WIRE_HEIGHT = 8  # a long wire passing through a column keeps this much room
MARGIN = 12
SWEEPS = 4


class Layout:
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
