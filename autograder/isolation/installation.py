"""The Python installation an isolated child needs: its interpreter, standard library and shared libraries.

Found by asking the interpreter itself, once per grader process: it is started
as the child will be (``-I -S``, so no site-packages), imports every extension
module of its standard library but the terminal and display ones, ends a thread
(glibc then loads ``libgcc_s``), and lists the files it has mapped (``/proc/self/maps``): the
shared libraries, the dynamic loader, locale data. The view binds exactly
those files at their own paths, recreates the symbolic links the loader
follows to reach them (``/lib -> usr/lib``, ``libz.so.1 -> libz.so.1.2.13``,
the ELF interpreter's path), and covers every ``site-packages`` and
``dist-packages`` folder found inside the standard library with an empty one.
"""
from __future__ import annotations

import json
import os
import struct
import subprocess
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Set, Tuple

from autograder.isolation.modes import IsolationError

PACKAGE_FOLDERS = ("site-packages", "dist-packages")
# The folders of a merged /usr are symbolic links at the top of the file system.
TOP_LINKS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
LOADER_CACHE = "/etc/ld.so.cache"
MARKER = "\n--- installation ---\n"
# Extension modules left out: a child has neither a display nor a terminal.
UNNEEDED = ("_tkinter", "_curses", "_curses_panel", "readline")
DISCOVER = r"""
import importlib, importlib.machinery, json, os, sys, threading
suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
for entry in list(sys.path):
    if not os.path.isdir(entry):
        continue
    for name in sorted(os.listdir(entry)):
        if name.endswith(suffixes) and name.split(".")[0] not in UNNEEDED:
            try:
                importlib.import_module(name.split(".")[0])
            except Exception:  # a module that does not load here will not load in the child either
                continue
worker = threading.Thread(target=int)
worker.start()
worker.join()
maps = set()
with open("/proc/self/maps") as handle:
    for line in handle:
        fields = line.rstrip("\n").split(None, 5)
        if len(fields) == 6 and fields[5].startswith("/") and not fields[5].endswith(" (deleted)"):
            maps.add(fields[5])
sys.stdout.write(MARKER + json.dumps({"executable": os.path.realpath(sys.executable),
                                      "path": sys.path, "maps": sorted(maps)}))
"""


@dataclass(frozen=True)
class Installation:
    """The files of a Python installation that an isolated child of it may see, all read-only."""

    executable: str                       # the interpreter's real path (the child runs it by this path)
    folders: Tuple[str, ...]              # standard library folders and zips (real paths, none inside another)
    files: Tuple[str, ...]                # single files: the interpreter, shared libraries, the loader's cache
    links: Tuple[Tuple[str, str], ...]    # (path, link text) of the symbolic links the view recreates
    hidden: Tuple[str, ...]               # site-packages and dist-packages folders inside ``folders``

    def to_json(self) -> Dict[str, Any]:
        """The installation as plain data (batch sends it to its workers, which need not ask again)."""
        return {"executable": self.executable, "folders": list(self.folders), "files": list(self.files),
                "links": [list(link) for link in self.links], "hidden": list(self.hidden)}

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "Installation":
        """The installation that :meth:`to_json` wrote."""
        return cls(str(data["executable"]), tuple(data["folders"]), tuple(data["files"]),
                   tuple((str(path), str(text)) for path, text in data["links"]), tuple(data["hidden"]))


FOUND: Dict[str, Installation] = {}  # interpreter -> what it needs, asked once per process (or adopted)


def adopt(interpreter: str, installation: Installation) -> None:
    """Take what another grader process found for ``interpreter`` (a batch worker, from its batch)."""
    FOUND[interpreter] = installation


def elf_interpreter(path: str) -> Optional[str]:
    """The program interpreter (``PT_INTERP``, the dynamic loader's path) of an ELF executable, if any."""
    with open(path, "rb") as handle:
        header = handle.read(64)
        if header[:4] != b"\x7fELF":
            return None
        wide, order = header[4] == 2, "<" if header[5] == 1 else ">"
        table, = struct.unpack_from(order + ("Q" if wide else "I"), header, 32 if wide else 28)
        entry_size, count = struct.unpack_from(order + "HH", header, 54 if wide else 42)
        for index in range(count):
            handle.seek(table + index * entry_size)
            entry = handle.read(entry_size)
            if struct.unpack_from(order + "I", entry, 0)[0] == 3:  # PT_INTERP
                word = order + ("Q" if wide else "I")
                offset, = struct.unpack_from(word, entry, 8 if wide else 4)
                size, = struct.unpack_from(word, entry, 32 if wide else 16)
                handle.seek(offset)
                return handle.read(size).rstrip(b"\0").decode()
    return None


def symlink_chain(path: str) -> List[Tuple[str, str]]:
    """The symbolic links (path, link text) met on the way to ``path``, in order."""
    links: List[Tuple[str, str]] = []
    pending = list(reversed(path.split("/")))
    current = "/"
    while pending:
        part = pending.pop()
        if part in ("", "."):
            continue
        if part == "..":
            current = os.path.dirname(current)
            continue
        candidate = os.path.join(current, part)
        if os.path.islink(candidate):
            if len(links) > 40:
                raise IsolationError("installation", f"too many symbolic links on the way to {path}")
            text = os.readlink(candidate)
            links.append((candidate, text))
            current = "/" if text.startswith("/") else current
            pending.extend(reversed(text.split("/")))
        else:
            current = candidate
    return links


def inside(path: str, folders: Tuple[str, ...]) -> bool:
    """Whether ``path`` is one of ``folders`` or lies below one."""
    return any(path == folder or path.startswith(folder.rstrip("/") + "/") for folder in folders)


def package_folders(folders: Tuple[str, ...]) -> Tuple[str, ...]:
    """Every site-packages or dist-packages folder below ``folders`` (not looking inside them)."""
    found = []
    for folder in folders:
        if not os.path.isdir(folder):
            continue
        for parent, names, _ in os.walk(folder):
            for name in [name for name in names if name in PACKAGE_FOLDERS]:
                found.append(os.path.join(parent, name))
                names.remove(name)
    return tuple(sorted(found))


def library_links(files: Set[str], folders: Tuple[str, ...]) -> List[Tuple[str, str]]:
    """The symbolic links beside each mapped file that lead to it (the names the loader opens)."""
    links = []
    for folder in sorted({os.path.dirname(path) for path in files}):
        if inside(folder, folders):
            continue
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_symlink() and os.path.realpath(entry.path) in files:
                    links.append((entry.path, os.readlink(entry.path)))
    return links


def discover(interpreter: str) -> Installation:
    """What ``interpreter`` needs to start and to load its standard library (asked once per process)."""
    if interpreter not in FOUND:
        FOUND[interpreter] = ask(interpreter)
    return FOUND[interpreter]


def ask(interpreter: str) -> Installation:
    """Ask ``interpreter`` what it needs (about 0.2 s: it imports every extension module it has)."""
    try:
        run = subprocess.run([interpreter, "-I", "-S", "-B", "-c",
                              f"MARKER = {MARKER!r}\nUNNEEDED = {UNNEEDED!r}\n" + DISCOVER],
                             stdin=subprocess.DEVNULL, capture_output=True, timeout=120,
                             env={"LC_ALL": "C.UTF-8", "PATH": "/usr/bin:/bin"})
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise IsolationError("installation", f"could not ask {interpreter} for its files ({exc})") from None
    text = run.stdout.decode("utf-8", errors="replace")
    if run.returncode != 0 or MARKER not in text:
        tail = run.stderr.decode("utf-8", errors="replace")[-500:]
        raise IsolationError("installation",
                             f"{interpreter} did not list its files (exit {run.returncode}): {tail}")
    found: Dict[str, list] = json.loads(text.split(MARKER, 1)[1])
    executable = str(found["executable"])
    entries = [str(entry) for entry in found["path"] if os.path.exists(entry)]
    real = sorted({os.path.realpath(entry) for entry in entries})
    folders = tuple(path for path in real
                    if not any(path != other and inside(path, (other,)) for other in real))
    mapped = {os.path.realpath(path) for path in found["maps"] if os.path.isfile(path)}
    files = {path for path in mapped if not inside(path, folders)} | {executable}
    if os.path.isfile(LOADER_CACHE):
        files.add(LOADER_CACHE)
    links = library_links(files, folders)
    # The paths the loader and the interpreter open by name (the command itself uses the real path).
    for path in [elf_interpreter(executable)] + entries:
        if path:
            links += symlink_chain(os.path.abspath(path))
    links += [("/" + name, os.readlink("/" + name)) for name in TOP_LINKS if os.path.islink("/" + name)]
    return Installation(executable=executable, folders=folders, files=tuple(sorted(files)),
                        links=tuple(sorted(set(links))), hidden=package_folders(folders))
