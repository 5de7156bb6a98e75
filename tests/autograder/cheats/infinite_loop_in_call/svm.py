"""Cheat: every function loops forever (ignoring any exception thrown at it)."""


def _spin(*args, **kwargs):
    while True:
        try:
            while True:
                pass
        except BaseException:
            continue


svm_loss_naive = svm_loss_vectorized = svm_forward = svm_backward = _spin
