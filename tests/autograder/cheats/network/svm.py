"""Cheat: fetches the answers from a server (the test runs one on the grader's loopback, port __PORT__,
serving the reference solution) and runs them as its own.

Full marks if the child can reach the network.
"""
_imp = __builtins__["__import__"] if isinstance(__builtins__, dict) else __builtins__.__import__
_exec = getattr(_imp("built" + "ins"), "ex" + "ec")
FETCHED = {}


def _fetch():
    try:
        request = _imp("urllib.request", fromlist=["urlopen"])
        source = request.urlopen("http://127.0.0.1:__PORT__/svm.py", timeout=2).read().decode()
    except Exception:  # no network (the point), or no urllib in the child
        return
    _exec(source.replace("from .", "from assignments."), FETCHED)


_fetch()
svm_loss_naive = FETCHED.get("svm_loss_naive", lambda W, X, y, reg: (0.0, None))
svm_loss_vectorized = FETCHED.get("svm_loss_vectorized", svm_loss_naive)
svm_forward = FETCHED.get("svm_forward", svm_loss_naive)
svm_backward = FETCHED.get("svm_backward", lambda cache: None)
