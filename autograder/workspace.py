"""The workspace: one temporary directory per submission, holding all that its sandboxed children may read.

``lib-*/`` (a random name) holds the submission as the package
``assignments``, ``tinybackprop`` reduced to the files in ``LIBRARY_FILES``
(nothing else of the library or the grader, so ``tinybackprop.losses`` cannot
be reached), and ``wire.py``, the child's copy of the message format. Each
child gets an empty ``work-*/`` as its current directory. When the grader runs
as root, the root is mode 0o711 (not listable), ``lib-*/`` is root-owned and
read-only, and each work directory belongs to its child's own uid: another
submission graded at the same time can neither guess nor read this one's files.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Dict, Optional

TINYBACKPROP = Path(__file__).resolve().parent.parent / "tinybackprop"
WIRE = Path(__file__).resolve().parent / "wire.py"
# What of tinybackprop an assignment may use: the Matrix (and any module it imports).
LIBRARY_FILES = ("matrix.py", "kernels.py")
LIBRARY_INIT = '"""The part of tinybackprop an assignment may use."""\nfrom .matrix import Matrix\n'


class Workspace:
    """A temporary directory with the submission as package ``assignments`` and tinybackprop's Matrix."""

    def __init__(self, files: Dict[str, str]) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="tinybackprop-grade-"))
        # A random name inside a root nobody else may list: another submission graded at
        # the same time cannot guess the path of this one's files.
        self.lib = Path(tempfile.mkdtemp(prefix="lib-", dir=self.root))
        package = self.lib / "assignments"
        package.mkdir()
        (package / "__init__.py").write_text('"""The submission under grading."""\n', encoding="utf-8")
        for name, source in files.items():
            (package / name).write_text(source, encoding="utf-8")
        if TINYBACKPROP.is_dir():
            # Only what an assignment may use: with tinybackprop.losses or .nn absent, no
            # attribute chain (tinybackprop.losses.softmax_cross_entropy) can reach them.
            library = self.lib / "tinybackprop"
            library.mkdir()
            (library / "__init__.py").write_text(LIBRARY_INIT, encoding="utf-8")
            for name in LIBRARY_FILES:
                shutil.copy(TINYBACKPROP / name, library / name)
        shutil.copy(WIRE, self.lib / "wire.py")
        # Read-only for everyone (the child's user included); the root is traversable, not listable.
        self._chmod_lib(0o555, 0o444)
        os.chmod(self.root, 0o711)

    def _chmod_lib(self, directory_mode: int, file_mode: int) -> None:
        """Set the modes of everything in ``lib/``."""
        for directory, _, names in os.walk(self.lib):
            os.chmod(directory, directory_mode)
            for name in names:
                os.chmod(os.path.join(directory, name), file_mode)

    def new_workdir(self, uid: Optional[int], gid: Optional[int]) -> Path:
        """A fresh, empty current directory for one child, owned by its user."""
        work = Path(tempfile.mkdtemp(prefix="work-", dir=self.root))
        if uid is not None:
            os.chown(work, uid, gid)
        return work

    def close(self) -> None:
        """Delete the workspace and everything the children wrote into it."""
        self._chmod_lib(0o755, 0o644)  # without root, read-only folders cannot be emptied
        shutil.rmtree(self.root, ignore_errors=True)
