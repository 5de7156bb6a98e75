"""Cheat: uses the library's finished loss function (a forbidden import) for a correct answer."""
from tinybackprop import losses  # noqa: F401  (the import alone is what is forbidden)

from course.svm.reference import svm_forward, svm_backward, svm_loss_naive, svm_loss_vectorized  # noqa: F401
