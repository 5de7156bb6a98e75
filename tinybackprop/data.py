"""Data sets to learn from: toy generators, two real data sets, splits and minibatches.

Every loader and generator returns ``(X, y)``: ``X`` an N x D Matrix of
floats (one row per example, as in CS231n) and ``y`` a list of N ints.
"""
from __future__ import annotations

import gzip
import math
import random
import zlib
from pathlib import Path
from typing import Iterator, Sequence, Union

from tinybackprop.matrix import Matrix, Seed, make_rng

Rows = Union[Matrix, Sequence[Sequence[float]]]  # a Matrix, or a list of rows to make one from

DATASETS = Path(__file__).resolve().parent / "datasets"


# ----------------------------------------------------------------------------- generators

def _at_least_one(name: str, **counts: int) -> None:
    """A ValueError naming the first count below 1 (an empty data set has no Matrix)."""
    for what, count in counts.items():
        if count < 1:
            raise ValueError(f"{name}: {what} must be at least 1, got {count}")


def make_spiral(points_per_class: int = 100, classes: int = 3, noise: float = 0.2,
                seed: Seed = None) -> tuple[Matrix, list[int]]:
    """The CS231n case-study spiral: ``classes`` arms of ``points_per_class`` points in 2-D.

    Returns X of shape (points_per_class * classes, 2) and y with labels 0..classes-1.
    """
    _at_least_one("make_spiral", points_per_class=points_per_class, classes=classes)
    rng = make_rng(seed)
    rows, y = [], []
    n = points_per_class
    for label in range(classes):
        for i in range(n):
            # Radius grows from 0 to 1 along the arm; the angle sweeps 4 radians, plus noise.
            r = i / (n - 1) if n > 1 else 0.0
            t = label * 4 + 4 * (i / (n - 1) if n > 1 else 0.0) + rng.gauss(0.0, 1.0) * noise
            rows.append([r * math.sin(t), r * math.cos(t)])
            y.append(label)
    return Matrix(rows), y


def make_moons(n_samples: int = 100, noise: float = 0.1, seed: Seed = None) -> tuple[Matrix, list[int]]:
    """Two interleaving half circles (as scikit-learn's make_moons): X (n_samples, 2), y in {0, 1}."""
    _at_least_one("make_moons", n_samples=n_samples)
    rng = make_rng(seed)
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    rows, y = [], []
    for i in range(n_outer):
        t = math.pi * i / max(n_outer - 1, 1)
        rows.append([math.cos(t), math.sin(t)])
        y.append(0)
    for i in range(n_inner):
        t = math.pi * i / max(n_inner - 1, 1)
        rows.append([1.0 - math.cos(t), 0.5 - math.sin(t)])
        y.append(1)
    return _shuffled(_jitter(rows, noise, rng), y, rng)


def make_xor(n_samples: int = 200, noise: float = 0.0, seed: Seed = None) -> tuple[Matrix, list[int]]:
    """Points uniform in [-1, 1]^2, labelled 1 where exactly one coordinate is positive: X (n_samples, 2)."""
    _at_least_one("make_xor", n_samples=n_samples)
    rng = make_rng(seed)
    rows = [[rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)] for _ in range(n_samples)]
    y = [int((a > 0) != (b > 0)) for a, b in rows]
    return Matrix(_jitter(rows, noise, rng)), y


def make_blobs(n_samples: int = 100, centers: int = 3, n_features: int = 2, cluster_std: float = 1.0,
               box: tuple[float, float] = (-10.0, 10.0), seed: Seed = None) -> tuple[Matrix, list[int]]:
    """Gaussian clusters around ``centers`` random centres drawn in ``box``: X (n_samples, n_features)."""
    _at_least_one("make_blobs", n_samples=n_samples, centers=centers, n_features=n_features)
    rng = make_rng(seed)
    middles = [[rng.uniform(*box) for _ in range(n_features)] for _ in range(centers)]
    rows, y = [], []
    for i in range(n_samples):
        label = i % centers
        rows.append([c + rng.gauss(0.0, cluster_std) for c in middles[label]])
        y.append(label)
    return _shuffled(rows, y, rng)


def make_circles(n_samples: int = 100, noise: float = 0.05, factor: float = 0.5,
                 seed: Seed = None) -> tuple[Matrix, list[int]]:
    """A small circle (label 1, radius ``factor``) inside a unit circle (label 0): X (n_samples, 2)."""
    _at_least_one("make_circles", n_samples=n_samples)
    if not 0.0 < factor < 1.0:
        raise ValueError(f"make_circles: factor must be between 0 and 1 (exclusive), got {factor}")
    rng = make_rng(seed)
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    rows, y = [], []
    for count, radius, label in ((n_outer, 1.0, 0), (n_inner, factor, 1)):
        for i in range(count):
            t = 2 * math.pi * i / count
            rows.append([radius * math.cos(t), radius * math.sin(t)])
            y.append(label)
    return _shuffled(_jitter(rows, noise, rng), y, rng)


def _jitter(rows: list[list[float]], noise: float, rng: random.Random) -> list[list[float]]:
    """The rows with Gaussian noise of standard deviation ``noise`` added to every entry."""
    if noise == 0:
        return rows
    return [[v + rng.gauss(0.0, noise) for v in row] for row in rows]


def _shuffled(rows: list[list[float]], y: list[int], rng: random.Random) -> tuple[Matrix, list[int]]:
    """Rows and labels in one common random order (generators list classes in blocks otherwise)."""
    order = list(range(len(rows)))
    rng.shuffle(order)
    return Matrix([rows[i] for i in order]), [y[i] for i in order]


# ----------------------------------------------------------------------------- real data

def load_digits() -> tuple[Matrix, list[int]]:
    """The UCI handwritten digits (E. Alpaydin, C. Kaynak, CC BY 4.0): X (1797, 64), pixels 0..16, y 0..9."""
    return _load_csv("digits.csv.gz", features=64)


def load_iris() -> tuple[Matrix, list[int]]:
    """Fisher's iris flowers (1936): X (150, 4) in cm, y 0..2 (setosa, versicolor, virginica)."""
    return _load_csv("iris.csv", features=4)


def _load_csv(name: str, features: int) -> tuple[Matrix, list[int]]:
    """Rows of ``features`` numbers and a label from a CSV shipped in the package.

    A first line that is not a data row is scikit-learn's header (row count,
    column count, class names); when present, its row count is checked.
    """
    path = DATASETS / name
    if not path.is_file():
        raise FileNotFoundError(f"data file {path} is missing: reinstall tinybackprop "
                                "(the package ships it in tinybackprop/datasets/)")
    try:
        if name.endswith(".gz"):
            with gzip.open(path, "rt", encoding="ascii") as f:
                lines = f.read().splitlines()
        else:
            lines = path.read_text(encoding="ascii").splitlines()
    except (OSError, EOFError, UnicodeDecodeError, zlib.error) as error:
        raise ValueError(f"data file {path} is corrupt ({error}): reinstall tinybackprop") from error
    expected_rows = None
    first = lines[0].split(",") if lines else []
    if first and (len(first) != features + 1 or not all(_is_number(v) for v in first)):
        expected_rows = _header_rows(lines[0], path)
        lines = lines[1:]
    rows, y = [], []
    for number, line in enumerate(lines, start=2 if expected_rows is not None else 1):
        fields = line.split(",")
        if len(fields) != features + 1:
            raise ValueError(f"data file {path} is corrupt: line {number} has {len(fields)} fields, "
                             f"expected {features} features and a label")
        try:
            rows.append([float(v) for v in fields[:-1]])
            y.append(int(fields[-1]))
        except ValueError as error:
            raise ValueError(f"data file {path} is corrupt: line {number}: {error}") from error
    if not rows or (expected_rows is not None and len(rows) != expected_rows):
        raise ValueError(f"data file {path} is corrupt: {len(rows)} rows, expected {expected_rows or 'some'}")
    return Matrix(rows), y


def _header_rows(line: str, path: Path) -> int:
    """The row count announced by a scikit-learn CSV header line."""
    first = line.split(",")[0]
    if not first.isdigit():
        raise ValueError(f"data file {path} is corrupt: the first line {line[:40]!r} is neither "
                         "a header nor a data row")
    return int(first)


def _is_number(text: str) -> bool:
    """Whether ``text`` reads as a float."""
    try:
        float(text)
    except ValueError:
        return False
    return True


# ----------------------------------------------------------------------------- preparing data

def _as_matrix(X: Rows) -> Matrix:
    """X as a Matrix; a list of rows is converted (and Matrix says what is wrong with a bad one)."""
    return X if isinstance(X, Matrix) else Matrix(X)


def train_test_split(X: Rows, y: Sequence[int], test_size: float = 0.2,
                     seed: Seed = None) -> tuple[Matrix, Matrix, list[int], list[int]]:
    """A random split of X (N, D) and y (N) into ``(X_train, X_test, y_train, y_test)``.

    ``test_size`` is a fraction (a float) or a count (an int) of the N rows.
    """
    X = _as_matrix(X)
    n = len(X)
    if len(y) != n:
        raise ValueError(f"train_test_split: X has {n} rows but y has {len(y)} labels")
    n_test = int(round(test_size * n)) if isinstance(test_size, float) else int(test_size)
    if not 0 < n_test < n:
        raise ValueError(f"train_test_split: test_size={test_size} leaves {n_test} of {n} rows "
                         "for testing; expected at least one row on each side")
    order = list(range(n))
    make_rng(seed).shuffle(order)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], [y[i] for i in train], [y[i] for i in test]


def standardize(X: Rows, *others: Rows) -> Union[Matrix, tuple[Matrix, ...]]:
    """Columns shifted to mean 0 and scaled to standard deviation 1, using the statistics of ``X``.

    ``standardize(X)`` returns one Matrix; ``standardize(X_train, X_test)``
    returns both, the test set scaled with the training set's statistics (so
    nothing about the test set leaks into training). Constant columns (the
    blank border pixels of the digits) are only shifted. Lists of rows are taken as Matrices.
    """
    X, *others = [_as_matrix(M) for M in (X,) + others]
    n, d = X.shape
    columns = list(zip(*X.data))
    means = [sum(c) / n for c in columns]
    stds = [math.sqrt(sum((v - m) ** 2 for v in c) / n) for c, m in zip(columns, means)]
    scales = [1.0 / s if s > 0 else 1.0 for s in stds]
    results = []
    for M in [X] + others:
        if M.shape[1] != d:
            raise ValueError(f"standardize: matrix of shape {M.shape} does not have the {d} columns of X {X.shape}")
        results.append(Matrix([[(v - m) * s for v, m, s in zip(row, means, scales)] for row in M.data]))
    return results[0] if not others else tuple(results)


def minibatches(X: Rows, y: Sequence[int], batch_size: int, shuffle: bool = True,
                seed: Seed = None) -> Iterator[tuple[Matrix, list[int]]]:
    """One epoch of ``(X_batch, y_batch)`` pairs of ``batch_size`` rows (the last one may be smaller)."""
    X = _as_matrix(X)
    n = len(X)
    if len(y) != n:
        raise ValueError(f"minibatches: X has {n} rows but y has {len(y)} labels")
    if batch_size < 1:
        raise ValueError(f"minibatches: batch_size must be at least 1, got {batch_size}")
    order = list(range(n))
    if shuffle:
        make_rng(seed).shuffle(order)
    for start in range(0, n, batch_size):
        batch = order[start:start + batch_size]
        yield X[batch], [y[i] for i in batch]


def accuracy(y_pred: Sequence[int], y: Sequence[int]) -> float:
    """The fraction of predictions equal to the labels (two lists of N ints), in [0, 1]."""
    for name, labels in (("predictions", y_pred), ("labels", y)):
        if isinstance(labels, Matrix):
            # A Matrix has N rows, so it would pass the length check and quietly match nothing.
            raise TypeError(f"accuracy compares labels (lists of ints), but the {name} are a Matrix of shape "
                            f"{labels.shape}: for scores use scores.argmax(axis=1), or predict(model, X)")
    if len(y_pred) != len(y):
        raise ValueError(f"accuracy: {len(y_pred)} predictions but {len(y)} labels")
    if not y:
        raise ValueError("accuracy: no labels to compare with")
    return sum(int(p == t) for p, t in zip(y_pred, y)) / len(y)


__all__ = ["make_rng", "make_spiral", "make_moons", "make_xor", "make_blobs", "make_circles",
           "load_digits", "load_iris", "train_test_split", "standardize", "minibatches", "accuracy"]
