"""A class's submissions as an LMS (Canvas, Moodle) or an instructor hands them over: one per student id.

The batch takes a folder, or one zip of it, with one entry per student: a
folder, a .zip or a notebook, named by the student id. Canvas and Moodle
name their downloads otherwise (``--lms canvas|moodle``): the id is read out
of their names, and a student's loose files are gathered into a folder of
their own. A class zip is extracted with the one safe reader
(``autograder.archive``): a member that climbs out, a symlink, an oversized
file or a zip bomb is never written, and its student gets a row saying why.
"""
from __future__ import annotations

import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from autograder.archive import CLASS_CAPS, Member, MemberRefused, ZipReader

SUBMISSION_SUFFIXES = (".zip", ".ipynb")
# Canvas "Download Submissions": lastfirst[_LATE]_<user id>_<submission id>_<original name>,
# where a re-upload gets "-1", "-2" before the extension of the original name.
CANVAS_NAME = re.compile(r"^[^_]+(?:_late)?_(?P<id>\d+)_\d+_(?P<file>.+)$", re.IGNORECASE)
# Moodle "Download all submissions": "<Full Name>_<participant id>_assignsubmission_file_"
# (a folder per student), or the same prefix before each file name without folders.
MOODLE_NAME = re.compile(r"^.+?_(?P<id>\d+)_assignsubmission_[a-z]+_?(?P<file>.*)$")
CANVAS_REUPLOAD = re.compile(r"-\d+(?=\.[^.]+$)")


@dataclass
class Entry:
    """One student's submission: an id, a path to grade, or the problem that stops grading it."""

    student: str
    path: Path
    problem: str = ""  # why it cannot be graded ("" if it can)
    status: str = "unsupported submission"  # the gradebook status when it cannot


def lms_name(name: str, lms: str) -> Tuple[str, str]:
    """(student id, original file name) read from an entry's name as the LMS wrote it."""
    if lms == "canvas":
        match = CANVAS_NAME.match(name)
        if match:
            return match.group("id"), CANVAS_REUPLOAD.sub("", match.group("file"))
    elif lms == "moodle":
        match = MOODLE_NAME.match(name)
        if match:
            return match.group("id"), match.group("file")
    return Path(name).stem, ""


def find_submissions(root: Path, staging: Path, lms: str = "none") -> List[Entry]:
    """One Entry per student in the folder root (sorted by id); loose LMS files are grouped in staging."""
    groups: Dict[str, List[Tuple[Path, str]]] = {}
    for path in sorted(root.iterdir()):
        if path.name.startswith(".") or path.name == "__MACOSX":
            continue
        student, original = lms_name(path.name, lms)
        groups.setdefault(student, []).append((path, original))
    entries = []
    for student, members in sorted(groups.items()):
        if len(members) == 1 and _is_submission(members[0][0]):
            entries.append(Entry(student, members[0][0]))
        elif lms != "none" and all(original for _, original in members):
            entries.append(_stage_files(student, members, staging))
        else:
            names = ", ".join(path.name for path, _ in members)
            entries.append(
                Entry(student, members[0][0], "unsupported submission %s: expected one folder, "
                      "one .zip or one .ipynb per student" % names)
            )
    return entries


def _is_submission(path: Path) -> bool:
    """True for what grade_submission takes: a folder, a .zip or a .ipynb (it refuses symlinks itself)."""
    return path.is_symlink() or path.is_dir() or path.suffix.lower() in SUBMISSION_SUFFIXES


def _stage_files(student: str, members: List[Tuple[Path, str]], staging: Path) -> Entry:
    """A folder for a student whose LMS export is loose files (Canvas: one file per upload)."""
    folder = staging / student
    folder.mkdir(parents=True)
    for path, original in members:
        if path.is_symlink() or not path.is_file():
            return Entry(student, path, "unsupported submission %s: expected a regular file" % path.name)
        shutil.copyfile(str(path), str(folder / original))
    return Entry(student, folder)


def extract_class_zip(archive: Path, dest: Path) -> Tuple[Path, Dict[str, Tuple[str, str]]]:
    """Extract a zip of all submissions safely; returns the folder of entries and per-entry problems.

    A member that climbs out (`..`, an absolute path), a symlink, or a file over
    the class zip's cap is not extracted; the student it belongs to gets a
    problem: (status, message). A zip of the folder rather than of its entries
    (one wrapper folder around everything) is unwrapped. Raises
    ArchiveError if the archive itself is unreadable.
    """
    problems: Dict[str, Tuple[str, str]] = {}
    dest.mkdir(parents=True)
    with ZipReader(archive, CLASS_CAPS) as reader:
        members = reader.members()
        wrapper = _wrapper(members)
        for item in members:
            parts = item.parts
            owner = parts[1] if wrapper and len(parts) > 1 else (parts[0] if parts else "")
            problem = _unsafe_member(item)
            if problem is None and not item.is_dir:
                try:
                    data = reader.read(item)  # at most the cap: a member's declared size cannot be trusted
                except MemberRefused as exc:
                    problem = (exc.status, exc.message)
                else:
                    problem = ("oversized file", _too_big(item.name)) if data is None else None
            if problem:
                if owner and owner != ".." and item.escape != "absolute":
                    # The student's folder stays, so that the student gets a row saying why.
                    dest.joinpath(*parts[: 2 if wrapper else 1]).mkdir(parents=True, exist_ok=True)
                    problems[owner] = problem
                else:
                    print("warning: skipped an entry of %s: %s" % (archive.name, problem[1]), file=sys.stderr)
                continue
            target = dest.joinpath(*parts)
            if item.is_dir:
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    return (dest / wrapper if wrapper else dest), problems


def _wrapper(members: List[Member]) -> str:
    """The one folder that wraps every member of a class zip ("" if there is none)."""
    firsts = {item.parts[0] if item.parts else "" for item in members}
    if len(firsts) != 1 or any(len(item.parts) < 2 and not item.is_dir for item in members):
        return ""
    first = firsts.pop()
    # A student's own folder holds .py files at its top; a wrapper holds students' entries.
    if first in ("", "/", "..") or any(len(item.parts) == 2 and item.parts[1].endswith(".py")
                                       and not item.is_dir for item in members):
        return ""
    return first


def _unsafe_member(item: Member) -> Optional[Tuple[str, str]]:
    """(status, message) saying why a class-zip member must not be extracted, or None if it is safe."""
    if item.escape == "absolute":
        return ("unsafe zip", "the zip entry %s has an absolute path; expected paths inside "
                "the student's folder" % item.name)
    if item.escape:
        return ("unsafe zip", "the zip entry %s climbs out of its folder with '..'; expected "
                "paths inside the student's folder" % item.name)
    if item.symlink:
        return ("unsafe zip", "the zip entry %s is a symlink; expected regular files" % item.name)
    if item.size > CLASS_CAPS.member_bytes:
        return ("oversized file", _too_big(item.name))
    return None


def _too_big(name: str) -> str:
    """The message for a file over the class zip's cap."""
    return "file %s is larger than %d MB; a submission holds source files and notebooks" % (
        name, CLASS_CAPS.member_bytes >> 20)
