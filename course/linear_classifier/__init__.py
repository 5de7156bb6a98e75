"""The linear classifier trained with SGD: reference solution, public and hidden checks, notebook."""
