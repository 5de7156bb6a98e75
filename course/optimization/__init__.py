"""The optimization strategies side by side: reference solution, public and hidden checks, notebook."""
