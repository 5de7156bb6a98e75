"""The import graph of each package: no cycle, and no private name used across modules.

Every import counts, at the top of a module, inside a function or under
``TYPE_CHECKING``: each is a dependency a reader has to follow. A private name
(one leading underscore, not a dunder) belongs to its module: another module
that imports it, reads it as ``module._name``, or reaches into an imported
class with ``Class._name`` is using an internal detail.
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("tinybackprop", "autograder", "course")


def modules(package: str) -> Dict[str, Path]:
    """Every module of a package, by dotted name (a package's ``__init__`` under the package's name)."""
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def resolve(name: str, importer: str, level: int, is_package: bool) -> str:
    """The absolute dotted name of an import written in module ``importer``."""
    if level == 0:
        return name
    base = importer.split(".")
    if not is_package:
        base = base[:-1]
    base = base[:len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def imports(module: str, path: Path, known: Dict[str, Path]) -> Iterator[Tuple[str, List[str], ast.AST]]:
    """(imported project module, names taken from it, node) for each import statement of a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known:
                    yield alias.name, [], node
        elif isinstance(node, ast.ImportFrom):
            target = resolve(node.module or "", module, node.level, is_package)
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in known:  # from package import module
                    yield sub, [], node
                elif target in known:
                    yield target, [alias.name], node


def graph(package: str) -> Dict[str, Set[str]]:
    """Module -> the modules of the same package it imports."""
    known = modules(package)
    return {module: {target for target, _, _ in imports(module, path, known) if target != module}
            for module, path in known.items()}


def find_cycle(edges: Dict[str, Set[str]]) -> List[str]:
    """One import cycle as a list of modules (first repeated at the end), or [] if there is none."""
    state: Dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(edges):
        if state.get(start):
            continue
        path, stack = [start], [iter(sorted(edges[start]))]
        state[start] = 1
        while stack:
            step = next(stack[-1], None)
            if step is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(step) == 1:
                return path[path.index(step):] + [step]
            elif not state.get(step):
                state[step] = 1
                path.append(step)
                stack.append(iter(sorted(edges.get(step, ()))))
    return []


def private(name: str) -> bool:
    """A name private to its module or class: one leading underscore, not a dunder."""
    return name.startswith("_") and not name.startswith("__")


def private_uses(package: str) -> List[str]:
    """Every use of another module's private name, as 'file:line: what'."""
    known = modules(package)
    found = []
    for module, path in known.items():
        foreign: Dict[str, str] = {}  # local name -> the project module or class it came from
        for target, names, node in imports(module, path, known):
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if not names:
                for alias in node.names:
                    foreign[(alias.asname or alias.name).split(".")[0]] = target
            for name in names:
                if private(name):
                    found.append(f"{where}: imports {name} from {target}")
                alias = next(a for a in node.names if a.name == name)
                foreign[alias.asname or name] = target
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and private(node.attr)
                    and isinstance(node.value, ast.Name) and node.value.id in foreign):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: uses "
                             f"{node.value.id}.{node.attr} of {foreign[node.value.id]}")
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_cycle(package: str) -> None:
    cycle = find_cycle(graph(package))
    assert not cycle, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("package", PACKAGES)
def test_no_private_name_across_modules(package: str) -> None:
    uses = private_uses(package)
    assert not uses, "private names used across modules:\n" + "\n".join(uses)


def test_the_checker_sees_a_cycle_and_a_private_use(tmp_path: Path) -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []
