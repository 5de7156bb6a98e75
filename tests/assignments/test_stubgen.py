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
from autograder.ladder import TEXTS as TEXT_LABELS
from autograder.handout import solution_lines, text_leaks
from autograder.ladder import ladder_path, read_ladder
from autograder.stubgen import ROOT, MarkerError, find_regions, main, make_stub, stage_hints, stub_files
from tinybackprop.matrix import Matrix

reference_softmax, reference_svm = reference("softmax"), reference("svm")
reference_two_layer_net = reference("two_layer_net")

ASSIGNMENTS = ("gates", "gradient_check", "svm", "softmax", "linear_classifier", "two_layer_net",
               "optimization")


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
    # BEGIN SOLUTION f: double
    # goal: double (a float): twice x. What does a gate that
    #   doubles its input send back?
    # idea: Think of x + x.
    # formula: d double/dx = 2.
    # code: One product.
    double = 2 * x
    # END SOLUTION
    return double
'''


def test_a_region_becomes_its_goal_and_a_raise():
    stub = make_stub(EXAMPLE, "course/example/reference.py")
    assert stub.splitlines() == [
        "# Generated from course/example/reference.py by `python -m autograder stubs`:",
        "# replace each `raise NotImplementedError` with your code for the stage described above it.",
        "# Stuck? `python -m autograder hint example` gives a hint for the first stage that fails.",
        "def f(x):",
        '    """Doc."""',
        "    # double (a float): twice x. What does a gate that doubles its input send back?",
        '    raise NotImplementedError("f: double")',
        "    return double",
    ]


def test_the_level_decides_how_much_the_stub_says_and_the_ladder_its_header():
    formula = make_stub(EXAMPLE, "course/example/reference.py", level="formula", ladder=False)
    assert formula.splitlines()[2:6] == [
        "def f(x):",
        '    """Doc."""',
        "    # double (a float): twice x. What does a gate that doubles its input send back?",
        "    # Idea: Think of x + x.",
    ]
    assert "    # Formula: d double/dx = 2." in formula and "Code:" not in formula
    assert "hint" not in formula
    code = make_stub(EXAMPLE, "course/example/reference.py", level="code")
    assert code.index("# Idea:") < code.index("# Formula:") < code.index("# Code: One product.")
    assert "2 * x" not in code


def test_the_texts_are_read_with_their_continuation_lines():
    (region,) = find_regions(EXAMPLE)
    assert region.texts == {"goal": "double (a float): twice x. What does a gate that doubles its input send back?",
                            "idea": "Think of x + x.", "formula": "d double/dx = 2.", "code": "One product."}
    assert region.code == 9 and (region.begin, region.end) == (3, 10)


def test_a_stage_hands_on_what_its_function_reads_after_it():
    (stage,) = stage_hints(EXAMPLE)
    assert stage.name == "f: double" and stage.outputs == ("double",) and stage.function == "f"


TEXTS = "# goal: g\n# idea: i\n# formula: f\n# code: c\n"
MALFORMED = {
    "unclosed": (f"# BEGIN SOLUTION f: a\n{TEXTS}x = 1\n", 1, "never closed"),
    "nested": (f"# BEGIN SOLUTION f: a\n{TEXTS}# BEGIN SOLUTION f: b\n{TEXTS}x = 1\n# END SOLUTION\n"
               "# END SOLUTION\n", 6, "nested solution region 'f: b'"),
    "unnamed": (f"# BEGIN SOLUTION\n{TEXTS}x = 1\n# END SOLUTION\n", 1, "unnamed solution region"),
    "no stage": (f"# BEGIN SOLUTION svm_forward\n{TEXTS}x = 1\n# END SOLUTION\n", 1, "malformed stage name"),
    "end without begin": ("x = 1\n# END SOLUTION\n", 2, "without a matching"),
    "misspelled": (f"#BEGIN SOLUTION f: a\n{TEXTS}x = 1\n# END SOLUTION\n", 1, "malformed marker"),
    "duplicate": (f"# BEGIN SOLUTION f: a\n{TEXTS}x = 1\n# END SOLUTION\n# BEGIN SOLUTION f: a\n{TEXTS}"
                  "y = 1\n# END SOLUTION\n", 8, "appears twice"),
    "no texts": ("# BEGIN SOLUTION f: a\nx = 1\n# END SOLUTION\n", 2, "needs its '# goal: ...' text here"),
    "a text missing": ("# BEGIN SOLUTION f: a\n# goal: g\n# idea: i\n# code: c\nx = 1\n# END SOLUTION\n", 4,
                       "text 'code' of solution region 'f: a' where '# formula: ...' belongs"),
    "the last text missing": ("# BEGIN SOLUTION f: a\n# goal: g\n# idea: i\n# formula: f\nx = 1\n"
                              "# END SOLUTION\n", 5, "needs its '# code: ...' text here"),
    "a text twice": (f"# BEGIN SOLUTION f: a\n{TEXTS}# idea: again\nx = 1\n# END SOLUTION\n", 6,
                     "text 'idea' of solution region 'f: a' comes twice"),
    "an unknown text": ("# BEGIN SOLUTION f: a\n# goal: g\n# hint: h\nx = 1\n# END SOLUTION\n", 3,
                        "text 'hint' of solution region 'f: a' where '# idea: ...' belongs"),
    "an empty text": ("# BEGIN SOLUTION f: a\n# goal:\n# idea: i\n# formula: f\n# code: c\nx = 1\n"
                      "# END SOLUTION\n", 2, "needs its '# goal: ...' text here"),
    "no code": (f"# BEGIN SOLUTION f: a\n{TEXTS}# a comment\n# END SOLUTION\n", 7, "has no code after its texts"),
    "indent": (f"def f():\n    # BEGIN SOLUTION f: a\n{TEXTS.replace('#', '    #')}    x = 1\n# END SOLUTION\n",
               8, "indented differently"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_markers_and_texts_are_refused_naming_file_and_line(case):
    text, line, message = MALFORMED[case]
    with pytest.raises(MarkerError) as error:
        find_regions(text, "ref.py")
    assert str(error.value).startswith(f"ref.py:{line}: ")
    assert message in str(error.value)


def test_a_comment_of_the_solution_code_after_the_texts_is_code():
    (region,) = find_regions(f"# BEGIN SOLUTION f: a\n{TEXTS}# note: the solution's own comment\nx = 1\n"
                             "# END SOLUTION\n")
    assert region.texts["code"] == "c" and region.code == 6


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_stage_has_its_four_texts_in_the_ladder(name):
    regions = find_regions(part(name, REFERENCE).read_text(encoding="utf-8"))
    ladder = read_ladder(name)
    assert [stage.name for stage in ladder] == [region.name for region in regions]
    for stage in ladder:
        texts = [stage.text(label) for label in TEXT_LABELS]
        assert all(texts) and len(set(texts)) == len(texts), stage.name
        # The goal names what the stage computes and where the lecture has the idea.
        assert not stage.outputs or any(output in stage.goal for output in stage.outputs), stage.name
        assert "(lecture " in stage.goal, stage.name


def test_cli_refuses_a_malformed_reference(tmp_path, capsys):
    bad = part("svm", REFERENCE, tmp_path)
    bad.parent.mkdir()
    bad.write_text(MALFORMED["unclosed"][0], encoding="utf-8")
    assert main(["--course", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert f"{bad}:1: solution region 'f: a' is never closed" in capsys.readouterr().err
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
    "append_bias": lambda m: m.append_bias(X),
    "split_bias": lambda m: m.split_bias(W),
    "search": lambda m: m.search(X, Y, X, Y, [0.1, 0.2], [0.01], num_iters=2, batch_size=3),
    "search_hidden_size": lambda m: m.search_hidden_size(X, Y, X, Y, [2, 3], num_iters=2, batch_size=3),
    "vector_circuit_forward": lambda m: m.vector_circuit_forward(W, Matrix.column([1.0, 2.0])),
    "numerical_gradient": lambda m: (m.numerical_gradient(lambda v: v * v, 3.0),
                                     m.numerical_gradient(lambda v: v[0] * v[1], [1.0, 2.0])),
    "numerical_partial": lambda m: m.numerical_partial(lambda v: v[0] * v[1], [1.0, 2.0], 0),
    "rel_error": lambda m: m.rel_error(1.0, 2.0),
    "grad_check_sparse": lambda m: m.grad_check_sparse(lambda v: v[0] * v[1], [1.0, 2.0], [2.0, 1.0], 2, seed=0),
    "vector_circuit_backward": lambda m: m.vector_circuit_backward(
        {"W": W, "x": Matrix.column([1.0, 2.0]), "q": Matrix.column([1.0, -1.0, 0.5]), "f": 2.25}),
    "random_search": lambda m: m.random_search(lambda V: V.sum(), (2, 3), 3, seed=0),
    "random_local_search": lambda m: m.random_local_search(lambda V: V.sum(), W, 3, 0.1, seed=0),
    "follow_gradient": lambda m: m.follow_gradient(lambda V: V.sum(), lambda V: V, W, 3, 0.1),
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


def test_the_config_sets_the_level_of_the_stubs_and_the_ladder_their_header(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text((ROOT / "autograder" / "config.toml").read_text(encoding="utf-8")
                      .replace('stubs = "goal"', 'stubs = "formula"').replace("ladder = true", "ladder = false"),
                      encoding="utf-8")
    out = tmp_path / "out"
    assert main(["--config", str(config), "--out", str(out)]) == 0
    svm = (out / "svm.py").read_text(encoding="utf-8")
    assert "# Idea: " in svm and "# Formula: " in svm and "# Code: " not in svm
    assert "autograder hint" not in svm
    assert main(["--check", "--config", str(config), "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["--check", "--out", str(out)]) == 1  # the shipped config asks for the goal only
    assert "svm.py" in capsys.readouterr().err


def test_a_config_with_an_unknown_level_is_refused(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text('[hints]\nstubs = "everything"\n', encoding="utf-8")
    assert main(["--config", str(config), "--out", str(tmp_path / "out")]) == 2
    assert "hints.stubs must be one of goal, formula, code" in capsys.readouterr().err


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_no_stub_at_the_default_level_holds_the_code_of_its_stages(name):
    """The leak search, comments and strings included, for every line, right-hand side and part of one."""
    needles = solution_lines(parts=True)
    assert "scores.max(axis=1)" in needles and "(z1>0)" in needles and "rng.randrange(N)" in needles
    assert "self.y*dz" in needles and "dh1*(z1>0)" in needles and "X.T@dscores+2*reg*W" in needles
    stub = (ROOT / "assignments" / f"{name}.py").read_text(encoding="utf-8")
    assert text_leaks(f"{name}.py", stub, needles) == []


@pytest.mark.parametrize("level", ["formula", "code"])
def test_the_hints_describe_the_code_without_writing_it(tmp_path, level):
    """At every level the texts hold no line and no right-hand side of a solution (the goal and formula
    levels no part of one either); the ladders in the kit hold none."""
    needles = solution_lines(parts=level != "code")
    for path, text in stub_files(out_dir=tmp_path, level=level).items():
        assert text_leaks(path.name, text, needles) == []
    whole = solution_lines(parts=False)
    for name in ASSIGNMENTS:
        assert text_leaks(name, ladder_path(name).read_text(encoding="utf-8"), whole) == []


def test_the_leak_search_sees_an_answer_in_a_comment_even_when_it_is_wrapped():
    needles = solution_lines(parts=True)
    stub = "    # dz1 (N x H): use dh1 * (z1\n    #   > 0), of course\n    raise NotImplementedError\n"
    leaks = text_leaks("two_layer_net.py", stub, needles)
    assert any("two_layer_backward: dz1: (z1>0)" in leak for leak in leaks)
