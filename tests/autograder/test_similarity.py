"""The similarity report: a renamed, reformatted copy ranks first; independent solutions of the same stubs stay below."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from autograder import batch, similarity
from autograder.content import REFERENCE, part

pytest.importorskip("copydetect", reason="the instructor extra (copydetect) is part of the dev extra")

ROOT = Path(__file__).resolve().parents[2]
STUB = (ROOT / "assignments" / "svm.py").read_text(encoding="utf-8")
RAISE = re.compile(r'^(?P<indent> *)raise NotImplementedError\("(?P<stage>[^"]+)"\)$', re.M)

# Two solutions written apart from the reference, in the styles students use.
BOB = {
    "svm_loss_naive: loops": """
for n in range(N):
    row = [X[n, k] for k in range(D)]
    correct = y[n]
    s = [0.0] * C
    for c in range(C):
        for k in range(D):
            s[c] += row[k] * W[k, c]
    for c in range(C):
        if c != correct and s[c] - s[correct] + 1 > 0:
            loss += s[c] - s[correct] + 1
            for k in range(D):
                dW[k, c] = dW[k, c] + row[k]
                dW[k, correct] = dW[k, correct] - row[k]""",
    "svm_loss_naive: average_and_regularize": """
total = 0.0
for k in range(D):
    for c in range(C):
        total += W[k, c] ** 2
loss = loss / N + reg * total
dW = dW * (1.0 / N) + W * (2.0 * reg)""",
    "svm_forward: scores": "scores = X.__matmul__(W)",
    "svm_forward: margins": """
margins = (scores - scores.pick(y) + 1).maximum(0)
for n, label in enumerate(y):
    margins[n, label] = 0.0""",
    "svm_forward: data_loss": "data_loss = sum(sum(r) for r in margins.data) / N",
    "svm_forward: reg_loss": "reg_loss = reg * sum(w * w for r in W.data for w in r)",
    "svm_backward: dscores": """
mask = (margins > 0) * (1.0 / N)
counts = mask.sum(axis=1)
for n, label in enumerate(y):
    mask[n, label] = -counts[n, 0]
dscores = mask""",
    "svm_backward: dW": "dW = X.T @ dscores + W * (2 * reg)",
}
CAROL = {
    "svm_loss_naive: loops": """
for i, label in enumerate(y):
    x_i = X.data[i]
    s = [sum(a * W[d, j] for d, a in enumerate(x_i)) for j in range(C)]
    target = s[label]
    hinge = [max(0.0, s_j - target + 1.0) if j != label else 0.0 for j, s_j in enumerate(s)]
    loss += sum(hinge)
    pulls = sum(1 for h in hinge if h > 0)
    for d, a in enumerate(x_i):
        for j, h in enumerate(hinge):
            if h > 0:
                dW[d, j] += a
        dW[d, label] -= pulls * a""",
    "svm_loss_naive: average_and_regularize": """
loss = loss / N
for d in range(D):
    for j in range(C):
        w = W[d, j]
        loss = loss + reg * w * w
        dW[d, j] = dW[d, j] / N + 2.0 * reg * w""",
    "svm_forward: scores": "scores = Matrix([[sum(a * b for a, b in zip(r, col)) for col in W.T.data] for r in X.data])",
    "svm_forward: margins": """
rows = []
for i, r in enumerate(scores.data):
    rows.append([0.0 if j == y[i] else max(0.0, v - r[y[i]] + 1.0) for j, v in enumerate(r)])
margins = Matrix(rows)""",
    "svm_forward: data_loss": "data_loss = margins.sum() / float(N)",
    "svm_forward: reg_loss": "reg_loss = float(reg) * (W * W).sum()",
    "svm_backward: dscores": """
grad = []
for i, r in enumerate(margins.data):
    g = [1.0 / N if m > 0 else 0.0 for m in r]
    g[y[i]] = -sum(1 for m in r if m > 0) / N
    grad.append(g)
dscores = Matrix(grad)""",
    "svm_backward: dW": "dW = X.T @ dscores\ndW = dW + 2 * reg * W",
}


def reference_regions() -> dict:
    """The reference's code of each stage, as the stub names the stages."""
    text = part("svm", REFERENCE).read_text(encoding="utf-8")
    return {m.group(1): "\n".join(line[4:] for line in m.group(2).splitlines())
            for m in re.finditer(r"# BEGIN SOLUTION ([^\n]+)\n(.*?)\n *# END SOLUTION", text, re.S)}


def filled(stages: dict) -> str:
    """The stub with each stage's NotImplementedError replaced by that stage's code, as a student fills it."""
    def fill(match: re.Match) -> str:
        code = stages[match.group("stage")].strip("\n")
        return "\n".join(match.group("indent") + line for line in code.splitlines())
    return RAISE.sub(fill, STUB)


def disguised(code: str) -> str:
    """A copy as a student hides it: names changed, comments gone, spacing and blank lines changed."""
    for old, new in (("scores", "sc"), ("margin", "mrg"), ("positive", "is_pos"), ("loss", "total"),
                     ("dW", "grad_W"), ("N", "n_rows"), ("i", "row"), ("j", "col"), ("d", "feat")):
        code = re.sub(r"\b%s\b" % old, new, code)
    lines = [line.replace(" * ", "*").replace(" + ", "+") for line in code.splitlines()
             if not line.strip().startswith("#")]
    return "\n\n".join(lines) + "\n"


def test_a_disguised_copy_ranks_first_and_independent_work_stays_below(tmp_path):
    alice = filled(reference_regions())
    students = {"alice": alice, "bob": filled(BOB), "carol": filled(CAROL), "dave": STUB,
                "mallory": disguised(alice)}
    subs = tmp_path / "subs"
    for name, code in students.items():
        (subs / name).mkdir(parents=True)
        (subs / name / "svm.py").write_text(code, encoding="utf-8")
    out = tmp_path / "out"
    assert batch.main([str(subs), "--out", str(out), "--only", "svm.forward", "--seed", "1"]) == 0
    assert float(batch_rows(out)["alice"]) > 0  # the fixture's solutions are graded as svm.py files

    assert similarity.main([str(out), "--threshold", "0.5"]) == 0

    pairs = similarity.compare(similarity.class_sources(out, None, None),
                               similarity.stub_fingerprints(ROOT / "assignments"))
    assert (pairs[0].a, pairs[0].b) == ("alice", "mallory") and pairs[0].score > 0.8
    assert all(pair.score < 0.5 for pair in pairs[1:]), [(p.a, p.b, p.score) for p in pairs]
    # The untouched stub shares nothing once the stub code is left out.
    assert max(p.score for p in pairs if "dave" in (p.a, p.b)) == 0
    page = (out / "similarity.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 1 and "alice &amp; mallory: " in page and "<mark>" in page
    assert "bob &amp; carol: " not in page  # below the threshold: ranked, not shown side by side


def batch_rows(out: Path) -> dict:
    """grades.csv as {student: total}."""
    rows = (out / "grades.csv").read_text(encoding="utf-8").splitlines()[1:]
    return {row.split(",")[0]: row.split(",")[1] for row in rows}
