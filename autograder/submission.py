"""A submission (a folder, a ``.zip``, a ``.ipynb`` or one ``<assignment>.py``) read into memory as the sources of ``assignments``.

Nothing here runs or extracts student files: entries are read by name into
strings, checked, and only later written by the sandbox under names the grader
chooses (``<assignment>.py``). Problems come in two sizes:

- :class:`SubmissionError` (``status``, ``message``) when nothing can be
  graded: a path that does not exist, a corrupt or unsafe zip (an entry that
  climbs out with ``..`` or an absolute path, too many entries), an invalid
  notebook, an empty submission;
- ``Submission.problems``: one assignment's file is missing, a symlink, too
  large, a zip bomb, not UTF-8, an unreadable notebook or Python that does not parse (the
  message names the line; the file stays, for the assignments that import
  it); that assignment scores zero and the others are graded. A submission
  that is one ``<assignment>.py`` holds that assignment only: the others are
  "not submitted".

A zip is read through the one safe reader (``autograder.archive``) and only
the entries that will be graded are read at all, each within its caps.

Where a file is searched: ``<assignment>.py`` at the top of the folder or zip,
or under a folder inside it (the shallowest wins: a zip of the whole
``assignments/`` folder works, and so does a zip of the whole kit, whose
``tinybackprop/`` and ``autograder/`` folders are skipped); if there is no ``.py``, the
``%%writefile <assignment>.py`` cell of ``<assignment>.ipynb``. A notebook
given as the submission itself holds one assignment per such cell. This is
the convention the assignment notebooks teach: a notebook without that cell
holds no code to grade (its other cells are the student's experiments). When
a notebook writes the same file twice, the last cell wins, as when it is run.
"""
from __future__ import annotations

import ast
import json
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Dict, Iterable, List, Optional, Tuple

from autograder.archive import SUBMISSION_CAPS, ArchiveError, MemberRefused, ZipReader
from autograder.suite import ASSIGNMENTS

MAX_FILE_BYTES = SUBMISSION_CAPS.member_bytes  # the largest file of a submission, zipped or not
LOCAL_ASSIGNMENTS = Path(__file__).resolve().parent.parent / "assignments"
KIT_FOLDERS = {"tinybackprop", "autograder"}  # the kit's own packages, never a student's files


class SubmissionError(Exception):
    """A submission that cannot be graded at all: ``status`` is short, ``message`` explains."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Submission:
    """The sources of a submission's assignments, and why any of them could not be read."""

    student: str
    files: Dict[str, str] = field(default_factory=dict)  # "svm.py" -> source
    problems: Dict[str, str] = field(default_factory=dict)  # "svm" -> what is wrong with it


def local_assignments() -> Path:
    """The student's working copy: ``./assignments`` if there is one, else the kit's own folder.

    The current directory comes first so that ``tinybackprop-grade``, installed
    with pip, grades the folder the student is in.
    """
    here = Path.cwd() / "assignments"
    return here if here.is_dir() else LOCAL_ASSIGNMENTS


def load_submission(path: Optional[str] = None) -> Submission:
    """Read a folder, a ``.zip`` or a ``.ipynb`` (None: the local ``assignments/``); raise SubmissionError."""
    target = local_assignments() if path is None else Path(path)
    if not target.exists() and not target.is_symlink():
        raise SubmissionError("missing submission", f"{target} does not exist")
    if target.is_symlink():
        raise SubmissionError("symlink", f"{target} is a symbolic link; submit the folder or file itself")
    if target.is_dir():
        submission = _from_entries(target.name, _folder_entries(target))
    elif target.suffix.lower() == ".zip":
        submission = _from_zip(target)
    elif target.suffix.lower() == ".ipynb":
        submission = _from_notebook(target)
    elif target.suffix == ".py":
        submission = _from_file(target)
    else:
        raise SubmissionError("unsupported submission",
                              f"{target.name} is not a folder, a .zip or a .ipynb, nor an assignment's .py file")
    if not submission.files:
        missing = [a for a in ASSIGNMENTS if a not in submission.problems]
        if len(missing) == len(ASSIGNMENTS):
            raise SubmissionError("empty submission", f"{target.name} contains none of the files "
                                  + ", ".join(a + ".py" for a in ASSIGNMENTS))
    for assignment in ASSIGNMENTS:
        if assignment + ".py" not in submission.files and assignment not in submission.problems:
            submission.problems[assignment] = f"{assignment}.py is missing from the submission"
        elif assignment + ".py" in submission.files and assignment not in submission.problems:
            problem = parse_problem(assignment + ".py", submission.files[assignment + ".py"])
            if problem:
                submission.problems[assignment] = problem
    return submission


def parse_problem(name: str, source: str) -> str:
    """Why a file's Python does not parse, with its line and a caret ("" when it parses); nothing runs."""
    try:
        # Python reads a UTF-8 byte order mark before the first line as no character at all.
        ast.parse(source[1:] if source.startswith("\ufeff") else source, name)
    except SyntaxError as exc:
        line = (exc.text or "").rstrip("\r\n")
        shown = line.strip()
        where = f"{name} does not parse: {exc.msg} (line {exc.lineno})"
        if not shown:
            return where
        caret = ""
        if exc.offset and 0 < exc.offset - (len(line) - len(line.lstrip())) <= len(shown) + 1:
            caret = "\n    " + " " * (exc.offset - 1 - (len(line) - len(line.lstrip()))) + "^"
        return f"{where}:\n    {shown}{caret}"
    except (ValueError, RecursionError, MemoryError) as exc:  # a NUL byte; nesting too deep to read
        return f"{name} does not parse: {exc or type(exc).__name__}"
    return ""


def _from_file(path: Path) -> Submission:
    """One assignment's file given as the submission: that assignment, the others not submitted."""
    assignment = path.stem
    if assignment not in ASSIGNMENTS:
        raise SubmissionError("unsupported submission", f"{path.name} is not an assignment's file: expected "
                              + ", ".join(a + ".py" for a in ASSIGNMENTS))
    submission = Submission(assignment)
    _read_entry(submission, assignment, ((path.name,), False, path.stat().st_size, path.read_bytes), ".py")
    for other in ASSIGNMENTS:
        if other != assignment:
            submission.problems[other] = f"not submitted (the submission is {path.name} alone)"
    return submission


# An entry is (relative path parts, is a symlink, size in bytes, a function reading its bytes, which
# returns None for more than MAX_FILE_BYTES and may raise MemberRefused).
Entry = Tuple[Tuple[str, ...], bool, int, object]


def _folder_entries(folder: Path) -> List[Entry]:
    """The candidate files of a folder, three levels deep (symlinks are reported, never followed)."""
    entries = []
    wanted = {a + ext for a in ASSIGNMENTS for ext in (".py", ".ipynb")}
    for directory, subdirs, names in os.walk(folder):
        depth = len(Path(directory).relative_to(folder).parts)
        subdirs[:] = sorted(d for d in subdirs if depth < 2 and not d.startswith("."))
        for name in sorted(set(names) & wanted):
            candidate = Path(directory) / name
            parts = candidate.relative_to(folder).parts
            if candidate.is_symlink():
                entries.append((parts, True, 0, None))
            elif candidate.is_file():
                entries.append((parts, False, candidate.stat().st_size, candidate.read_bytes))
    return entries


def _from_zip(archive: Path) -> Submission:
    """The assignments of a zip, refusing one that is corrupt or has an unsafe entry; only the entries
    picked for grading are read."""
    try:
        with ZipReader(archive, SUBMISSION_CAPS) as reader:
            entries = []
            for item in reader.members():
                if item.escape:
                    raise SubmissionError("unsafe zip", f"{archive.name} has the entry {item.name!r}, "
                                          "which points outside the archive (.. or an absolute path)")
                if not item.is_dir:
                    entries.append((item.parts, item.symlink, item.size, lambda item=item: reader.read(item)))
            return _from_entries(archive.stem, entries)
    except ArchiveError as exc:
        raise SubmissionError(exc.status, exc.message) from None


def _from_entries(student: str, entries: Iterable[Entry]) -> Submission:
    """Pick each assignment's shallowest ``.py`` (else ``.ipynb``) entry and read it.

    Files inside a ``tinybackprop/`` or ``autograder/`` folder are the kit's own code
    (a student who zips the whole kit sends ``tinybackprop/gates.py`` too): never the
    submission. Of equally shallow files, one in an ``assignments/`` folder wins.
    """
    submission = Submission(student)
    entries = [e for e in entries if not KIT_FOLDERS & set(e[0][:-1])]
    for assignment in ASSIGNMENTS:
        for ext in (".py", ".ipynb"):
            matches = sorted((e for e in entries if e[0] and e[0][-1] == assignment + ext),
                             key=lambda e: (len(e[0]), "assignments" not in e[0][:-1]))
            if matches:
                _read_entry(submission, assignment, matches[0], ext)
                break
    return submission


def _read_entry(submission: Submission, assignment: str, entry: Entry, ext: str) -> None:
    """Read one entry into ``submission.files`` or record why it cannot be used."""
    parts, symlink, size, read = entry
    shown = "/".join(parts)
    if symlink:
        submission.problems[assignment] = f"{shown} is a symbolic link; submit the file itself"
        return
    if size > MAX_FILE_BYTES:
        submission.problems[assignment] = (f"{shown} is {size} bytes; files over "
                                           f"{MAX_FILE_BYTES} bytes are not accepted")
        return
    try:
        data = read()
    except MemberRefused as exc:
        submission.problems[assignment] = exc.message
        return
    if data is None:  # larger than its archive said
        submission.problems[assignment] = f"{shown} is over {MAX_FILE_BYTES} bytes; such files are not accepted"
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        submission.problems[assignment] = (f"{shown} is not UTF-8 text (byte {exc.start}); "
                                           "save it as UTF-8")
        return
    if ext == ".py":
        submission.files[assignment + ".py"] = text
        return
    try:
        written = writefile_cells(notebook_code_cells(text))
    except SubmissionError as exc:
        submission.problems[assignment] = f"{shown}: {exc.message}"
        return
    if assignment + ".py" in written:
        submission.files[assignment + ".py"] = written[assignment + ".py"]
    else:
        submission.problems[assignment] = (f"{assignment}.py is missing, and {shown} has no cell "
                                           f"that starts with %%writefile {assignment}.py")


def notebook_code_cells(text: str) -> List[str]:
    """The sources of a notebook's code cells, read with nbformat (raise SubmissionError if invalid)."""
    try:
        import nbformat
    except ImportError:
        nbformat = None
    try:
        if nbformat is not None:
            notebook = nbformat.reads(text, as_version=4)
        else:
            notebook = json.loads(text)
        return [cell.get("source", "") if isinstance(cell.get("source", ""), str)
                else "".join(cell["source"])
                for cell in notebook.get("cells", []) if cell.get("cell_type") == "code"]
    except Exception as exc:  # nbformat raises its own JSON and validation errors
        raise SubmissionError("invalid notebook", f"not a valid notebook ({type(exc).__name__}: "
                              f"{str(exc).splitlines()[0] if str(exc) else ''})") from None


def writefile_cells(cells: Iterable[str]) -> Dict[str, str]:
    """The assignment files that ``%%writefile <assignment>.py`` cells write (the last one wins)."""
    files = {}
    for cell in cells:
        lines = cell.lstrip().splitlines()
        head = lines[0].split() if lines else []
        if len(head) >= 2 and head[0] == "%%writefile":
            name = PurePosixPath(head[-1]).name
            if name.endswith(".py") and name[:-3] in ASSIGNMENTS:
                files[name] = "\n".join(lines[1:]) + "\n"
    return files


def _from_notebook(path: Path) -> Submission:
    """A notebook given as the submission: its ``%%writefile <assignment>.py`` cells."""
    size = path.stat().st_size
    if size > 20 * MAX_FILE_BYTES:
        raise SubmissionError("oversized file", f"{path.name} is {size} bytes; too large to grade")
    data = path.read_bytes()
    try:
        cells = notebook_code_cells(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise SubmissionError("invalid notebook", f"{path.name} is not UTF-8 text") from None
    except SubmissionError as exc:
        raise SubmissionError(exc.status, f"{path.name} is {exc.message}") from None
    files = writefile_cells(cells)
    if not files:
        raise SubmissionError("empty submission", f"{path.name} has no cell that starts with "
                              "%%writefile <assignment>.py (for example %%writefile svm.py), "
                              "so it holds no code to grade")
    return Submission(path.stem, files)
