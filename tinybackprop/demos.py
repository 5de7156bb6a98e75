"""Two demos that learn in seconds: the CS231n spiral and the handwritten digits.

Given a folder (`pictures`), each also saves what it learned as SVG pictures
there and says where they are.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional, TextIO, Union

from tinybackprop.data import accuracy, load_digits, make_spiral, standardize, train_test_split
from tinybackprop.nn import MLP
from tinybackprop.optim import SGD, Adam
from tinybackprop.plots import Figure, plot_decision_boundary, plot_history, show_images
from tinybackprop.train import predict, train

Folder = Union[str, Path, None]


def save_pictures(folder: Folder, figures: dict[str, Union[Figure, str]], stream: Optional[TextIO]) -> list[Path]:
    """Save each figure (a Figure or SVG text) as `<folder>/<name>.svg`, say where on `stream`, return the paths.

    Without a folder nothing is saved.
    """
    if folder is None:
        return []
    Path(folder).mkdir(parents=True, exist_ok=True)
    paths = [Path(folder) / f"{name}.svg" for name in figures]
    for path, figure in zip(paths, figures.values()):
        path.write_text(figure if isinstance(figure, str) else figure.svg, encoding="utf-8")
        if stream is not None:
            stream.write(f"  picture: {path}\n")
    return paths


def spiral_demo(seed: int = 0, epochs: int = 100, verbose: bool = True,
                stream: Optional[TextIO] = None, pictures: Folder = None) -> dict[str, float]:
    """The CS231n case study: a softmax linear classifier, then a net with 100 hidden ReLUs, on a 3-arm spiral.

    Returns the training accuracies ``{"linear": ..., "two_layer": ...}``
    (about 0.5 and above 0.95: no line separates the arms, a hidden layer does).
    """
    out = stream or sys.stdout
    X, y = make_spiral(100, 3, seed=seed)
    linear = MLP(2, [3], seed=seed)
    train(linear, X, y, optimizer=SGD(linear.parameters(), lr=1.0), epochs=200, reg=1e-3, verbose=False)
    results = {"linear": accuracy(predict(linear, X), y)}
    if verbose:
        out.write(f"spiral, 3 classes of 100 points: softmax linear classifier {results['linear']:.1%} "
                  "training accuracy\n")
    net = MLP(2, [100, 3], seed=seed)
    history = train(net, X, y, optimizer=Adam(net.parameters(), lr=0.05), epochs=epochs, reg=1e-3,
                    verbose=verbose, stream=out)
    results["two_layer"] = accuracy(predict(net, X), y)
    if verbose:
        out.write(f"two-layer net, 100 hidden ReLUs: {results['two_layer']:.1%} training accuracy\n")
    save_pictures(pictures, {
        "spiral-linear-regions": plot_decision_boundary(linear, X, y, title="softmax linear classifier"),
        "spiral-two-layer-regions": plot_decision_boundary(net, X, y, title="two-layer net, 100 hidden ReLUs"),
        "spiral-two-layer-training": plot_history(history, title="two-layer net on the spiral"),
    }, out if verbose else None)
    return results


def digits_demo(seed: int = 0, epochs: int = 5, verbose: bool = True, stream: Optional[TextIO] = None,
                pictures: Folder = None) -> float:
    """An MLP 64 -> 100 -> 10 on the UCI handwritten digits; returns the accuracy on a held-out 20%."""
    out = stream or sys.stdout
    X, y = load_digits()
    pixels_train, pixels_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=seed)
    # The net learns from standardized pixels; the pictures show the raw ones, ink on paper.
    X_train, X_test = standardize(pixels_train, pixels_test)
    model = MLP(64, [100, 10], seed=seed)
    history = train(model, X_train, y_train, optimizer=Adam(model.parameters(), lr=0.005), epochs=epochs,
                    batch_size=64, reg=1e-4, X_val=X_test, y_val=y_test, seed=seed, verbose=verbose, stream=out)
    predicted = predict(model, X_test)
    test_accuracy = accuracy(predicted, y_test)
    if verbose:
        out.write(f"digits, {len(y_train)} training images of 8x8 pixels: {test_accuracy:.1%} accuracy "
                  f"on {len(y_test)} held-out images\n")
    shown = pixels_test[:40]
    captions = [f"{p}" if p == t else f"{p} (is {t})" for p, t in zip(predicted[:40], y_test[:40])]
    save_pictures(pictures, {
        "digits-training": plot_history(history, title="MLP 64-100-10 on digits"),
        "digits-predictions": show_images(shown, labels=captions),
    }, out if verbose else None)
    return test_accuracy
