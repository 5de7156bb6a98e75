"""Checks of the bias trick: append_bias adds the constant feature, split_bias reads the bias row back.

Each check draws its matrices from the check's generator (new ones at every
official grading) and compares with the reference's answer. A wrong answer
is matched against what the known mistakes give (the 1 put first, a row of
ones instead of a column, the bias read from the first row...), whose hint
names the mistake.
"""
from __future__ import annotations

import random
from typing import Sequence

from autograder.compare import compare_matrix, tuple_message, unpack
from autograder.oracle import answer, make_check, rounded
from autograder.suite import Check, Session, Verdict
from course.hints import flat, matches
from tinybackprop.matrix import Matrix

APPEND = "linear_classifier.append_bias"
SPLIT = "linear_classifier.split_bias"
LAST = ("the constant feature goes last, so that the bias is the last row of W, where split_bias and the "
        "notebook read it")


def with_column(X: Matrix, value: float, first: bool = False) -> Matrix:
    """X with a column of ``value`` added at its end (or at its start)."""
    return Matrix([([value] + row) if first else (row + [value]) for row in X.tolist()])


def append_variants(X: Matrix) -> Sequence[tuple]:
    """(what a known mistake of append_bias gives, its hint)."""
    N, D = X.shape
    return (
        (with_column(X, 1.0, first=True), f"Your 1 comes first: {LAST}."),
        (Matrix(X.tolist() + [[1.0] * D]), "You added a row of ones, a new example, instead of a column, a new "
                                           "feature that every example has: the result is N x (D + 1)."),
        (with_column(X, 0.0), "Your extra feature is 0: a weight times 0 adds nothing to the score. The feature "
                              "must be the constant 1, so that its weight is added to every score."),
        (X, "X_bias is X unchanged: every row needs one more feature, the constant 1, at its end."),
    )


def append_hint(got, X: Matrix) -> str:
    """The hint of the known mistake whose answer this is ("" when none is)."""
    values = flat(got)
    for wrong, words in append_variants(X):
        if values is not None and matches(values, wrong.flatten()):
            return words
    return ""


def append_check(test: str, points: float, N: int, D: int, hidden: bool = False) -> Check:
    """append_bias on an N x D matrix drawn now: N x (D + 1), the rows of X and a last column of ones."""
    def run(session: Session, rng: random.Random) -> Verdict:
        X = rounded(Matrix.randn(N, D, seed=rng))
        want = answer("linear_classifier", "append_bias", lambda ref: ref.append_bias(X), X)
        got = session.call(APPEND, X)
        result = compare_matrix("X_bias", got, want, what="N x (D + 1): one more feature in every row")
        if result.ok:
            return Verdict(1.0, f"append_bias of a {N} x {D} X: {result.message}")
        return Verdict(0.0, f"append_bias of a {N} x {D} X: {result.message}", append_hint(got, X))
    return make_check(f"linear_classifier.bias.{test}", "bias", points, run, hidden)


def split_variants(W: Matrix) -> Sequence[tuple]:
    """(weights, b, hint) that known mistakes of split_bias give."""
    D = W.shape[0] - 1
    return (
        (W[1:], W[:1], f"You read the bias from the first row: {LAST}."),
        (W, W[D:], "weights still holds the bias row: it is the first D rows of W only, D x C, the shape of the "
                   "templates."),
        (W[:D], W[D:].T, "b must be a 1 x C row, one bias per class, the shape that broadcasts over the N rows "
                         "of the scores; yours is a C x 1 column."),
    )


def split_hint(got: list, W: Matrix) -> str:
    """The hint of the known mistake whose (weights, b) this is ("" when none is)."""
    weights, b = flat(got[0]), flat(got[1])
    for wrong_weights, wrong_b, words in split_variants(W):
        if (weights is not None and b is not None and matches(weights, wrong_weights.flatten())
                and matches(b, wrong_b.flatten()) and len(b) == wrong_b.size):
            return words
    return ""


def split_check(test: str, points: float, D: int, C: int, hidden: bool = False) -> Check:
    """split_bias of a (D + 1) x C matrix drawn now: the first D rows and the last row, each half the points."""
    def run(session: Session, rng: random.Random) -> Verdict:
        W = rounded(Matrix.randn(D + 1, C, seed=rng))
        want = answer("linear_classifier", "split_bias", lambda ref: ref.split_bias(W), W)
        got = session.call(SPLIT, W)
        pair = unpack(got, 2)
        if pair is None:
            return Verdict(0.0, tuple_message(got, ("weights", "b"), "split_bias"))
        results = [compare_matrix("weights", pair[0], want[0], what="D x C, the rows that meet the features"),
                   compare_matrix("b", pair[1], want[1], what="1 x C, one bias per class")]
        fraction = sum(0.5 for result in results if result.ok)
        message = f"split_bias of a {D + 1} x {C} W: " + "; ".join(result.message for result in results)
        return Verdict(fraction, message, "" if fraction == 1.0 else split_hint(pair, W))
    return make_check(f"linear_classifier.bias.{test}", "bias", points, run, hidden)

