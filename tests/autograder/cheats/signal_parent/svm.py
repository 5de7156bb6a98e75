"""Cheat: tries to kill or stop the grader (its parent, the grader's pid, every process it may signal),
so that no result is written.

The attacks run only where the child is kept apart from the grader (PID 2 of
its own PID namespace, or a sandbox uid >= 1e6): a grader run without
isolation is not killed by its own test.
"""
_imp = __builtins__["__import__"] if isinstance(__builtins__, dict) else __builtins__.__import__
_os = _imp("o" + "s")
SIGKILL, SIGSTOP, SIGTERM = 9, 19, 15  # the signal module may not be importable in the sandbox
GRADER = __GRADER_PID__  # the grader's pid, as an attacker who scanned /proc would know it
OUTCOMES = []


def _attack(*args):
    if _os.getpid() == 2 or _os.getuid() >= 1000000:
        for target, signal in ((GRADER, SIGKILL), (GRADER, SIGSTOP), (_os.getppid(), SIGKILL),
                               (_os.getppid(), SIGTERM), (-1, SIGKILL)):
            try:
                _os.kill(target, signal)
                OUTCOMES.append("ok")
            except OSError as exc:
                OUTCOMES.append(type(exc).__name__)
    return 0.0, None


svm_loss_naive = svm_loss_vectorized = svm_forward = svm_backward = _attack
