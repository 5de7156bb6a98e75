"""Cheat: allocates without end in every call."""


def _grow(*args, **kwargs):
    hoard = []
    while True:
        hoard.append(bytearray(64 * 1024 * 1024))


svm_loss_naive = svm_loss_vectorized = svm_forward = svm_backward = _grow
