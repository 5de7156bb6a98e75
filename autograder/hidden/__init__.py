"""Hidden checks of the assignments (left out of the student handout): inputs drawn at grading time."""
