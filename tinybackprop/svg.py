"""Small helpers to write SVG text by hand: numbers, escaping, elements, a Figure."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Iterable, Union

# Monospace glyphs are about 0.6 em wide; layout code uses this to size boxes
# without a font engine.
CHAR_WIDTH = 0.6

# Tableau 10: distinct hues that stay readable both as lines and as light fills.
PALETTE = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)

# The lecture's colours: forward values in green, gradients in red.
DATA_COLOR = "#1a7f37"
GRAD_COLOR = "#cf222e"


def fmt(x: object) -> str:
    """A number as compact text with 4 significant digits ('-12', '0.1966', '1e-5')."""
    if x is None:
        return "?"
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return str(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"  # also turns -0.0 into plain 0
    text = format(x, ".4g")
    if "e" in text:
        # 1e-05 -> 1e-5, 2.5e+10 -> 2.5e10: shorter and still unambiguous
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else ""
        text = mantissa + "e" + sign + exponent.lstrip("+-").lstrip("0")
    return text


def num(x: float) -> str:
    """A coordinate as short text (at most 2 decimals, no trailing zeros)."""
    text = format(round(x, 2), ".2f").rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def escape(text: object) -> str:
    """Text made safe for XML content and double-quoted attributes."""
    return (
        str(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


def text_width(text: str, font_size: float) -> float:
    """Estimated width in pixels of `text` in a monospace font of `font_size`."""
    return len(text) * font_size * CHAR_WIDTH


def element(tag: str, content: Union[str, Iterable[str], None] = None, **attrs: object) -> str:
    """One SVG element; `class_` becomes `class`, `font_size` becomes `font-size`.

    `content` is raw SVG (already escaped) or a list of child elements.
    Attributes whose value is None are left out.
    """
    parts = [tag]
    for name, value in attrs.items():
        if value is None:
            continue
        name = name.rstrip("_").replace("_", "-")
        if isinstance(value, float):
            value = num(value)
        parts.append('%s="%s"' % (name, escape(value)))
    head = " ".join(parts)
    if content is None:
        return "<%s/>" % head
    if not isinstance(content, str):
        content = "".join(content)
    return "<%s>%s</%s>" % (head, content, tag)


def text(x: float, y: float, content: object, **attrs: object) -> str:
    """A <text> element at (x, y) whose content is escaped."""
    return element("text", escape(content), x=float(x), y=float(y), **attrs)


def document(width: float, height: float, body: Iterable[str], font_size: int = 12) -> str:
    """A complete standalone SVG document of the given size around `body`."""
    width, height = math.ceil(width), math.ceil(height)
    return element(
        "svg",
        [element("rect", width=width, height=height, fill="white")] + list(body),
        xmlns="http://www.w3.org/2000/svg",
        width=width,
        height=height,
        viewBox="0 0 %d %d" % (width, height),
        font_family="DejaVu Sans Mono, Menlo, Consolas, monospace",
        font_size=font_size,
    )


class Figure:
    """An SVG picture: `.svg` is its text, `.save(path)` writes it, Jupyter shows it inline."""

    def __init__(self, svg: str, width: float, height: float) -> None:
        self.svg = svg
        self.width = width
        self.height = height

    def save(self, path: Union[str, Path]) -> Path:
        """Write the SVG text to `path` (e.g. 'loss.svg') and return the path."""
        path = Path(path)
        path.write_text(self.svg, encoding="utf-8")
        return path

    def _repr_svg_(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        return "Figure(%d x %d px SVG)" % (self.width, self.height)

