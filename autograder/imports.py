"""The forbidden-import check: an assignment that imports a forbidden module gets no credit.

The check reads the source with ``ast`` (nothing is run). It finds ``import``
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


def forbidden_imports(source: str, forbidden: Iterable[str] = DEFAULT_FORBIDDEN) -> List[ForbiddenImport]:
    """The forbidden imports in ``source`` (empty when it does not parse: the import then fails visibly)."""
    forbidden = tuple(forbidden)
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
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
