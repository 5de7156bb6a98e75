"""Cheat: tries to write outside its directory: into the grader, its own package, a folder of the test."""
from tinybackprop.matrix import Matrix

WROTE = []
for path in ("__TARGET__/planted.txt", "__REPO__/autograder/public/planted.py",
             "__LIB__/assignments/planted.py", "__LIB__/tinybackprop/planted.py"):
    try:
        with open(path, "w", encoding="utf-8") as handle:
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
