"""The notebook reader: turns ``course/<assignment>/notebook.py`` (jupytext's percent format) into its .ipynb.

The source is a Python file of cells, each opened by a marker line: ``# %%``
for a code cell, ``# %% [markdown]`` for a Markdown cell, whose lines are
commented (``# `` before each, ``#`` alone for an empty line). A blank line
separates cells. ``jupytext --to ipynb`` reads the same files; the grader
needs only this reader and nbformat.

Notebooks are built deterministically (cell ids ``<assignment>-00``, ``-01``...,
no outputs, no timestamps, nbformat 4.5 pinned), so regenerating gives the
same bytes and ``python -m autograder stubs --check`` can compare them. Each
notebook's metadata names its assignment: ``metadata["tinybackprop"]["assignment"]``.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, List, Tuple

from autograder.content import COURSE, NOTEBOOK, part

if TYPE_CHECKING:
    import nbformat

CODE = "# %%"
MARKDOWN = "# %% [markdown]"


class NotebookError(ValueError):
    """A notebook source that is not in the percent format; the message names the file and line."""


def read_cells(text: str, filename: str = "<notebook>") -> List[Tuple[str, str]]:
    """The (kind, source) of each cell of a percent-format text, kind "code" or "markdown"."""
    cells: List[Tuple[str, List[str]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line in (CODE, MARKDOWN):
            cells.append(("code" if line == CODE else "markdown", []))
        elif line.startswith(CODE):
            raise NotebookError(f"{filename}:{number}: unknown cell marker {line!r}: "
                                f"expected {CODE!r} or {MARKDOWN!r}")
        elif not cells:
            if line.strip():
                raise NotebookError(f"{filename}:{number}: text before the first cell marker {CODE!r}")
        elif cells[-1][0] == "markdown" and line.strip():
            if line != "#" and not line.startswith("# "):
                raise NotebookError(f"{filename}:{number}: a Markdown line must start with '# ' "
                                    f"(or be '#' alone); got {line!r}")
            cells[-1][1].append(line[2:])
        else:
            cells[-1][1].append(line)
    return [(kind, "\n".join(lines).strip("\n")) for kind, lines in cells]


def build_notebook(name: str, course: Path = COURSE) -> nbformat.NotebookNode:
    """The notebook of one assignment, e.g. "svm", with cell ids "svm-00", "svm-01", ..."""
    # Imported here: reading the cells, and the stub generator, need no nbformat.
    import nbformat
    from nbformat import v4

    source = part(name, NOTEBOOK, course)
    prefix = name.replace("_", "-")
    cells = []
    for index, (kind, text) in enumerate(read_cells(source.read_text(encoding="utf-8"), str(source))):
        make = v4.new_markdown_cell if kind == "markdown" else v4.new_code_cell
        cells.append(make(text, id=f"{prefix}-{index:02d}"))
    notebook = v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "tinybackprop": {"assignment": name},
    })
    # Pinned, so that another nbformat version writes the same file.
    notebook.nbformat, notebook.nbformat_minor = 4, 5
    nbformat.validate(notebook)
    return notebook


def render_notebook(name: str, course: Path = COURSE) -> str:
    """The notebook of one assignment as the exact text of its .ipynb file."""
    import nbformat

    return nbformat.writes(build_notebook(name, course)) + "\n"
