"""The reference solutions with a few text changes, graded: how the tests make a student's mistake or a
correct variant written otherwise."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest

from autograder.content import write_references
from autograder.grade import grade_submission


def graded_edit(folder: Path, file: str, changes: tuple, only: str, seed: int = 5,
                name_from: Optional[int] = None) -> dict:
    """Grade ``only`` of the references written to ``folder``, ``file`` with its (old, new) changes, each
    found exactly once; return its tests by name (the name's parts after the first ``name_from``)."""
    write_references(folder)
    path = folder / file
    source = path.read_text(encoding="utf-8")
    for old, new in changes:
        assert source.count(old) == 1, old
        source = source.replace(old, new)
    path.write_text(source, encoding="utf-8")
    result = grade_submission(str(folder), only=[only], seed=seed)
    return {".".join(test.name.split(".")[name_from:]): test for test in result.tests}


def assert_graded_as_expected(tests: dict, expect: dict) -> None:
    """Each expected test got its fraction of the points (None: less than all, the fraction depends on the
    inputs) and a hint holding its words ("": no hint at all)."""
    for name, (fraction, words) in expect.items():
        test = tests[name]
        if fraction is None:
            assert test.score < test.max_score, (name, test.output)
        else:
            assert test.score == pytest.approx(fraction * test.max_score), (name, test.output)
            assert test.status == ("passed" if fraction == 1.0 else "failed"), (name, test.status)
        assert words in test.hint and bool(test.hint) == bool(words), (name, test.hint, test.output)
