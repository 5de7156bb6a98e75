"""Hidden checks of the SVM assignment: fresh inputs of fresh sizes, margins at the hinge's kink."""
from __future__ import annotations

from course.linear_loss import near_kinks, fresh
from course.svm.checks import SVM

CHECKS = [
    SVM.naive_check("one_example_two_classes", 0.5, fresh(N=1, D=3, C=2), hidden=True),
    SVM.naive_check("random_shapes", 1, fresh(N=17, D=7, C=6), hidden=True),
    SVM.forward_check("larger_random_with_reg", 3.5, fresh(N=15, D=6, C=7), hidden=True),
    SVM.backward_check("reference_cache_random", 2.5, fresh(N=13, D=5, C=6), hidden=True),
    SVM.backward_check("margins_at_the_kink", 2, near_kinks(N=10, D=5, C=4), hidden=True),
    SVM.vectorized_check("margins_at_the_kink", 0.5, near_kinks(N=12, D=6, C=5), hidden=True),
]
