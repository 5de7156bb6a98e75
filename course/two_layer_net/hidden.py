"""Hidden checks of the two-layer net: fresh shapes and inputs, and an update from other parameters."""
from __future__ import annotations

from course import training
from course.search import search_check
from course.two_layer_net.checks import NET, SEARCH, backward_check, forward_check, fresh, gradcheck, wrapper_check

CHECKS = [
    forward_check("random_shapes", 3, fresh(N=9, D=6, H=8, C=5), hidden=True),
    backward_check("reference_cache_random", 2.5, fresh(N=11, D=5, H=9, C=4), hidden=True),
    gradcheck("numerical_gradient_random", 2, fresh(N=7, D=4, H=6, C=4), hidden=True),
    wrapper_check("loss_wrapper_random", 0.5, fresh(N=5, D=3, H=4, C=2), hidden=True),
    training.update_check(NET, "update_from_other_parameters", 1, hidden=True),
    search_check("two_layer_net", "every_size_other_sizes", 1, SEARCH, hidden=True),
]
