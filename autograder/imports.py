"""The forbidden-import check: an assignment that imports a forbidden module gets no credit.

The check reads what Python will run: the bytes the workspace writes, decoded
as the import system decodes them (a UTF-8 byte order mark, a coding cookie
on the first two lines), parsed with ``ast`` (nothing is run). A file that
declares an encoding other than UTF-8 (or ASCII) is refused, since one such as
UTF-7 shows a comment where Python reads an ``import``; a file Python cannot
parse is refused too, never taken as clean (:class:`SourceRefused`). It finds ``import``
and ``from ... import`` statements anywhere in the file, and calls of
``__import__``, ``importlib.import_module`` and ``exec``/``eval``/``compile``
(code built from strings would hide an import). A name is forbidden when it or a
package above it is in the list (``numpy`` forbids ``numpy.linalg``;
``tinybackprop.nn`` forbids ``from tinybackprop import nn``). Relative
imports of the student's own modules (``from .svm import ...``) are allowed.

The check is a courtesy that says clearly why there is no credit; the sandbox
is what actually stops a submission (numpy is not even on the child's path).
"""
from __future__ import annotations

import ast
import codecs
import io
import tokenize
from dataclasses import dataclass
from typing import Iterable, List

DEFAULT_FORBIDDEN = (
    "numpy", "scipy", "torch", "sklearn", "pandas",
    "tinybackprop.nn", "tinybackprop.losses", "tinybackprop.gradcheck",
    "autograder", "course", "os", "sys", "subprocess", "socket", "ctypes", "multiprocessing",
    "threading", "signal", "shutil", "pathlib", "importlib", "builtins", "gc",
    "inspect", "pickle", "marshal", "resource", "pty", "io",
)
DYNAMIC_CALLS = ("__import__", "exec", "eval", "compile")  # called by bare name
DYNAMIC_METHODS = ("__import__", "import_module")  # called as an attribute (importlib.import_module)
ENCODINGS = ("utf-8", "ascii")  # the source encodings accepted, by their codecs' names


class SourceRefused(Exception):
    """A file the check will not pass: ``status`` is a test status ("forbidden", "error"), ``message`` says
    why, with the line ("declares the encoding utf-7 on line 1; ...")."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class ForbiddenImport:
    """One forbidden import found in a file."""

    name: str
    line: int

    def __str__(self) -> str:
        if self.name in DYNAMIC_CALLS + DYNAMIC_METHODS:
            return f"line {self.line}: {self.name}(...) (code built at run time is not allowed)"
        return f"line {self.line}: import of {self.name}"


def is_forbidden(name: str, forbidden: Iterable[str]) -> bool:
    """True if ``name`` or a package above it is in ``forbidden``."""
    parts = name.split(".")
    prefixes = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    return bool(prefixes & set(forbidden))


def as_written(source: str) -> bytes:
    """The bytes of a submitted file as the workspace writes them (UTF-8; a lone surrogate a notebook
    may hold is kept, so that Python refuses the file as the check does)."""
    return source.encode("utf-8", errors="surrogatepass")


def declared_encoding(data: bytes) -> str:
    """The codec Python's import system decodes ``data`` with (BOM and coding cookie); SourceRefused
    when it is not UTF-8 or ASCII, or unknown."""
    lines = iter(io.BytesIO(data).readline, b"")
    try:
        encoding, _ = tokenize.detect_encoding(lambda: next(lines, b""))
    except SyntaxError as exc:  # an unknown encoding, or a BOM that contradicts the cookie
        raise SourceRefused("forbidden", f"cannot be read as Python reads it ({exc}); save it as UTF-8 "
                                         "without a coding line") from None
    name = codecs.lookup(encoding).name
    if name not in ("utf-8", "utf-8-sig", "ascii"):
        line = next((number for number, text in enumerate(data.splitlines()[:2], start=1)
                     if b"coding" in text), 1)
        raise SourceRefused("forbidden", f"declares the encoding {name} on line {line}; only UTF-8 (or ASCII) "
                                         "source is accepted: remove the coding line or change it to utf-8")
    return name


def forbidden_imports(source: str, forbidden: Iterable[str] = DEFAULT_FORBIDDEN) -> List[ForbiddenImport]:
    """The forbidden imports in ``source`` as Python will read it (from the bytes of :func:`as_written`).

    Raises SourceRefused for a declared encoding other than UTF-8 or ASCII, or a file that does not parse.
    """
    forbidden = tuple(forbidden)
    data = as_written(source)
    declared_encoding(data)
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError) as exc:
        where = f"line {exc.lineno}: " if getattr(exc, "lineno", None) else ""
        text = getattr(exc, "msg", None) or str(exc)
        raise SourceRefused("error", f"cannot be parsed by Python ({where}{text})") from None
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [ForbiddenImport(alias.name, node.lineno) for alias in node.names
                      if is_forbidden(alias.name, forbidden)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            hits = [name for name in names if is_forbidden(name, forbidden)]
            if hits:
                found.append(ForbiddenImport(hits[0], node.lineno))
        elif isinstance(node, ast.Call):
            function = node.func
            if isinstance(function, ast.Name) and function.id in DYNAMIC_CALLS:
                found.append(ForbiddenImport(function.id, node.lineno))
            elif isinstance(function, ast.Attribute) and function.attr in DYNAMIC_METHODS:
                found.append(ForbiddenImport(function.attr, node.lineno))
    return sorted(found, key=lambda f: f.line)
