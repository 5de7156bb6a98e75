"""The one safe reader of zip archives: a student's submission, or the zip of a whole class.

Nothing is extracted by the names the archive gives: :class:`ZipReader`
lists the members, each with what makes it unsafe (a path that is absolute or
climbs out with ``..``, a symlink), and reads only the members its caller
asks for, each only up to a cap, never trusting the size the archive
declares: a member that expands more than ``ratio`` times its compressed
size is refused as it is read (:class:`MemberRefused`), and so is the archive
once the members read pass ``total_bytes``. What to do with an unsafe member
is the caller's choice (refuse the submission, or give one student of a class
a zero). Every limit on an archive is in :class:`Caps`, one set per kind of
archive, and is applied here.
"""
from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, List, Optional, Tuple

# A name that starts at a root or a drive ("/x", "\\x", "C:x", "C:/x"): it points outside the archive.
ABSOLUTE = re.compile(r"^(?:[/\\]|[A-Za-z]:)")
JUNK = "__MACOSX"  # the resource forks macOS adds to a zip: never read
# What zipfile raises for a corrupt archive: truncated members, unknown compression methods, bad CRCs.
READ_ERRORS = (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError)


RATIO_FLOOR = 64 * 1024  # a member this small is never refused for its compression ratio
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Caps:
    """The limits on one kind of archive."""

    entries: Optional[int]  # the most members it may have (None: no limit)
    member_bytes: int  # the largest member that is read
    total_bytes: int  # the most bytes read from its members together
    ratio: int  # how many times its compressed size a member may expand (beyond RATIO_FLOOR)


# One student's source files and notebooks: only the few that are graded are ever read.
SUBMISSION_CAPS = Caps(entries=2_000, member_bytes=1_000_000, total_bytes=20_000_000, ratio=100)
# Every student's submission, as uploaded: each is extracted.
CLASS_CAPS = Caps(entries=None, member_bytes=100 * 1024 * 1024, total_bytes=8 * 1024 ** 3, ratio=100)


class ArchiveError(Exception):
    """An archive that cannot be read at all: ``status`` is short ("corrupt zip", "unsafe zip"), ``message`` explains."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class MemberRefused(Exception):
    """One member that must not be used (it expands like a zip bomb): ``status`` is short, ``message`` explains."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Member:
    """One member of an archive, as the reader sees it before reading anything."""

    name: str  # as the archive spells it
    parts: Tuple[str, ...]  # its path inside the archive, backslashes read as "/"
    size: int  # the size the archive declares (a member is never read past the cap anyway)
    is_dir: bool
    symlink: bool
    escape: str  # how its path leaves the archive: "absolute", "climbs" (a ".." part) or "" (it does not)
    info: zipfile.ZipInfo


def member(info: zipfile.ZipInfo) -> Member:
    """What a zip entry is, and whether its path leaves the archive."""
    name = info.filename
    parts = PurePosixPath(name.replace("\\", "/")).parts
    escape = ""
    if ABSOLUTE.match(name) or (parts and parts[0].endswith(":")):
        escape = "absolute"
    elif ".." in parts:
        escape = "climbs"
    return Member(name, parts, info.file_size, info.is_dir(), stat.S_ISLNK(info.external_attr >> 16),
                  escape, info)


class ZipReader:
    """An open zip archive, read within ``caps``; use it in a ``with`` block."""

    def __init__(self, path: Path, caps: Caps) -> None:
        self.path = Path(path)
        self.caps = caps
        self.read_bytes = 0  # bytes read from members so far
        try:
            self.zip = zipfile.ZipFile(str(self.path))
        except READ_ERRORS as exc:
            raise self.corrupt(exc) from None

    def __enter__(self) -> "ZipReader":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.zip.close()

    def corrupt(self, exc: Exception) -> ArchiveError:
        """The error for one of READ_ERRORS: the archive is corrupt."""
        if isinstance(exc, zipfile.BadZipFile):
            return ArchiveError("corrupt zip", f"{self.path.name} is not a readable zip file ({exc})")
        return ArchiveError("corrupt zip", f"{self.path.name} could not be read ({exc})")

    def members(self) -> List[Member]:
        """Every member but macOS's resource forks (an unsafe one is listed all the same)."""
        infos = self.zip.infolist()
        if self.caps.entries is not None and len(infos) > self.caps.entries:
            raise ArchiveError("unsafe zip", f"{self.path.name} has {len(infos)} entries; "
                                             f"at most {self.caps.entries} are accepted")
        found = [member(info) for info in infos]
        return [m for m in found if m.escape or JUNK not in m.parts]

    def read(self, item: Member) -> Optional[bytes]:
        """A member's bytes, or None when it holds more than ``member_bytes`` (never read past it).

        Raises MemberRefused for a member that expands more than ``ratio`` times its compressed
        size, ArchiveError once the members read together pass ``total_bytes``.
        """
        caps = self.caps
        limit = min(caps.member_bytes, caps.total_bytes - self.read_bytes) + 1
        expands = max(caps.ratio * item.info.compress_size, RATIO_FLOOR)
        data = bytearray()
        try:
            with self.zip.open(item.info) as source:
                while len(data) < limit:
                    chunk = source.read(min(CHUNK, limit - len(data)))
                    if not chunk:
                        break
                    data += chunk
                    if len(data) > expands:
                        raise MemberRefused("unsafe zip", f"{item.name} expands to more than {caps.ratio} times "
                                                          "its compressed size (a zip bomb?)")
        except READ_ERRORS as exc:
            raise self.corrupt(exc) from None
        self.read_bytes += len(data)
        if self.read_bytes > caps.total_bytes:
            raise ArchiveError("unsafe zip", f"{self.path.name} holds more than {caps.total_bytes} bytes "
                                             "(uncompressed) in the members read")
        return None if len(data) > caps.member_bytes else bytes(data)
