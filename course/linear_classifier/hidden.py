"""Hidden checks of the linear classifier: other shapes, train through the Softmax subclass, the bias trick."""
from __future__ import annotations

from course import training
from course.linear_classifier.bias import append_check, split_check
from course.linear_classifier.checks import SEARCH, SOFTMAX, on_its_own, predict_check
from course.search import search_check

CHECKS = [
    predict_check("predict_random_shapes", 1, N=20, D=6, C=5, hidden=True),
    training.minibatch_check(SOFTMAX, "softmax_minibatch_rows_and_labels", 0.75, hidden=True),
    training.update_check(SOFTMAX, "softmax_update_against_the_gradient", 0.75, hidden=True),
    on_its_own(append_check("append_bias_random_shape", 0.5, N=7, D=5, hidden=True)),
    on_its_own(split_check("split_bias_random_shape", 0.5, D=6, C=3, hidden=True)),
    on_its_own(search_check("linear_classifier", "every_pair_other_grid", 1, SEARCH, hidden=True)),
]
