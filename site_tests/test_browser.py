"""The site as a student uses it, in headless Chromium: the gates notebook as shipped and solved, and the landing page.

Every visit asserts on closing that no request left 127.0.0.1 (the `visit` fixture).
The notebook's outputs in the browser are compared cell by cell with the same
cells run by native CPython (nbclient), which also gives the speed ratio.
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import List, Tuple

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.content import REFERENCE, part

# A notebook's kernel is ready when JupyterLab's status bar says so.
KERNEL_IDLE = ("() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]"
               ".some(item => item.textContent.trim() === 'Python (Pyodide) | Idle')")
# Every code cell has run (its prompt shows a number, or stays blank when Run All stopped before it).
CELL_PROMPTS = "() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')].map(p => p.textContent)"
# Each code cell's outputs as (MIME type, text), in order.
CELL_OUTPUTS = """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')].map(cell =>
    [...cell.querySelectorAll('.jp-OutputArea-output')].map(out => [out.dataset.mimeType, out.textContent]))"""
# How long the kernel may take to start, and a notebook to run, on a loaded 2-core machine.
KERNEL_TIMEOUT_MS = 150_000
RUN_TIMEOUT_MS = 120_000

# What the lecture says each circuit gives, as the solved notebook prints it.
LECTURE_NUMBERS = [
    "f = -12.0 (expected -12)", "df/dx = -4.0, df/dy = -4.0, df/dz = 3.0",
    "f = -20.0 (expected -20)", "dx = -8.0, dy = 6.0, dz = 2.0, dw = 0.0",
    "f = 0.7311 (expected 0.7311)", "dw = [-0.2, -0.39, 0.2]", "dx = [0.39, -0.59]",
    "f = -6.0 (expected -6)",
]

Output = Tuple[str, str]  # (kind, text): ("stdout", text), ("error", "Name: message"), ("svg", "")


def browser_outputs(page) -> List[List[Output]]:
    """The outputs of every code cell as JupyterLab shows them, in the kinds `native_outputs` gives."""
    cells = []
    for outputs in page.evaluate(CELL_OUTPUTS):
        kinds = []
        for mime, text in outputs:
            if mime == "application/vnd.jupyter.stdout":
                kinds.append(("stdout", text.strip()))
            elif mime == "application/vnd.jupyter.stderr":
                # A traceback's last line is "Name: message".
                kinds.append(("error", [line for line in text.splitlines() if line.strip()][-1].strip()))
            elif mime == "image/svg+xml":
                kinds.append(("svg", ""))
            else:
                kinds.append((mime, text.strip()))
        cells.append(kinds)
    return cells


def native_outputs(folder: Path, name: str) -> Tuple[List[List[Output]], float]:
    """A notebook's code cells run by native CPython in a Jupyter kernel (nbclient), in folder.

    Returns each code cell's outputs and the seconds the cells took (the kernel's start left out).
    """
    notebook = nbformat.read(str(folder / (name + ".ipynb")), as_version=4)
    client = NotebookClient(notebook, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(folder)}})
    with client.setup_kernel():
        start = time.perf_counter()
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        seconds = time.perf_counter() - start
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        kinds = []
        for output in cell.outputs:
            if output.output_type == "stream" and output.name == "stdout":
                kinds.append(("stdout", output.text.strip()))
            elif output.output_type == "error":
                kinds.append(("error", "%s: %s" % (output.ename, output.evalue)))
            elif "image/svg+xml" in output.get("data", {}):
                kinds.append(("svg", ""))
            else:
                kinds.append((output.output_type, str(output.get("data", output.get("text", ""))).strip()))
        cells.append(kinds)
    return cells, seconds


def open_notebook(page, base: str, name: str) -> float:
    """Open an assignment notebook in JupyterLab; the seconds until its kernel was ready."""
    start = time.perf_counter()
    page.goto(base + "lab/index.html?path=assignments/%s.ipynb" % name)
    page.wait_for_function(KERNEL_IDLE, timeout=KERNEL_TIMEOUT_MS)
    return time.perf_counter() - start


def wait_until_run(page, cells: int) -> None:
    """Wait until the first `cells` code cells show an execution count and the kernel is idle."""
    page.wait_for_function(
        "(n) => { const prompts = (%s)(); return prompts.slice(0, n).every(p => /\\[\\d+\\]/.test(p)) "
        "&& (%s)(); }" % (CELL_PROMPTS, KERNEL_IDLE), arg=cells, timeout=RUN_TIMEOUT_MS)


def run_cell_by_cell(page) -> None:
    """Run each code cell as a student does, click then Shift+Enter, waiting for each to finish."""
    cells = page.locator(".jp-Notebook .jp-CodeCell")
    for index in range(cells.count()):
        cells.nth(index).locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        wait_until_run(page, index + 1)


def run_all(page) -> float:
    """Run > Run All Cells from the menu; the seconds until every cell has run."""
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    start = time.perf_counter()
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
    wait_until_run(page, len(page.evaluate(CELL_PROMPTS)))
    return time.perf_counter() - start


def screenshot_cell(page, index: int, path: Path) -> None:
    """A screenshot of the notebook scrolled to a code cell."""
    page.locator(".jp-Notebook .jp-CodeCell").nth(index).scroll_into_view_if_needed()
    page.screenshot(path=str(path))


def test_the_gates_notebook_as_shipped_raises_not_implemented(site, kit, visit, serving, screenshots, figures):
    """Each cell that calls a stub shows the NotImplementedError it raises, as native Python does."""
    expected, _ = native_outputs(kit / "assignments", "gates")
    errors = [kinds for kinds in expected if any(kind == "error" for kind, _ in kinds)]
    assert len(errors) >= 5 and all(k[-1][1].startswith("NotImplementedError: ") for k in errors)

    browser = visit()
    with serving(site) as base:
        ready = open_notebook(browser.page, base, "gates")
        run_cell_by_cell(browser.page)
        shown = browser_outputs(browser.page)
        first_error = next(i for i, kinds in enumerate(shown) if kinds and kinds[0][0] == "error")
        screenshot_cell(browser.page, first_error, screenshots / "notebook-stubs.png")
    figures["kernel ready (gates.ipynb, stubs)"] = "%.1f s from opening the notebook" % ready
    assert shown[first_error] == [("error", "NotImplementedError: MultiplyGate.backward: switch")]
    assert shown == expected


@pytest.fixture(scope="module")
def solved(site, tmp_path_factory) -> Path:
    """A copy of the site whose gates.py is the reference solution (for this test only, never shipped)."""
    copy = tmp_path_factory.mktemp("solved") / "site"
    shutil.copytree(str(site), str(copy), copy_function=os.link)
    gates = copy / "files" / "assignments" / "gates.py"
    gates.unlink()  # a linked file: writing to it would change the site too
    shutil.copyfile(str(part("gates", REFERENCE)), str(gates))
    return copy


def test_the_gates_notebook_solved_gives_the_lectures_numbers(solved, kit, tmp_path, visit, serving, screenshots,
                                                               figures):
    """Run All on the solved notebook: the lecture's numbers and pictures, the same outputs as native Python."""
    native_kit = tmp_path / "kit"
    shutil.copytree(str(kit), str(native_kit))
    shutil.copyfile(str(part("gates", REFERENCE)), str(native_kit / "assignments" / "gates.py"))
    expected, native_seconds = native_outputs(native_kit / "assignments", "gates")

    browser = visit()
    with serving(solved) as base:
        ready = open_notebook(browser.page, base, "gates")
        browser_seconds = run_all(browser.page)
        shown = browser_outputs(browser.page)
        first_picture = next(i for i, kinds in enumerate(shown) if ("svg", "") in kinds)
        screenshot_cell(browser.page, first_picture, screenshots / "notebook-solved.png")
    figures["kernel ready (gates.ipynb, solved)"] = "%.1f s from opening the notebook" % ready
    figures["gates.ipynb, all cells"] = "%.2f s in the browser (Run All), %.2f s native CPython (nbclient): %.1fx" % (
        browser_seconds, native_seconds, browser_seconds / native_seconds)
    printed = "\n".join(text for kinds in shown for kind, text in kinds if kind == "stdout")
    for line in LECTURE_NUMBERS:
        assert line in printed
    assert sum(("svg", "") in kinds for kinds in shown) == 3
    assert not any(kind == "error" for kinds in shown for kind, _ in kinds)
    assert shown == expected


def circuit_result(page, circuit: str) -> str:
    """The line of numbers the landing page shows under a circuit."""
    return page.inner_text("section[data-circuit=%s] .result" % circuit).replace("\n", " ")


def circuit_picture(page, circuit: str) -> str:
    """The text inside a circuit's picture (the numbers tinybackprop drew)."""
    return page.inner_text("section[data-circuit=%s] .picture" % circuit).replace("\n", " ")


def test_the_landing_page_runs_the_lectures_circuits_live(site, visit, serving, screenshots, figures):
    browser = visit(width=1280, height=900)
    page = browser.page
    with serving(site) as base:
        start = time.perf_counter()
        page.goto(base + "index.html")
        page.wait_for_selector("#status[data-ready]", timeout=KERNEL_TIMEOUT_MS)
        figures["landing page ready (Pyodide and tinybackprop)"] = "%.1f s" % (time.perf_counter() - start)
        page.screenshot(path=str(screenshots / "page.png"), full_page=True)

        assert circuit_result(page, "add").split() == "f = -12 ∂f/∂x = -4 ∂f/∂y = -4 ∂f/∂z = 3".split()
        assert circuit_result(page, "neuron").split() == (
            "f = 0.7311 ∂f/∂w0 = -0.1966 ∂f/∂x0 = 0.3932 ∂f/∂w1 = -0.3932 ∂f/∂x1 = -0.5898 ∂f/∂w2 = 0.1966".split())
        assert circuit_result(page, "max").split() == "f = -20 ∂f/∂x = -8 ∂f/∂y = 6 ∂f/∂z = 2 ∂f/∂w = 0".split()
        assert "data -12 grad 1" in circuit_picture(page, "add")
        assert page.locator("section.circuit .picture svg").count() == 3

        # A student edits x: f and the gradients of the add circuit are recomputed and redrawn.
        page.fill("section[data-circuit=add] input[name=x]", "1")
        page.wait_for_function("() => document.querySelector('section[data-circuit=add] .result')"
                               ".textContent.includes('f = -24')")
        assert circuit_result(page, "add").split() == "f = -24 ∂f/∂x = -4 ∂f/∂y = -4 ∂f/∂z = 6".split()
        assert "data -24 grad 1" in circuit_picture(page, "add")
        # w above z: the max gate routes the gradient to w instead.
        page.fill("section[data-circuit=max] input[name=w]", "5")
        page.wait_for_function("() => document.querySelector('section[data-circuit=max] .result')"
                               ".textContent.includes('f = -14')")
        assert circuit_result(page, "max").split() == "f = -14 ∂f/∂x = -8 ∂f/∂y = 6 ∂f/∂z = 0 ∂f/∂w = 2".split()
        page.locator("section[data-circuit=max]").scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / "page-edited.png"), full_page=True)

        # What cannot be computed is said, not drawn.
        page.fill("section[data-circuit=add] input[name=y]", "")
        assert circuit_result(page, "add") == "y: type a number"
        page.fill("section[data-circuit=neuron] input[name=w2]", "-1000")
        page.wait_for_function("() => document.querySelector('section[data-circuit=neuron] .result')"
                               ".classList.contains('error')")
        assert "exp(996.0) is too large for a float" in circuit_result(page, "neuron")
        page.fill("section[data-circuit=neuron] input[name=w2]", "-3")
        page.wait_for_function("() => !document.querySelector('section[data-circuit=neuron] .result')"
                               ".classList.contains('error')")
        assert circuit_result(page, "neuron").startswith("f = 0.7311")
