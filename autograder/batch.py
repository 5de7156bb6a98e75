"""Batch grading: a whole class graded in parallel into a gradebook that never loses a grade.

    python -m autograder batch SUBMISSIONS --out DIR [--jobs N] [--resume] [--seed S]

SUBMISSIONS is a folder (or one .zip of it) with one entry per student: a
folder, a .zip or a notebook, named by the student id (`--lms canvas|moodle`
reads the ids out of those systems' download names instead).

Design:
- Each submission is graded by `grade_submission` in its own worker process
  (processes, not threads: the reference computations in the parent are
  CPU-bound Python). A worker that crashes or hangs costs only its own
  submission: it is killed, the row says "grader error", and the batch goes on.
- Only the batch process writes into DIR, and every file is written to a
  temporary name and renamed, so a kill at any moment leaves whole files.
  `results/<id>.json` is written the moment a student is graded and carries the
  student's gradebook record; `grades.csv` and the summary are rebuilt from
  those records, so they can always be recovered.
- Each record carries a key: a hash of the submission's bytes, the student's
  seed, the configuration and the options. `--resume` re-grades only students
  whose key changed or who have no (or no final) record. Each student's seed is
  derived from the batch seed and the student id, and the batch seed is kept in
  `DIR/batch.json`, so a resumed batch draws the same inputs as an
  uninterrupted one and ends with the same grades.csv.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import stat
import sys
import tempfile
import time
import traceback
import zipfile
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from autograder.gradebook import (
    RECORD_KEY,
    StudentRecord,
    atomic_write,
    grades_csv,
    read_record,
    record_from_result,
    summary_text,
)
from autograder.suite import ASSIGNMENTS

# A file larger than this, inside a class zip, is not extracted (the grader refuses it anyway).
MAX_MEMBER_BYTES = 100 * 1024 * 1024
# A safety net above the grader's own per-submission limit: a worker stuck for this many times
# that limit (plus a margin for start-up) is killed.
WORKER_TIMEOUT_FACTOR, WORKER_TIMEOUT_MARGIN = 3.0, 30.0
SUBMISSION_SUFFIXES = (".zip", ".ipynb")


@dataclass
class Entry:
    """One student's submission: an id, a path to grade, or the problem that stops grading it."""

    student: str
    path: Path
    problem: str = ""  # why it cannot be graded ("" if it can)
    status: str = "unsupported submission"  # the gradebook status when it cannot


# --- finding the submissions and the student ids ---------------------------------------------

# Canvas "Download Submissions": lastfirst[_LATE]_<user id>_<submission id>_<original name>,
# where a re-upload gets "-1", "-2" before the extension of the original name.
CANVAS_NAME = re.compile(r"^[^_]+(?:_late)?_(?P<id>\d+)_\d+_(?P<file>.+)$", re.IGNORECASE)
# Moodle "Download all submissions": "<Full Name>_<participant id>_assignsubmission_file_"
# (a folder per student), or the same prefix before each file name without folders.
MOODLE_NAME = re.compile(r"^.+?_(?P<id>\d+)_assignsubmission_[a-z]+_?(?P<file>.*)$")
CANVAS_REUPLOAD = re.compile(r"-\d+(?=\.[^.]+$)")


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

    An entry that climbs out (`..`, an absolute path), a symlink, or a file over
    MAX_MEMBER_BYTES is not extracted; the student it belongs to gets a
    problem: (status, message). A zip of the folder rather than of its entries
    (one wrapper folder around everything) is unwrapped. Raises
    zipfile.BadZipFile if the archive itself is unreadable.
    """
    problems: Dict[str, Tuple[str, str]] = {}
    dest.mkdir(parents=True)
    with zipfile.ZipFile(str(archive)) as zf:
        infos = [i for i in zf.infolist() if not i.filename.startswith("__MACOSX/")]
        paths = [i.filename.replace("\\", "/").split("/") for i in infos]
        wrapper = _wrapper(paths)
        for info, parts in zip(infos, paths):
            owner = parts[1] if wrapper and len(parts) > 1 else parts[0]
            problem = _unsafe_member(info, parts)
            if problem:
                if owner and owner != ".." and ":" not in owner:
                    # The student's folder stays, so that the student gets a row saying why.
                    dest.joinpath(*parts[: 2 if wrapper else 1]).mkdir(parents=True, exist_ok=True)
                    problems[owner] = problem
                else:
                    print("warning: skipped an entry of %s: %s" % (archive.name, problem[1]), file=sys.stderr)
                continue
            target = dest.joinpath(*[p for p in parts if p])
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(str(target), "wb") as out:
                # Copy at most the cap: a member's declared size cannot be trusted.
                out.write(src.read(MAX_MEMBER_BYTES + 1))
            if target.stat().st_size > MAX_MEMBER_BYTES:
                target.unlink()
                problems[owner] = ("oversized file", _too_big(info.filename))
    return (dest / wrapper if wrapper else dest), problems


def _wrapper(paths: List[List[str]]) -> str:
    """The one folder that wraps every entry of a class zip ("" if there is none)."""
    firsts = {parts[0] for parts in paths}
    if len(firsts) != 1 or any(len(parts) < 2 for parts in paths):
        return ""
    first = firsts.pop()
    # A student's own folder holds .py files at its top; a wrapper holds students' entries.
    if first in ("", "..") or any(len(parts) == 2 and parts[1].endswith(".py") for parts in paths):
        return ""
    return first


def _unsafe_member(info: zipfile.ZipInfo, parts: List[str]) -> Optional[Tuple[str, str]]:
    """(status, message) saying why a class-zip member must not be extracted, or None if it is safe."""
    name = info.filename
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return ("unsafe zip", "the zip entry %s has an absolute path; expected paths inside "
                "the student's folder" % name)
    if ".." in parts:
        return ("unsafe zip", "the zip entry %s climbs out of its folder with '..'; expected "
                "paths inside the student's folder" % name)
    if stat.S_ISLNK(info.external_attr >> 16):
        return ("unsafe zip", "the zip entry %s is a symlink; expected regular files" % name)
    if info.file_size > MAX_MEMBER_BYTES:
        return ("oversized file", _too_big(name))
    return None


def _too_big(name: str) -> str:
    """The message for a file over the size limit."""
    return "file %s is larger than %d MB; a submission holds source files and notebooks" % (
        name, MAX_MEMBER_BYTES >> 20)


# --- fingerprints, seeds and keys ------------------------------------------------------------


def fingerprint(path: Path) -> str:
    """A sha256 of a submission: a file's bytes, or a folder's names, link targets and bytes."""
    digest = hashlib.sha256()
    if path.is_dir() and not path.is_symlink():
        for folder, dirs, files in os.walk(str(path)):
            dirs.sort()
            for name in sorted(files) + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
                full = os.path.join(folder, name)
                digest.update(os.path.relpath(full, str(path)).encode("utf-8", "surrogateescape") + b"\0")
                _hash_file(Path(full), digest)
    else:
        _hash_file(path, digest)
    return digest.hexdigest()


def _hash_file(path: Path, digest: Any) -> None:
    """Feed one file (or a symlink's target name, never followed) into digest."""
    if path.is_symlink():
        digest.update(b"link:" + os.readlink(str(path)).encode("utf-8", "surrogateescape"))
        return
    with open(str(path), "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)


def student_seed(batch_seed: int, student: str) -> int:
    """The seed of one student's hidden inputs: fixed by the batch seed and the id alone."""
    text = "%d/%s" % (batch_seed, student)
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16)


def config_fingerprint(config: Optional[str]) -> str:
    """A sha256 of the configuration file in use (the instructor's, or the shipped default)."""
    path = Path(config) if config else Path(__file__).resolve().parent / "config.toml"
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "none"


# --- grading in worker processes ---------------------------------------------------------------


def grade_worker(conn: Any, job: Dict[str, Any]) -> None:
    """Run in a worker process: grade one submission and send back plain JSON (never a pickle)."""
    # Ctrl-C (which reaches the whole process group) or the batch's SIGTERM make a worker leave
    # through the grader's own clean-up: its sandboxes are killed and their folders deleted.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda signum, frame: sys.exit(128 + signum))
    try:
        from autograder.config import load_config
        from autograder.grade import grade_submission

        config = load_config(job["config"]) if job["config"] else None
        result = grade_submission(
            job["path"], only=job["only"], public_only=job["public_only"], seed=job["seed"], config=config
        )
        record = record_from_result(job["student"], job["key"], result)
        payload = {
            "results": result.to_results_json(),
            "feedback": result.to_markdown(job["hidden_details"]),
            "record": record.to_json(),
        }
    except Exception:  # a grader bug must cost one row, not the batch: the parent records it
        payload = {"error": traceback.format_exc()}
    conn.send_bytes(json.dumps(payload).encode("utf-8"))
    conn.close()


def _context() -> Any:
    """The multiprocessing context: a fork server (cheap, and safe beside the progress thread)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        # Imported once in the server, so that no worker pays for the grader and its suites again.
        suites = ["autograder.%s.%s" % (kind, a) for kind in ("public", "reference", "hidden")
                  for a in ASSIGNMENTS]
        ctx.set_forkserver_preload(["autograder.grade", "autograder.batch", "autograder.markdown"] + suites)
        return ctx
    return multiprocessing.get_context("spawn")


def run_pool(
    jobs: Sequence[Dict[str, Any]],
    workers: int,
    on_done: Callable[[Dict[str, Any], Dict[str, Any]], None],
    worker_timeout: float,
) -> None:
    """Grade jobs with at most `workers` processes at once, calling on_done(job, payload) for each.

    A worker that dies or outlives worker_timeout is killed and reported as
    {"error": ...}; the others go on.
    """
    ctx = _context()
    pending = deque(jobs)
    running: Dict[Any, Tuple[Dict[str, Any], Any, float]] = {}
    try:
        while pending or running:
            while pending and len(running) < workers:
                job = pending.popleft()
                receiver, sender = ctx.Pipe(duplex=False)
                process = ctx.Process(target=grade_worker, args=(sender, job), name="grade-" + job["student"])
                process.start()
                sender.close()  # so the receiver sees EOF if the worker dies
                running[receiver] = (job, process, time.monotonic())
            # Wake up no later than the first worker's deadline, so the watchdog is on time.
            first_deadline = min(started for _, _, started in running.values()) + worker_timeout
            for receiver in wait(list(running), timeout=min(1.0, max(0.0, first_deadline - time.monotonic()))):
                job, process, _ = running.pop(receiver)
                try:
                    payload = json.loads(receiver.recv_bytes().decode("utf-8"))
                except (EOFError, OSError, ValueError):
                    process.join(5)
                    payload = {"error": "the grading process died (exit code %s)" % process.exitcode}
                receiver.close()
                _stop(process)
                on_done(job, payload)
            now = time.monotonic()
            for receiver, (job, process, started) in list(running.items()):
                if now - started > worker_timeout:
                    del running[receiver]
                    receiver.close()
                    _stop(process)
                    on_done(job, {"error": "grading took longer than %g s and was stopped" % worker_timeout})
    finally:
        for receiver, (_, process, _) in running.items():
            receiver.close()
            _stop(process)


def _stop(process: Any) -> None:
    """Make sure a worker process is gone: asked to stop (so it cleans up), then killed."""
    process.join(1)
    if process.is_alive():
        process.terminate()
        process.join(5)
    if process.is_alive():
        process.kill()
        process.join()


# --- the batch -------------------------------------------------------------------------------


class Batch:
    """One batch run: the output folder, the records so far, and what each finished job writes."""

    def __init__(self, out: Path, students: List[str]):
        self.out = out
        self.students = students
        self.records: Dict[str, StudentRecord] = {}

    def load_existing(self) -> None:
        """Read the records of students already graded in out/results (for --resume)."""
        for student in self.students:
            record = read_record(self.results_path(student))
            if record is not None and record.student == student:
                self.records[student] = record

    def results_path(self, student: str) -> Path:
        """Where a student's results.json goes."""
        return self.out / "results" / (student + ".json")

    def up_to_date(self, student: str, key: str) -> bool:
        """True when the student has a final record graded with this key."""
        record = self.records.get(student)
        return record is not None and record.key == key and record.final

    def finish(self, job: Dict[str, Any], payload: Dict[str, Any]) -> StudentRecord:
        """Write one student's files at once (results, feedback, gradebook) and return the record."""
        student = job["student"]
        if "error" in payload:
            # The last line of a traceback says what failed; the whole of it goes to the log.
            lines = [line for line in payload["error"].splitlines() if line.strip()] or ["unknown failure"]
            record = StudentRecord(student, job["key"], "grader error", lines[-1], 0.0, 0.0)
            atomic_write(self.out / "logs" / (student + ".log"), payload["error"])
            self._save(record, _results_json(record, "The grader failed on this submission; "
                                                     "it will be graded again."), None)
        else:
            record = StudentRecord.from_json(payload["record"])
            self._save(record, dict(payload["results"]), payload["feedback"])
        self.write_gradebook()
        return record

    def refuse(self, entry: Entry, key: str) -> StudentRecord:
        """Record a submission that cannot be graded at all (e.g. a loose file), with a zero."""
        record = StudentRecord(entry.student, key, entry.status, entry.problem, 0.0, 0.0)
        self._save(record, _results_json(record, entry.problem), "# %s\n\n%s\n" % (entry.student, entry.problem))
        return record

    def _save(self, record: StudentRecord, results: Dict[str, Any], feedback: Optional[str]) -> None:
        """Write a student's results.json (with the record inside) and feedback, and keep the record."""
        if feedback is not None:
            atomic_write(self.out / "feedback" / (record.student + ".md"), feedback)
        results[RECORD_KEY] = record.to_json()
        atomic_write(self.results_path(record.student), json.dumps(results, indent=1, sort_keys=True))
        self.records[record.student] = record

    def write_gradebook(self) -> None:
        """Rewrite grades.csv from the records of this batch's students."""
        records = [self.records[s] for s in self.students if s in self.records]
        atomic_write(self.out / "grades.csv", grades_csv(records))

    def summary(self) -> str:
        """The class summary of this batch's students."""
        return summary_text([self.records[s] for s in self.students if s in self.records])


class BatchProgress:
    """The batch's progress: a rich bar (done, failed, rate, time left), or plain lines off a terminal."""

    def __init__(self, total: int, done: int):
        self.total, self.done, self.failed, self.graded_now = total, done, 0, 0
        self.started = time.monotonic()
        self.bar: Any = None
        try:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
        except ImportError:  # rich is the grader extra; without it the plain lines still say everything
            return
        console = Console(stderr=True)
        if console.is_terminal:
            self.bar = Progress(
                TextColumn("grading"), BarColumn(), MofNCompleteColumn(),
                TextColumn("failed {task.fields[failed]}"), TextColumn("{task.fields[rate]}/min"),
                TimeRemainingColumn(), console=console,
            )
            self.task = self.bar.add_task("grading", total=total, completed=done, failed=0, rate="-")

    def __enter__(self) -> "BatchProgress":
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.stop()

    def advance(self, record: StudentRecord) -> None:
        """Count one finished student."""
        self.done += 1
        self.graded_now += 1
        self.failed += record.status != "graded"
        rate = 60.0 * self.graded_now / max(time.monotonic() - self.started, 1e-9)
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done, failed=self.failed, rate="%.1f" % rate)
        else:
            print("[%d/%d] %s: %g of %g, %s" % (self.done, self.total, record.student, round(record.score, 2),
                                              round(record.max_score, 2), record.status), file=sys.stderr)


def _results_json(record: StudentRecord, output: str) -> Dict[str, Any]:
    """A results.json (Gradescope schema) for a submission that was not graded."""
    return {"score": 0.0, "max_score": record.max_score, "output": output, "tests": []}


def batch_seed(out: Path, seed: Optional[int], resume: bool) -> int:
    """The batch seed: --seed, else the one a resumed batch stored, else a fresh one (then stored)."""
    state = out / "batch.json"
    if seed is None and resume and state.exists():
        try:
            seed = int(json.loads(state.read_text(encoding="utf-8"))["seed"])
        except (ValueError, KeyError, TypeError):
            seed = None
    if seed is None:
        seed = secrets.randbelow(2 ** 31)
    atomic_write(state, json.dumps({"seed": seed}) + "\n")
    return seed


def make_jobs(
    entries: List[Entry], seed: int, args: argparse.Namespace
) -> List[Tuple[Entry, Dict[str, Any]]]:
    """The job of each entry: what the worker needs, and the key that says if it must be re-graded."""
    config_hash = config_fingerprint(args.config)
    jobs = []
    for entry in entries:
        job = {
            "student": entry.student,
            "path": str(entry.path),
            "seed": student_seed(seed, entry.student),
            "config": args.config,
            "only": args.only,
            "public_only": args.public_only,
            "hidden_details": args.hidden_details,
        }
        identity = dict(job, path=None, submission=fingerprint(entry.path), config=config_hash)
        job["key"] = hashlib.sha256(json.dumps(identity, sort_keys=True).encode("utf-8")).hexdigest()
        jobs.append((entry, job))
    return jobs


def parse_args(argv: List[str]) -> argparse.Namespace:
    """The command line of `python -m autograder batch`."""
    parser = argparse.ArgumentParser(
        prog="python -m autograder batch",
        description="Grade a class's submissions in parallel into grades.csv, results/ and feedback/.",
    )
    parser.add_argument("submissions", type=Path, help="a folder (or a .zip) with one entry per student")
    parser.add_argument("--out", type=Path, required=True, help="the output folder")
    parser.add_argument("--jobs", type=int, default=usable_cores(),
                        help="submissions graded at once (default: the cores this process may use)")
    parser.add_argument("--resume", action="store_true", help="grade only students missing or changed")
    parser.add_argument("--seed", type=int, help="the batch seed (default: the stored one on --resume)")
    parser.add_argument("--config", help="an instructor's config.toml")
    parser.add_argument("--lms", choices=("none", "canvas", "moodle"), default="none",
                        help="read student ids from Canvas or Moodle download names")
    parser.add_argument("--only", action="append", help="grade only this assignment or assignment.stage")
    parser.add_argument("--public-only", action="store_true", help="skip the hidden tests")
    parser.add_argument("--hidden-details", choices=("yes", "no"),
                        help="show hidden tests' messages in feedback/ (default: yes, unless the "
                             "config's hidden.visibility is \"hidden\")")
    parser.add_argument("--worker-timeout", type=float,
                        help="seconds before a stuck grading process is killed (default: three times "
                             "the config's submission_seconds, plus 30)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1, got %d" % args.jobs)
    try:
        from autograder.config import load_config

        config = load_config(args.config)
    except (OSError, ValueError) as exc:
        parser.error("cannot use the config %s: %s" % (args.config, exc))
    if args.hidden_details is None:
        # Feedback is handed back once grades are out, so only visibility "hidden" keeps details back.
        args.hidden_details = config.hidden_visibility != "hidden"
    else:
        args.hidden_details = args.hidden_details == "yes"
    if args.worker_timeout is None:
        args.worker_timeout = WORKER_TIMEOUT_FACTOR * config.limits.submission_seconds + WORKER_TIMEOUT_MARGIN
    unknown = sorted(set(args.only) - gradable_names()) if args.only else []
    if unknown:
        # Caught here, or every worker would fail on it and each student get a "grader error" row.
        parser.error("--only %s: no such assignment or stage; expected one of %s"
                     % (", ".join(unknown), ", ".join(sorted(gradable_names()))))
    return args


def usable_cores() -> int:
    """The cores this process may run on (a container or taskset may allow fewer than the machine has)."""
    if hasattr(os, "sched_getaffinity"):
        return max(len(os.sched_getaffinity(0)), 1)
    return os.cpu_count() or 1


def gradable_names() -> set:
    """Every assignment and assignment.stage that --only may name."""
    from autograder.grade import discover_checks

    checks = discover_checks()
    return {c.assignment for c in checks} | {"%s.%s" % (c.assignment, c.stage) for c in checks}


def main(argv: List[str]) -> int:
    """Grade a batch; 0 when every submission got a row, 2 for bad input, 130 when interrupted."""
    args = parse_args(argv)
    if not args.submissions.exists():
        print("error: %s does not exist" % args.submissions, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="tinybackprop-batch-") as scratch:
        root, problems = args.submissions, {}
        if args.submissions.is_file():
            try:
                root, problems = extract_class_zip(args.submissions, Path(scratch) / "class")
            except (zipfile.BadZipFile, OSError) as exc:
                print("error: cannot read %s as a zip of submissions: %s" % (args.submissions, exc),
                      file=sys.stderr)
                return 2
        if args.lms == "none" and any((root / (a + ".py")).is_file() for a in ASSIGNMENTS):
            print("error: %s looks like one student's submission (it holds assignment files), not a "
                  "folder of submissions; grade it with python -m autograder --submission %s"
                  % (args.submissions, args.submissions), file=sys.stderr)
            return 2
        entries = find_submissions(root, Path(scratch) / "staged", args.lms)
        for entry in entries:
            if not entry.problem and entry.path.name in problems:
                entry.status, entry.problem = problems[entry.path.name]
        args.out.mkdir(parents=True, exist_ok=True)
        # Temporary files left by a batch killed in the middle of a write.
        for stale in list(args.out.glob(".*.tmp")) + list(args.out.glob("*/.*.tmp")):
            stale.unlink()
        seed = batch_seed(args.out, args.seed, args.resume)
        batch = Batch(args.out, [e.student for e in entries])
        if args.resume:
            batch.load_existing()
        todo = []
        for entry, job in make_jobs(entries, seed, args):
            if args.resume and batch.up_to_date(entry.student, job["key"]):
                continue
            if entry.problem:
                batch.refuse(entry, job["key"])
            else:
                todo.append(job)
        batch.write_gradebook()
        try:
            with BatchProgress(total=len(entries), done=len(entries) - len(todo)) as progress:
                run_pool(todo, args.jobs, lambda job, payload: progress.advance(batch.finish(job, payload)),
                         args.worker_timeout)
        except KeyboardInterrupt:
            print("interrupted: the %d students graded so far are saved in %s; run the same command "
                  "with --resume to grade the rest" % (len(batch.records), args.out), file=sys.stderr)
            return 130
    summary = batch.summary()
    atomic_write(args.out / "summary.txt", summary)
    print(summary, end="")
    print("Wrote grades.csv, results/, feedback/ and summary.txt in %s (batch seed %d)." % (args.out, seed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
