"""The reference's answers for the checks: computed, or recorded for the student's kit.

On the instructor's grader the reference solutions (``course/<assignment>/reference.py``)
are present: a check's expected answer is computed by them, here in the
trusted parent, on inputs drawn from the session's generator (fresh ones on
every run, for every check: an official grade never reuses an input whose
answer was published). The student's kit has no reference solution, so its
public checks draw their inputs from a generator seeded by the check's name
(:class:`Published`) and read the answers recorded for exactly those inputs
in ``course/recorded.json`` (written by :func:`record`, kept in sync with the
references by a test): the kit's self-check, never an official grade.
Inputs are rounded to 6 decimals, so they are the same floats on every
machine, and a recording is found by a digest of the inputs. Where a check
lends the student's code a reference function (the loss ``train`` steps
with), :func:`lent` gives it, or None in the kit.

    python -m autograder.oracle     record the answers again after a reference changed
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import random
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Dict, Optional

from autograder.content import ASSIGNMENTS, RECORDED, REFERENCE, part, write_references
from autograder.suite import Check
from tinybackprop.matrix import Matrix

# The package the reference solutions are loaded into, one module per assignment, so that
# a reference imports another as a submission does (``from .svm import ...``).
PACKAGE = "reference"
# While record() runs: the answers computed so far, by digest.
_recording: Optional[Dict[str, Any]] = None
_recorded: Optional[Dict[str, Any]] = None


class MissingAnswer(RuntimeError):
    """Neither the reference solution nor a recorded answer is available for these inputs."""


def reference(assignment: str) -> Optional[ModuleType]:
    """The reference solution of an assignment as module ``reference.<assignment>``, or None where
    it is absent (the student's kit)."""
    if assignment not in ASSIGNMENTS or not part(assignment, REFERENCE).is_file():
        return None
    loaded = sys.modules.get(f"{PACKAGE}.{assignment}")
    if loaded is not None:
        return loaded
    if PACKAGE not in sys.modules:
        package = ModuleType(PACKAGE, "The reference solutions of the course, loaded by autograder.oracle.")
        package.__path__ = []
        sys.modules[PACKAGE] = package
    # The assignments before this one first: a reference may import an earlier one.
    for name in ASSIGNMENTS[:ASSIGNMENTS.index(assignment) + 1]:
        load(name)
    return sys.modules[f"{PACKAGE}.{assignment}"]


def load(assignment: str) -> None:
    """Import the reference of one assignment into the package, once."""
    name, path = f"{PACKAGE}.{assignment}", part(assignment, REFERENCE)
    if name in sys.modules or not path.is_file():
        return
    spec = importlib.util.spec_from_file_location(name, str(path))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise


class Published(random.Random):
    """The generator of a check's published inputs (the kit's, and those being recorded): seeded by its name."""


def published(rng: random.Random) -> bool:
    """True when rng draws the published inputs of the kit's self-check, not an official grade's."""
    return isinstance(rng, Published)


def inputs_rng(session_rng: random.Random, check_name: str, assignment: str) -> random.Random:
    """The generator a check draws its inputs from: the session's (fresh inputs), or the
    check's own when the answers are recorded ones (the kit) or being recorded."""
    if _recording is None and reference(assignment) is not None:
        return session_rng
    return Published(f"recorded:{check_name}")


def lent(assignment: str, name: str) -> Optional[Callable]:
    """The reference's function ``name``, to lend to the student's code; None where the reference is absent."""
    ref = reference(assignment)
    return getattr(ref, name) if ref is not None else None


def make_check(name: str, stage: str, points: float, run: Callable, hidden: bool = False) -> Check:
    """A Check named '<assignment>.<stage>.<test>' whose run(session, rng) gets its inputs' generator."""
    assignment = name.split(".")[0]
    return Check(name, assignment, stage, points,
                 lambda session: run(session, inputs_rng(session.rng, name, assignment)), hidden)


def rounded(m: Matrix) -> Matrix:
    """m with every entry rounded to 6 decimals (the same floats on every machine and libm)."""
    return m.apply(lambda v: round(v, 6))


def answer(assignment: str, what: str, compute: Callable[[ModuleType], Any], *inputs: Any) -> Any:
    """compute(reference module) if the reference is present, else the answer recorded for inputs.

    what names the computation (e.g. "svm_forward"); inputs are everything compute depends on.
    """
    key = digest(assignment, what, inputs)
    ref = reference(assignment)
    if ref is not None:
        result = compute(ref)
        if _recording is not None:
            _recording[key] = encode(result, inputs)
        return result
    recorded = load_recorded()
    if key not in recorded:
        raise MissingAnswer(f"no recorded answer of {assignment}.{what} for these inputs: "
                            "the kit's recorded.json is out of date")
    return decode(recorded[key], inputs)


def load_recorded() -> Dict[str, Any]:
    """The answers in recorded.json (read once)."""
    global _recorded
    if _recorded is None:
        _recorded = json.loads(RECORDED.read_text(encoding="utf-8")) if RECORDED.is_file() else {}
    return _recorded


def plain(value: Any) -> Any:
    """A value as JSON data for the digest: matrices as rows, tuples as lists."""
    if isinstance(value, Matrix):
        return {"M": value.tolist()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in sorted(value.items())}
    return value


def digest(assignment: str, what: str, inputs: tuple) -> str:
    """A short fingerprint of a computation and its exact inputs."""
    text = json.dumps([assignment, what, plain(inputs)], sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def known_objects(inputs: tuple) -> list:
    """The inputs and the values of dict inputs: answers (caches) often hold these very objects."""
    found = []
    for item in inputs:
        found.append(item)
        if isinstance(item, dict):
            found.extend(item.values())
    return found


def encode(value: Any, inputs: tuple) -> Any:
    """An answer as JSON data; an object that is one of the inputs is stored as its position."""
    for position, known in enumerate(known_objects(inputs)):
        if value is known and not isinstance(value, (int, float, str, bool)) and value is not None:
            return {"I": position}
    if isinstance(value, Matrix):
        return {"M": value.tolist()}
    if isinstance(value, tuple):
        return {"T": [encode(item, inputs) for item in value]}
    if isinstance(value, list):
        return [encode(item, inputs) for item in value]
    if isinstance(value, dict):
        return {"D": {key: encode(item, inputs) for key, item in value.items()}}
    return value


def decode(value: Any, inputs: tuple) -> Any:
    """An answer rebuilt from its JSON data (the inverse of encode)."""
    if isinstance(value, list):
        return [decode(item, inputs) for item in value]
    if isinstance(value, dict):
        tag, body = next(iter(value.items()))
        if tag == "I":
            return known_objects(inputs)[body]
        if tag == "M":
            return Matrix(body)
        if tag == "T":
            return tuple(decode(item, inputs) for item in body)
        return {key: decode(item, inputs) for key, item in body.items()}
    return value


def record(path: Path = RECORDED) -> int:
    """Grade the reference solutions with the public checks, recording every answer; return how many."""
    global _recording, _recorded
    from autograder.grade import grade_submission

    _recording = {}
    try:
        with tempfile.TemporaryDirectory() as folder:
            result = grade_submission(str(write_references(Path(folder) / "reference")), public_only=True)
        failed = [t.name for t in result.tests if t.score < t.max_score]
        if failed:
            raise RuntimeError(f"the reference solutions fail public checks: {', '.join(failed)}")
        path.write_text(json.dumps(_recording, sort_keys=True) + "\n", encoding="utf-8")
        _recorded = None
        return len(_recording)
    finally:
        _recording = None


if __name__ == "__main__":
    # Run as a script this file is __main__; the checks use the module autograder.oracle.
    from autograder import oracle

    print(f"recorded {oracle.record()} answers in {RECORDED}")
