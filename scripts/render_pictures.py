"""Render tinybackprop's pictures to PNG with headless Chromium, to look at them as a reader would.

    python3 scripts/render_pictures.py [--out DIR] [--only NAME ...]

Writes NAME.svg and NAME.png for each picture (the lecture circuits, a neuron,
a training history, the decision regions of a net on the spiral, digits and
the templates of a linear classifier). Needs Chromium (Debian: apt-get install
chromium); exits with status 2 and says so when it is missing.
"""

from __future__ import annotations

import argparse
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Callable, Dict, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tinybackprop import draw, plots  # noqa: E402
from tinybackprop.data import load_digits, make_spiral, train_test_split  # noqa: E402
from tinybackprop.__main__ import sigmoid_circuit as lecture_sigmoid_circuit  # noqa: E402
from tinybackprop.matrix import Matrix  # noqa: E402
from tinybackprop.nn import MLP, Neuron  # noqa: E402
from tinybackprop.optim import Adam, SGD  # noqa: E402
from tinybackprop.train import train  # noqa: E402
from tinybackprop.value import Value  # noqa: E402

MIN_WINDOW_HEIGHT = 300
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

Picture = Tuple[str, int, int]  # SVG text, width, height


def _svg_size(svg: str) -> Picture:
    head = svg[: svg.index(">")]
    width = int(head.split(' width="')[1].split('"')[0])
    height = int(head.split(' height="')[1].split('"')[0])
    return svg, width, height


def circuit() -> Picture:
    """The lecture's first circuit: f = (x + y) z at x=-2, y=5, z=-4."""
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    f.backward()
    return _svg_size(draw.to_svg(f))


def sigmoid_circuit() -> Picture:
    """The staged sigmoid neuron of the lecture as gates: 1 / (1 + exp(-(w0 x0 + w1 x1 + w2)))."""
    _, g, inputs, _ = lecture_sigmoid_circuit()
    g.forward(inputs)
    g.backward()
    return _svg_size(draw.to_svg(g))


def neuron() -> Picture:
    """A Neuron with 10 inputs: one node of the graph (its local gradients computed at once)."""
    xs = [Value(0.1 * (i - 4), label="x%d" % i) for i in range(10)]
    out = Neuron(10, activation="tanh", seed=0)(xs)
    out.label = "out"
    out.backward()
    return _svg_size(draw.to_svg(out))


def neuron_expanded() -> Picture:
    """The same kind of neuron written out with + and *, as micrograd draws it."""
    xs = [Value(0.1 * (i - 4), label="x%d" % i) for i in range(10)]
    ws = [Value(0.3 * ((-1) ** i) + 0.05 * i, label="w%d" % i) for i in range(10)]
    total = Value(0.1, label="b")
    for w, x in zip(ws, xs):
        total = total + w * x
    out = total.tanh()
    out.label = "out"
    out.backward()
    return _svg_size(draw.to_svg(out))


def _spiral_net() -> Tuple[MLP, Matrix, list, object]:
    X, y = make_spiral(100, 3, seed=0)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, seed=0)
    net = MLP(2, [50, 3], seed=0)
    history = train(net, X_train, y_train, optimizer=Adam(net.parameters(), lr=0.05), epochs=60, reg=1e-3,
                    X_val=X_val, y_val=y_val, verbose=False)
    return net, X, y, history


def history_and_spiral() -> Dict[str, Picture]:
    net, X, y, history = _spiral_net()
    out = {}
    for name, figure in (("history", plots.plot_history(history, title="spiral")),
                         ("spiral", plots.plot_decision_boundary(net, X, y, title="2-layer net on the spiral"))):
        out[name] = (figure.svg, figure.width, figure.height)
    return out


def digits_and_weights() -> Dict[str, Picture]:
    X, y = load_digits()
    images = plots.show_images(X[:30], labels=y[:30])
    linear = MLP(64, [10], seed=0)
    # Pixels scaled to 0..1 rather than standardized: a template then reads as ink on paper.
    train(linear, X / 16.0, y, optimizer=SGD(linear.parameters(), lr=0.5), epochs=20, batch_size=64,
          reg=1e-2, seed=0, verbose=False)
    W = Matrix([[w.data for w in row] for row in linear.layers[0].tensors()["W"]])
    weights = plots.show_weights(W)
    return {"digits": (images.svg, images.width, images.height),
            "weights": (weights.svg, weights.width, weights.height)}


def pictures() -> Dict[str, Callable[[], Dict[str, Picture]]]:
    """Name -> a function making one or more pictures (names of the files)."""
    single = {f.__name__: f for f in (circuit, sigmoid_circuit, neuron, neuron_expanded)}
    makers: Dict[str, Callable[[], Dict[str, Picture]]] = {
        name: (lambda f=f, name=name: {name: f()}) for name, f in single.items()
    }
    makers["history"] = makers["spiral"] = history_and_spiral
    makers["digits"] = makers["weights"] = digits_and_weights
    return makers


def crop_png_height(path: Path, height: int) -> None:
    """Keep the top `height` rows of a PNG (8-bit, not interlaced, as Chromium writes it).

    A PNG row is filtered only against the row above it, so the first rows of
    the decompressed image data stay valid on their own.
    """
    data = path.read_bytes()
    chunks, pos = [], 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunks.append((kind, data[pos + 8:pos + 8 + length]))
        pos += 12 + length
    header = dict(chunks)[b"IHDR"]
    width, old_height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    if depth != 8 or interlace or old_height <= height:
        raise RuntimeError("cannot crop %s: expected an 8-bit, non-interlaced PNG taller than %d" % (path, height))
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color]
    pixels = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    pixels = pixels[: height * (1 + width * channels)]

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">II", width, height) + header[8:]
    path.write_bytes(data[:8] + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(pixels, 9))
                     + chunk(b"IEND", b""))


def render(chromium: str, svg_path: Path, png_path: Path, width: int, height: int) -> None:
    """Screenshot an SVG file at its own size with headless Chromium."""
    # Headless Chromium paints only the top of a very short window, so render
    # short pictures in a taller one and cut the PNG back to size.
    window_height = max(height, MIN_WINDOW_HEIGHT)
    with tempfile.TemporaryDirectory(prefix="tinybackprop-chromium-") as profile:
        command = [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--hide-scrollbars", "--user-data-dir=" + profile, "--screenshot=" + str(png_path),
            "--window-size=%d,%d" % (width, window_height), svg_path.resolve().as_uri(),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0 or not png_path.exists():
        raise RuntimeError("Chromium failed on %s:\n%s" % (svg_path, result.stderr[-2000:]))
    if window_height > height:
        crop_png_height(png_path, height)


def main(argv: list) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="pictures", help="folder for the .svg and .png files")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="just these pictures: " + ", ".join(pictures()))
    args = parser.parse_args(argv)
    chromium = next((path for path in map(shutil.which, CHROMIUM_NAMES) if path), None)
    if chromium is None:
        sys.stderr.write("render_pictures: Chromium is not installed (looked for %s); on Debian or Ubuntu: "
                         "apt-get install chromium\n" % ", ".join(CHROMIUM_NAMES))
        return 2
    makers = pictures()
    wanted = args.only or list(makers)
    unknown = [name for name in wanted if name not in makers]
    if unknown:
        sys.stderr.write("render_pictures: no picture named %s; there are %s\n"
                         % (", ".join(unknown), ", ".join(makers)))
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    made: Dict[str, Picture] = {}
    for name in wanted:
        if name not in made:
            made.update(makers[name]())
    for name in wanted:
        svg, width, height = made[name]
        svg_path = out / (name + ".svg")
        svg_path.write_text(svg, encoding="utf-8")
        render(chromium, svg_path, out / (name + ".png"), width, height)
        print("%s.png  %d x %d px" % (out / name, width, height))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
