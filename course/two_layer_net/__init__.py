"""The two-layer net: reference solution, public and hidden checks, notebook."""
