"""The assignment notebooks: valid, deterministic, and runnable top to bottom on the references."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from autograder.notebooks import NOTEBOOKS, build_notebook, render_notebook
from autograder.stubgen import ASSIGNMENTS_DIR, REFERENCE_DIR, ROOT

# A line each notebook must print when it runs on the reference solutions.
EXPECTED_OUTPUT = {
    "gates": "dx = -8.0, dy = 6.0, dz = 2.0, dw = 0.0",
    "svm": "loss 8.99",
    "softmax": "loss 2.30",
    "linear_classifier": "SVM: training accuracy",
    "two_layer_net": "first row of scores: [-0.5328368, 0.20031504, 0.93346689]",
}


@pytest.fixture(scope="module")
def notebook_runs(tmp_path_factory):
    """Each notebook's code cells run in order, in parallel, where `assignments` holds the references."""
    root = tmp_path_factory.mktemp("notebooks")
    package = root / "assignments"
    shutil.copytree(REFERENCE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    env = dict(os.environ, PYTHONPATH=str(ROOT))  # for tinybackprop; the notebook puts `root` first
    processes = {}
    for name in NOTEBOOKS:
        notebook = nbformat.reads(render_notebook(name), as_version=4)
        script = root / f"run_{name}.py"
        script.write_text("\n\n".join(c.source for c in notebook.cells if c.cell_type == "code"),
                          encoding="utf-8")
        # The notebook's own folder is the working directory, as in Jupyter.
        processes[name] = subprocess.Popen([sys.executable, str(script)], cwd=package, env=env,
                                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    results = {}
    for name, process in processes.items():
        output, _ = process.communicate(timeout=300)
        results[name] = (process.returncode, output)
    return results


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_on_the_references(name, notebook_runs):
    returncode, output = notebook_runs[name]
    assert returncode == 0, output
    assert EXPECTED_OUTPUT[name] in output


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
    code = (REFERENCE_DIR / f"{name}.py").read_text(encoding="utf-8")
    notebook.cells.insert(2, nbformat.v4.new_code_cell(f"%%writefile {name}.py\n{code}"))
    path = tmp_path / f"{name}.ipynb"
    path.write_text(nbformat.writes(notebook), encoding="utf-8")
    assert load_submission(str(path)).files == {f"{name}.py": code}
