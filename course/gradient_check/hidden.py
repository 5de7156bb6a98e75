"""Hidden checks of the numerical gradient: larger matrices and other pairs, drawn at grading time."""
from __future__ import annotations

from course.gradient_check.checks import array_cases, number_cases, numerical_check, rel_error_check, sparse_check

CHECKS = [
    numerical_check("random_matrix", 1.5, (4, 3), hidden=True),
    rel_error_check("random_pairs", 0.75, lambda rng: number_cases(rng) + array_cases(rng), hidden=True),
    sparse_check("random_matrix", 1, 4, 5, 8, hidden=True),
]
