"""Cheat: the code of a zip bomb (the test zips it with 1,990 entries of 1 MB of zeros, about 2 MB
in all, and a softmax.py that expands a thousandfold): it earns nothing itself.

The grader must read only the entries it grades, each within its caps, and stay small.
"""
from tinybackprop.matrix import Matrix


def svm_loss_naive(W, X, y, reg):
    return 0.0, Matrix.zeros(*W.shape)


svm_loss_vectorized = svm_loss_naive
