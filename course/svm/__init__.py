"""The multiclass SVM loss: reference solution, public and hidden checks, notebook."""
