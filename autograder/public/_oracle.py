"""The reference's answers for the checks: computed, or recorded for the student's kit.

On the instructor's grader the reference solutions (``autograder/reference/``)
are present: a check's expected answer is computed by them, here in the
trusted parent, on inputs drawn from the session's generator (fresh ones on
every run). The student's kit has no reference solution, so its public
checks draw their inputs from a generator seeded by the check's name and
read the answers recorded for exactly those inputs in ``recorded.json``
(written by :func:`record`, kept in sync with the references by a test).
Inputs are rounded to 6 decimals, so they are the same floats on every
machine, and a recording is found by a digest of the inputs.
"""
from __future__ import annotations

import hashlib
import importlib
import json
import random
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Dict, Optional

from autograder.suite import Check
from tinybackprop.matrix import Matrix

RECORDED = Path(__file__).with_name("recorded.json")
# While record() runs: the answers computed so far, by digest.
_recording: Optional[Dict[str, Any]] = None
_recorded: Optional[Dict[str, Any]] = None


class MissingAnswer(RuntimeError):
    """Neither the reference solution nor a recorded answer is available for these inputs."""


def reference(assignment: str) -> Optional[ModuleType]:
    """The reference solution of an assignment, or None where it is absent (the student's kit)."""
    if not (Path(__file__).parent.parent / "reference" / f"{assignment}.py").is_file():
        return None
    return importlib.import_module(f"autograder.reference.{assignment}")


def inputs_rng(session_rng: random.Random, check_name: str, assignment: str) -> random.Random:
    """The generator a check draws its inputs from: the session's (fresh inputs), or the
    check's own when the answers are recorded ones (the kit) or being recorded."""
    if _recording is None and reference(assignment) is not None:
        return session_rng
    return random.Random(f"recorded:{check_name}")


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
        result = grade_submission(Path(__file__).parent.parent / "reference", public_only=True)
        failed = [t.name for t in result.tests if t.score < t.max_score]
        if failed:
            raise RuntimeError(f"the reference solutions fail public checks: {', '.join(failed)}")
        path.write_text(json.dumps(_recording, sort_keys=True) + "\n", encoding="utf-8")
        _recorded = None
        return len(_recording)
    finally:
        _recording = None


if __name__ == "__main__":
    # Run as a script this file is __main__; the checks use the module autograder.public._oracle.
    from autograder.public import _oracle

    print(f"recorded {_oracle.record()} answers in {RECORDED}")
