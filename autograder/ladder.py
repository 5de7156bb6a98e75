"""The hint ladder: for every stage of an assignment, what it computes and three hints of rising help.

A stage's texts are written in its reference, right after the stage's
``# BEGIN SOLUTION`` marker (``autograder.stubgen`` reads them): the goal
(what the stage computes, its shape, where the idea is in the lecture, and the
question that leads to it), then the ladder: the idea in words, the formula in
the lecture's notation, the shape of the code in words. None of them is code.

``python -m autograder stubs`` writes every stage's texts, and the names of
the variables it hands on, to ``course/<assignment>/hints.json``: the student
kit carries that file (unless the instructor switched the ladder off) and
``python -m autograder hint`` climbs it one rung per call. The stubs carry the
goal, or more at a higher ``[hints] stubs`` level (``LEVEL_TEXTS``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from autograder.content import COURSE, LADDER

TEXTS = ("goal", "idea", "formula", "code")
RUNGS = TEXTS[1:]  # the ladder, in the order the hint command climbs it
RUNG_NAMES = {"idea": "the idea", "formula": "the formula", "code": "the shape of the code"}
# The texts a stub shows above its raise at each [hints] stubs level (config.STUB_LEVELS).
LEVEL_TEXTS = {"goal": TEXTS[:1], "formula": TEXTS[:3], "code": TEXTS}


class LadderError(ValueError):
    """A hints.json that cannot be read; the message names the file."""


@dataclass(frozen=True)
class StageHints:
    """One stage's texts: its name (``"svm_backward: dscores"``), what it hands on, its goal and ladder."""

    name: str
    outputs: Tuple[str, ...]  # what the stage assigns that the code after it reads ("dscores",)
    goal: str
    idea: str
    formula: str
    code: str

    @property
    def function(self) -> str:
        """The function or method the stage is part of, e.g. ``svm_backward`` or ``TwoLayerNet.train``."""
        return self.name.split(":")[0]

    def text(self, label: str) -> str:
        """One of the texts by its label in ``TEXTS``."""
        return getattr(self, label)


def ladder_path(assignment: str, course: Path = COURSE) -> Path:
    """Where an assignment's ladder lives: ``course/<assignment>/hints.json``."""
    return course / assignment / LADDER


def ladder_json(assignment: str, stages: Sequence[StageHints]) -> str:
    """The text of an assignment's hints.json (stages in the order of the reference)."""
    data = {"assignment": assignment,
            "stages": [{"name": s.name, "outputs": list(s.outputs), **{t: s.text(t) for t in TEXTS}}
                       for s in stages]}
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def available_ladders(course: Path = COURSE) -> List[str]:
    """The assignments whose hint ladder this copy of the course carries."""
    from course import ASSIGNMENTS

    return [name for name in ASSIGNMENTS if ladder_path(name, course).is_file()]


def read_ladder(assignment: str, course: Path = COURSE) -> Optional[List[StageHints]]:
    """The stages of an assignment's hints.json, in order; None when the file is absent."""
    path = ladder_path(assignment, course)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [StageHints(str(s["name"]), tuple(str(o) for o in s["outputs"]),
                           *(str(s[label]) for label in TEXTS)) for s in data["stages"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise LadderError(f"{path} is not a hint ladder ({type(exc).__name__}: {exc}); "
                          "regenerate it with `python -m autograder stubs`") from None
