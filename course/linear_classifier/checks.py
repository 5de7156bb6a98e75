"""Public checks of the linear classifier: predict on given weights, and training checked as training.

The classifier is graded on its own: when ``svm.py`` or ``softmax.py`` cannot
be imported, a stand-in takes its place (``linear_classifier.py`` imports
them), whose loss the grader lends, and every message says so. Training
never depends on the student's losses in the official grade (``course.training``).
"""
from __future__ import annotations

import random
from dataclasses import replace
from typing import Callable, Dict, Optional

from autograder.compare import describe
from autograder.oracle import lent, rounded
from autograder.suite import Check, Handle, Session, Verdict
from course import training
from course.linear_classifier.bias import append_check, split_check
from course.search import Search, log_grid, search_check
from course.training import Data, Model, as_labels, corners, labels_problem
from tinybackprop.matrix import Matrix

# Settings that train both classifiers to 0.88 or more on every one of 200 datasets of ten corners,
# where training on the first rows or with the first labels reached 0.40 at most.
TRAINING = {"learning_rate": 0.1, "reg": 1e-3, "num_iters": 30, "batch_size": 30}
LOSSES = ("svm", "softmax")
# The most multiply-adds a stand-in's loss computes in the grader's process (rows * D * C).
STANDIN_WORK = 1_000_000


class Linear(Model):
    """A linear classifier (LinearSVM or Softmax): parameters W (D x C), loss (loss, dW)."""

    assignment = "linear_classifier"
    attribute = "W"

    def __init__(self, classifier: str, loss: str) -> None:
        self.target = f"linear_classifier.{classifier}"
        self.loss = loss  # the assignment whose loss_vectorized the classifier trains with

    def prepare(self, session: Session) -> str:
        """Stand-ins for the loss files that cannot be imported; the note that says so."""
        return standins(session)

    def new(self, session: Session, data: Data, rng: random.Random) -> Handle:
        return session.new(self.target)

    def shapes(self, data: Data) -> Dict[str, tuple]:
        return {"W": (data.X.shape[1], data.classes)}

    def settings(self, scripted: bool) -> dict:
        if scripted:
            return {"learning_rate": training.SCRIPT_RATE, "reg": 1e-3, "num_iters": training.SCRIPT_STEPS,
                    "batch_size": training.SCRIPT_BATCH}
        return dict(TRAINING)

    def answer(self, loss: float, grads: Dict[str, Matrix]) -> tuple:
        return loss, grads["W"]

    def scores(self, session: Session, model: Handle, params: Dict[str, Matrix], X: Matrix) -> Matrix:
        return X @ params["W"]

    def reference_loss(self, data: Data) -> Optional[Callable]:
        vectorized = lent(self.loss, f"{self.loss}_loss_vectorized")
        if vectorized is None:
            return None

        def loss(params: dict, X: Matrix, y: list, reg: float) -> tuple:
            value, dW = vectorized(params["W"], X, y, reg)
            return value, {"W": dW}
        return loss


SVM = Linear("LinearSVM", "svm")
SOFTMAX = Linear("Softmax", "softmax")


def standins(session: Session) -> str:
    """Put a stand-in in place of each loss file that cannot be imported; say which, and why."""
    notes = []
    for loss in LOSSES:
        why = session.standin(loss, standin_functions(loss))
        if why:
            lender = ("the grader lends the reference loss in its place"
                      if lent(loss, f"{loss}_loss_vectorized") else
                      "the kit has no reference loss to lend in its place (the official grade has)")
            notes.append(f"{loss}.py cannot be imported ({why}): {lender}, so that "
                         "linear_classifier is graded on its own")
    return "; ".join(notes)


def standin_functions(loss: str) -> dict:
    """What a stand-in for ``<loss>.py`` lends: its two (loss, dW) functions, both the reference's
    vectorized one (the kit has none: they refuse, saying so)."""
    vectorized = lent(loss, f"{loss}_loss_vectorized")

    def stand_in(W, X, y, reg):
        if vectorized is None:
            raise RuntimeError(f"{loss}.py cannot be imported, and the kit has no reference {loss} loss "
                               "to lend in its place (the official grade has)")
        if not isinstance(W, Matrix) or not isinstance(X, Matrix) or X.shape[1] != W.shape[0]:
            raise ValueError(f"{loss}_loss_vectorized takes W (D x C) and X (N x D) Matrices; "
                             f"got {describe(W)} and {describe(X)}")
        if X.shape[0] * W.shape[0] * W.shape[1] > STANDIN_WORK:
            raise ValueError(f"{loss}_loss_vectorized: X and W are larger than the grader's stand-in takes")
        return vectorized(W, X, as_labels(y, X.shape[0], W.shape[1]), float(reg))
    return {f"{loss}.{loss}_loss_vectorized": stand_in, f"{loss}.{loss}_loss_naive": stand_in}


def predict_check(test: str, points: float, N: int, D: int, C: int, hidden: bool = False) -> Check:
    """predict on weights the grader sets: the argmax of X W for every row."""
    def run(session: Session, rng: random.Random) -> Verdict:
        W = rounded(Matrix.randn(D, C, seed=rng))
        X = rounded(Matrix.randn(N, D, seed=rng))
        model = SVM.new(session, Data(X, [], C), rng)
        SVM.set(session, model, {"W": W})
        got = session.method(model, "predict", X)
        problem = labels_problem(got, N, C)
        if problem:
            return Verdict(0.0, problem)
        want = (X @ W).argmax(axis=1)
        wrong = [i for i, (g, w) in enumerate(zip(got, want)) if int(g) != w]
        if not wrong:
            return Verdict(1.0, f"all {N} labels are the argmax of X @ W")
        i = wrong[0]
        return Verdict(0.0, f"{len(wrong)} of {N} labels are wrong; row {i}: expected {want[i]} "
                            f"(the class with the highest score in X @ W), got {int(got[i])}",
                       "A label is the argmax over each row of the N x C scores X @ W (axis=1), "
                       "with the W the classifier holds.")
    return training.check(SVM, test, points, run, hidden)


def trained_softmax(X, y, learning_rate, reg, num_iters=100, batch_size=200, seed=None):
    """The signature of train_softmax, which the search check lends (its arguments are bound to it)."""


def softmax_with_weights(session: Session, rng: random.Random, data) -> Handle:
    """A Softmax made in the child, with weights W (D x C) drawn now."""
    model = SOFTMAX.new(session, data, rng)
    SOFTMAX.set(session, model, {"W": rounded(Matrix.randn(data.X_train.shape[1], data.classes, seed=rng))})
    return model


# The search over learning rates and regularization strengths: 3 x 2 settings, drawn now.
SEARCH = Search("linear_classifier.search", "linear_classifier.train_softmax", trained_softmax,
                ("learning_rate", "reg"), lambda rng: (log_grid(rng, 3, -3, 0), log_grid(rng, 2, -4, -1)),
                softmax_with_weights, {"num_iters": 7, "batch_size": 5})

def on_its_own(check: Check) -> Check:
    """check, run after the stand-ins for the loss files that cannot be imported (linear_classifier.py
    imports them), whose note ends its message."""
    def run(session: Session) -> Verdict:
        note = standins(session)
        verdict = check.run(session)
        if not note:
            return verdict
        return Verdict(verdict.fraction, f"{verdict.message}. {note}", verdict.hint, verdict.stopped)
    return replace(check, run=run)


CHECKS = [
    predict_check("predict_given_W", 1.5, N=12, D=4, C=3),
    training.minibatch_check(SVM, "minibatch_rows_and_labels", 2.5),
    training.update_check(SVM, "update_against_the_gradient", 2.5),
    training.history_check(SVM, "history_of_the_losses", 1),
    training.accuracy_check(SVM, "svm_accuracy", 1.5, corners),
    training.accuracy_check(SOFTMAX, "softmax_accuracy", 1.5, corners),
    on_its_own(append_check("append_bias", 1, N=4, D=3)),
    on_its_own(split_check("split_bias", 1, D=3, C=4)),
    on_its_own(search_check("linear_classifier", "every_pair_by_validation_accuracy", 2, SEARCH)),
]
