"""The stub generator: committed stubs in sync, malformed markers refused, every stage reachable."""
from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.content import NOTEBOOK, REFERENCE, part, reference_files
from autograder.oracle import reference
from autograder.stubgen import ROOT, MarkerError, find_regions, main, make_stub
from tinybackprop.matrix import Matrix

reference_softmax, reference_svm = reference("softmax"), reference("svm")
reference_two_layer_net = reference("two_layer_net")

ASSIGNMENTS = ("gates", "svm", "softmax", "linear_classifier", "two_layer_net")


def test_committed_stubs_and_notebooks_are_up_to_date(capsys):
    assert main(["--check"]) == 0, capsys.readouterr().err


def test_check_names_the_out_of_date_files(tmp_path, capsys):
    assert main(["--check", "--out", str(tmp_path)]) == 1
    assert "svm.py" in capsys.readouterr().err
    assert main(["--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{name}.py" for name in ASSIGNMENTS] + [f"{name}.ipynb" for name in ASSIGNMENTS])
    capsys.readouterr()
    assert main(["--check", "--out", str(tmp_path)]) == 0
    (tmp_path / "softmax.py").write_text("# edited by hand\n", encoding="utf-8")
    (tmp_path / "gates.ipynb").unlink()
    assert main(["--check", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "softmax.py" in err and "gates.ipynb" in err and "svm.py" not in err


def test_regenerating_writes_identical_bytes(tmp_path, capsys):
    main(["--out", str(tmp_path)])
    first = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    capsys.readouterr()
    assert main(["--out", str(tmp_path)]) == 0
    assert capsys.readouterr().out == ""  # nothing was out of date, so nothing was written
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == first


EXAMPLE = '''\
def f(x):
    """Doc."""
    # double (a float): 2 x.
    # BEGIN SOLUTION f: double
    double = 2 * x
    # END SOLUTION
    return double
'''


def test_a_region_becomes_a_todo_and_a_raise():
    stub = make_stub(EXAMPLE, "course/example/reference.py")
    assert stub.splitlines()[2:] == [
        "def f(x):",
        '    """Doc."""',
        "    # double (a float): 2 x.",
        "    # TODO (f: double): your code here.",
        '    raise NotImplementedError("f: double")',
        "    return double",
    ]
    assert stub.startswith("# Generated from course/example/reference.py")


MALFORMED = {
    "unclosed": ("# a\n# BEGIN SOLUTION f: a\nx = 1\n", 2, "never closed"),
    "nested": ("# a\n# BEGIN SOLUTION f: a\n# b\n# BEGIN SOLUTION f: b\nx = 1\n# END SOLUTION\n# END SOLUTION\n",
               4, "nested solution region 'f: b'"),
    "unnamed": ("# a\n# BEGIN SOLUTION\nx = 1\n# END SOLUTION\n", 2, "unnamed solution region"),
    "no stage": ("# a\n# BEGIN SOLUTION svm_forward\nx = 1\n# END SOLUTION\n", 2, "malformed stage name"),
    "end without begin": ("x = 1\n# END SOLUTION\n", 2, "without a matching"),
    "misspelled": ("# a\n#BEGIN SOLUTION f: a\nx = 1\n# END SOLUTION\n", 2, "malformed marker"),
    "duplicate": ("# a\n# BEGIN SOLUTION f: a\nx = 1\n# END SOLUTION\n# b\n# BEGIN SOLUTION f: a\n"
                  "y = 1\n# END SOLUTION\n", 6, "appears twice"),
    "no comment above": ("x = 0\n# BEGIN SOLUTION f: a\nx = 1\n# END SOLUTION\n", 2, "needs a comment"),
    "empty": ("# a\n# BEGIN SOLUTION f: a\n# END SOLUTION\n", 3, "is empty"),
    "indent": ("def f():\n    # a\n    # BEGIN SOLUTION f: a\n    x = 1\n# END SOLUTION\n", 5,
               "indented differently"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_markers_are_refused_naming_file_and_line(case):
    text, line, message = MALFORMED[case]
    with pytest.raises(MarkerError) as error:
        find_regions(text, "ref.py")
    assert str(error.value).startswith(f"ref.py:{line}: ")
    assert message in str(error.value)


def test_cli_refuses_a_malformed_reference(tmp_path, capsys):
    bad = part("svm", REFERENCE, tmp_path)
    bad.parent.mkdir()
    bad.write_text(MALFORMED["unclosed"][0], encoding="utf-8")
    assert main(["--course", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert f"{bad}:2: solution region 'f: a' is never closed" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_cli_refuses_a_malformed_notebook_source(tmp_path, capsys):
    bad = part("svm", NOTEBOOK, tmp_path)
    bad.parent.mkdir()
    bad.write_text("print('no cell marker above me')\n", encoding="utf-8")
    assert main(["--course", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert f"{bad}:1: text before the first cell marker" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_assignment_files_import_only_the_standard_library_and_matrix(name):
    tree = ast.parse(part(name, REFERENCE).read_text(encoding="utf-8"))
    allowed = {"__future__", "math", "random", "typing", "tinybackprop.matrix"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert {alias.name for alias in node.names} <= allowed
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 1 or node.module in allowed, node.module


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_shipped_stubs_import_and_have_no_solution_left(name):
    module = importlib.import_module(f"assignments.{name}")
    source = Path(module.__file__).read_text(encoding="utf-8")
    regions = find_regions(part(name, REFERENCE).read_text(encoding="utf-8"))
    assert regions
    assert "SOLUTION" not in source
    assert source.count("raise NotImplementedError(") >= len(regions)


# Inputs that reach every stage of a function: W (3 x 2), X (4 x 3), y.
W, X, Y = Matrix.randn(3, 2, seed=0), Matrix.randn(4, 3, seed=1), [0, 1, 1, 0]
PARAMS = {"W1": Matrix.randn(3, 5, seed=2), "b1": Matrix.randn(1, 5, seed=3),
          "W2": Matrix.randn(5, 2, seed=4), "b2": Matrix.zeros(1, 2)}


def _gate(gate, *inputs):
    gate.forward(*inputs)
    return gate.backward(1.0)


def _predict(classifier):
    classifier.W = W
    return classifier.predict(X)


DRIVERS = {
    "MultiplyGate.backward": lambda m: _gate(m.MultiplyGate(), 2.0, 3.0),
    "AddGate.backward": lambda m: _gate(m.AddGate(), 2.0, 3.0),
    "MaxGate.backward": lambda m: _gate(m.MaxGate(), 2.0, 3.0),
    "SigmoidGate.backward": lambda m: _gate(m.SigmoidGate(), 0.5),
    "sigmoid_neuron_forward": lambda m: m.sigmoid_neuron_forward([1.0, 2.0, 3.0], [4.0, 5.0]),
    "sigmoid_neuron_backward": lambda m: m.sigmoid_neuron_backward(
        {"w": [1.0, 2.0, 3.0], "x": [4.0, 5.0], "dot": 17.0, "f": 0.9}),
    "fork_circuit_forward": lambda m: m.fork_circuit_forward(-2.0, 5.0),
    "fork_circuit_backward": lambda m: m.fork_circuit_backward({"x": -2.0, "y": 5.0, "q": 3.0, "f": -6.0}),
    "svm_loss_naive": lambda m: m.svm_loss_naive(W, X, Y, 0.1),
    "svm_forward": lambda m: m.svm_forward(W, X, Y, 0.1),
    "svm_backward": lambda m: m.svm_backward(reference_svm.svm_forward(W, X, Y, 0.1)[1]),
    "softmax_loss_naive": lambda m: m.softmax_loss_naive(W, X, Y, 0.1),
    "softmax_forward": lambda m: m.softmax_forward(W, X, Y, 0.1),
    "softmax_backward": lambda m: m.softmax_backward(reference_softmax.softmax_forward(W, X, Y, 0.1)[1]),
    "LinearClassifier.train": lambda m: m.LinearSVM().train(X, Y, num_iters=2, batch_size=3, seed=0),
    "LinearClassifier.predict": lambda m: _predict(m.Softmax()),
    "two_layer_forward": lambda m: m.two_layer_forward(PARAMS, X, Y, 0.1),
    "two_layer_backward": lambda m: m.two_layer_backward(
        reference_two_layer_net.two_layer_forward(PARAMS, X, Y, 0.1)[1]),
    "TwoLayerNet.train": lambda m: m.TwoLayerNet(3, 5, 2, seed=0).train(X, Y, X, Y, num_iters=2, batch_size=3),
    "TwoLayerNet.predict": lambda m: m.TwoLayerNet(3, 5, 2, seed=0).predict(X),
}


def _stages():
    """(assignment, stage name) for every solution region of every reference file."""
    return [(name, region.name) for name in ASSIGNMENTS
            for region in find_regions(part(name, REFERENCE).read_text(encoding="utf-8"))]


def _import_partial(tmp_path, package, name, stages):
    """Import assignment `name` from a copy of the references where only `stages` are stubbed."""
    folder = tmp_path / package
    folder.mkdir(parents=True)
    for file, source in reference_files().items():
        text = source.read_text(encoding="utf-8")
        (folder / file).write_text(make_stub(text, str(source), stages) if file == f"{name}.py" else text,
                                   encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(f"{package}.{name}")
    finally:
        sys.path.remove(str(tmp_path))
        for key in [k for k in sys.modules if k == package or k.startswith(package + ".")]:
            del sys.modules[key]


def test_every_function_with_a_stage_has_a_driver():
    assert {stage.split(":")[0] for _, stage in _stages()} == set(DRIVERS)


@pytest.mark.parametrize("name, stage", _stages())
def test_every_stage_raises_not_implemented_naming_itself(tmp_path, name, stage):
    module = _import_partial(tmp_path, "partial_stubs", name, {stage})
    with pytest.raises(NotImplementedError) as error:
        DRIVERS[stage.split(":")[0]](module)
    assert str(error.value) == stage


@pytest.mark.parametrize("function", sorted(DRIVERS))
def test_shipped_stub_raises_the_first_stage_of_each_function(function):
    for name, stage in _stages():
        if stage.startswith(function + ":"):
            module = importlib.import_module(f"assignments.{name}")
            with pytest.raises(NotImplementedError, match=f"^{stage}$"):
                DRIVERS[function](module)
            return
    pytest.fail(f"no stage of {function}")


def test_references_run_with_no_stage_stubbed(tmp_path):
    """The drivers themselves work: with nothing stubbed, every function returns."""
    for name in ASSIGNMENTS:
        module = _import_partial(tmp_path / name, "unstubbed", name, set())
        for function, drive in DRIVERS.items():
            if hasattr(module, function.split(".")[0]):
                drive(module)


def test_solutions_writes_the_references_as_a_submission(tmp_path, capsys):
    assert main(["--solutions", str(tmp_path / "solved")]) == 0
    files = {path.name: path.read_text(encoding="utf-8") for path in (tmp_path / "solved").iterdir()}
    assert files == {f"{name}.py": part(name, REFERENCE).read_text(encoding="utf-8") for name in ASSIGNMENTS}


def test_stubgen_runs_as_a_module():
    result = subprocess.run([sys.executable, "-m", "autograder.stubgen", "--check"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
