"""Shared pytest setup: make the repository root importable."""
from __future__ import annotations

import sys
from pathlib import Path

# The project is not pip-installed while it is developed: putting the repo root
# first on sys.path lets `import tinybackprop`, `autograder` and `assignments`
# work whenever pytest runs from a checkout.
ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
