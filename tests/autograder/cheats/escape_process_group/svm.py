"""Cheat: tries to leave its process group and to stop or kill the grader, then stops itself.

The attacks on other processes run only where the child is kept apart from the
grader (PID 2 of its own PID namespace, or a sandbox uid >= 1e6), so that a
grader run without isolation is not stopped by its own test.
"""
_imp = __builtins__["__import__"] if isinstance(__builtins__, dict) else __builtins__.__import__
_os = _imp("o" + "s")
SIGKILL, SIGSTOP = 9, 19  # the signal module may not be importable in the sandbox
TRIED = []
if _os.getpid() == 2 or _os.getuid() >= 1000000:
    for attempt in (_os.setsid, lambda: _os.kill(_os.getppid(), SIGSTOP),
                    lambda: _os.kill(-1, SIGKILL)):
        try:
            attempt()
            TRIED.append("ok")
        except OSError as exc:
            TRIED.append(type(exc).__name__)


def _stop(*args, **kwargs):
    _os.kill(_os.getpid(), SIGSTOP)


svm_loss_naive = svm_loss_vectorized = svm_forward = svm_backward = _stop
