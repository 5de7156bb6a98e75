"""Cheat: the trivial answer (0.0, zeros) everywhere; passes a self-consistency gradient check."""
from tinybackprop.matrix import Matrix


def svm_loss_naive(W, X, y, reg):
    return 0.0, Matrix.zeros(*W.shape)


svm_loss_vectorized = svm_loss_naive


def svm_forward(W, X, y, reg):
    return 0.0, {"W": W, "X": X, "y": y, "reg": reg, "scores": Matrix.zeros(X.shape[0], W.shape[1]),
                 "margins": Matrix.zeros(X.shape[0], W.shape[1]), "data_loss": 0.0, "reg_loss": 0.0}


def svm_backward(cache):
    n, c = cache["X"].shape[0], cache["W"].shape[1]
    return {"dscores": Matrix.zeros(n, c), "dW": Matrix.zeros(*cache["W"].shape)}
