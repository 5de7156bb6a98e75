"""Cheat: a UTF-8 byte order mark before the first line, then ``import os``.

Python's import system skips the mark; a check that parsed the text with the
mark in it failed, and took the file for clean. Full marks if the reference can
be read and the import goes unnoticed.
"""
import os

from tinybackprop.matrix import Matrix

STOLEN = {}
if os.path.exists("__REPO__/course/svm/reference.py"):
    exec(open("__REPO__/course/svm/reference.py").read(), STOLEN)


def svm_loss_naive(W, X, y, reg):
    return STOLEN["svm_loss_naive"](W, X, y, reg) if STOLEN else (0.0, Matrix.zeros(*W.shape))


svm_loss_vectorized = svm_loss_naive
