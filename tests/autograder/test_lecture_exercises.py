"""The rest of the lecture as exercises (issue 12 item 4): the bias trick, the hyperparameter searches and
the optimization strategies, graded stage by stage.

Each stage: the references earn all its points and the stubs none ("not implemented", no traceback); a
variant of the reference with one known mistake earns what it deserves with the hint that names the
mistake; variants written the way students write, all correct, earn every point and no hint. Each
variant is the reference with small, explicit text changes (each asserted to apply exactly once),
graded for real through grade_submission.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder.config import load_config
from autograder.content import write_references
from autograder.grade import grade_submission
from autograder.stubgen import ASSIGNMENTS_DIR
from course import search
from test_buggy import buggy_submission as variant_submission  # the reference with a variant's changes

STAGES = ("linear_classifier.bias", "linear_classifier.search", "two_layer_net.search")


@dataclass(frozen=True)
class Variant:
    """The reference with text changes in one file, and what each of the stage's checks must give."""

    name: str
    file: str
    stage: str
    changes: tuple  # (old, new) pairs, each found exactly once
    expect: dict  # check name -> (fraction of its points, words its hint contains; "" for no hint)


def graded(folder: Path, stage: str, seed: int = 5) -> dict:
    """{check name: TestResult} of one stage, public and hidden checks, graded officially."""
    return {t.name: t for t in grade_submission(str(folder), only=[stage], seed=seed).tests}


@pytest.mark.parametrize("stage", STAGES)
def test_the_references_earn_every_point_of_the_stage(tmp_path, stage):
    tests = graded(write_references(tmp_path / "reference"), stage)
    assert tests and all(t.status == "passed" and t.score == t.max_score and not t.hint for t in tests.values())
    assert sum(t.max_score for t in tests.values()) == pytest.approx(load_config().points[stage])


@pytest.mark.parametrize("stage", STAGES)
def test_the_stubs_earn_nothing_and_say_not_implemented(stage):
    tests = grade_submission(str(ASSIGNMENTS_DIR), only=[stage], public_only=True).tests
    assert tests and all(t.status == "not implemented" and t.score == 0 for t in tests)
    assert not any(t.traceback for t in tests)


BUGS = [
    Variant("bias_first", "linear_classifier.py", "linear_classifier.bias",
            (("X_bias = Matrix([row + [1.0] for row in X.tolist()])",
              "X_bias = Matrix([[1.0] + row for row in X.tolist()])"),),
            {"linear_classifier.bias.append_bias": (0.0, "Your 1 comes first"),
             "linear_classifier.bias.append_bias_random_shape": (0.0, "Your 1 comes first"),
             "linear_classifier.bias.split_bias": (1.0, "")}),
    Variant("bias_as_a_row", "linear_classifier.py", "linear_classifier.bias",
            (("X_bias = Matrix([row + [1.0] for row in X.tolist()])",
              "X_bias = Matrix(X.tolist() + [[1.0] * X.shape[1]])"),),
            {"linear_classifier.bias.append_bias": (0.0, "a row of ones, a new example")}),
    Variant("bias_feature_zero", "linear_classifier.py", "linear_classifier.bias",
            (("X_bias = Matrix([row + [1.0] for row in X.tolist()])",
              "X_bias = Matrix([row + [0.0] for row in X.tolist()])"),),
            {"linear_classifier.bias.append_bias": (0.0, "Your extra feature is 0")}),
    Variant("bias_read_from_the_first_row", "linear_classifier.py", "linear_classifier.bias",
            (("    weights = W[:D]\n    b = W[D:]\n", "    weights = W[1:]\n    b = W[:1]\n"),),
            {"linear_classifier.bias.split_bias": (0.0, "You read the bias from the first row"),
             "linear_classifier.bias.append_bias": (1.0, "")}),
    Variant("bias_kept_in_the_weights", "linear_classifier.py", "linear_classifier.bias",
            (("    weights = W[:D]\n", "    weights = W\n"),),
            {"linear_classifier.bias.split_bias": (0.5, "weights still holds the bias row")}),
    Variant("bias_as_a_column", "linear_classifier.py", "linear_classifier.bias",
            (("    b = W[D:]\n", "    b = W[D:].T\n"),),
            {"linear_classifier.bias.split_bias": (0.5, "yours is a C x 1 column")}),
    Variant("search_by_training_accuracy", "linear_classifier.py", "linear_classifier.search",
            (("max(results, key=lambda row: row[3])", "max(results, key=lambda row: row[2])"),),
            {"linear_classifier.search.every_pair_by_validation_accuracy": (0.75, search.BY_TRAIN),
             "linear_classifier.search.every_pair_other_grid": (0.75, search.BY_TRAIN)}),
    Variant("search_keeps_the_last", "linear_classifier.py", "linear_classifier.search",
            (("    best_row = max(results, key=lambda row: row[3])\n", "    best_row = results[-1]\n"),),
            {"linear_classifier.search.every_pair_by_validation_accuracy": (0.75, search.NO_BEST)}),
    Variant("search_trains_on_the_validation_split", "linear_classifier.py", "linear_classifier.search",
            (("model = train_softmax(X_train, y_train,", "model = train_softmax(X_val, y_val,"),),
            {"linear_classifier.search.every_pair_by_validation_accuracy": (0.0, search.TRAIN_SPLIT)}),
    Variant("search_scores_validation_on_the_training_split", "linear_classifier.py", "linear_classifier.search",
            (("val_accuracy = accuracy(model.predict(X_val), y_val)",
              "val_accuracy = accuracy(model.predict(X_train), y_train)"),),
            {"linear_classifier.search.every_pair_by_validation_accuracy": (0.5, search.VAL_SPLIT)}),
    Variant("search_misses_a_pair", "linear_classifier.py", "linear_classifier.search",
            (("        for reg in regs:\n", "        for reg in regs[:1]:\n"),),
            {"linear_classifier.search.every_pair_by_validation_accuracy": (0.0, search.EVERY_PAIR)}),
    Variant("search_forgets_the_settings", "linear_classifier.py", "linear_classifier.search",
            (("learning_rate, reg, num_iters, batch_size, seed)", "learning_rate, reg)"),),
            {"linear_classifier.search.every_pair_by_validation_accuracy": (0.0, "Pass the search's num_iters")}),
    Variant("hidden_size_by_training_accuracy", "two_layer_net.py", "two_layer_net.search",
            (("max(results, key=lambda row: row[2])[0]", "max(results, key=lambda row: row[1])[0]"),),
            {"two_layer_net.search.every_size_by_validation_accuracy": (0.75, search.BY_TRAIN),
             "two_layer_net.search.every_size_other_sizes": (0.75, search.BY_TRAIN)}),
    Variant("hidden_size_trained_on_the_validation_split", "two_layer_net.py", "two_layer_net.search",
            (("trained = train_net(X_train, y_train, X_val,", "trained = train_net(X_val, y_val, X_val,"),),
            {"two_layer_net.search.every_size_by_validation_accuracy": (0.0, search.TRAIN_SPLIT)}),
]

CORRECT = [
    Variant("bias_by_columns", "linear_classifier.py", "linear_classifier.bias",
            (("X_bias = Matrix([row + [1.0] for row in X.tolist()])",
              "N, D = X.shape\n    X_bias = Matrix.ones(N, D + 1)\n    for i in range(N):\n"
              "        for d in range(D):\n            X_bias[i, d] = X[i, d]"),
             ("    weights = W[:D]\n    b = W[D:]\n",
              "    rows = W.tolist()\n    weights, b = Matrix(rows[:-1]), Matrix.row(rows[-1])\n")), {}),
    Variant("search_best_so_far", "linear_classifier.py", "linear_classifier.search",
            (("    best_row = max(results, key=lambda row: row[3])\n    best = (best_row[0], best_row[1])\n",
              "    best, best_val = None, -1.0\n    for rate, strength, _, val in results:\n"
              "        if val > best_val:\n            best, best_val = (rate, strength), val\n"),
             ("            results.append((learning_rate, reg, train_accuracy, val_accuracy))\n",
              "            results.append([learning_rate, reg, train_accuracy, val_accuracy])\n")), {}),
]


@pytest.mark.parametrize("variant", BUGS, ids=lambda v: v.name)
def test_a_known_mistake_earns_what_it_deserves_with_its_hint(tmp_path, variant):
    tests = graded(variant_submission(tmp_path, variant), variant.stage)
    for name, (fraction, words) in variant.expect.items():
        test = tests[name]
        assert test.score == pytest.approx(fraction * test.max_score), (name, test.status, test.output)
        assert (words in test.hint) if words else not test.hint, (name, test.hint, test.output)


@pytest.mark.parametrize("variant", CORRECT, ids=lambda v: v.name)
def test_correct_work_written_another_way_earns_every_point_and_no_hint(tmp_path, variant):
    for seed in (1, 2):
        tests = graded(variant_submission(tmp_path / str(seed), variant), variant.stage, seed)
        assert all(t.score == t.max_score and not t.hint for t in tests.values()), \
            [(t.name, t.output) for t in tests.values() if t.score < t.max_score or t.hint]
