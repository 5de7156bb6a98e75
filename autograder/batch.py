"""Batch grading: a whole class graded in parallel into a gradebook that never loses a grade.

    python -m autograder batch SUBMISSIONS --out DIR [--jobs N] [--resume] [--seed S]
        [--lms canvas|moodle] [--overrides FILE] [--shard K/N] [--unisolated]

SUBMISSIONS is a folder (or one .zip of it) with one entry per student: a
folder, a .zip or a notebook, named by the student id (`--lms canvas|moodle`
reads the ids out of those systems' download names instead).

Design (the parts: `autograder.lms` finds the submissions and the student
ids, `autograder.pool` grades them, `autograder.gradebook` keeps the grades,
`autograder.outputs` turns them into grades.csv, the LMS's import and the
feedback; this module is the command and the `Batch` that joins them):
- Each submission is graded by `grade_submission` in its own worker process
  (`autograder.pool`). A worker that crashes or hangs costs only its own
  submission: it is killed, the row says "grader error", and the batch goes on.
- Only the batch process writes into DIR, and every file is written to a
  temporary name and renamed, so a kill at any moment leaves whole files.
  `results/<id>.json` is written the moment a student is graded and carries the
  student's gradebook record; `grades.csv` and the summary are rebuilt from
  those records, so they can always be recovered. Staged copies of
  submissions and the sandboxes' folders live in DIR too, removed at the end
  and at the next start, so a killed batch leaves nothing in /tmp.
- Each record carries a key: a hash of the submission's bytes, the student's
  seed, the configuration and the options. `--resume` re-grades only students
  whose key changed or who have no (or no final) record. Each student's seed is
  derived from the batch seed and the student id, and the batch seed is kept in
  `DIR/batch.json`, so a resumed batch draws the same inputs as an
  uninterrupted one and ends with the same grades.csv. The late policy and the
  overrides are applied after grading (`autograder.finals`) and are not part
  of the key: editing them re-computes the final grades without re-grading.
- `--shard K/N` grades the students whose id hashes to shard K, with the
  same seeds as a whole run; `python -m autograder merge` joins the shards.
- Students are kept apart by the sandbox's isolation (`autograder.isolation`),
  said once in the log. Where the children cannot be isolated (modes "uid
  drop" and "none"), batch refuses to grade unless the instructor passes
  `--unisolated`; and it runs one call in a sandbox before grading anyone, so
  that a machine where the sandbox cannot start stops the batch instead of
  giving the whole class a "grader error".
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from autograder import isolation
from autograder.archive import ArchiveError
from autograder.config import DEFAULT_PATH, read_toml
from autograder.finals import Final, final_grade
from autograder.gradebook import RECORD_KEY, StudentRecord, atomic_write, read_record
from autograder.lms import Entry, extract_class_zip, find_submissions, read_worksheet
from autograder.outputs import (FEEDBACK_KEY, LMS_FILES, Publishing, read_state, write_feedback, write_gradebook,
                                write_state, write_summary)
from autograder.pool import run_pool
from autograder.sandbox import SandboxBroken, running_as_root, self_test
from autograder.suite import ASSIGNMENTS

# A safety net above the grader's own per-submission limit: a worker stuck for this many times
# that limit (plus a margin for start-up) is killed.
WORKER_TIMEOUT_FACTOR, WORKER_TIMEOUT_MARGIN = 3.0, 30.0
# What a batch keeps in its output folder only while it runs (removed at its end and at the next start).
STAGING, WORK = ".staging", ".work"
# grades.csv is rewritten at most this often while students finish (always at the end): every
# grade is already safe in its results/<id>.json, and a class of thousands would rewrite it
# thousands of times.
GRADEBOOK_SECONDS = 2.0


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
    """A sha256 of what the configuration in use says of grading (its [late] table left out: lateness
    is applied after grading, so a new due date re-computes the final grades without a re-grade)."""
    path = Path(config) if config else DEFAULT_PATH
    try:
        tables = read_toml(path)
    except (OSError, ValueError):
        return "none"
    tables.pop("late", None)
    return hashlib.sha256(json.dumps(tables, sort_keys=True, default=str).encode("utf-8")).hexdigest()


# --- the batch -------------------------------------------------------------------------------


class Batch:
    """One batch run: the output folder, the records so far, and what each finished job writes."""

    def __init__(self, out: Path, entries: List[Entry], publishing: Publishing):
        self.out = out
        self.entries = {e.student: e for e in entries}
        self.students = [e.student for e in entries]
        self.publishing = publishing
        self.records: Dict[str, StudentRecord] = {}
        self.written = 0.0  # when grades.csv was last written

    def load_existing(self) -> None:
        """Read the records of students already graded in out/results (for --resume).

        The intake (the LMS's name, late flag, upload notes) is this run's: it
        may change without a re-grade, so a changed one is saved in place.
        """
        for student in self.students:
            record = read_record(self.results_path(student))
            if record is None or record.student != student:
                continue
            intake = self.entries[student].intake()
            if record.intake != intake:
                record.intake = intake
                results = json.loads(self.results_path(student).read_text(encoding="utf-8"))
                results[RECORD_KEY] = record.to_json()
                atomic_write(self.results_path(student), json.dumps(results, indent=1, sort_keys=True))
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
                                                     "it will be graded again."),
                       "# %s\n\nThe grader failed on this submission; it will be graded again.\n" % student)
        else:
            record = StudentRecord.from_json(payload["record"])
            self._save(record, dict(payload["results"]), payload["feedback"])
        if time.monotonic() - self.written > GRADEBOOK_SECONDS:
            self.write_gradebook()
        return record

    def refuse(self, entry: Entry, key: str) -> StudentRecord:
        """Record a submission that cannot be graded at all (e.g. a loose file), with a zero."""
        record = StudentRecord(entry.student, key, entry.status, entry.problem, 0.0, 0.0)
        self._save(record, _results_json(record, entry.problem), "# %s\n\n%s\n" % (entry.student, entry.problem))
        return record

    def _save(self, record: StudentRecord, results: Dict[str, Any], feedback: str) -> None:
        """Write a student's results.json (with the record and the feedback inside) and feedback."""
        record.intake = self.entries[record.student].intake()
        results[RECORD_KEY] = record.to_json()
        results[FEEDBACK_KEY] = feedback
        atomic_write(self.results_path(record.student), json.dumps(results, indent=1, sort_keys=True))
        self.records[record.student] = record
        top = max(r.max_score for r in self.records.values())
        override = self.publishing.overrides.get(record.student)
        write_feedback(self.out, record, final_grade(record, override, self.publishing.policy, top))

    def graded(self) -> List[StudentRecord]:
        """The records of this batch's students graded so far."""
        return [self.records[s] for s in self.students if s in self.records]

    def write_gradebook(self, feedback: bool = False) -> Dict[str, Final]:
        """Rewrite grades.csv (and the LMS's import) from the records of this batch's students."""
        self.written = time.monotonic()
        return write_gradebook(self.out, self.graded(), self.publishing, feedback)


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


def batch_seed(state: Dict[str, Any], seed: Optional[int], resume: bool) -> int:
    """The batch seed: --seed, else the one a resumed batch stored, else a fresh one."""
    if seed is None and resume:
        try:
            seed = int(state["seed"])
        except (ValueError, KeyError, TypeError):
            seed = None
    return secrets.randbelow(2 ** 31) if seed is None else seed


def shard_of(student: str, shards: int) -> int:
    """The shard (1..shards) that grades a student: fixed by the id alone, whatever the rest of the class."""
    return int(hashlib.sha256(student.encode("utf-8")).hexdigest()[:8], 16) % shards + 1


def parse_shard(text: str) -> Tuple[int, int]:
    """--shard K/N as (K, N), 1 <= K <= N."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError("expected K/N, e.g. 2/8, got %r" % text) from None
    if not 1 <= k <= n:
        raise argparse.ArgumentTypeError("K/N needs 1 <= K <= N, got %r" % text)
    return k, n


def work_folder(out: Path) -> Path:
    """Where the sandboxes of this batch put their temporary folders, so that a start can clean them.

    Under out when the sandbox's unprivileged user can reach it; else (an out
    below a folder closed to others, e.g. /root) a folder in the system's
    temporary directory named after out.
    """
    out = out.resolve()
    if running_as_root() and any(not os.stat(str(folder)).st_mode & 0o001 for folder in out.parents):
        name = "tinybackprop-batch-" + hashlib.sha256(str(out).encode("utf-8", "surrogateescape")).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / name
    return out / WORK


def clean(out: Path) -> None:
    """Remove what a batch leaves only while it runs: staged copies, sandbox folders, half-written files."""
    for folder in (out / STAGING, work_folder(out)):
        if folder.exists():
            for directory, subdirs, _ in os.walk(str(folder)):
                for name in subdirs:  # read-only folders (a workspace's lib) cannot be emptied otherwise
                    os.chmod(os.path.join(directory, name), 0o700)
            shutil.rmtree(str(folder))
    for stale in list(out.glob(".*.tmp")) + list(out.glob("*/.*.tmp")):
        stale.unlink()


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
            "tmp": str(work_folder(args.out)),
        }
        identity = dict(job, path=None, tmp=None, submission=fingerprint(entry.path), config=config_hash)
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
    parser.add_argument("--shard", type=parse_shard, metavar="K/N",
                        help="grade only the students of shard K of N (by student id; needs --seed); "
                             "join the shards with python -m autograder merge")
    parser.add_argument("--overrides", help="per-student overrides (.toml or .csv): extensions, "
                                            "adjustments, excused parts; applied after grading")
    parser.add_argument("--worksheet", type=Path,
                        help="Moodle's grading worksheet (CSV): submission times, for late work, and names")
    parser.add_argument("--lms-assignment", default="tinybackprop", metavar="TITLE",
                        help="the assignment's column in Canvas's import, e.g. \"Assignment 1 (4567)\"")
    parser.add_argument("--unisolated", action="store_true",
                        help="grade even where the students' code cannot be isolated from the machine "
                             "(the results then say so)")
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
    if args.shard and args.seed is None:
        parser.error("--shard needs --seed: every shard must draw the same hidden inputs")
    try:
        args.publishing = Publishing.load(args.config, args.overrides, args.lms, args.lms_assignment)
    except (OSError, ValueError) as exc:
        parser.error(str(exc))
    try:
        args.times = read_worksheet(args.worksheet) if args.worksheet else {}
    except (OSError, ValueError) as exc:
        parser.error("--worksheet: %s" % exc)
    if args.worker_timeout is None:
        args.worker_timeout = WORKER_TIMEOUT_FACTOR * config.limits.submission_seconds + WORKER_TIMEOUT_MARGIN
    args.limits = config.limits
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


def checked_probe(args: argparse.Namespace) -> Optional[isolation.Probe]:
    """The isolation the children get here, said once in the log; None, once the log says why, when
    the batch must not grade: no isolation without --unisolated, or a sandbox that fails its self-test."""
    probe = isolation.probe()
    if not probe.isolated and args.unisolated:
        probe = dataclasses.replace(probe, accepted=True)
    print(probe.describe(), file=sys.stderr)
    if not probe.isolated and not args.unisolated:
        print(probe.refusal(), file=sys.stderr)
        return None
    try:
        self_test(args.limits, probe)
    except SandboxBroken as exc:
        print("grader error: %s; nobody was graded" % exc, file=sys.stderr)
        return None
    return probe


def main(argv: List[str]) -> int:
    """Grade a batch; 0 when every submission got a row, 1 when this machine cannot grade it safely,
    2 for bad input, 130 when interrupted."""
    args = parse_args(argv)
    if not args.submissions.exists():
        print("error: %s does not exist" % args.submissions, file=sys.stderr)
        return 2
    probe = checked_probe(args)
    if probe is None:
        return 1
    args.probe = probe
    args.out.mkdir(parents=True, exist_ok=True)
    clean(args.out)  # what a killed batch left
    try:
        return run(args)
    finally:
        clean(args.out)


def run(args: argparse.Namespace) -> int:
    """The batch itself, its staging folders made and left to main to clean."""
    staging = args.out / STAGING
    root, problems = args.submissions, {}
    if args.submissions.is_file():
        try:
            root, problems = extract_class_zip(args.submissions, staging / "class")
        except (ArchiveError, OSError) as exc:
            print("error: cannot read %s as a zip of submissions: %s" % (args.submissions, exc), file=sys.stderr)
            return 2
    if args.lms == "none" and any((root / (a + ".py")).is_file() for a in ASSIGNMENTS):
        print("error: %s looks like one student's submission (it holds assignment files), not a "
              "folder of submissions; grade it with python -m autograder --submission %s"
              % (args.submissions, args.submissions), file=sys.stderr)
        return 2
    entries = find_submissions(root, staging / "students", args.lms)
    for entry in entries:
        if entry.path.name in problems:  # what the class zip's reader refused says more than the rest
            entry.status, entry.problem = problems[entry.path.name]
        if entry.student in args.times:
            name, entry.submitted = args.times[entry.student]
            entry.name = entry.name or name
    if args.shard:
        entries = [e for e in entries if shard_of(e.student, args.shard[1]) == args.shard[0]]
    work = work_folder(args.out)
    work.mkdir(mode=0o711, parents=True, exist_ok=True)
    os.chmod(str(work), 0o711)  # the sandbox's user must reach its folders inside
    state = read_state(args.out)
    seed = batch_seed(state, args.seed, args.resume)
    previous_max = state.get("max")
    write_state(args.out, {"seed": seed, "shard": list(args.shard) if args.shard else None, "lms": args.lms,
                           "lms_assignment": args.lms_assignment, "max": previous_max,
                           "submissions": str(args.submissions.resolve())})
    (args.out / "results").mkdir(exist_ok=True)  # also for a shard that drew no student
    batch = Batch(args.out, entries, args.publishing)
    if args.resume:
        batch.load_existing()
    # What the isolated children need, found once here rather than once per worker.
    installation = isolation.discover(sys.executable).to_json() if args.probe.isolated else None
    todo = []
    for entry, job in make_jobs(entries, seed, args):
        if args.resume and batch.up_to_date(entry.student, job["key"]):
            continue
        if entry.problem:
            batch.refuse(entry, job["key"])
        else:
            todo.append(dict(job, probe=args.probe.to_json(), installation=installation))
    batch.write_gradebook()
    try:
        with BatchProgress(total=len(entries), done=len(entries) - len(todo)) as progress:
            run_pool(todo, args.jobs, lambda job, payload: progress.advance(batch.finish(job, payload)),
                     args.worker_timeout)
    except KeyboardInterrupt:
        batch.write_gradebook()
        print("interrupted: the %d students graded so far are saved in %s; run the same command "
              "with --resume to grade the rest" % (len(batch.records), args.out), file=sys.stderr)
        return 130
    finals = batch.write_gradebook(feedback=True)
    records = batch.graded()
    summary = write_summary(args.out, records, finals, previous_max)
    top = max([r.max_score for r in records] + [0.0])
    write_state(args.out, dict(read_state(args.out), max=top or previous_max))
    print(summary, end="")
    print("Wrote grades.csv%s, results/, feedback/ and summary.txt in %s (batch seed %d)."
          % ("" if args.lms == "none" else ", " + LMS_FILES[args.lms], args.out, seed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
