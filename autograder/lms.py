"""A class's submissions as an LMS (Canvas, Moodle) or an instructor hands them over: one per student id.

The batch takes a folder, or one zip of it, with one entry per student: a
folder, a .zip or a notebook, named by the student id. Canvas and Moodle
name their downloads otherwise (``--lms canvas|moodle``): the id is read out
of their names, and whatever one student uploaded is gathered into one entry.
Nothing a student sent is lost on the way:

- any number of uploads: each assignment is taken from the latest upload that
  holds it (Canvas numbers uploads and re-uploads), and the uploads not
  graded are listed in the entry's ``notes``;
- a zip or a notebook of any name inside a student's folder is read (with
  the grader's own reader, ``autograder.submission``; the folder's own files
  win over what its zips hold), and Moodle's online-text folder is merged
  with the file folder of the same student;
- a name that is not UTF-8 becomes an id with the odd bytes escaped
  (``caf\\xe9``), never a crash; an entry that cannot be graded is an Entry
  with the reason, which becomes a row of the gradebook.

A student whose files must be gathered gets a folder under ``staging``,
holding each assignment under the name the grader looks for. A class zip is
extracted with the one safe reader (``autograder.archive``): a member that
climbs out, a symlink, an oversized file or a zip bomb is never written, and its student
gets a row saying why.
"""
from __future__ import annotations

import csv
import os
import re
import shutil
import sys
import traceback
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from autograder.archive import CLASS_CAPS, Member, MemberRefused, ZipReader
from autograder.submission import KIT_FOLDERS, Submission, SubmissionError, load_submission
from autograder.suite import ASSIGNMENTS

SUBMISSION_SUFFIXES = (".zip", ".ipynb")
JUNK = ("__MACOSX",)
# Canvas "Download Submissions": lastfirst[_LATE]_<user id>_<attachment id>_<original name>,
# where a re-upload gets "-1", "-2" before the extension of the original name.
CANVAS_NAME = re.compile(r"^(?P<name>[^_]+)(?P<late>_late)?_(?P<id>\d+)_(?P<upload>\d+)_(?P<file>.+)$",
                         re.IGNORECASE)
# Moodle "Download all submissions": "<Full Name>_<participant id>_assignsubmission_<plugin>_"
# (a folder per student and plugin: file, onlinetext), or that prefix before each file's name.
MOODLE_NAME = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_?(?P<file>.*)$")
CANVAS_REUPLOAD = re.compile(r"-(?P<n>\d+)(?=\.[^.]+$)")
MOODLE_PARTICIPANT = "Participant "  # how Moodle's grading worksheet names a participant id
MOODLE_DATES = ("%A, %d %B %Y, %I:%M %p", "%A, %d %B %Y, %H:%M", "%Y-%m-%dT%H:%M:%S")
FOLDER_DEPTH = 3  # how deep a student's folder is searched for files
# Folders of a student's upload that hold no work of theirs: the kit's own packages, Python's caches.
SKIPPED_FOLDERS = tuple(sorted(KIT_FOLDERS)) + ("__pycache__",)


@dataclass
class Entry:
    """One student's submission: an id, a path to grade, or the problem that stops grading it."""

    student: str
    path: Path
    problem: str = ""  # why it cannot be graded ("" if it can)
    status: str = "unsupported submission"  # the gradebook status when it cannot
    name: str = ""  # the student's name as the LMS wrote it ("" if it did not)
    late: bool = False  # the LMS flagged the submission late (Canvas's LATE)
    submitted: str = ""  # when it was submitted (ISO 8601), where the export says
    notes: List[str] = field(default_factory=list)  # uploads not graded, and why

    def intake(self) -> Dict[str, object]:
        """What the gradebook keeps of the intake: the name, the late flag, the time and the notes."""
        return {"name": self.name, "late": self.late, "submitted": self.submitted, "notes": list(self.notes)}


@dataclass(frozen=True)
class Upload:
    """One thing the LMS handed over for a student: a file or folder, and when it came."""

    path: Path
    original: str  # its name as the student uploaded it ("" when the LMS gave none)
    order: Tuple[int, int]  # (upload number, re-upload number): later uploads sort last
    name: str  # the student's name in the LMS's file name
    late: bool


def readable(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 escaped as \\xNN, so the name can be an id."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def read_name(name: str, lms: str, is_file: bool = False) -> Tuple[str, Upload]:
    """(student id, upload) read from an entry's name as the LMS wrote it (its path left empty);
    without an LMS the id is the name of a folder, or of a file without its extension."""
    text = readable(name)
    if lms == "canvas":
        match = CANVAS_NAME.match(text)
        if match:
            original = match.group("file")
            again = CANVAS_REUPLOAD.search(original)
            order = (int(match.group("upload")), int(again.group("n")) if again else 0)
            return match.group("id"), Upload(Path(), CANVAS_REUPLOAD.sub("", original), order,
                                             match.group("name"), bool(match.group("late")))
    elif lms == "moodle":
        match = MOODLE_NAME.match(text)
        if match:
            return match.group("id"), Upload(Path(), match.group("file"), (0, 0), match.group("name"), False)
    stem = text[: -len(Path(text).suffix)] if is_file and Path(text).suffix else text
    return stem, Upload(Path(), "", (0, 0), "", False)


def find_submissions(root: Path, staging: Path, lms: str = "none") -> List[Entry]:
    """One Entry per student in the folder root (sorted by id); gathered files go to staging."""
    groups: Dict[str, List[Upload]] = {}
    for path in sorted(root.iterdir()):
        if path.name.startswith(".") or path.name in JUNK:
            continue
        student, upload = read_name(path.name, lms, path.is_file() or path.is_symlink())
        groups.setdefault(student, []).append(
            Upload(path, upload.original, upload.order, upload.name, upload.late))
    entries = []
    for student, uploads in sorted(groups.items()):
        try:
            entry = gather(student, sorted(uploads, key=lambda u: (u.order, u.path.name)), staging)
        except Exception:  # a bug of the intake must cost one row, not the batch: the row says so
            lines = traceback.format_exc().strip().splitlines()
            entry = Entry(student, uploads[0].path, "the grader could not read this entry (%s)" % lines[-1],
                          "grader error")
        entry.name = next((u.name for u in reversed(uploads) if u.name), "")
        entry.late = any(u.late for u in uploads)
        entries.append(entry)
    return entries


def gather(student: str, uploads: List[Upload], staging: Path) -> Entry:
    """The Entry of one student's uploads (oldest first): as it is when the grader reads it, else staged."""
    if len(uploads) == 1:
        path = uploads[0].path
        if path.is_symlink() or (path.is_file() and path.suffix.lower() in SUBMISSION_SUFFIXES):
            return Entry(student, path)  # the grader reads any zip or notebook (and refuses a symlink)
        if path.is_dir() and not _inside(path)[0] and _grader_reads(path):
            return Entry(student, path)
    files, notes, problems = _collect(uploads)
    if not files:
        shown = ", ".join(readable(u.path.name) for u in uploads)
        if problems:
            status, message = problems[-1]
        elif any(u.path.is_dir() for u in uploads):
            status, message = "empty submission", "%s holds no file to grade (%s.py, or a notebook or a zip " \
                "holding them)" % (shown, ".py, ".join(ASSIGNMENTS))
        else:
            status, message = "unsupported submission", "unsupported submission %s: expected a folder, " \
                "a .zip, a .ipynb or %s.py" % (shown, ".py, ".join(ASSIGNMENTS))
        entry = Entry(student, uploads[0].path, message, status)
        entry.notes = notes
        return entry
    folder = staging / student
    if folder.exists():
        shutil.rmtree(str(folder))
    folder.mkdir(parents=True)
    for name, (data, _) in files.items():
        (folder / name).write_bytes(data)
    entry = Entry(student, folder)
    entry.notes = notes + ["%s: %s" % (status, message) for status, message in problems]
    return entry


def _grader_reads(folder: Path) -> bool:
    """True when the grader finds something to grade in the folder as it is (or refuses it itself)."""
    try:
        load_submission(str(folder))
    except SubmissionError as exc:
        return exc.status != "empty submission"
    return True


def _collect(uploads: List[Upload]) -> Tuple[Dict[str, Tuple[bytes, str]], List[str], List[Tuple[str, str]]]:
    """Each assignment file from the latest upload holding it: ({"svm.py": (bytes, from)}, notes, problems).

    The notes list each file that was not graded and why (an older version,
    not a file the grader reads); problems are (status, message) of uploads
    that could not be read at all (a corrupt zip, an invalid notebook).
    """
    files: Dict[str, Tuple[bytes, str]] = {}
    notes: List[str] = []
    problems: List[Tuple[str, str]] = []
    for upload in uploads:
        for path, shown, original in _files_of(upload):
            for name, data in _assignment_files(path, shown, original, notes, problems).items():
                if name in files:
                    notes.append("%s: its %s not graded (the one from %s is)" % (files[name][1], name, shown))
                files[name] = (data, shown)
    return files, notes, problems


def _files_of(upload: Upload) -> List[Tuple[Path, str, str]]:
    """What one upload holds, each as (path, name shown in notes, name as the student gave it): a
    file; or a folder's files the grader does not read itself, then the folder (read as the grader
    reads a submission, so its own files come last and win)."""
    shown = readable(upload.path.name)
    if not upload.path.is_dir() or upload.path.is_symlink():
        return [(upload.path, shown, upload.original or shown)]
    extras, others = _inside(upload.path)
    named = [(path, readable(str(path.relative_to(upload.path.parent))), readable(path.name))
             for path in others + extras]
    return named + [(upload.path, shown, "")]


def _inside(folder: Path) -> Tuple[List[Path], List[Path]]:
    """A folder's zips and notebooks the grader would not read itself, and its files it cannot read."""
    readable_names = {a + ext for a in ASSIGNMENTS for ext in (".py", ".ipynb")}
    extras, others = [], []
    for directory, subdirs, names in os.walk(str(folder)):
        depth = len(Path(directory).relative_to(folder).parts)
        subdirs[:] = sorted(d for d in subdirs if depth + 1 < FOLDER_DEPTH and not d.startswith(".")
                            and d not in JUNK + SKIPPED_FOLDERS)
        for name in sorted(names):
            path = Path(directory) / name
            if name.startswith(".") or name in readable_names:
                continue
            (extras if path.suffix.lower() in SUBMISSION_SUFFIXES else others).append(path)
    return extras, others


def _assignment_files(path: Path, shown: str, original: str, notes: List[str],
                      problems: List[Tuple[str, str]]) -> Dict[str, bytes]:
    """The assignment files one uploaded file holds ({"svm.py": bytes}); what it cannot give goes to notes."""
    name = CANVAS_REUPLOAD.sub("", original)
    if path.is_symlink():
        notes.append("%s: a symbolic link, not graded" % shown)
        return {}
    if path.is_dir():
        try:
            submission = load_submission(str(path))
        except SubmissionError as exc:
            if exc.status != "empty submission":  # a folder of zips alone is empty to the grader
                problems.append((exc.status, "%s: %s" % (shown, exc.message)))
            return {}
        return _texts(submission, shown, notes)
    if name[:-3] in ASSIGNMENTS and name.endswith(".py"):
        # The bytes as they are: the grader itself says if a file is not UTF-8 or too large.
        return {name: path.read_bytes()}
    if path.suffix.lower() not in SUBMISSION_SUFFIXES:
        notes.append("%s: not a file the grader reads (%s.py, a notebook or a zip), not graded"
                     % (shown, ".py, ".join(ASSIGNMENTS)))
        return {}
    try:
        submission = load_submission(str(path))
    except SubmissionError as exc:
        problems.append((exc.status, "%s: %s" % (shown, exc.message)))
        return {}
    return _texts(submission, shown, notes)


def _texts(submission: Submission, shown: str, notes: List[str]) -> Dict[str, bytes]:
    """The files of a submission read by the grader, its problems (but a missing file) into notes."""
    notes.extend("%s: %s" % (shown, why) for why in submission.problems.values()
                 if not why.endswith("is missing from the submission"))
    return {name: text.encode("utf-8") for name, text in submission.files.items()}


def read_worksheet(path: Path) -> Dict[str, Tuple[str, str]]:
    """Moodle's grading worksheet (a CSV) as {participant id: (full name, submission time as ISO 8601)}.

    The worksheet's "Last modified (submission)" is Moodle's English date
    ("Wednesday, 5 March 2025, 11:59 PM", in the site's time zone) or "-"
    when nothing was submitted. ValueError names the file and the row when a
    column is missing or a date cannot be read.
    """
    found: Dict[str, Tuple[str, str]] = {}
    with open(str(path), newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = {"Identifier", "Last modified (submission)"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError("%s: no column %s; expected Moodle's grading worksheet (Download grading "
                             "worksheet)" % (path.name, ", ".join(sorted(missing))))
        for number, row in enumerate(reader, start=2):
            participant = (row.get("Identifier") or "").strip()
            if not participant.startswith(MOODLE_PARTICIPANT):
                continue
            when = (row.get("Last modified (submission)") or "").strip()
            found[participant[len(MOODLE_PARTICIPANT):]] = (
                (row.get("Full name") or "").strip(), _moodle_time(when, path.name, number) if when != "-" else "")
    return found


def _moodle_time(text: str, name: str, number: int) -> str:
    """A date of Moodle's worksheet as ISO 8601 (no time zone: the site's own)."""
    for pattern in MOODLE_DATES:
        try:
            return datetime.strptime(text, pattern).isoformat()
        except ValueError:
            continue
    raise ValueError("%s, line %d: cannot read the date %r; expected Moodle's English format such as "
                     "'Wednesday, 5 March 2025, 11:59 PM'" % (name, number, text))


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
