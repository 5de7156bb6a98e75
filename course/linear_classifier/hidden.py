"""Hidden checks of the linear classifier: other shapes, and train through the Softmax subclass."""
from __future__ import annotations

from course import training
from course.linear_classifier.checks import SOFTMAX, predict_check

CHECKS = [
    predict_check("predict_random_shapes", 1, N=20, D=6, C=5, hidden=True),
    training.minibatch_check(SOFTMAX, "softmax_minibatch_rows_and_labels", 0.75, hidden=True),
    training.update_check(SOFTMAX, "softmax_update_against_the_gradient", 0.75, hidden=True),
]
