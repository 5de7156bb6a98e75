"""The course: its assignments, in the order the grader grades them and the report lists them.

Each assignment is a folder of this package (``autograder.content`` describes
what the engine reads from it); a new assignment is a new folder and a new
name here.
"""
from __future__ import annotations

ASSIGNMENTS = ("gates", "gradient_check", "svm", "softmax", "linear_classifier", "two_layer_net",
               "optimization")
