"""Hidden checks of the optimization strategies: other shapes and numbers of steps, on bowls drawn at grading
time."""
from __future__ import annotations

from course.optimization.checks import gradient_check, local_check, sampling_check

CHECKS = [
    sampling_check("guesses_other_shape", 0.5, D=2, C=4, steps=25, hidden=True),
    local_check("tries_other_shape", 1, D=4, C=2, steps=40, hidden=True),
    gradient_check("steps_other_shape", 1, D=2, C=3, steps=15, hidden=True),
]
