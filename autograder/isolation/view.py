"""What an isolated child sees: the Python installation, its workspace, a private /tmp, a minimal /dev.

Inside the child's root (a read-only tmpfs) there is nothing else:

======================  ======================================================
``/workspace/lib``      the host's library folder (the submission, tinybackprop's Matrix), read-only
``/workspace/work``     the current directory: an empty tmpfs of ``work_bytes``, owned by the child
``/workspace/<name>``   each extra file (``child.py``), read-only
``/tmp``                an empty tmpfs of ``tmp_bytes``, gone with the child
``/dev``                null, zero, full, random, urandom (and fd, stdin, stdout, stderr links)
``/proc``               the child's own, read-only (absent where a container refuses a new one)
the installation        interpreter, standard library, shared libraries, at their own paths,
                        read-only, every site-packages and dist-packages covered by an empty folder
======================  ======================================================

The work folder is a tmpfs rather than a folder of the host: what the child
writes is capped, needs no chown to the child's uid (impossible for root inside
a user namespace), and vanishes with the child, so nothing survives into the
next student's grading.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any, Dict, List

from autograder.isolation.installation import Installation, inside

WORKSPACE = "/workspace"
LIB = WORKSPACE + "/lib"
WORK = WORKSPACE + "/work"
DEVICES = ("null", "zero", "full", "random", "urandom")
MiB = 1024 * 1024


@dataclass(frozen=True)
class View:
    """The host's files an isolated child sees besides the Python installation, and its size caps."""

    lib: str                                              # host folder shown read-only at /workspace/lib
    files: Dict[str, str] = field(default_factory=dict)   # name -> host file shown at /workspace/<name>
    tmp_bytes: int = 16 * MiB                             # cap of the private /tmp
    work_bytes: int = 16 * MiB                            # cap of the work folder
    interpreter: str = sys.executable                     # the Python that runs inside
    processes: bool = True                                # whether the child may start processes

    def __post_init__(self) -> None:
        if not os.path.isdir(self.lib):
            raise ValueError(f"View.lib must be an existing folder, got {self.lib!r}")
        for name, path in self.files.items():
            if not name or "/" in name or name in ("lib", "work", ".", ".."):
                raise ValueError(f"View.files: {name!r} is not a plain file name other than lib and work")
            if not os.path.isfile(path):
                raise ValueError(f"View.files[{name!r}] must be an existing file, got {path!r}")
        for cap in ("tmp_bytes", "work_bytes"):
            if not isinstance(getattr(self, cap), int) or getattr(self, cap) < 4096:
                raise ValueError(f"View.{cap} must be an int of at least 4096 bytes, got {getattr(self, cap)!r}")


def tmpfs_options(size: int, mode: int, owner: int) -> str:
    """Mount options of a capped tmpfs owned by ``owner`` (an id inside the child's namespaces)."""
    return f"size={size},nr_inodes={max(size // 4096, 64)},mode={mode:o},uid={owner},gid={owner}"


def mounts(view: View, installation: Installation, owner: int) -> List[Dict[str, Any]]:
    """The launcher's mount list for ``view``, parents before children; ``owner`` (the child's id
    inside) owns the work folder and /tmp (the only ids a user namespace has are the mapped ones)."""
    entries: List[Dict[str, Any]] = []
    for path in installation.folders + installation.files:
        entries.append({"kind": "bind", "source": path, "target": path, "writable": False, "exec": True})
    entries += [{"kind": "hide", "target": path} for path in installation.hidden]
    entries += [{"kind": "symlink", "target": path, "link": text} for path, text in installation.links
                if not inside(path, installation.folders)]  # a folder's own links come with it
    entries.append({"kind": "bind", "source": os.path.realpath(view.lib), "target": LIB,
                    "writable": False, "exec": False})
    for name, path in sorted(view.files.items()):
        entries.append({"kind": "bind", "source": os.path.realpath(path), "target": f"{WORKSPACE}/{name}",
                        "writable": False, "exec": False})
    entries.append({"kind": "tmpfs", "target": WORK, "options": tmpfs_options(view.work_bytes, 0o700, owner)})
    entries.append({"kind": "tmpfs", "target": "/tmp", "options": tmpfs_options(view.tmp_bytes, 0o1777, owner)})
    entries.append({"kind": "dev", "target": "/dev", "devices": list(DEVICES)})
    return sorted(entries, key=lambda entry: entry["target"].split("/"))
