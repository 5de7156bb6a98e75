"""Training curves, decision regions and images as SVG Figures (standard library only).

    >>> history = train(model, X, y, X_val=X_val, y_val=y_val)
    >>> plot_history(history).save("history.svg")   # in Jupyter just plot_history(history)
"""

from __future__ import annotations

import math
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from tinybackprop import svg as s
from tinybackprop.matrix import Matrix
from tinybackprop.svg import Figure
from tinybackprop.train import scores_to_labels
from tinybackprop.value import Value

FONT_SIZE = 12
PANEL = (380, 260)  # plot area of one history panel, pixels
# Room around a plot area for the title and legend, tick labels and axis names.
TOP, RIGHT, BOTTOM, LEFT = 48, 16, 42, 60


def _step(lo: float, hi: float, count: int) -> float:
    """The round step (1, 2 or 5 times a power of ten) nearest to cutting [lo, hi] into `count` parts."""
    raw = (hi - lo) / count
    power = 10.0 ** math.floor(math.log10(raw))
    return min((m * power for m in (1, 2, 5, 10)), key=lambda step: abs(math.log(step / raw)))


def nice_ticks(lo: float, hi: float, count: int = 5) -> List[float]:
    """About `count` round tick values (multiples of the round step) in [lo, hi]."""
    if not hi > lo:
        raise ValueError("nice_ticks needs lo < hi, got lo=%r and hi=%r" % (lo, hi))
    step = _step(lo, hi, count)
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    # round away the float noise of k * step (0.30000000000000004)
    return [round(k * step, 12) for k in range(first, last + 1)]


def nice_limits(lo: float, hi: float, count: int = 5) -> Tuple[float, float]:
    """[lo, hi] widened to the nearest round ticks, so that the axis starts and ends on one."""
    if hi == lo:  # a flat curve still needs a visible range
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    step = _step(lo, hi, count)
    return round(math.floor(lo / step + 1e-9) * step, 12), round(math.ceil(hi / step - 1e-9) * step, 12)


class _Axes:
    """A plot area at (left, top) of the given size that maps data (x, y) to pixels."""

    def __init__(self, left: float, top: float, width: float, height: float,
                 xlim: Tuple[float, float], ylim: Tuple[float, float]) -> None:
        self.left, self.top, self.width, self.height = left, top, width, height
        self.xlim, self.ylim = xlim, ylim

    def px(self, x: float) -> float:
        """Pixel column of data x."""
        return self.left + (x - self.xlim[0]) / (self.xlim[1] - self.xlim[0]) * self.width

    def py(self, y: float) -> float:
        """Pixel row of data y (up is larger y)."""
        return self.top + (self.ylim[1] - y) / (self.ylim[1] - self.ylim[0]) * self.height

    def frame(self, title: str, xlabel: str, ylabel: str, grid: bool = True) -> List[str]:
        """Grid lines, ticks with their labels, the axis names and the title."""
        out = []
        bottom, right = self.top + self.height, self.left + self.width
        for x in nice_ticks(*self.xlim):
            if grid:
                out.append(s.element("line", x1=self.px(x), y1=self.top, x2=self.px(x), y2=bottom, stroke="#eaeef2"))
            out.append(s.element("line", class_="tick", x1=self.px(x), y1=bottom, x2=self.px(x), y2=bottom + 4,
                                 stroke="#57606a"))
            out.append(s.text(self.px(x), bottom + 16, s.fmt(x), text_anchor="middle"))
        for y in nice_ticks(*self.ylim):
            if grid:
                out.append(s.element("line", x1=self.left, y1=self.py(y), x2=right, y2=self.py(y), stroke="#eaeef2"))
            out.append(s.element("line", class_="tick", x1=self.left - 4, y1=self.py(y), x2=self.left,
                                 y2=self.py(y), stroke="#57606a"))
            out.append(s.text(self.left - 7, self.py(y) + 4, s.fmt(y), text_anchor="end"))
        out.append(s.text(self.left + self.width / 2, bottom + 34, xlabel, text_anchor="middle"))
        out.append(s.text(self.left - LEFT + 14, self.top + self.height / 2, ylabel, text_anchor="middle",
                          transform="rotate(-90 %s %s)" % (s.num(self.left - LEFT + 14), s.num(self.top + self.height / 2))))
        out.append(s.text(self.left, self.top - 30, title, font_weight="bold", font_size=FONT_SIZE + 1))
        return out

    def border(self) -> str:
        """The box around the plot area (drawn last, over what is inside)."""
        return s.element("rect", x=self.left, y=self.top, width=self.width, height=self.height,
                         fill="none", stroke="#57606a")

    def legend(self, entries: Sequence[Tuple[str, str]]) -> List[str]:
        """A row of colour swatches with names, between the title and the plot area."""
        out, x = [], self.left
        for name, color in entries:
            out.append(s.element("g", [
                s.element("rect", x=x, y=self.top - 19, width=14, height=8, fill=color),
                s.text(x + 19, self.top - 11, name),
            ], class_="legend"))
            x += 19 + s.text_width(name, FONT_SIZE) + 16
        return out


# ---------------------------------------------------------------------------
# Training history


def _series(history: Any) -> List[Tuple[str, List[float]]]:
    """(name, values) of each non-empty curve in a history."""
    if isinstance(history, (list, tuple)):
        items: List[Tuple[str, Any]] = [("loss", history)]
    elif isinstance(history, dict):
        items = list(history.items())
    elif hasattr(history, "__dict__"):  # the History of tinybackprop.train
        items = list(vars(history).items())
    else:
        raise TypeError("plot_history takes a dict of lists, a History or a list of losses, got %s"
                        % type(history).__name__)
    series = []
    for key, values in items:
        if isinstance(values, (list, tuple)):
            # Losses kept as Values (losses.append(loss)) are plotted by their data.
            values = [v.data if isinstance(v, Value) else v for v in values]
        if isinstance(values, list) and values and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            name = str(key)[: -len("_history")] if str(key).endswith("_history") else str(key)
            series.append((name, [float(v) for v in values]))
    if not series:
        shown = repr(history)
        raise ValueError("plot_history found no curve to draw: give lists of numbers such as "
                         "{'loss_history': [...], 'train_acc_history': [...]}, got %s"
                         % (shown if len(shown) <= 200 else shown[:200] + "..."))
    return series


def _curve(axes: _Axes, xs: List[float], ys: List[float]) -> str:
    """Path data through the finite points; gaps where a value is nan or inf."""
    if len(xs) > 2 * axes.width:
        xs, ys = _envelope(xs, ys, int(axes.width))
    d, pen_down = [], False
    for x, y in zip(xs, ys):
        if not math.isfinite(y):
            pen_down = False
            continue
        d.append("%s%s,%s" % ("L" if pen_down else "M", s.num(axes.px(x)), s.num(axes.py(y))))
        pen_down = True
    return " ".join(d)


def _envelope(xs: List[float], ys: List[float], buckets: int) -> Tuple[List[float], List[float]]:
    """The lowest and highest point of each of `buckets` runs: a long noisy curve keeps its band."""
    out_x, out_y = [], []
    size = len(xs) / buckets
    for b in range(buckets):
        run = range(int(b * size), max(int((b + 1) * size), int(b * size) + 1))
        finite = [i for i in run if math.isfinite(ys[i])]
        picks = sorted({min(finite, key=ys.__getitem__), max(finite, key=ys.__getitem__)}) if finite else [run[0]]
        out_x.extend(xs[i] for i in picks)
        out_y.extend(ys[i] for i in picks)
    return out_x, out_y


def plot_history(history: Any, title: str = "training") -> Figure:
    """Loss (left) and accuracies (right) against iteration or epoch, with ticks and legends.

    `history` is the History of `tinybackprop.train.train` (one entry per epoch),
    a dict of lists such as the assignments' `{"loss_history", "train_acc_history",
    "val_acc_history"}`, or a plain list of losses (one per iteration; numbers or Values). Curves whose
    name contains "acc" go to the accuracy panel. Returns a Figure (`.svg`, `.save(path)`).
    """
    series = _series(history)
    colors = {name: s.PALETTE[k % len(s.PALETTE)] for k, (name, _) in enumerate(series)}
    acc = [(n, v) for n, v in series if "acc" in n]
    losses = [(n, v) for n, v in series if "acc" not in n]
    acc_lengths = {len(v) for _, v in acc}
    panels = []
    if losses:
        per_epoch = any(len(v) in acc_lengths for _, v in losses)
        panels.append((title + ": loss", losses, "epoch" if per_epoch else "iteration", "loss"))
    if acc:
        panels.append((title + ": accuracy", acc, "epoch", "accuracy"))
    width, height = PANEL
    body: List[str] = []
    for k, (panel_title, curves, xlabel, ylabel) in enumerate(panels):
        start = 1 if xlabel == "epoch" else 0
        longest = max(len(v) for _, v in curves)
        finite = [y for _, v in curves for y in v if math.isfinite(y)] or [0.0]
        if ylabel == "accuracy" and 0.0 <= min(finite) and max(finite) <= 1.0:
            ylim = (0.0, 1.0)
        else:
            ylim = nice_limits(min(finite), max(finite))
        xlim = nice_limits(start, max(start + longest - 1, start + 1))
        axes = _Axes(LEFT + k * (LEFT + width + RIGHT), TOP, width, height, xlim, ylim)
        body += axes.frame(panel_title, xlabel, ylabel)
        for name, values in curves:
            xs = [float(start + i) for i in range(len(values))]
            body.append(s.element("path", class_="series", d=_curve(axes, xs, values), fill="none",
                                  stroke=colors[name], stroke_width=1.8, stroke_linejoin="round"))
            if len(values) <= 40:  # a short curve shows its points, so a single epoch is visible
                body += [s.element("circle", cx=axes.px(x), cy=axes.py(y), r=2.5, fill=colors[name])
                         for x, y in zip(xs, values) if math.isfinite(y)]
        body += axes.legend([(name, colors[name]) for name, _ in curves])
        body.append(axes.border())
    total_width = len(panels) * (LEFT + width + RIGHT)
    total_height = TOP + height + BOTTOM
    return Figure(s.document(total_width, total_height, body, FONT_SIZE), total_width, total_height)


# ---------------------------------------------------------------------------
# Decision regions of a 2-D classifier


def _labels(scores: Any, n: int, negative: int = 0) -> List[int]:
    """Predicted classes from a model's output on n points: argmax, or for one score 1 if > 0 else `negative`.

    A list of ints is taken as the labels themselves (lambda X: predict(model, X)).
    """
    if isinstance(scores, list) and len(scores) == n and all(type(v) is int for v in scores):
        return scores
    if not isinstance(scores, Matrix):
        rows = [row if isinstance(row, (list, tuple)) else [row] for row in scores]
        scores = Matrix([[getattr(v, "data", v) for v in row] for row in rows])
    if scores.shape[0] != n:
        raise ValueError("the model returned scores of shape %s for %d grid points; expected %d rows "
                         "(one per point: N x C scores, or N Values)" % (scores.shape, n, n))
    return scores_to_labels(scores, negative)


def plot_decision_boundary(model: Callable[[Matrix], Any], X: Matrix, y: Sequence[int],
                           resolution: int = 60, title: str = "decision regions") -> Figure:
    """The plane shaded by the class `model` predicts, with the points of (X, y) on top.

    `model` maps a Matrix (N, 2) to scores (N, C) (a Matrix, or lists of Values or
    floats): the class is the argmax, or score > 0 for a single score (N, 1) or a
    list of N Values; a list of N ints is taken as the predicted labels. X is (N, 2), y a list of N ints (0..C-1, or -1 and +1 as
    for max_margin: a single score <= 0 then means -1). The model is evaluated
    once, on a `resolution` x `resolution` grid. Returns a Figure.
    """
    if not isinstance(X, Matrix):
        X = Matrix(X)
    if X.shape[1] != 2:
        raise ValueError("plot_decision_boundary draws 2-D data: X must be N x 2, got shape %s" % (X.shape,))
    if len(y) != X.shape[0]:
        raise ValueError("X has %d rows but y has %d labels; they must match" % (X.shape[0], len(y)))
    if resolution < 1:
        raise ValueError("plot_decision_boundary: resolution must be at least 1, got %r (60 is the default)"
                         % (resolution,))
    limits = []
    for column in zip(*X.data):
        lo, hi = min(column), max(column)
        pad = 0.1 * (hi - lo) or 1.0  # a margin around the points, the regions show beyond them
        limits.append((lo - pad, hi + pad))
    (x_lo, x_hi), (y_lo, y_hi) = limits
    dx, dy = (x_hi - x_lo) / resolution, (y_hi - y_lo) / resolution
    grid = [[x_lo + (i + 0.5) * dx, y_lo + (j + 0.5) * dy] for j in range(resolution) for i in range(resolution)]
    predicted = _labels(model(Matrix(grid)), len(grid), negative=-1 if -1 in y else 0)
    size = 420
    axes = _Axes(LEFT, TOP, size, size, (x_lo, x_hi), (y_lo, y_hi))
    body = []
    for j in range(resolution):  # one rectangle per run of equal cells in a grid row
        row = predicted[j * resolution:(j + 1) * resolution]
        start = 0
        for i in range(1, resolution + 1):
            if i == resolution or row[i] != row[start]:
                body.append(s.element(
                    "rect", class_="cell", x=axes.px(x_lo + start * dx), y=axes.py(y_lo + (j + 1) * dy),
                    width=(i - start) * dx / (x_hi - x_lo) * size + 0.5, height=dy / (y_hi - y_lo) * size + 0.5,
                    fill=_tint(_color(row[start]))))
                start = i
    body += axes.frame(title, "x1", "x2", grid=False)
    body += [s.element("circle", class_="point", cx=axes.px(a), cy=axes.py(b), r=3.5, fill=_color(label),
                       stroke="#1f2328", stroke_width=0.7)
             for (a, b), label in zip(X.data, y)]
    classes = sorted(set(y) | set(predicted))
    body += axes.legend([("class %d" % c, _color(c)) for c in classes])
    body.append(axes.border())
    width, height = LEFT + size + RIGHT, TOP + size + BOTTOM
    return Figure(s.document(width, height, body, FONT_SIZE), width, height)


def _color(label: int) -> str:
    """The colour of a class; -1 (the negative class of -1/+1 labels) has class 0's."""
    return s.PALETTE[max(label, 0) % len(s.PALETTE)]


def _tint(color: str, strength: float = 0.3) -> str:
    """`color` mixed with white: a light, opaque fill (neighbouring cells overlap without seams)."""
    rgb = [int(color[k:k + 2], 16) for k in (1, 3, 5)]
    return "#%02x%02x%02x" % tuple(round(255 - strength * (255 - c)) for c in rgb)


# ---------------------------------------------------------------------------
# Images: digits and the templates of a linear classifier


def _rows(X: Any) -> List[List[float]]:
    return X.data if isinstance(X, Matrix) else Matrix(X).data


def _image_grid(images: List[List[float]], ranges: List[Tuple[float, float]], shape: Tuple[int, int],
                captions: List[str], columns: int, title: str, pixel: int) -> Figure:
    """Images in a grid, each pixel a grey square: dark is its range's high end."""
    height_px, width_px = shape[0] * pixel, shape[1] * pixel
    cell_w = max(width_px, max((s.text_width(c, FONT_SIZE) for c in captions), default=0)) + 10
    cell_h = height_px + (20 if any(captions) else 8)
    columns = max(1, min(columns, len(images)))
    body = [s.text(8, 18, title, font_weight="bold", font_size=FONT_SIZE + 1)]
    for k, (image, (lo, hi), caption) in enumerate(zip(images, ranges, captions)):
        left = 8 + (k % columns) * cell_w + (cell_w - width_px) / 2
        top = 30 + (k // columns) * cell_h
        span = hi - lo or 1.0  # a constant image is drawn in its low colour, not as a division by zero
        pixels = []
        for p, value in enumerate(image):
            grey = round(255 * (1.0 - (value - lo) / span))
            pixels.append(s.element("rect", x=left + (p % shape[1]) * pixel, y=top + (p // shape[1]) * pixel,
                                    width=pixel, height=pixel, fill="rgb(%d,%d,%d)" % (grey, grey, grey)))
        pixels.append(s.element("rect", x=left, y=top, width=width_px, height=height_px, fill="none",
                                stroke="#8c959f"))
        if caption:
            pixels.append(s.text(left + width_px / 2, top + height_px + 14, caption, text_anchor="middle"))
        body.append(s.element("g", pixels, class_="image", shape_rendering="crispEdges"))
    rows = (len(images) + columns - 1) // columns
    width = max(16 + columns * cell_w, s.text_width(title, FONT_SIZE + 1) + 16)
    height = 30 + rows * cell_h + 4
    return Figure(s.document(width, height, body, FONT_SIZE), width, height)


def _check_shape(shape: Any, what: str) -> Tuple[int, int]:
    """`shape` as (height, width), two positive ints, or a ValueError saying so."""
    if (not isinstance(shape, (tuple, list)) or len(shape) != 2
            or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in shape)):
        raise ValueError("%s: shape must be (height, width) such as (8, 8), got %r" % (what, shape))
    return shape[0], shape[1]


def _check_pixels(rows: List[List[float]], axis: int, shape: Tuple[int, int], name: str, layout: str,
                  what: str) -> None:
    """A ValueError naming both shapes unless each image (along `axis` of `rows`) has shape[0] * shape[1] values."""
    size = (len(rows), len(rows[0]))
    pixels = shape[0] * shape[1]
    if size[axis] != pixels:
        transposed = "; its transpose %s.T fits" % name if size[1 - axis] == pixels else ""
        raise ValueError("%s: shape=%s needs %d values per image, got %d: %s has shape %s, %s%s"
                         % (what, shape, pixels, size[axis], name, size, layout, transposed))


def show_images(X: Any, shape: Tuple[int, int] = (8, 8), labels: Optional[Sequence[Any]] = None,
                columns: int = 10, limit: int = 100, pixel: int = 6) -> Figure:
    """The rows of X (N, H*W) as H x W greyscale images (dark = high), e.g. the 8x8 digits.

    All images share one grey scale (the min and max over them), so brightness
    compares across images; show raw pixels, as standardized ones put a rare
    pixel many deviations out at the dark end and leave every digit pale. `labels` (N) are written under the images; at most
    `limit` images are drawn and the title says how many there were.
    """
    shape = _check_shape(shape, "show_images")
    rows = _rows(X)
    if labels is not None and len(labels) != len(rows):
        raise ValueError("X has %d images but labels has %d entries; they must match" % (len(rows), len(labels)))
    shown = rows[:limit]
    if not shown:
        raise ValueError("show_images needs at least one image, got an empty X")
    _check_pixels(rows, 1, shape, "X", "one image per row", "show_images")
    lo, hi = min(min(r) for r in shown), max(max(r) for r in shown)
    captions = [str(label) for label in labels[:limit]] if labels is not None else [""] * len(shown)
    title = "%d images" % len(rows) if len(rows) <= limit else "first %d of %d images" % (limit, len(rows))
    return _image_grid(shown, [(lo, hi)] * len(shown), shape, captions, columns, title, pixel)


def show_weights(W: Any, shape: Tuple[int, int] = (8, 8), class_names: Optional[Sequence[str]] = None,
                 columns: int = 10, pixel: int = 8, title: str = "weights per class (dark = large)") -> Figure:
    """The templates a linear classifier learned: column c of W (D, C) as an image of class c.

    Each template is scaled to its own range (dark = its largest weight). A W of
    (D + 1, C) from the bias trick is accepted: its last row, the bias, is left out.
    The columns may be other things than classes (a first layer's hidden units): say so in `title`.
    """
    shape = _check_shape(shape, "show_weights")
    rows = _rows(W)
    if len(rows) == shape[0] * shape[1] + 1:
        rows = rows[:-1]
    _check_pixels(rows, 0, shape, "W", "one column per class (D x C)", "show_weights")
    templates = [list(column) for column in zip(*rows)]
    names = [str(c) for c in class_names] if class_names is not None else [str(c) for c in range(len(templates))]
    if len(names) != len(templates):
        raise ValueError("W has %d classes (columns) but class_names has %d" % (len(templates), len(names)))
    ranges = [(min(t), max(t)) for t in templates]
    return _image_grid(templates, ranges, shape, names, columns, title, pixel)


def heatmap(values: Any, row_labels: Sequence[Any], column_labels: Sequence[Any], title: str = "",
            row_name: str = "", column_name: str = "", digits: int = 3) -> Figure:
    """A table of numbers (R x K, a Matrix or a list of rows) as a grid of cells, darker blue for larger,
    each with its value written in it: a hyperparameter search's validation accuracies, for example.

    `row_labels` (R) and `column_labels` (K) name the rows and the columns; `row_name` and
    `column_name` say what they are (e.g. "learning rate", "reg").
    """
    rows = _rows(values)  # an empty table is refused here, by Matrix
    if len(row_labels) != len(rows) or len(column_labels) != len(rows[0]):
        raise ValueError("heatmap: values has shape (%d, %d) but there are %d row labels and %d column labels"
                         % (len(rows), len(rows[0]), len(row_labels), len(column_labels)))
    numbers = [v for row in rows for v in row]
    lo, hi = min(numbers), max(numbers)
    span = hi - lo or 1.0  # a table of one value is drawn in its palest colour
    rows_text = [str(label) for label in row_labels]
    cell_w = max(56, max(s.text_width(str(c), FONT_SIZE) for c in column_labels) + 12)
    cell_h = 28
    left = 16 + max(s.text_width(t, FONT_SIZE) for t in rows_text + [row_name]) + 8
    top = 40 + (18 if column_name else 0) + 18
    body = [s.text(8, 18, title, font_weight="bold", font_size=FONT_SIZE + 1)]
    if column_name:
        body.append(s.text(left + cell_w * len(rows[0]) / 2, 40, column_name, text_anchor="middle"))
    if row_name:
        body.append(s.text(8, top - 6, row_name))
    for k, label in enumerate(column_labels):
        body.append(s.text(left + (k + 0.5) * cell_w, top - 6, label, text_anchor="middle"))
    for r, (label, row) in enumerate(zip(rows_text, rows)):
        y = top + r * cell_h
        body.append(s.text(left - 8, y + cell_h / 2 + 4, label, text_anchor="end"))
        for k, value in enumerate(row):
            strength = (value - lo) / span
            light = round(235 - 175 * strength)  # from pale (235) to dark (60) blue
            fill = "rgb(%d,%d,255)" % (light - 20, light)
            x = left + k * cell_w
            body.append(s.element("g", [
                s.element("rect", x=x, y=y, width=cell_w, height=cell_h, fill=fill, stroke="#ffffff"),
                s.text(x + cell_w / 2, y + cell_h / 2 + 4, "%.*f" % (digits, value), text_anchor="middle",
                       fill="#ffffff" if strength > 0.5 else "#1f2328")], class_="heatcell"))
    width = max(left + cell_w * len(rows[0]) + 16, s.text_width(title, FONT_SIZE + 1) + 16)
    height = top + cell_h * len(rows) + 8
    return Figure(s.document(width, height, body, FONT_SIZE), width, height)
