"""Public checks of the softmax assignment: naive, forward (large scores too), backward, vectorized."""
from __future__ import annotations

from course.linear_loss import LinearLoss, fresh, huge

SOFTMAX = LinearLoss("softmax", ("scores", "shifted", "probs", "data_loss", "reg_loss"))

CHECKS = [
    SOFTMAX.naive_check("small_with_reg", 1.5, fresh(N=8, D=5, C=4, reg=0.1)),
    SOFTMAX.naive_check("random_without_reg", 0.5, fresh(N=12, D=6, C=3, reg=0.0)),
    SOFTMAX.naive_check("random_with_reg", 0.5, fresh(N=12, D=6, C=5)),
    SOFTMAX.forward_check("small_with_reg", 2, fresh(N=8, D=5, C=4, reg=0.1)),
    SOFTMAX.forward_check("random_without_reg", 1, fresh(N=10, D=4, C=3, reg=0.0)),
    SOFTMAX.forward_check("random_with_reg", 1.5, fresh(N=10, D=4, C=5)),
    SOFTMAX.overflow_check("scores_near_1000", 1.5, huge(fresh(N=6, D=5, C=4, reg=0.0))),
    SOFTMAX.backward_check("reference_cache", 3.5, fresh(N=8, D=5, C=4, reg=0.1)),
    SOFTMAX.gradcheck("numerical_gradient_of_the_loss", 2, fresh(N=6, D=4, C=3)),
    SOFTMAX.vectorized_check("matches_naive_small", 1, fresh(N=8, D=5, C=4, reg=0.1)),
    SOFTMAX.vectorized_check("matches_naive_random", 0.5, fresh(N=20, D=6, C=4)),
    SOFTMAX.speed_check("fast_on_500x100", 1, fresh(N=500, D=100, C=10, reg=0.01, scale=0.1)),
]
