"""The numerical gradient, written by the student: reference solution, public and hidden checks, notebook."""
