"""Tests of tinybackprop.data: generators, shipped data sets, splits, standardization, minibatches."""
from __future__ import annotations

import gzip
import math
import random

import pytest

from tinybackprop import data
from tinybackprop.data import (accuracy, load_digits, load_iris, make_blobs, make_circles, make_moons, make_rng,
                               make_spiral, make_xor, minibatches, standardize, train_test_split)
from tinybackprop.matrix import Matrix

GENERATORS = {
    "spiral": lambda seed: make_spiral(50, 3, seed=seed),
    "moons": lambda seed: make_moons(150, noise=0.1, seed=seed),
    "xor": lambda seed: make_xor(150, noise=0.05, seed=seed),
    "blobs": lambda seed: make_blobs(150, centers=3, seed=seed),
    "circles": lambda seed: make_circles(150, noise=0.05, seed=seed),
}


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generators_return_a_matrix_and_int_labels_reproducibly(name):
    X, y = GENERATORS[name](3)
    assert isinstance(X, Matrix) and X.shape == (150, 2)
    assert len(y) == 150 and all(isinstance(label, int) for label in y)
    X_again, y_again = GENERATORS[name](3)
    assert X == X_again and y == y_again
    X_other, _ = GENERATORS[name](4)
    assert X != X_other


def test_seed_may_be_a_random_instance_and_none_gives_fresh_data():
    assert make_rng(random.Random(5)).random() == random.Random(5).random()
    assert make_moons(seed=None)[0] != make_moons(seed=None)[0]
    with pytest.raises(TypeError, match="seed"):
        make_moons(seed="one")


def test_spiral_is_the_cs231n_case_study():
    X, y = make_spiral(100, 3, noise=0.0, seed=0)
    assert X.shape == (300, 2) and y == [0] * 100 + [1] * 100 + [2] * 100
    # Without noise each arm runs from the centre (radius 0) out to radius 1 at angle 4(k+1).
    assert X[0] == [0.0, 0.0]
    last = X[199]
    assert math.hypot(*last) == pytest.approx(1.0)
    assert last == pytest.approx([math.sin(8.0), math.cos(8.0)])


def test_moons_are_two_half_circles():
    X, y = make_moons(100, noise=0.0, seed=0)
    assert sorted(y) == [0] * 50 + [1] * 50
    for (a, b), label in zip(X.data, y):
        if label == 0:
            assert math.hypot(a, b) == pytest.approx(1.0) and b >= -1e-12
        else:
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0) and b <= 0.5 + 1e-12


def test_xor_labels_the_quadrants():
    X, y = make_xor(200, seed=1)
    assert all(label == int((a > 0) != (b > 0)) for (a, b), label in zip(X.data, y))
    assert 60 < sum(y) < 140


def test_blobs_cluster_around_their_centres():
    X, y = make_blobs(300, centers=4, n_features=3, cluster_std=0.1, seed=2)
    assert X.shape == (300, 3) and set(y) == {0, 1, 2, 3}
    for label in range(4):
        rows = [row for row, t in zip(X.data, y) if t == label]
        centre = [sum(c) / len(rows) for c in zip(*rows)]
        assert max(math.dist(row, centre) for row in rows) < 1.0


def test_circles_have_radius_one_and_factor():
    X, y = make_circles(100, noise=0.0, factor=0.3, seed=0)
    for row, label in zip(X.data, y):
        assert math.hypot(*row) == pytest.approx(0.3 if label else 1.0)
    with pytest.raises(ValueError, match="factor"):
        make_circles(factor=1.5)


def test_load_digits():
    X, y = load_digits()
    assert X.shape == (1797, 64)
    assert min(X.flatten()) == 0.0 and max(X.flatten()) == 16.0
    assert sorted(set(y)) == list(range(10))
    assert y[:3] == [0, 1, 2]  # the file's first three images are 0, 1, 2


def test_load_iris():
    X, y = load_iris()
    assert X.shape == (150, 4)
    assert X[0] == [5.1, 3.5, 1.4, 0.2]
    assert [y.count(c) for c in range(3)] == [50, 50, 50]


def test_missing_and_corrupt_files_say_what_is_wrong(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "DATASETS", tmp_path)
    with pytest.raises(FileNotFoundError, match="iris.csv is missing"):
        load_iris()
    (tmp_path / "iris.csv").write_text("150,4,setosa,versicolor,virginica\n5.1,3.5,1.4,0\n")
    with pytest.raises(ValueError, match="line 2 has 4 fields"):
        load_iris()
    (tmp_path / "iris.csv").write_text("150,4,setosa,versicolor,virginica\n5.1,3.5,1.4,0.2,0\n")
    with pytest.raises(ValueError, match="1 rows, expected 150"):
        load_iris()
    (tmp_path / "iris.csv").write_text("5.1,3.5,x,0.2,0\n")
    with pytest.raises(ValueError, match="neither a header nor a data row"):
        load_iris()
    (tmp_path / "digits.csv.gz").write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="corrupt"):
        load_digits()
    with gzip.open(tmp_path / "digits.csv.gz", "wt") as f:
        f.write(",".join(["0"] * 64) + ",3\n")
    X, y = load_digits()
    assert X.shape == (1, 64) and y == [3]


def test_train_test_split_is_a_seeded_partition():
    X = Matrix([[float(i)] for i in range(10)])
    y = list(range(10))
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=0)
    assert X_train.shape == (8, 1) and X_test.shape == (2, 1)
    assert sorted(y_train + y_test) == y
    assert [int(v) for v in X_test.flatten()] == y_test  # rows stay with their labels
    assert train_test_split(X, y, seed=0)[3] == y_test
    assert train_test_split(X, y, test_size=3, seed=0)[1].shape == (3, 1)
    with pytest.raises(ValueError, match="leaves 0 of 10"):
        train_test_split(X, y, test_size=0.01)
    with pytest.raises(ValueError, match="10 rows but y has 9"):
        train_test_split(X, y[:9])


def test_standardize_uses_the_first_matrix_statistics():
    X = Matrix([[1.0, 5.0], [3.0, 5.0]])
    Z = standardize(X)
    assert Z == Matrix([[-1.0, 0.0], [1.0, 0.0]])  # the constant column is only shifted
    Z_train, Z_test = standardize(X, Matrix([[2.0, 7.0]]))
    assert Z_train == Z and Z_test == Matrix([[0.0, 2.0]])
    with pytest.raises(ValueError, match=r"\(1, 3\)"):
        standardize(X, Matrix([[1.0, 2.0, 3.0]]))


def test_standardize_takes_a_list_of_lists_too():
    assert standardize([[1.0, 5.0], [3.0, 5.0]]) == Matrix([[-1.0, 0.0], [1.0, 0.0]])
    assert standardize([[1.0], [3.0]], [[2.0]])[1] == Matrix([[0.0]])


@pytest.mark.parametrize("make, message", [
    (lambda: make_moons(0), "make_moons: n_samples must be at least 1, got 0"),
    (lambda: make_xor(0), "make_xor: n_samples must be at least 1, got 0"),
    (lambda: make_circles(0), "make_circles: n_samples must be at least 1, got 0"),
    (lambda: make_blobs(0), "make_blobs: n_samples must be at least 1, got 0"),
    (lambda: make_blobs(10, centers=0), "make_blobs: centers must be at least 1, got 0"),
    (lambda: make_blobs(10, n_features=0), "make_blobs: n_features must be at least 1, got 0"),
    (lambda: make_spiral(0), "make_spiral: points_per_class must be at least 1, got 0"),
    (lambda: make_spiral(10, classes=0), "make_spiral: classes must be at least 1, got 0"),
])
def test_generators_name_a_count_that_is_too_small(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_splits_and_minibatches_take_lists_of_rows_too():
    rows = [[float(i), -float(i)] for i in range(10)]
    y = list(range(10))
    X_train, X_test, y_train, y_test = train_test_split(rows, y, test_size=3, seed=0)
    assert isinstance(X_train, Matrix) and X_test.shape == (3, 2)
    assert [int(v) for v in X_test.flatten()[::2]] == y_test
    X_batch, y_batch = next(minibatches(rows, y, 4, seed=0))
    assert isinstance(X_batch, Matrix) and [int(v) for v in X_batch.flatten()[::2]] == y_batch


def test_minibatches_cover_every_row_once_per_epoch():
    X = Matrix([[float(i)] for i in range(10)])
    y = list(range(10))
    batches = list(minibatches(X, y, 4, seed=1))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    assert sorted(label for _, labels in batches for label in labels) == y
    assert all([int(v) for v in Xb.flatten()] == yb for Xb, yb in batches)
    assert [b[1] for b in minibatches(X, y, 4, shuffle=False)] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert [b[1] for b in batches] == [b[1] for b in minibatches(X, y, 4, seed=1)]
    with pytest.raises(ValueError, match="batch_size"):
        list(minibatches(X, y, 0))


def test_accuracy():
    assert accuracy([1, 2, 3, 4], [1, 2, 0, 4]) == 0.75
    with pytest.raises(ValueError, match="3 predictions but 2 labels"):
        accuracy([1, 2, 3], [1, 2])


def test_accuracy_of_scores_instead_of_labels_is_an_error_not_zero():
    # accuracy(model(X), y) compared rows with ints and quietly said 0.0
    scores = Matrix([[0.1, 2.0], [3.0, 0.2]])
    with pytest.raises(TypeError, match=r"labels.*Matrix of shape \(2, 2\).*argmax\(axis=1\)"):
        accuracy(scores, [1, 0])
    with pytest.raises(TypeError, match="labels"):
        accuracy([1, 0], Matrix([[1.0], [0.0]]))
