"""The parent's reading of the child's replies: strict validation, and the StudentError of each refusal.

Nothing the child sends is trusted (the student's code runs there and may
write anything into the reply pipe). Replies are parsed with ``json``, never
unpickled, and a value comes back only as numbers, strings, booleans, None,
lists, str-keyed dicts, non-empty rectangular matrices of numbers (rebuilt as
the parent's own ``Matrix``) and handles; anything else is
:class:`~autograder.suite.BadReturn`. The tags are the grader's own
``autograder.wire``, never the child's copy of it.
"""
from __future__ import annotations

import re
from typing import Any

from autograder import wire
from autograder.suite import BadReturn, ForbiddenCall, Handle, NotImplementedYet, StudentCrash, StudentError

# A frame of the student's code in a traceback, once the workspace's path is cut off.
FRAME = re.compile(r'^  File "(assignments/[^"]+)", line (\d+), in (\S+)$', re.M)


def _number(value: Any) -> float:
    """A JSON number as a float (NaN and infinities kept)."""
    try:
        return float(value)
    except OverflowError:
        raise BadReturn("returned an integer too large for a float") from None


def _matrix(rows: Any) -> Any:
    """Validate nested lists as a non-empty rectangular matrix of numbers; build a parent Matrix."""
    from tinybackprop.matrix import Matrix

    if not isinstance(rows, list) or not rows or not all(isinstance(row, list) for row in rows):
        raise BadReturn("returned a Matrix without rows")
    width = len(rows[0])
    if width == 0 or any(len(row) != width for row in rows):
        raise BadReturn("returned a Matrix whose rows have different lengths or no columns")
    clean = []
    for row in rows:
        if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in row):
            raise BadReturn("returned a Matrix with entries that are not numbers")
        clean.append([_number(x) for x in row])
    return Matrix(clean)


def decode(value: Any, generation: int, description: str = "object") -> Any:
    """Validate a reply value from the child and rebuild it from plain data."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, list):
        return [decode(item, generation) for item in value]
    if isinstance(value, dict) and len(value) == 1:
        tag, body = next(iter(value.items()))
        if tag == wire.MATRIX:
            return _matrix(body)
        if tag == wire.DICT and isinstance(body, dict):
            return {key: decode(item, generation) for key, item in body.items()}
        if tag == wire.HANDLE and isinstance(body, int) and not isinstance(body, bool):
            return Handle(body, generation, description)
    raise BadReturn("returned something that is not a Matrix, a number, a list or a dict")


def computed(reply: dict, generation: int) -> dict:
    """The locals a stopped function had computed, validated like any reply ({} if invalid)."""
    try:
        values = decode(reply.get("computed", {wire.DICT: {}}), generation)
    except (BadReturn, RecursionError):
        return {}  # only credit is lost: the status stands
    return values if isinstance(values, dict) else {}


def student_location(trace: str) -> str:
    """Where in the student's files a traceback ends: ``assignments/svm.py, line 42, in f`` ("" if nowhere)."""
    frames = FRAME.findall(trace)
    return f"{frames[-1][0]}, line {frames[-1][1]}, in {frames[-1][2]}" if frames else ""


def text(reply: dict, key: str) -> str:
    """One text of a refusal, capped as ``wire.TEXT_CAPS`` says (whatever the child sent)."""
    return wire.clip(str(reply.get(key, "")), wire.TEXT_CAPS[key])


def result(reply: dict, generation: int, target: str, trace: str) -> Any:
    """The value of a parsed reply, validated, or (a refusal) raise its StudentError.

    ``target`` names what was called, for a handle's description; ``trace`` is the
    refusal's traceback as the student sees it.
    """
    if reply.get("ok") is True:
        try:
            return decode(reply.get("value"), generation, target)
        except RecursionError:
            raise BadReturn("returned data nested too deeply") from None
    raise refusal_error(reply, generation, trace)


def refusal_error(reply: dict, generation: int, trace: str) -> StudentError:
    """The StudentError for a refusal reply; ``trace`` is its traceback as the student sees it."""
    kind = reply.get("kind")
    message = text(reply, "message")
    if kind == wire.NOT_IMPLEMENTED:
        return NotImplementedYet(message, computed(reply, generation))
    if kind == wire.BAD_RETURN:
        return BadReturn(message)
    if kind == wire.FORBIDDEN:
        return ForbiddenCall(message)
    return StudentCrash(text(reply, "exc_type") or "Error", message, trace,
                        student_location(trace), computed(reply, generation))
