"""Where the course's content lives: one folder per assignment in ``course/``, apart from the engine.

    course/__init__.py               ASSIGNMENTS, in grading order
    course/<assignment>/reference.py the reference solution, its solution regions marked (secret)
    course/<assignment>/checks.py    the public checks: CHECKS, a list of autograder.suite.Check
    course/<assignment>/hidden.py    the hidden checks: CHECKS (secret)
    course/<assignment>/notebook.py  the notebook, in jupytext's percent format
    course/<assignment>/hints.json   the hint ladder of every stage, generated from the reference
    course/recorded.json             the references' answers to the public checks, for the kit

The secrets (``reference.py`` and ``hidden.py``) are left out of the student's
kit; when the grader runs as root it makes the whole folder mode 0o700, so the
unprivileged child (which needs nothing from it) cannot read them.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Dict

import course
from course import ASSIGNMENTS

COURSE = Path(course.__file__).resolve().parent
RECORDED = COURSE / "recorded.json"
# The parts of an assignment's folder, each a module (a .py file) of course.<assignment>.
REFERENCE = "reference"
PUBLIC = "checks"
HIDDEN = "hidden"
NOTEBOOK = "notebook"
SECRETS = (REFERENCE, HIDDEN)
# The hint ladder (autograder.ladder), a data file beside the modules.
LADDER = "hints.json"


def part(assignment: str, name: str, root: Path = COURSE) -> Path:
    """The file of one part of an assignment's folder, e.g. ``course/svm/hidden.py``."""
    return root / assignment / f"{name}.py"


def reference_files(root: Path = COURSE) -> Dict[str, Path]:
    """The reference solutions present, as a submission names them: ``"svm.py"`` -> its file."""
    return {f"{name}.py": part(name, REFERENCE, root) for name in ASSIGNMENTS
            if part(name, REFERENCE, root).is_file()}


def write_references(folder: Path, root: Path = COURSE) -> Path:
    """Copy the reference solutions into ``folder`` (created) as a submission; return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, path in reference_files(root).items():
        shutil.copyfile(str(path), str(folder / name))
    return folder
