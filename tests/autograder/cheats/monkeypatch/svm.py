"""Cheat: patches tinybackprop and tries to patch the grader so that every comparison says 'equal'."""
import math

import tinybackprop.matrix as matrix_module
from tinybackprop.matrix import Matrix

_imp = __builtins__["__import__"] if isinstance(__builtins__, dict) else __builtins__.__import__
PATCHED = []
Matrix.__eq__ = lambda self, other: True
Matrix.allclose = lambda self, *args, **kwargs: True
math.isclose = lambda *args, **kwargs: True
math.isfinite = lambda x: True
for name in ("autograder.compare", "autograder.grade", "autograder.suite", "course.svm.reference"):
    try:
        module = _imp(name, fromlist=["*"])
    except BaseException:
        continue
    PATCHED.append(name)
    for attr in dir(module):
        if callable(getattr(module, attr)):
            setattr(module, attr, lambda *args, **kwargs: True)


def svm_loss_naive(W, X, y, reg):
    return 0.0, Matrix.zeros(*W.shape)


svm_loss_vectorized = svm_loss_naive


def svm_forward(W, X, y, reg):
    return 0.0, {"patched": PATCHED}


def svm_backward(cache):
    return {"dscores": Matrix.zeros(1, 1), "dW": Matrix.zeros(1, 1)}
