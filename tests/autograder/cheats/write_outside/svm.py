"""Cheat: tries to write outside its directory: into the repository, its own package and library, a folder of the test."""
import tinybackprop
from tinybackprop.matrix import Matrix

LIB = tinybackprop.__file__.rsplit("/", 2)[0]  # the sandbox's copy of the library and the submission
WROTE = []
for path in ("__TARGET__/planted.txt", "__REPO__/tests/autograder/cheats/planted.txt",
             LIB + "/assignments/planted.py",
             LIB + "/tinybackprop/planted.py", LIB + "/assignments/svm.py"):
    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write("planted by a submission\n")
        WROTE.append(path)
    except OSError:
        continue


def svm_loss_naive(W, X, y, reg):
    return 0.0, Matrix.zeros(*W.shape)


svm_loss_vectorized = svm_loss_naive


def svm_forward(W, X, y, reg):
    return 0.0, {"wrote": WROTE}


def svm_backward(cache):
    return {"wrote": WROTE}
