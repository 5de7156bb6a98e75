"""Two demos that learn in seconds: the CS231n spiral and the handwritten digits."""
from __future__ import annotations

import sys
from typing import Optional, TextIO

from tinybackprop.data import accuracy, load_digits, make_spiral, standardize, train_test_split
from tinybackprop.nn import MLP
from tinybackprop.optim import SGD, Adam
from tinybackprop.train import predict, train


def spiral_demo(seed: int = 0, epochs: int = 100, verbose: bool = True,
                stream: Optional[TextIO] = None) -> dict[str, float]:
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
    train(net, X, y, optimizer=Adam(net.parameters(), lr=0.05), epochs=epochs, reg=1e-3, verbose=verbose,
          stream=out)
    results["two_layer"] = accuracy(predict(net, X), y)
    if verbose:
        out.write(f"two-layer net, 100 hidden ReLUs: {results['two_layer']:.1%} training accuracy\n")
    return results


def digits_demo(seed: int = 0, epochs: int = 5, verbose: bool = True, stream: Optional[TextIO] = None) -> float:
    """An MLP 64 -> 100 -> 10 on the UCI handwritten digits; returns the accuracy on a held-out 20%."""
    out = stream or sys.stdout
    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=seed)
    X_train, X_test = standardize(X_train, X_test)
    model = MLP(64, [100, 10], seed=seed)
    train(model, X_train, y_train, optimizer=Adam(model.parameters(), lr=0.005), epochs=epochs, batch_size=64,
          reg=1e-4, X_val=X_test, y_val=y_test, seed=seed, verbose=verbose, stream=out)
    test_accuracy = accuracy(predict(model, X_test), y_test)
    if verbose:
        out.write(f"digits, {len(y_train)} training images of 8x8 pixels: {test_accuracy:.1%} accuracy "
                  f"on {len(y_test)} held-out images\n")
    return test_accuracy
