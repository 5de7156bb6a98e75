"""Public checks of the assignments: one module per assignment, each defining CHECKS."""
