"""No points without the work: an official grade never reuses an input whose answer was published.

The student's kit publishes the answers of its public checks (``course/recorded.json``)
and the lecture publishes its numbers. A submission with no code, only a table
of those answers, passes much of the kit's self-check and must score 0 in the
official grade, whose inputs are all drawn at grading time.
"""
from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest

from autograder import grade, oracle
from autograder.content import RECORDED
from autograder.grade import SELF_CHECK, grade_submission
from course.gates.checks import ADD_MULTIPLY, MAX, NEURON
from course.gates.reference import AddGate, MaxGate, MultiplyGate, SigmoidGate

# What every file of the answers-only submission starts with: the kit's recorded answers, looked
# up by the kit's own fingerprint of the inputs (the oracle's functions, copied from the kit; SHA-256
# written out, since the sandbox's child cannot import hashlib).
SHA256 = '''
ROUND = [int((p ** (1 / 3) % 1) * 2 ** 32) for p in
         [n for n in range(2, 312) if all(n % d for d in range(2, int(n ** 0.5) + 1))][:64]]


def sha256(data):
    h = [int((p ** 0.5 % 1) * 2 ** 32) for p in (2, 3, 5, 7, 11, 13, 17, 19)]
    data = data + b"\\x80" + b"\\x00" * ((55 - len(data)) % 64) + (8 * len(data)).to_bytes(8, "big")
    rotate = lambda x, n: ((x >> n) | (x << (32 - n))) & 0xFFFFFFFF
    for start in range(0, len(data), 64):
        w = [int.from_bytes(data[start + 4 * i:start + 4 * i + 4], "big") for i in range(16)]
        for i in range(16, 64):
            s0 = rotate(w[i - 15], 7) ^ rotate(w[i - 15], 18) ^ (w[i - 15] >> 3)
            s1 = rotate(w[i - 2], 17) ^ rotate(w[i - 2], 19) ^ (w[i - 2] >> 10)
            w.append((w[i - 16] + s0 + w[i - 7] + s1) & 0xFFFFFFFF)
        a, b, c, d, e, f, g, k = h
        for i in range(64):
            t1 = k + (rotate(e, 6) ^ rotate(e, 11) ^ rotate(e, 25)) + ((e & f) ^ (~e & g)) + ROUND[i] + w[i]
            t2 = (rotate(a, 2) ^ rotate(a, 13) ^ rotate(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))
            a, b, c, d, e, f, g, k = (t1 + t2) & 0xFFFFFFFF, a, b, c, (d + t1) & 0xFFFFFFFF, e, f, g
        h = [(x + y) & 0xFFFFFFFF for x, y in zip(h, (a, b, c, d, e, f, g, k))]
    return "".join("%08x" % x for x in h)


def lookup(assignment, what, *inputs):
    text = json.dumps([assignment, what, plain(inputs)], sort_keys=True)
    found = TABLE.get(sha256(text.encode("utf-8"))[:24])
    return None if found is None else decode(found, inputs)
'''


def lookup_source(table: str) -> str:
    """The start of every file of the answers-only submission."""
    copied = "\n\n".join(inspect.getsource(function) for function in (oracle.plain, oracle.known_objects,
                                                                       oracle.decode))
    return ("import json\nfrom typing import Any\n\nfrom tinybackprop.matrix import Matrix\n\n"
            f"TABLE = json.loads({table!r})\n\n\n{copied}\n{SHA256}")


GATES = '''
LECTURE = {lecture!r}


def sigmoid(x):
    return 0.5


class MultiplyGate:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dz):
        return tuple(LECTURE.get(repr(("MultiplyGate", self.x, self.y, dz)), (0.0, 0.0)))


class AddGate:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x + y

    def backward(self, dz):
        return tuple(LECTURE.get(repr(("AddGate", self.x, self.y, dz)), (0.0, 0.0)))


class MaxGate:
    def forward(self, x, y):
        self.x, self.y = x, y
        return max(x, y)

    def backward(self, dz):
        return tuple(LECTURE.get(repr(("MaxGate", self.x, self.y, dz)), (0.0, 0.0)))


class SigmoidGate:
    def forward(self, x):
        self.x = x
        return LECTURE.get(repr(("sigmoid", x)), 0.5)

    def backward(self, dout):
        return LECTURE.get(repr(("SigmoidGate", self.x, dout)), 0.0)


def staged(what, args):
    for dout in (1.0, 0.5):
        found = lookup("gates", what, *args, dout)
        if found:
            return found[0]
    return 0.0, {{}}


def sigmoid_neuron_forward(w, x):
    return staged("sigmoid_neuron", (w, x))


def sigmoid_neuron_backward(cache, dout=1.0):
    found = lookup("gates", "sigmoid_neuron", cache.get("w"), cache.get("x"), dout)
    return found[1] if found else ([0.0] * 3, [0.0] * 2)


def fork_circuit_forward(x, y):
    return staged("fork_circuit", (x, y))


def fork_circuit_backward(cache, dout=1.0):
    found = lookup("gates", "fork_circuit", cache.get("x"), cache.get("y"), dout)
    return found[1] if found else (0.0, 0.0)
'''

LOSS = '''
def answers(W, X, y, reg):
    return lookup("{name}", "forward_backward", W, X, y, reg)


def {name}_loss_naive(W, X, y, reg):
    found = answers(W, X, y, reg)
    return (found[0], found[2]["dW"]) if found else (0.0, Matrix.zeros(*W.shape))


def {name}_forward(W, X, y, reg):
    found = answers(W, X, y, reg)
    return (found[0], found[1]) if found else (0.0, {{}})


def {name}_backward(cache):
    found = answers(cache.get("W"), cache.get("X"), cache.get("y"), cache.get("reg"))
    return found[2] if found else {{}}


def {name}_loss_vectorized(W, X, y, reg):
    found = lookup("{name}", "{name}_loss_vectorized", W, X, y, reg)
    return found if found else {name}_loss_naive(W, X, y, reg)
'''

CLASSIFIER = '''
class LinearClassifier:
    def __init__(self):
        self.W = None

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200, verbose=False,
              seed=None):
        return [0.0] * num_iters

    def predict(self, X):
        return [0] * X.shape[0]


class LinearSVM(LinearClassifier):
    pass


class Softmax(LinearClassifier):
    pass
'''

NET = '''
def answers(params, X, y, reg):
    return lookup("two_layer_net", "forward_backward", params, X, y, reg)


def two_layer_forward(params, X, y=None, reg=0.0):
    found = answers(params, X, y, reg)
    return (found[0], found[1]) if found else (0.0, {{}})


def two_layer_backward(cache):
    params = {{name: cache.get(name) for name in ("W1", "b1", "W2", "b2")}}
    found = answers(params, cache.get("X"), cache.get("y"), cache.get("reg"))
    return found[2] if found else {{}}


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, std=1e-4, seed=None):
        self.params = {{"W1": Matrix.zeros(input_size, hidden_size), "b1": Matrix.zeros(1, hidden_size),
                       "W2": Matrix.zeros(hidden_size, output_size), "b2": Matrix.zeros(1, output_size)}}

    def loss(self, X, y=None, reg=0.0):
        found = answers(self.params, X, y, reg)
        if found is None:
            return Matrix.zeros(X.shape[0], 1) if y is None else (0.0, {{}})
        if y is None:
            return found[1]["scores"]
        grads = found[2]
        return found[0], {{name: grads["d" + name] for name in ("W1", "b1", "W2", "b2")}}

    def train(self, X, y, X_val, y_val, **settings):
        return {{"loss_history": [], "train_acc_history": [], "val_acc_history": []}}

    def predict(self, X):
        found = answers(self.params, X, None, 0.0)
        if found is None:
            return [0] * X.shape[0]
        return [row.index(max(row)) for row in found[1]["scores"].tolist()]
'''

# The lecture's three circuits at the lecture's numbers (the slides give every wire's value and gradient).
LECTURE = ((ADD_MULTIPLY, {"x": -2.0, "y": 5.0, "z": -4.0}),
           (NEURON, {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}),
           (MAX, {"x": 3.0, "y": -4.0, "z": 2.0, "w": -1.0, "two": 2.0}))


def lecture_table() -> dict:
    """What each gate of the lecture's circuits gives, keyed by its inputs and its upstream gradient."""
    kinds = {"AddGate": AddGate, "MultiplyGate": MultiplyGate, "MaxGate": MaxGate, "SigmoidGate": SigmoidGate}
    table = {}
    for circuit, given in LECTURE:
        values, gates = dict(given), {}
        for step in circuit.steps:
            gates[step.out] = kinds[step.gate]()
            values[step.out] = gates[step.out].forward(*(values[w] for w in step.inputs))
            if step.gate == "SigmoidGate":
                table[repr(("sigmoid", *(values[w] for w in step.inputs)))] = values[step.out]
        grads = {circuit.steps[-1].out: 1.0}
        for step in reversed(circuit.steps):
            dz = grads.get(step.out, 0.0)
            local = gates[step.out].backward(dz)
            table[repr((step.gate, *(values[w] for w in step.inputs), dz))] = local
            for wire, g in zip(step.inputs, local if isinstance(local, tuple) else (local,)):
                grads[wire] = grads.get(wire, 0.0) + g
    return table


@pytest.fixture(scope="module")
def answers_only(tmp_path_factory) -> Path:
    """A submission of tables: the kit's recorded answers and the lecture's numbers, no code that computes."""
    folder = tmp_path_factory.mktemp("answers") / "submission"
    folder.mkdir()
    head = lookup_source(RECORDED.read_text(encoding="utf-8"))
    (folder / "gates.py").write_text(head + GATES.format(lecture=lecture_table()), encoding="utf-8")
    for name in ("svm", "softmax"):
        (folder / f"{name}.py").write_text(head + LOSS.format(name=name), encoding="utf-8")
    (folder / "linear_classifier.py").write_text(CLASSIFIER, encoding="utf-8")
    (folder / "two_layer_net.py").write_text(head + NET.format(), encoding="utf-8")
    return folder


def test_a_table_of_the_published_answers_passes_much_of_the_kits_self_check(answers_only, monkeypatch):
    """Without the references, as in the kit: the table knows the answers of the published inputs."""
    monkeypatch.setattr(oracle, "reference", lambda assignment: None)
    monkeypatch.setattr(grade, "official", lambda assignments: False)
    result = grade_submission(str(answers_only), public_only=True, seed=3)
    passed = {t.assignment for t in result.tests if t.status == "passed"}
    assert {"gates", "svm", "softmax", "two_layer_net"} <= passed
    assert result.score > 30, result.score
    assert result.message == SELF_CHECK


def test_a_table_of_the_published_answers_scores_0_in_the_official_grade(answers_only):
    result = grade_submission(str(answers_only), seed=3)
    assert result.status == "graded" and result.message == ""
    earned = [(t.name, t.score) for t in result.tests if t.score > 0]
    assert earned == [] and result.score == 0


def test_the_kits_report_says_the_official_grade_draws_fresh_inputs(answers_only, monkeypatch):
    monkeypatch.setattr(oracle, "reference", lambda assignment: None)
    monkeypatch.setattr(grade, "official", lambda assignments: False)
    result = grade_submission(str(answers_only), only=["gates"], public_only=True, seed=3)
    assert "the official grade draws fresh inputs for every test" in "\n".join(result.to_markdown().splitlines())
    assert json.loads(json.dumps(result.to_results_json()))["output"].startswith("Self-check")


def test_without_the_references_the_grade_is_a_self_check():
    assert grade.official(["svm", "gates"])
    assert not grade.official(["svm", "no_such_assignment"])
