"""The gates warm-up: reference solution, public and hidden checks, notebook."""
