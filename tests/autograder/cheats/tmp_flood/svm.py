"""Cheat: fills the temporary folders and its work folder with 1 MB files in every call.

At most 64 files a folder (this test must not fill the disk of a machine whose
grader leaves /tmp open); a private /tmp is full long before. Nothing may stay
once grading ends.
"""
_imp = __builtins__["__import__"] if isinstance(__builtins__, dict) else __builtins__.__import__
_os = _imp("o" + "s")
BLOCK = b"\0" * 1_000_000
WRITTEN = []


def _flood(*args, **kwargs):
    for folder in ("/tmp", "/var/tmp", "/dev/shm", _os.getcwd()):
        for number in range(64):
            try:
                with open(_os.path.join(folder, f"tinybackprop-cheat-flood-{number}"), "wb") as handle:
                    handle.write(BLOCK)
                WRITTEN.append(folder)
            except OSError:
                break
    return 0.0, None


svm_loss_naive = svm_loss_vectorized = svm_forward = svm_backward = _flood
