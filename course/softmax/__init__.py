"""The softmax loss: reference solution, public and hidden checks, notebook."""
