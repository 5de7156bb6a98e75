"""The workspace: one temporary directory per submission, holding all that its sandboxed children may read.

``lib-*/`` (a random name) holds the submission as the package
``assignments``, ``tinybackprop`` reduced to the files in ``LIBRARY_FILES``
(nothing else of the library or the grader, so ``tinybackprop.losses`` cannot
be reached), and ``wire.py``, the child's copy of the message format. The
root is mode 0o711 (not listable) and ``lib-*/`` is read-only for everyone.

Every student gets a pristine copy. The grader's own files are read once, when
this module is imported (before any child runs): that snapshot, not the files
on disk, is what each workspace is written from, and the files on disk are
checked against its hashes before each student, so that a grader file changed
while a class is graded (by a submission that could write it: one run without
isolation) stops grading with a :class:`WorkspaceError` instead of reaching the
next student. A workspace also checks its own files by hash before each child
that could have written them (:meth:`Workspace.changed`).

Where the child is isolated (``autograder.isolation``) its work folder is a
tmpfs in its own view, gone with it. Otherwise each child gets an empty
``work-*/`` here, owned by its own uid in uid drop mode, and what it left in
the machine's temporary folders is removed when it ends
(:func:`remove_leftovers`).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from autograder.imports import as_written

TINYBACKPROP = Path(__file__).resolve().parent.parent / "tinybackprop"
WIRE = Path(__file__).resolve().parent / "wire.py"
# What of tinybackprop an assignment may use: the Matrix (and any module it imports).
LIBRARY_FILES = ("matrix.py", "kernels.py")
LIBRARY_INIT = '"""The part of tinybackprop an assignment may use."""\nfrom .matrix import Matrix\n'
# The world-writable folders a child without a private /tmp can leave files in.
SHARED_TEMPORARY = ("/tmp", "/var/tmp", "/dev/shm")


class WorkspaceError(RuntimeError):
    """A grader file changed since the grader started: a fault of the grading, never of the student."""


def digest(data: bytes) -> str:
    """The sha256 of ``data`` in hex."""
    return hashlib.sha256(data).hexdigest()


def grader_sources() -> Dict[str, Path]:
    """The grader's files that every workspace copies: name in ``lib`` -> file on disk."""
    sources = {"wire.py": WIRE}
    if TINYBACKPROP.is_dir():
        sources.update({f"tinybackprop/{name}": TINYBACKPROP / name for name in LIBRARY_FILES})
    return sources


def snapshot() -> Dict[str, bytes]:
    """The bytes of the grader's files, as this process found them first."""
    return {name: path.read_bytes() for name, path in grader_sources().items()}


PRISTINE = snapshot()
PRISTINE_DIGESTS = {name: digest(data) for name, data in PRISTINE.items()}


def check_sources() -> None:
    """Raise WorkspaceError when a grader file on disk no longer has the hash it had at the start."""
    for name, path in grader_sources().items():
        try:
            found = digest(path.read_bytes())
        except OSError as exc:
            found = f"unreadable ({exc.strerror})"
        if found != PRISTINE_DIGESTS.get(name):
            raise WorkspaceError(f"the grader's {path} changed since grading started (sha256 "
                                 f"{PRISTINE_DIGESTS.get(name, 'absent')}, now {found}); a submission may have "
                                 "written into it, so no more submissions are graded with it")


class Workspace:
    """A temporary directory with the submission as package ``assignments`` and tinybackprop's Matrix."""

    def __init__(self, files: Dict[str, str]) -> None:
        check_sources()
        contents = {f"assignments/{name}": as_written(source) for name, source in files.items()}
        contents["assignments/__init__.py"] = b'"""The submission under grading."""\n'
        contents.update(PRISTINE)
        if "tinybackprop/matrix.py" in PRISTINE:
            # Only what an assignment may use: with tinybackprop.losses or .nn absent, no
            # attribute chain (tinybackprop.losses.softmax_cross_entropy) can reach them.
            contents["tinybackprop/__init__.py"] = LIBRARY_INIT.encode("utf-8")
        self.digests = {name: digest(data) for name, data in contents.items()}
        self.root = Path(tempfile.mkdtemp(prefix="tinybackprop-grade-"))
        # A random name inside a root nobody else may list: another submission graded at
        # the same time cannot guess the path of this one's files.
        self.lib = Path(tempfile.mkdtemp(prefix="lib-", dir=self.root))
        for name, data in contents.items():
            target = self.lib / name
            target.parent.mkdir(exist_ok=True)
            target.write_bytes(data)
        # Read-only for everyone (the child's user included); the root is traversable, not listable.
        self._chmod_lib(0o555, 0o444)
        os.chmod(self.root, 0o711)

    def _chmod_lib(self, directory_mode: int, file_mode: int) -> None:
        """Set the modes of everything in ``lib/``."""
        for directory, _, names in os.walk(self.lib):
            os.chmod(directory, directory_mode)
            for name in names:
                os.chmod(os.path.join(directory, name), file_mode)

    def changed(self) -> List[str]:
        """The files of ``lib/`` that are not as written (changed, added or removed), by name."""
        found: Dict[str, str] = {}
        for directory, _, names in os.walk(self.lib):
            for name in names:
                path = Path(directory, name)
                found[path.relative_to(self.lib).as_posix()] = digest(path.read_bytes())
        return sorted(name for name in set(found) | set(self.digests) if found.get(name) != self.digests.get(name))

    def new_workdir(self, uid: Optional[int]) -> Path:
        """A fresh, empty current directory for one unisolated child, owned by its uid (if it has its own)."""
        work = Path(tempfile.mkdtemp(prefix="work-", dir=self.root))
        if uid is not None:
            os.chown(work, uid, uid)
        return work

    def close(self) -> None:
        """Delete the workspace and everything the children wrote into it."""
        self._chmod_lib(0o755, 0o644)  # without root, read-only folders cannot be emptied
        shutil.rmtree(self.root, ignore_errors=True)


def remove_leftovers(uid: int, folders: Tuple[str, ...] = SHARED_TEMPORARY) -> None:
    """Delete what the child of ``uid`` (its own, used once) left in the machine's shared temporary
    folders: its files there and in the world-writable folders below them."""
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue  # absent here, or not ours to read
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue  # gone meanwhile
            if info.st_uid == uid and stat.S_ISDIR(info.st_mode):
                shutil.rmtree(entry.path, ignore_errors=True)
            elif info.st_uid == uid:
                os.unlink(entry.path)
            elif stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_IWOTH:
                remove_leftovers(uid, (entry.path,))
