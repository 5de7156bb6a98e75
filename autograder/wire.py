"""The wire between the grader and its sandboxed child: the message tags, and values as JSON data.

Both sides import this file: the parent (``autograder.sandbox``) from the
grader's package, the child (``autograder/child.py``) from its workspace,
where ``autograder.workspace`` copies it, because the child runs
``python -I -S`` with nothing but its workspace on the path. So it imports
only the standard library and runs on Python 3.9 and PyPy. It holds no trust:
the parent checks every reply itself (``autograder.replies``), with its own
copy of these tags, never with the child's.

One message is one line of JSON. A request is ``{"id", "op", ...}`` with
``op`` one of ``OPS``; the reply to it is ``{"id", "ok": true, "value"}`` or a
refusal ``{"id", "ok": false, "kind", "exc_type", "message", "traceback"}``
with ``kind`` one of ``REFUSALS`` (and, when the student's function raised,
``"computed"``: the numbers in its locals). Values are numbers, strings,
booleans, None and lists as themselves, and three tagged objects:
``{"M": rows}`` a Matrix, ``{"D": {...}}`` a dict (so that a dict of the
student's cannot pass for a tag), ``{"H": id}`` an object that stays in the
child (the parent holds a handle to it). A refusal's texts (the student's
exception type, message and traceback) are cut to ``TEXT_CAPS`` characters,
by the child before sending and by the parent again on reading.

A lent function: a request may name functions the parent lends to the
student's code for that call (``"lend": [names]``, each ``"self.<attr>"`` of
the method's object or ``"<module>.<name>"``). When the student's code calls
one, the child writes ``{"id", "callback": name, "args", "kwargs"}`` on the
reply pipe (the arguments as plain data, like a reply; for ``"self.<attr>"``
the object's own attributes come first, as ``self``) and reads the answer, a
reply or a refusal with that request's id, on the request pipe. The request's
own reply comes after its callbacks. A lent name without a dot is an argument: ``{"L": name}``
among a request's arguments is, in the child, the function that calls it back. The op ``standin`` puts a stand-in
module, whose every function is lent, in place of an ``assignments.<module>``
that cannot be imported.
"""
from __future__ import annotations

from typing import Any, Dict, Optional

MATRIX, DICT, HANDLE, LENT = "M", "D", "H", "L"
IMPORT, CALL, NEW, METHOD, ATTR, STANDIN = "import", "call", "new", "method", "attr", "standin"
OPS = (IMPORT, CALL, NEW, METHOD, ATTR, STANDIN)
CALLBACK = "callback"  # the key of a child's message asking the parent to run a lent function
SELF = "self."  # how a lent name that is an attribute of the method's object begins
NOT_IMPLEMENTED, BAD_RETURN, FORBIDDEN, CRASH = "not_implemented", "bad_return", "forbidden", "crash"
REFUSALS = (NOT_IMPLEMENTED, BAD_RETURN, FORBIDDEN, CRASH)
READY = "ready"  # the value of the handshake (id 0): the child is set up, student code may run
MAX_DEPTH = 20  # how deeply a returned value may nest
# The most characters of each text of a refusal: the student's words enter the grader's report capped.
TEXT_CAPS = {"exc_type": 200, "message": 4000, "traceback": 20000}


class Unsendable(ValueError):
    """A value that cannot cross the wire, or be rebuilt on the other side (the message says why)."""


def encode_argument(value: Any, handle_type: type, lent_type: Optional[type] = None) -> Any:
    """An argument of the parent's (numbers, lists, dicts, matrices, handles, lent functions named by
    a ``lent_type`` with a ``name``) as JSON data for the child."""
    if value is None or isinstance(value, (bool, str, int, float)):
        return value
    if isinstance(value, handle_type):
        return {HANDLE: value.id}
    if lent_type is not None and isinstance(value, lent_type):
        return {LENT: value.name}
    if isinstance(value, (list, tuple)):
        return [encode_argument(item, handle_type, lent_type) for item in value]
    if isinstance(value, dict):
        return {DICT: {str(key): encode_argument(item, handle_type, lent_type) for key, item in value.items()}}
    if hasattr(value, "tolist") and hasattr(value, "shape"):
        return {MATRIX: value.tolist()}
    raise TypeError(f"cannot send a {type(value).__name__} to the submission")


def decode_argument(value: Any, matrix_type: Optional[type], objects: Dict[int, Any],
                    lent: Optional[Dict[str, Any]] = None) -> Any:
    """An argument as the child's objects: its own Matrix, the object of a handle, the function of a
    lent argument (``lent``: name -> the function calling it back), dicts, lists."""
    if isinstance(value, list):
        return [decode_argument(item, matrix_type, objects, lent) for item in value]
    if isinstance(value, dict):
        if MATRIX in value:
            if matrix_type is None:
                raise Unsendable("tinybackprop.matrix is missing, so a Matrix cannot be built")
            return matrix_type(value[MATRIX])
        if HANDLE in value:
            return objects[value[HANDLE]]
        if LENT in value:
            if not lent or value[LENT] not in lent:
                raise Unsendable(f"the function {value[LENT]} is not lent for this call")
            return lent[value[LENT]]
        return {key: decode_argument(item, matrix_type, objects, lent) for key, item in value[DICT].items()}
    return value


def encode_result(value: Any, matrix_type: Optional[type], depth: int = 0) -> Any:
    """What the student's code returned as JSON data (numbers as floats); Unsendable if it has no form."""
    if depth > MAX_DEPTH:
        raise Unsendable(f"returned data nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if matrix_type is not None and isinstance(value, matrix_type):
        return {MATRIX: [[float(x) for x in row] for row in value.data]}
    if isinstance(value, (list, tuple)):
        return [encode_result(item, matrix_type, depth + 1) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise Unsendable("returned a dict whose keys are not all strings")
        return {DICT: {str(key): encode_result(item, matrix_type, depth + 1) for key, item in value.items()}}
    raise Unsendable(f"returned an object of type {type(value).__name__}; "
                     "expected a Matrix, a number, a list or a dict")


def clip(text: str, cap: int) -> str:
    """``text`` cut to ``cap`` characters, the cut said (how many characters were left out)."""
    return text if len(text) <= cap else text[:cap] + f" ... ({len(text) - cap} more characters not shown)"


def reply(request_id: int, value: Any) -> dict:
    """The reply carrying a request's value."""
    return {"id": request_id, "ok": True, "value": value}


def refusal(request_id: int, kind: str, message: str, exc_type: str = "", traceback: str = "",
            computed: Optional[dict] = None) -> dict:
    """The reply of a request that did not return a value: ``kind`` is one of REFUSALS; texts capped."""
    refused = {"id": request_id, "ok": False, "kind": kind, "exc_type": clip(exc_type, TEXT_CAPS["exc_type"]),
               "message": clip(message, TEXT_CAPS["message"]), "traceback": clip(traceback, TEXT_CAPS["traceback"])}
    if computed is not None:
        refused["computed"] = computed
    return refused
