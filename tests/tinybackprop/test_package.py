"""The package as a user meets it: `import tinybackprop` gives the main names, and needs nothing but Python."""
from __future__ import annotations

import ast
import doctest
import importlib.util
import sys
import sysconfig
from pathlib import Path

import tinybackprop

PACKAGE = Path(tinybackprop.__file__).resolve().parent


def test_every_exported_name_is_there():
    missing = [name for name in tinybackprop.__all__ if not hasattr(tinybackprop, name)]
    assert missing == []
    assert {"Value", "Matrix", "MLP", "load_digits", "to_svg", "plot_history"} <= set(tinybackprop.__all__)


def test_the_package_docstring_example_runs():
    assert doctest.testmod(tinybackprop).failed == 0


def imported_top_level_modules(path: Path) -> set[str]:
    """The top-level names of the absolute imports in one source file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def is_standard_library(name: str) -> bool:
    """True for a module of Python's own library (built in, or under the stdlib folder)."""
    if name in sys.builtin_module_names or name == "__future__":
        return True
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin in (None, "built-in", "frozen"):
        return spec is not None
    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    origin = Path(spec.origin).resolve()
    return stdlib in origin.parents and "site-packages" not in origin.parts and "dist-packages" not in origin.parts


def test_tinybackprop_imports_only_the_standard_library():
    outside = {}
    for path in sorted(PACKAGE.glob("*.py")):
        for name in imported_top_level_modules(path):
            if name != "tinybackprop" and not is_standard_library(name):
                outside.setdefault(path.name, []).append(name)
    assert outside == {}


def test_the_datasets_ship_inside_the_package():
    assert (PACKAGE / "datasets" / "digits.csv.gz").is_file()
    assert (PACKAGE / "datasets" / "iris.csv").is_file()
