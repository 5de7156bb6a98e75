"""The site as a student uses it, in headless Chromium: notebooks as shipped and solved, a deep graph, the landing page.

Every visit asserts on closing that no request left 127.0.0.1 (the `visit` fixture).
Each notebook's outputs in the browser are compared cell by cell with the same
cells run by native CPython (nbclient) in the student kit, which also gives the
speed ratios. The check cells agree too: in the browser they grade in the
kernel's own process (autograder.inprocess), natively in the sandbox, and the
browser's verdict adds only the line that says so.
"""
from __future__ import annotations

import html.parser
import os
import re
import shutil
import time
from pathlib import Path
from typing import List, Tuple

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.content import REFERENCE, part
from autograder.inline import InProcessRunner
from course import ASSIGNMENTS

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
RUN_TIMEOUT_MS = 180_000
# What the browser's check cells say beyond the sandbox's verdict: where they ran, and that it is no grade.
IN_THE_BROWSER = InProcessRunner.NOTE
# The notebooks run in the browser: the warm-up of gates, and a notebook of matrices.
NOTEBOOKS = ("gates", "two_layer_net")
# A measured time in an output ("trained in 10.75 s"): it differs from run to run.
SECONDS = re.compile(r"\d+\.\d+ s\b")
# A number below 1e-6 in scientific notation, such as a gradient check's relative error: its last
# digits differ where the browser's Python 3.14 sums with math.sumprod, more precise than a plain sum.
TINY = re.compile(r"\d\.\d+e-(0*[7-9]|0*[1-9]\d+)\b")

# What the lecture says each circuit gives, as the solved notebook prints it.
LECTURE_NUMBERS = [
    "f = -12.0 (expected -12)", "df/dx = -4.0, df/dy = -4.0, df/dz = 3.0",
    "f = -20.0 (expected -20)", "dx = -8.0, dy = 6.0, dz = 2.0, dw = 0.0",
    "f = 0.7311 (expected 0.7311)", "dw = [-0.2, -0.39, 0.2]", "dx = [0.39, -0.59]",
    "f = -6.0 (expected -6)",
]
# Deep graphs built and freed in the kernel: a chain of 100,000 additions of Values, and one of
# 20,000 gates (Pyodide's kernel died freeing 3,000 Values, or 20,000 gates, before tinybackprop
# freed a graph in one loop there).
DEEP_CHAIN = """import tinybackprop.gates as library_gates
from tinybackprop.graph import ComputationalGraph
from tinybackprop.value import Value
y = x = Value(1.5)
for _ in range(100_000):
    y = y + 1.0
y.backward()
print("built", len(y.topo()), "Values, dy/dx =", x.grad)
graph = ComputationalGraph()
node = graph.input("x")
for _ in range(20_000):
    node = graph.gate(library_gates.AddGate(), node, node)
print("built", len(graph), "graph nodes")
del x, y, graph, node
print("freed")"""

Output = Tuple[str, str]  # (kind, text): ("stdout", text), ("html", text), ("error", "Name: message"), ("svg", "")


class TextOf(html.parser.HTMLParser):
    """The text of an HTML fragment, as the browser's textContent joins it."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: List[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(markup: str) -> str:
    """The text an HTML output shows."""
    parser = TextOf()
    parser.feed(markup)
    return "".join(parser.parts).strip()


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
            elif mime == "text/html":
                kinds.append(("html", text.strip()))
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
            data = output.get("data", {})
            if output.output_type == "stream" and output.name == "stdout":
                kinds.append(("stdout", output.text))
            elif output.output_type == "error":
                kinds.append(("error", "%s: %s" % (output.ename, output.evalue)))
            elif "image/svg+xml" in data:
                kinds.append(("svg", ""))
            elif "text/html" in data:
                kinds.append(("html", html_text(data["text/html"])))
            else:
                kinds.append((output.output_type, str(data or output.get("text", "")).strip()))
        cells.append(joined_streams(kinds))
    return cells, seconds


def joined_streams(kinds: List[Output]) -> List[Output]:
    """Consecutive stdout outputs as one, stripped, as JupyterLab shows them (a print may come in two messages)."""
    joined: List[Output] = []
    for kind, text in kinds:
        if kind == "stdout" and joined and joined[-1][0] == "stdout":
            joined[-1] = ("stdout", joined[-1][1] + text)
        else:
            joined.append((kind, text))
    return [(kind, text.strip() if kind == "stdout" else text) for kind, text in joined]


def check_cells(folder: Path, name: str) -> List[int]:
    """The positions, among a notebook's code cells, of its check cells (`check("...")`)."""
    notebook = nbformat.read(str(folder / (name + ".ipynb")), as_version=4)
    sources = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    return [index for index, source in enumerate(sources) if source.startswith("check(")]


def comparable(cells: List[List[Output]]) -> List[List[Output]]:
    """Outputs with the browser's own line in the check cells left out, measured times and tiny numbers masked."""
    return [[(kind, TINY.sub("<tiny>", SECONDS.sub("<seconds>", without_note(text)))) for kind, text in kinds]
            for kinds in cells]


def without_note(text: str) -> str:
    """A check's text without the browser's note, which follows the grade's own message after a space."""
    return text.replace(" " + IN_THE_BROWSER, "").replace(IN_THE_BROWSER, "")


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


def run_new_cell(page, code: str) -> List[Output]:
    """Add a code cell below the last one, type `code` into it, run it; its outputs."""
    cells = page.locator(".jp-Notebook .jp-CodeCell")
    count = cells.count()
    cells.nth(count - 1).locator(".jp-InputArea-editor").click()
    page.keyboard.press("Escape")  # command mode: B adds a cell below, Enter edits it
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.insert_text(code)
    page.keyboard.press("Shift+Enter")
    wait_until_run(page, count + 1)
    return browser_outputs(page)[count]


def screenshot_cell(page, index: int, path: Path) -> None:
    """A screenshot of the notebook scrolled to a code cell."""
    page.locator(".jp-Notebook .jp-CodeCell").nth(index).scroll_into_view_if_needed()
    page.screenshot(path=str(path))


@pytest.fixture(scope="module")
def solved(site, tmp_path_factory) -> Path:
    """A copy of the site whose assignments are the reference solutions (for these tests only, never shipped)."""
    copy = tmp_path_factory.mktemp("solved") / "site"
    shutil.copytree(str(site), str(copy), copy_function=os.link)
    for assignment in ASSIGNMENTS:
        solution = copy / "files" / "assignments" / (assignment + ".py")
        solution.unlink()  # a linked file: writing to it would change the site too
        shutil.copyfile(str(part(assignment, REFERENCE)), str(solution))
    return copy


@pytest.fixture(scope="module")
def solved_kit(kit, tmp_path_factory) -> Path:
    """The student kit with the reference solutions in its assignments, for the native runs."""
    copy = tmp_path_factory.mktemp("solved-kit") / "kit"
    shutil.copytree(str(kit), str(copy))
    for assignment in ASSIGNMENTS:
        shutil.copyfile(str(part(assignment, REFERENCE)), str(copy / "assignments" / (assignment + ".py")))
    return copy


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_a_notebook_as_shipped_says_what_to_finish(name, site, kit, visit, serving, screenshots, figures):
    """Each cell stopped by a stub says which stage to finish, and each check cell grades in the browser:
    not implemented. The warm-up is run cell by cell, as a student does, then builds and frees a deep graph."""
    expected, native_seconds = native_outputs(kit / "assignments", name)
    checks = check_cells(kit / "assignments", name)
    browser = visit()
    with serving(site) as base:
        ready = open_notebook(browser.page, base, name)
        if name == "gates":
            run_cell_by_cell(browser.page)
        else:
            browser_seconds = run_all(browser.page)
            figures["%s.ipynb as shipped, all cells" % name] = (
                "%.2f s in the browser (Run All), %.2f s native CPython (nbclient): %.1fx"
                % (browser_seconds, native_seconds, browser_seconds / native_seconds))
        shown = browser_outputs(browser.page)
        screenshot_cell(browser.page, checks[0], screenshots / ("%s-stubs.png" % name))
        deep = run_new_cell(browser.page, DEEP_CHAIN) if name == "gates" else None
    figures["kernel ready (%s.ipynb, as shipped)" % name] = "%.1f s from opening the notebook" % ready

    finish = [kinds for kinds in shown if kinds and re.fullmatch(r"finish \S+: \w+ first \(.*\)", kinds[0][1])]
    assert len(finish) >= 3 and not any(kind == "error" for kinds in shown for kind, _ in kinds)
    assert checks
    for index in checks:
        (kind, text), = shown[index]
        assert kind == "html" and re.match(r"not implemented %s\.\w+: 0 / \S+ points" % name, text), text
        assert IN_THE_BROWSER in text
    assert comparable(shown) == comparable(expected)
    if name == "gates":
        assert shown[1] == [("stdout", "finish MultiplyGate.backward: switch first "
                                       "(its stub still raises NotImplementedError)")]
        assert deep == [("stdout", "built 200001 Values, dy/dx = 1.0\nbuilt 20001 graph nodes\nfreed")]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_a_solved_notebook_passes_every_check_in_the_browser(name, solved, solved_kit, visit, serving, screenshots,
                                                             figures):
    """Run All on a solved notebook: every check cell passes, and every output is native Python's."""
    expected, native_seconds = native_outputs(solved_kit / "assignments", name)
    checks = check_cells(solved_kit / "assignments", name)
    browser = visit()
    with serving(solved) as base:
        ready = open_notebook(browser.page, base, name)
        browser_seconds = run_all(browser.page)
        shown = browser_outputs(browser.page)
        screenshot_cell(browser.page, checks[-1], screenshots / ("%s-solved.png" % name))
    figures["kernel ready (%s.ipynb, solved)" % name] = "%.1f s from opening the notebook" % ready
    figures["%s.ipynb, all cells" % name] = "%.2f s in the browser (Run All), %.2f s native CPython (nbclient): " \
        "%.1fx" % (browser_seconds, native_seconds, browser_seconds / native_seconds)

    assert checks and not any(kind == "error" for kinds in shown for kind, _ in kinds)
    for index in checks:
        (kind, text), = shown[index]
        assert kind == "html" and re.match(r"passed %s\.\w+: (\S+) / \1 points" % name, text), text
        assert "failed" not in text and "not implemented" not in text and IN_THE_BROWSER in text
    assert comparable(shown) == comparable(expected)
    if name == "gates":
        printed = "\n".join(text for kinds in shown for kind, text in kinds if kind == "stdout")
        for line in LECTURE_NUMBERS:
            assert line in printed
        assert sum(("svg", "") in kinds for kinds in shown) == 3
    else:
        # The digits training is one long computation: its time is the compute ratio, without the round trips.
        trained = [re.search(r"trained in (\d+\.\d+) s", text) for kinds in shown + expected for _, text in kinds]
        in_browser, natively = [float(found.group(1)) for found in trained if found]
        figures["%s.ipynb, training on the digits (one cell)" % name] = (
            "%.2f s in the browser, %.2f s native CPython: %.1fx" % (in_browser, natively, in_browser / natively))


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
        page.screenshot(path=str(screenshots / "page-top.png"))  # the README's picture (docs/pictures/site.png)

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
