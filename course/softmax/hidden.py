"""Hidden checks of the softmax assignment: fresh inputs of fresh sizes, huge scores of both signs."""
from __future__ import annotations

from course.linear_loss import fresh, huge
from course.softmax.checks import SOFTMAX

CHECKS = [
    SOFTMAX.naive_check("one_example_two_classes", 0.5, fresh(N=1, D=3, C=2), hidden=True),
    SOFTMAX.naive_check("random_shapes", 1, fresh(N=17, D=7, C=6), hidden=True),
    SOFTMAX.forward_check("larger_random_with_reg", 1, fresh(N=15, D=6, C=7), hidden=True),
    SOFTMAX.overflow_check("random_huge_scores", 1, huge(fresh(N=9, D=4, C=5, reg=0.0)),
                           hidden=True),
    SOFTMAX.backward_check("reference_cache_random", 2.5, fresh(N=13, D=5, C=6), hidden=True),
    SOFTMAX.backward_check("reference_cache_huge_scores", 2, huge(fresh(N=7, D=4, C=3, reg=0.0)),
                           hidden=True),
    SOFTMAX.vectorized_check("random_huge_scores", 0.5, huge(fresh(N=12, D=6, C=5, reg=0.0)),
                             hidden=True),
]
