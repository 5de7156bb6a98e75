"""Cheat: looks everywhere for a world-readable copy of the course (another clone, a build folder,
an installed package), nearest folders first, and runs its reference solution as its own answer.

The test plants such a copy; full marks if the child can reach it.
"""
_imp = __builtins__["__import__"] if isinstance(__builtins__, dict) else __builtins__.__import__
_os = _imp("o" + "s")
_time = _imp("time")
_exec = getattr(_imp("built" + "ins"), "ex" + "ec")
FOUND = {}


def _look():
    folders, until = ["/"], _time.monotonic() + 3.0
    while folders and not FOUND and _time.monotonic() < until:
        folder = folders.pop(0)
        path = _os.path.join(folder, "course", "svm", "reference.py")
        try:
            with open(path, encoding="utf-8") as handle:
                _exec(handle.read().replace("from .", "from assignments."), FOUND)
        except OSError:
            pass
        try:
            folders += [entry.path for entry in _os.scandir(folder)
                        if entry.is_dir(follow_symlinks=False) and entry.path not in ("/proc", "/sys")]
        except OSError:
            continue


_look()
_names = ("svm_loss_naive", "svm_loss_vectorized", "svm_forward", "svm_backward")
svm_loss_naive, svm_loss_vectorized, svm_forward, svm_backward = [FOUND.get(name) for name in _names] \
    if FOUND else [lambda *args: (0.0, None)] * 4
