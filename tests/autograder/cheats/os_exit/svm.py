"""Cheat: leaves with os._exit(0) in every call, so no exception can be caught (import hidden from the static check)."""
_imp = __builtins__["__import__"] if isinstance(__builtins__, dict) else __builtins__.__import__


def _leave(*args, **kwargs):
    _imp("o" + "s")._exit(0)


svm_loss_naive = svm_loss_vectorized = svm_forward = svm_backward = _leave
