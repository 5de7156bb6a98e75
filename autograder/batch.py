"""Batch grading: a whole class graded in parallel into a gradebook that never loses a grade.

    python -m autograder batch SUBMISSIONS --out DIR [--jobs N] [--resume] [--seed S] [--unisolated]

SUBMISSIONS is a folder (or one .zip of it) with one entry per student: a
folder, a .zip or a notebook, named by the student id (`--lms canvas|moodle`
reads the ids out of those systems' download names instead).

Design (the parts: `autograder.lms` finds the submissions and the student
ids, `autograder.pool` grades them, `autograder.gradebook` keeps the grades;
this module is the command and the `Batch` that joins them):
- Each submission is graded by `grade_submission` in its own worker process
  (`autograder.pool`). A worker that crashes or hangs costs only its own
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
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from autograder import isolation
from autograder.archive import ArchiveError
from autograder.gradebook import RECORD_KEY, StudentRecord, atomic_write, grades_csv, read_record, summary_text
from autograder.lms import Entry, extract_class_zip, find_submissions
from autograder.pool import run_pool
from autograder.sandbox import SandboxBroken, self_test
from autograder.suite import ASSIGNMENTS

# A safety net above the grader's own per-submission limit: a worker stuck for this many times
# that limit (plus a margin for start-up) is killed.
WORKER_TIMEOUT_FACTOR, WORKER_TIMEOUT_MARGIN = 3.0, 30.0


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
    with tempfile.TemporaryDirectory(prefix="tinybackprop-batch-") as scratch:
        root, problems = args.submissions, {}
        if args.submissions.is_file():
            try:
                root, problems = extract_class_zip(args.submissions, Path(scratch) / "class")
            except (ArchiveError, OSError) as exc:
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
        # What the isolated children need, found once here rather than once per worker.
        installation = isolation.discover(sys.executable).to_json() if probe.isolated else None
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
                todo.append(dict(job, probe=probe.to_json(), installation=installation))
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
