"""The assignment notebooks: valid, deterministic, and run top to bottom in a Jupyter kernel.

Every notebook runs twice in a real kernel (nbclient and ipykernel), from the
student kit that ``python -m autograder handout`` builds: as shipped (the
stubs: every check cell shows "not implemented", no cell raises, a cell that
needs an unfinished stage says which one, and no picture shows untrained
weights), and solved (the references written into a copy of the kit's
``assignments/`` by ``python -m autograder stubs --solutions``: every check
cell shows "passed", with the lecture's numbers and pictures).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.content import ASSIGNMENTS as NOTEBOOKS  # every assignment has its notebook
from autograder.content import REFERENCE, part
from autograder.grade import discover_checks
from autograder.notebooks import NotebookError, build_notebook, read_cells, render_notebook
from autograder.stubgen import ASSIGNMENTS_DIR, ROOT

RUNS = ("stubs", "solved")
# Each check cell's first line of text, as "<assignment>.<stage>: <verdict>, <points> points".
HEADLINE = re.compile(r"^([a-z_]+\.[a-z_]+): (passed|failed|not implemented), [0-9.]+ / [0-9.]+ points")
VERDICT = {"stubs": "not implemented", "solved": "passed"}
COLOUR = {"not implemented": "#9a6700", "passed": "#1a7f37"}
# The one line a cell stopped by a stub (or needing what such a cell did not make) prints.
FINISH = re.compile(r"^finish ([A-Za-z_][A-Za-z0-9_.]*: [A-Za-z_][A-Za-z0-9_]*) first \((.*)\)$")

# A line each notebook must print when it runs on the reference solutions.
EXPECTED_OUTPUT = {
    "gates": "dx = -8.0, dy = 6.0, dz = 2.0, dw = 0.0",
    "svm": "loss 8.99",
    "softmax": "loss 2.30",
    "linear_classifier": "SVM: training accuracy",
    "two_layer_net": "first row of scores: [-0.5328368, 0.20031504, 0.93346689]",
    "gradient_check": "rel_error(0, 0) = 0.0 (expected 0)",
    "optimization": "loss at W = 0: 2.3026 (ln 10 = 2.3026",
}

# The pictures each notebook displays, in order, told apart by an SVG class only that kind of picture uses.
PICTURE_CLASSES = {"graph": "value", "images": "image", "history": "series", "regions": "cell",
                   "heatmap": "heatcell"}
EXPECTED_PICTURES = {
    "solved": {
        "gates": ["graph", "graph", "graph"],
        "svm": ["images", "images"],
        "softmax": ["images", "images"],
        "linear_classifier": ["history", "images", "heatmap", "images"],
        "two_layer_net": ["regions", "history", "images", "heatmap"],
        "gradient_check": [],
        "optimization": ["history"],
    },
    # As shipped, only what needs none of the student's code: the data, and the neuron
    # tinybackprop's Value computes. Nothing trained by a stub is drawn.
    "stubs": {"gates": ["graph"], "svm": ["images"], "softmax": ["images"], "linear_classifier": [],
              "two_layer_net": [], "gradient_check": [], "optimization": []},
}
# The kernel reports which autograder it imported, so the test knows the kit's was used.
WHERE = "import autograder\nprint('autograder from', autograder.__file__)"


@pytest.fixture(scope="module")
def kits(tmp_path_factory):
    """The student kit twice: as shipped, and with the references as its assignments."""
    root = tmp_path_factory.mktemp("notebooks")
    kits = {run: root / run for run in RUNS}
    subprocess.run([sys.executable, "-m", "autograder", "handout", str(kits["stubs"])], cwd=str(ROOT),
                   check=True, stdout=subprocess.DEVNULL)
    shutil.copytree(str(kits["stubs"]), str(kits["solved"]))
    subprocess.run([sys.executable, "-m", "autograder", "stubs", "--solutions",
                    str(kits["solved"] / "assignments")], cwd=str(ROOT), check=True, stdout=subprocess.DEVNULL)
    return kits


def execute(folder: Path, name: str):
    """Run a notebook in a fresh kernel in its folder; return it with its outputs, and the seconds it took."""
    notebook = nbformat.read(str(folder / f"{name}.ipynb"), as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(WHERE))
    start = time.perf_counter()
    NotebookClient(notebook, kernel_name="python3", timeout=240,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return notebook, time.perf_counter() - start


@pytest.fixture(scope="module")
def executed(kits):
    """Every notebook, run as shipped and solved in a kernel, two at a time: {(run, name): notebook}.

    A cell that raises fails here (nbclient's CellExecutionError names the cell).
    """
    jobs = [(run, name) for run in RUNS for name in NOTEBOOKS]
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = dict(zip(jobs, pool.map(lambda job: execute(kits[job[0]] / "assignments", job[1]), jobs)))
    seconds = ", ".join(f"{run} {name} {s:.1f} s" for (run, name), (_, s) in done.items())
    print(f"\nnotebooks in a kernel: {seconds}")
    return {job: notebook for job, (notebook, _) in done.items()}


def code_cells(notebook):
    """The code cells the notebook itself has (the test's last cell left out)."""
    return [cell for cell in notebook.cells if cell.cell_type == "code"][:-1]


def printed(cell) -> str:
    """What a cell printed on stdout."""
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


def stdout(notebook) -> str:
    """What the whole notebook printed."""
    return "".join(printed(cell) for cell in code_cells(notebook))


def pictures(notebook):
    """The SVG pictures the notebook displayed, in order."""
    return [o.data["image/svg+xml"] for cell in code_cells(notebook) for o in cell.outputs
            if "image/svg+xml" in o.get("data", {})]


def check_cells(notebook):
    """{stage: (plain text, HTML)} of every check cell's displayed result."""
    shown = {}
    for cell in code_cells(notebook):
        if cell.source.startswith("check("):
            [result] = [o for o in cell.outputs if o.output_type == "execute_result"]
            stage = re.fullmatch(r'check\("([a-z_.]+)"\)', cell.source).group(1)
            shown[stage] = (result.data["text/plain"], result.data["text/html"])
    return shown


@pytest.mark.parametrize("run", RUNS)
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_kits_notebook_runs_in_a_kernel_without_an_error(name, run, executed, kits):
    notebook = executed[run, name]
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    assert f"autograder from {kits[run] / 'autograder'}" in printed(notebook.cells[-1])


@pytest.mark.parametrize("run", RUNS)
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_a_check_cell_after_each_stage_shows_its_verdict(name, run, executed):
    """Every stage of the assignment has a check cell, and each shows the verdict the run must give."""
    shown = check_cells(executed[run, name])
    stages = {f"{c.assignment}.{c.stage}" for c in discover_checks(public_only=True) if c.assignment == name}
    assert set(shown) == stages
    for stage, (text, page) in shown.items():
        assert HEADLINE.match(text).groups() == (stage, VERDICT[run]), text
        assert f"<b style='color:{COLOUR[VERDICT[run]]}'>{VERDICT[run]}</b>" in page
        assert "the official grade uses fresh inputs and hidden tests" in text
        if run == "solved":
            assert "failed" not in text and "Not implemented" not in text
        else:
            assert f"python -m autograder hint {stage}" in text


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_as_shipped_each_cell_that_needs_a_stub_says_which_stage_to_finish(name, executed, kits):
    """No traceback, no NameError, no 'NoneType' has no attribute: one line naming a stage of the stubs."""
    # A notebook may use another assignment's functions (gradient_check checks the losses of svm.py).
    stubs = "".join(path.read_text(encoding="utf-8") for path in (kits["stubs"] / "assignments").glob("*.py"))
    stopped = 0
    for cell in code_cells(executed["stubs", name]):
        lines = printed(cell).splitlines()
        finish = [FINISH.match(line) for line in lines if line.startswith("finish ")]
        assert all(finish), lines
        for match in finish:
            assert f'raise NotImplementedError("{match.group(1)}")' in stubs
        if finish:
            assert len(finish) == 1 and lines[-1] == finish[0].group(0), lines  # the cell stopped there
            stopped += 1
    assert stopped >= 3 if name != "gates" else stopped >= 5


@pytest.mark.parametrize("run", RUNS)
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_pictures_are_well_formed_svg(name, run, executed):
    """Each picture parses as XML, and the notebook shows the expected kinds of picture in order."""
    kinds = []
    for svg in pictures(executed[run, name]):
        root = ET.fromstring(svg)  # a broken picture raises ParseError here
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert float(root.get("width")) > 0 and float(root.get("height")) > 0
        classes = {element.get("class") for element in root.iter()}
        kinds.append([kind for kind, css in PICTURE_CLASSES.items() if css in classes])
    assert kinds == [[kind] for kind in EXPECTED_PICTURES[run][name]]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_solved_notebook_prints_what_the_references_compute(name, executed):
    assert EXPECTED_OUTPUT[name] in stdout(executed["solved", name])
    assert "finish " not in stdout(executed["solved", name])


def test_pictures_show_the_students_numbers(executed):
    """The lecture circuit is drawn after backward (its gradients are in it); templates are one per class."""
    first_circuit = pictures(executed["solved", "gates"])[0]
    assert "grad -4" in first_circuit and "grad 3" in first_circuit and "data -12" in first_circuit
    for name in ("svm", "softmax", "linear_classifier"):
        templates = ET.fromstring(pictures(executed["solved", name])[-1])
        assert sum(1 for g in templates.iter() if g.get("class") == "image") == 10, name


def test_reported_relative_errors_are_small(executed):
    for name in ("gates", "svm", "softmax", "two_layer_net"):
        errors = [float(e) for e in re.findall(r"relative error ([0-9.e+-]+)", stdout(executed["solved", name]))]
        assert errors and max(errors) < 1e-7, name


def test_the_gates_notebook_shows_the_slides_vectorized_example(executed):
    output = stdout(executed["solved", "gates"])
    for line in ("q = [0.22, 0.26]", "f = 0.1160", "dq = [0.44, 0.52]", "dW = [[0.088, 0.176], [0.104, 0.208]]",
                 "dx = [-0.112, 0.636]", "shapes: W (3, 2) dW (3, 2) | x (2, 1) dx (2, 1)"):
        assert line in output, line


def test_the_gradient_check_notebook_checks_the_losses_with_the_students_own_numerical_gradient(executed):
    output = stdout(executed["solved", "gradient_check"])
    assert "W after the call = [[1.0, -2.0, 0.5], [3.0, 0.25, -1.5]]" in output
    errors = [float(e) for e in re.findall(r"relative error ([0-9.e+-]+)", output)]
    assert len(errors) == 3 and max(errors) < 1e-7
    centered = [float(e) for e in re.findall(r"centered [0-9.]+ \(off by ([0-9.e+-]+)\)", output)]
    one_sided = [float(e) for e in re.findall(r"one-sided [0-9.]+ \(off by ([0-9.e+-]+)\)", output)]
    assert len(centered) == len(one_sided) == 4 and centered[2] < 1e-8 < one_sided[2]
    stubbed = stdout(executed["stubs", "gradient_check"])
    assert "finish softmax_forward: scores first" in stubbed and "finish svm_forward: scores first" in stubbed


def test_notebooks_report_the_accuracy_the_references_reach(executed):
    output = stdout(executed["solved", "two_layer_net"])
    assert float(re.search(r"final validation accuracy ([0-9.]+)", output).group(1)) >= 0.95


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_valid_and_clean(name):
    notebook = build_notebook(name)
    nbformat.validate(notebook)
    assert notebook.metadata["tinybackprop"] == {"assignment": name}
    ids = [cell.id for cell in notebook.cells]
    assert ids == [f"{name.replace('_', '-')}-{i:02d}" for i in range(len(ids))]
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(cell.outputs == [] and cell.execution_count is None for cell in code)
    assert f"assignments.{name}" in code[0].source or f'"{name}"' in code[0].source


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebook_matches_the_generator(name):
    assert (ASSIGNMENTS_DIR / f"{name}.ipynb").read_text(encoding="utf-8") == render_notebook(name)
    assert render_notebook(name) == render_notebook(name)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_a_writefile_cell_is_what_a_notebook_submission_hands_in(name, tmp_path):
    """The notebook tells students that a `%%writefile <name>.py` cell is graded: check that it is."""
    from autograder.submission import load_submission

    notebook = build_notebook(name)
    assert f"%%writefile {name}.py" in notebook.cells[1].source
    code = part(name, REFERENCE).read_text(encoding="utf-8")
    notebook.cells.insert(2, nbformat.v4.new_code_cell(f"%%writefile {name}.py\n{code}"))
    path = tmp_path / f"{name}.ipynb"
    path.write_text(nbformat.writes(notebook), encoding="utf-8")
    assert load_submission(str(path)).files == {f"{name}.py": code}


def test_the_percent_format_reads_code_and_markdown_cells():
    text = "# %% [markdown]\n# # Title\n#\n# Some *text*.\n\n# %%\nx = 1\n\nprint(x)\n\n# %%\n# a comment\ny = 2\n"
    assert read_cells(text) == [("markdown", "# Title\n\nSome *text*."), ("code", "x = 1\n\nprint(x)"),
                                ("code", "# a comment\ny = 2")]


@pytest.mark.parametrize("text, line, words", [
    ("x = 1\n# %%\ny = 2\n", 1, "text before the first cell marker"),
    ("# %%\nx = 1\n# %% [raw]\n", 3, "unknown cell marker"),
    ("# %% [markdown]\n# fine\nnot commented\n", 3, "must start with '# '"),
])
def test_a_malformed_notebook_source_is_refused_naming_file_and_line(text, line, words):
    with pytest.raises(NotebookError) as error:
        read_cells(text, "course/x/notebook.py")
    assert str(error.value).startswith(f"course/x/notebook.py:{line}: ") and words in str(error.value)
