"""Cheat: reads the reference solution (or the hidden tests) and runs it as its own answer.

If the sandbox let it read __REPO__/course/svm/reference.py, this file would
score full marks; so a zero here shows the secrets stayed secret.
"""
from tinybackprop.matrix import Matrix

# exec fetched by attribute, so that the static import check does not see it: the sandbox must stop this.
_run = getattr((__builtins__["__import__"] if isinstance(__builtins__, dict) else __builtins__.__import__)(
    "built" + "ins"), "ex" + "ec")
STOLEN = {}
for path in ("__REPO__/course/svm/reference.py", "__REPO__/course/svm/hidden.py",
             "__REPO__/course/__init__.py"):
    try:
        with open(path, encoding="utf-8") as handle:
            source = handle.read()
    except OSError:
        continue
    if path.endswith("svm/reference.py"):
        namespace = {"__name__": "stolen", "__package__": None}
        _run(source.replace("from .", "from assignments."), namespace)
        STOLEN.update(namespace)


def _use(name, fallback):
    return STOLEN.get(name, fallback)


def _zeros(W, X, y, reg):
    return 0.0, Matrix.zeros(*W.shape)


svm_loss_naive = _use("svm_loss_naive", _zeros)
svm_loss_vectorized = _use("svm_loss_vectorized", _zeros)
svm_forward = _use("svm_forward", lambda W, X, y, reg: (0.0, {}))
svm_backward = _use("svm_backward", lambda cache: {})
