"""Cheat: raises, in every call, an exception whose message is 12 MB (and the name of its type 1 MB).

The report and results.json must stay small, and the grader's memory with them.
"""
HUGE = "x" * 12_000_000
ENORMOUS = type("E" * 1_000_000, (Exception,), {})


def _flood(*args, **kwargs):
    raise ENORMOUS(HUGE)


svm_loss_naive = svm_loss_vectorized = svm_forward = svm_backward = _flood
