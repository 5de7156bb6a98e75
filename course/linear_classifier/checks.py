"""Public checks of the linear classifier: predict on given weights, loss histories, accuracy floor."""
from __future__ import annotations

import math

from autograder.compare import describe, is_number
from autograder.suite import Check, Session, Verdict
from course.training import accuracy_message, floor, labels_problem, split
from tinybackprop.matrix import Matrix

# Settings that train both classifiers to near-perfect accuracy on a ring of blobs.
TRAINING = {"learning_rate": 0.05, "reg": 1e-3, "num_iters": 60, "batch_size": 50}
# The loss of a linear classifier whose scores are all (almost) 0: each of the
# C - 1 margins is 1 for the SVM, each class has probability 1 / C for softmax.
START = {"LinearSVM": lambda C: C - 1.0, "Softmax": math.log}


def check(test: str, points: float, run, hidden: bool = False) -> Check:
    """A Check of the linear classifier's training stage."""
    return Check(f"linear_classifier.training.{test}", "linear_classifier", "training", points, run, hidden)


def predict_check(test: str, points: float, N: int, D: int, C: int, hidden: bool = False) -> Check:
    """predict on weights the grader sets: the argmax of X W for every row."""
    def run(session: Session) -> Verdict:
        W = Matrix.randn(D, C, seed=session.rng)
        X = Matrix.randn(N, D, seed=session.rng)
        want = (X @ W).argmax(axis=1)
        model = session.new("linear_classifier.LinearSVM")
        session.method(model, "__setattr__", "W", W)
        got = session.method(model, "predict", X)
        problem = labels_problem(got, N, C)
        if problem:
            return Verdict(0.0, problem)
        wrong = [i for i, (g, w) in enumerate(zip(got, want)) if int(g) != w]
        if not wrong:
            return Verdict(1.0, f"all {N} labels are the argmax of X @ W")
        i = wrong[0]
        return Verdict(0.0, f"{len(wrong)} of {N} labels are wrong; row {i}: expected {want[i]} "
                            f"(the class with the highest score in X @ W), got {int(got[i])}",
                       "A label is the argmax over each row of the N x C scores X @ W (axis=1).")
    return check(test, points, run, hidden)


# The assignment whose loss each classifier trains with (its first loss comes from there).
LOSS_FILE = {"LinearSVM": "svm", "Softmax": "softmax"}


def history_check(test: str, points: float, classifier: str, hidden: bool = False) -> Check:
    """train returns one loss per iteration, starting where a fresh classifier starts and going down."""
    def run(session: Session) -> Verdict:
        X, _, y, _ = split(session.rng)
        C = max(y) + 1
        model = session.new(f"linear_classifier.{classifier}")
        history = session.method(model, "train", X, y, seed=session.rng.randrange(2 ** 31), **TRAINING)
        steps = TRAINING["num_iters"]
        if not isinstance(history, list) or len(history) != steps or not all(is_number(v) for v in history):
            return Verdict(0.0, f"train should return the loss of each of its {steps} iterations "
                                f"(a list of {steps} numbers); got {describe(history)}")
        start, end = START[classifier](C), sum(history[-5:]) / 5
        if not all(math.isfinite(v) for v in history) or abs(history[0] - start) > 0.05 * start:
            return Verdict(0.0, f"the first loss is {history[0]:.4g}; a classifier with tiny weights "
                                f"starts near {start:.4g} on {C} classes",
                           f"The first loss is your {LOSS_FILE[classifier]} loss at tiny weights: if "
                           f"`python -m autograder {LOSS_FILE[classifier]}` passes, check that train "
                           "starts from W = 0.001 * randn(D, C) and records the loss of each minibatch.")
        if end > 0.5 * start:
            return Verdict(0.0, f"the loss went from {history[0]:.4g} to {end:.4g} (last 5 on average); "
                                f"expected it to fall below {0.5 * start:.4g}",
                           "Step against the gradient: W = W - learning_rate * dW.")
        return Verdict(1.0, f"{steps} losses, from {history[0]:.4g} down to {end:.4g}")
    return check(test, points, run, hidden)


def accuracy_check(test: str, points: float, classifier: str, hidden: bool = False) -> Check:
    """Train on a ring of blobs drawn now; predict the held-out quarter; reach the config's floor."""
    def run(session: Session) -> Verdict:
        bar = floor(session, "linear_classifier")
        X_train, X_test, y_train, y_test = split(session.rng)
        seed = session.rng.randrange(2 ** 31)
        model = session.new(f"linear_classifier.{classifier}")
        session.method(model, "train", X_train, y_train, seed=seed, **TRAINING)
        got = session.method(model, "predict", X_test)
        problem = labels_problem(got, len(y_test), max(y_train) + 1)
        if problem:
            return Verdict(0.0, problem)
        fraction, message = accuracy_message(got, y_test, bar)
        hint = "" if fraction else "Check train's minibatch sampling and update, then predict's argmax."
        return Verdict(fraction, f"{classifier}: {message}", hint)
    return check(test, points, run, hidden)


CHECKS = [
    predict_check("predict_given_W", 2, N=12, D=4, C=3),
    history_check("svm_loss_history", 1.5, "LinearSVM"),
    history_check("softmax_loss_history", 1.5, "Softmax"),
    accuracy_check("svm_accuracy", 1, "LinearSVM"),
    accuracy_check("softmax_accuracy", 1, "Softmax"),
]
