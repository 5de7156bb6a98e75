"""Hidden checks of the linear classifier: other shapes, and accuracy on other datasets drawn now."""
from __future__ import annotations

from course.linear_classifier.checks import accuracy_check, predict_check

CHECKS = [
    predict_check("predict_random_shapes", 1, N=20, D=6, C=5, hidden=True),
    accuracy_check("svm_accuracy_fresh_dataset", 1, "LinearSVM", hidden=True),
    accuracy_check("softmax_accuracy_fresh_dataset", 1, "Softmax", hidden=True),
]
