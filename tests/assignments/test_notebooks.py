"""The assignment notebooks: valid, deterministic, and runnable top to bottom on the references."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import nbformat
import pytest

from autograder.content import ASSIGNMENTS as NOTEBOOKS  # every assignment has its notebook
from autograder.content import REFERENCE, part, write_references
from autograder.notebooks import NotebookError, build_notebook, read_cells, render_notebook
from autograder.stubgen import ASSIGNMENTS_DIR, ROOT

# A line each notebook must print when it runs on the reference solutions.
EXPECTED_OUTPUT = {
    "gates": "dx = -8.0, dy = 6.0, dz = 2.0, dw = 0.0",
    "svm": "loss 8.99",
    "softmax": "loss 2.30",
    "linear_classifier": "SVM: training accuracy",
    "two_layer_net": "first row of scores: [-0.5328368, 0.20031504, 0.93346689]",
}

# The pictures each notebook displays, in order, told apart by an SVG class only that kind of picture uses.
PICTURE_CLASSES = {"graph": "value", "images": "image", "history": "series", "regions": "cell"}
EXPECTED_PICTURES = {
    "gates": ["graph", "graph", "graph"],
    "svm": ["images", "images"],
    "softmax": ["images", "images"],
    "linear_classifier": ["history", "images"],
    "two_layer_net": ["regions", "history", "images"],
}

# Runs code cells as Jupyter does: each cell's last statement, when it is an expression, is
# evaluated and displayed; a result with _repr_svg_ is written to OUT/<cell id>.svg, any
# other result (or an SVG of None, for which Jupyter falls back to text) is printed.
RUNNER = """\
import ast, json, sys
from pathlib import Path

cells, out = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")), Path(sys.argv[2])
namespace = {"__name__": "__main__"}
for cell_id, source in cells:
    tree = ast.parse(source, filename=cell_id)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, cell_id, "exec"), namespace)
    if last is None:
        continue
    result = eval(compile(ast.Expression(last.value), cell_id, "eval"), namespace)
    svg = result._repr_svg_() if hasattr(result, "_repr_svg_") else None
    if svg is not None:
        (out / (cell_id + ".svg")).write_text(svg, encoding="utf-8")
    elif result is not None:
        print(repr(result))
"""


@pytest.fixture(scope="module")
def notebook_runs(tmp_path_factory):
    """Each notebook's code cells run in order, in parallel, where `assignments` holds the references.

    Maps each name to (return code, output, {cell id: SVG text of the picture it displayed}).
    """
    root = tmp_path_factory.mktemp("notebooks")
    package = root / "assignments"
    write_references(package)
    # A regular package, so that it wins over the repository's own `assignments` on the path.
    (package / "__init__.py").write_text('"""The reference solutions as the package assignments."""\n')
    runner = root / "run_cells.py"
    runner.write_text(RUNNER, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))  # for tinybackprop; the notebook puts `root` first
    processes = {}
    for name in NOTEBOOKS:
        notebook = nbformat.reads(render_notebook(name), as_version=4)
        cells = root / f"{name}.json"
        cells.write_text(json.dumps([[c.id, c.source] for c in notebook.cells if c.cell_type == "code"]),
                         encoding="utf-8")
        pictures = root / f"{name}_pictures"
        pictures.mkdir()
        # The notebook's own folder is the working directory, as in Jupyter.
        processes[name] = subprocess.Popen([sys.executable, str(runner), str(cells), str(pictures)],
                                           cwd=package, env=env,
                                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    results = {}
    for name, process in processes.items():
        output, _ = process.communicate(timeout=300)
        svgs = {path.stem: path.read_text(encoding="utf-8") for path in (root / f"{name}_pictures").iterdir()}
        results[name] = (process.returncode, output, svgs)
    return results


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_on_the_references(name, notebook_runs):
    returncode, output, _ = notebook_runs[name]
    assert returncode == 0, output
    assert EXPECTED_OUTPUT[name] in output


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_pictures_are_well_formed_svg(name, notebook_runs):
    """Each picture parses as XML, and the notebook shows the expected kinds of picture in order."""
    kinds = []
    for cell_id, svg in sorted(notebook_runs[name][2].items()):
        root = ET.fromstring(svg)  # a broken picture raises ParseError here
        assert root.tag == "{http://www.w3.org/2000/svg}svg", cell_id
        assert float(root.get("width")) > 0 and float(root.get("height")) > 0, cell_id
        classes = {element.get("class") for element in root.iter()}
        kinds.append([kind for kind, css in PICTURE_CLASSES.items() if css in classes])
    assert kinds == [[kind] for kind in EXPECTED_PICTURES[name]]


def test_pictures_show_the_students_numbers(notebook_runs):
    """The lecture circuit is drawn after backward (its gradients are in it); templates are one per class."""
    svgs = notebook_runs["gates"][2]
    first_circuit = svgs[min(svgs)]
    assert "grad -4" in first_circuit and "grad 3" in first_circuit and "data -12" in first_circuit
    for name in ("svm", "softmax", "linear_classifier"):
        templates = ET.fromstring(notebook_runs[name][2][max(notebook_runs[name][2])])
        assert sum(1 for g in templates.iter() if g.get("class") == "image") == 10, name


def test_reported_relative_errors_are_small(notebook_runs):
    for name in ("gates", "svm", "softmax", "two_layer_net"):
        errors = [float(e) for e in re.findall(r"relative error ([0-9.e+-]+)", notebook_runs[name][1])]
        assert errors and max(errors) < 1e-7, name


def test_notebooks_report_the_accuracy_the_references_reach(notebook_runs):
    output = notebook_runs["two_layer_net"][1]
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
