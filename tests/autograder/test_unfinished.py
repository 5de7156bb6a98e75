"""Nothing cascades (autograder.unfinished): cells stopped by a stub, and the cells that need them, in IPython."""
from __future__ import annotations

import ast

import pytest

from autograder.cellnames import bound_names, read_names, receivers
from autograder.unfinished import GuardCells, watch

InteractiveShell = pytest.importorskip("IPython.core.interactiveshell").InteractiveShell

STUBS = '''
class Net:
    def __init__(self):
        self.W = 0.0
    def train(self):
        self.W = 0.5  # half-done: the stub raises after the object changed
        raise NotImplementedError("Net.train: update")
def svm_forward(W):
    raise NotImplementedError("svm_forward: margins")
def finished(W):
    return W + 1
'''


@pytest.fixture
def shell():
    """An IPython shell whose cells are guarded; what the guard says is in ``shell.said``."""
    ip = InteractiveShell.instance()
    ip.reset()
    said = []
    ip.guard = watch(ip, said.append)
    ip.said = said
    assert ip.run_cell(STUBS).success
    yield ip
    ip.ast_transformers[:] = [t for t in ip.ast_transformers if not isinstance(t, GuardCells)]
    ip.reset()


def run(ip, source: str):
    """Run a cell; return (its result, the lines the guard said while it ran)."""
    before = len(ip.said)
    result = ip.run_cell(source)
    return result, ip.said[before:]


def test_a_cell_stopped_by_a_stub_says_the_stage_in_one_line_and_succeeds(shell):
    result, said = run(shell, "W = 2.0\nloss, cache = svm_forward(W)\nafter = 1\n")
    assert result.success and result.error_in_exec is None
    assert said == ["finish svm_forward: margins first (its stub still raises NotImplementedError)"]
    # Made before the stub: good; made by the statement that stopped and after it: missing.
    assert shell.user_ns["W"] == 2.0
    assert shell.guard.missing == {"loss": "svm_forward: margins", "cache": "svm_forward: margins",
                                   "after": "svm_forward: margins"}


def test_a_cell_that_needs_what_a_stopped_cell_did_not_make_does_not_run(shell):
    run(shell, "loss, cache = svm_forward(1.0)\n")
    result, said = run(shell, "ran = True\ndscores = cache['scores']\n")
    assert result.success and "ran" not in shell.user_ns
    assert said == ["finish svm_forward: margins first (this cell needs cache, which a cell above could not make)"]
    # ... and what it would have made is missing in turn, for the same stage.
    result, said = run(shell, "print(dscores)\n")
    assert result.success and said[0].startswith("finish svm_forward: margins first (this cell needs dscores")


def test_an_object_left_half_done_by_a_stub_is_not_used_as_if_it_were_finished(shell):
    """The issue's untrained weights: `net` exists, but its training stopped, so it is not drawn."""
    result, said = run(shell, "net = Net()\nstats = net.train()\n")
    assert result.success and shell.user_ns["net"].W == 0.5
    result, said = run(shell, "picture = net.W\npicture\n")
    assert result.result is None and "picture" not in shell.user_ns
    assert said == ["finish Net.train: update first (this cell needs net, which a cell above could not make)"]


def test_a_module_whose_function_is_called_is_not_half_done(shell):
    run(shell, "import math\nx = math.floor(svm_forward(1.0))\n")
    assert "math" not in shell.guard.missing and "x" in shell.guard.missing


def test_running_the_cell_again_once_the_stage_is_finished_makes_its_names_good(shell):
    run(shell, "loss, cache = svm_forward(1.0)\n")
    run(shell, "svm_forward = finished\n")
    result, said = run(shell, "loss, cache = svm_forward(1.0), {}\n")
    assert result.success and said == [] and shell.guard.missing == {}
    result, said = run(shell, "loss * 10\n")
    assert result.result == 20.0 and said == []


def test_the_last_expression_is_shown_and_a_stub_in_it_stops_the_cell(shell):
    result, said = run(shell, "a = 20\na + 1\n")
    assert result.result == 21 and said == []
    result, said = run(shell, "b = 1\nsvm_forward(b)\n")
    assert result.success and result.result is None
    assert said == ["finish svm_forward: margins first (its stub still raises NotImplementedError)"]
    result, _ = run(shell, "shown = 3;\n")  # a trailing semicolon still hides the value
    assert result.result is None and shell.user_ns["shown"] == 3


@pytest.mark.parametrize("source, error", [
    ("x = finished('a')\n", TypeError),  # a bug in the student's code keeps its traceback
    ("raise NotImplementedError('not a stage')\n", NotImplementedError),  # not a stub's message
    ("y = 1\nfinished('a')\n", TypeError),  # also in the last expression
    ("print(never_defined)\n", NameError),  # a name no stopped cell was to make
])
def test_other_errors_are_raised_as_usual(shell, source, error, capsys):
    result, said = run(shell, source)
    assert isinstance(result.error_in_exec, error) and not result.success and said == []
    traceback = capsys.readouterr().out
    assert error.__name__ in traceback and "unfinished.py" not in traceback


def test_magics_and_cells_without_code_still_run(shell, tmp_path):
    target = tmp_path / "svm.py"
    result, said = run(shell, f"%%writefile {target}\nprint('hello')\n")
    assert result.success and target.read_text() == "print('hello')\n" and said == []
    assert run(shell, "# only a comment\n")[0].success
    assert run(shell, "")[0].success


def test_a_reset_namespace_keeps_the_cells_guarded(shell):
    assert run(shell, "%reset -f\n")[0].success
    result, said = run(shell, "def svm_forward(W):\n    raise NotImplementedError('svm_forward: margins')\n"
                              "loss = svm_forward(1)\n")
    assert result.success and said == ["finish svm_forward: margins first (its stub still raises NotImplementedError)"]


def test_watching_twice_keeps_one_guard(shell):
    assert watch(shell) is shell.guard
    assert sum(isinstance(t, GuardCells) for t in shell.ast_transformers) == 1


def statements(source: str):
    return ast.parse(source).body


def test_what_a_statement_binds_and_calls_methods_of():
    [assign, define, loop, imports] = statements(
        "a, (b, c) = f(x)\ndef g(p):\n    q = p\n    return q\nfor i in r:\n    d = net.train(i)\n"
        "import os.path, numpy as np\n")
    assert bound_names(assign) == {"a", "b", "c"}
    assert bound_names(define) == {"g"}  # q and p are the function's own
    assert bound_names(loop) == {"i", "d"} and receivers(loop) == {"net"}
    assert bound_names(imports) == {"os", "np"}


def test_what_a_cell_reads_before_it_binds_it():
    cell = statements(
        "W = W0 * 2\n"  # W0 read, W bound
        "W = W - lr\n"  # W bound above: not a read
        "n += 1\n"  # an augmented assignment reads n first
        "def loss(v):\n    return v * scale + W\n"  # scale read by the function body
        "total = [k * w for k in ks]\n"  # ks and w read, k the comprehension's own
        "f = lambda z: z + bias\n")
    assert read_names(cell) == ["W0", "lr", "n", "scale", "ks", "w", "bias"]
