"""What the training checks of the linear classifier and the two-layer net share.

A dataset drawn at grading time (blobs around a ring, so that a linear
classifier can separate them), a held-out split whose labels never reach
the student's code, label validation and the accuracy floor from the config.
"""
from __future__ import annotations

import math
import random
from typing import Any, Optional, Sequence

from autograder.compare import describe, is_number
from autograder.config import load_config
from autograder.suite import Session
from tinybackprop.data import accuracy, train_test_split
from tinybackprop.matrix import Matrix


def ring_of_blobs(rng: random.Random, n: int, classes: int, radius: float = 4.0,
                  std: float = 1.3) -> tuple:
    """n points (N x 3: x, y and a constant 1, the bias trick) in `classes` blobs around a circle.

    The ring is turned by a random angle, so every grading run sees a new dataset.
    """
    turn = rng.uniform(0.0, 2.0 * math.pi)
    rows, labels = [], []
    for i in range(n):
        label = i % classes
        angle = turn + 2.0 * math.pi * label / classes
        rows.append([radius * math.cos(angle) + rng.gauss(0.0, std),
                     radius * math.sin(angle) + rng.gauss(0.0, std), 1.0])
        labels.append(label)
    return Matrix(rows), labels


def split(rng: random.Random, n: int = 240, classes: Optional[int] = None) -> tuple:
    """(X_train, X_test, y_train, y_test) of a fresh ring of blobs; a quarter held out."""
    X, y = ring_of_blobs(rng, n, classes or rng.choice((3, 4)))
    return train_test_split(X, y, test_size=0.25, seed=rng)


def floor(session: Session, assignment: str) -> float:
    """The accuracy floor of an assignment's training checks, from the grading config."""
    config = session.config if session.config is not None else load_config()
    return config.floor(assignment, 0.8)


def labels_problem(got: Any, n: int, classes: int) -> str:
    """What is wrong with returned predictions ("" for a list of n ints in 0..classes-1)."""
    if not isinstance(got, list) or len(got) != n:
        return f"predict should return a list of {n} labels, one per row of X; got {describe(got)}"
    for i, label in enumerate(got):
        if not is_number(label) or label != int(label) or not 0 <= label < classes:
            return (f"predict should return labels in 0..{classes - 1}; "
                    f"entry {i} is {describe(label)}")
    return ""


def accuracy_message(got: Sequence[float], y: Sequence[int], bar: float) -> tuple:
    """(fraction of points, message) for predictions on the held-out set against the floor."""
    score = accuracy([int(label) for label in got], y)
    return (1.0 if score >= bar else 0.0), (f"accuracy {score:.2f} on {len(y)} held-out points "
                                             f"(the floor is {bar:.2f})")
