"""The runner: grade one submission with every check of the selected suites, in the sandbox.

``grade_submission`` is what the CLI, the batch and the Gradescope entry call;
it keeps no global state, so a process pool may call it many times. Steps:

1. read the configuration and the submission (a bad submission is a result
   with a short ``status`` and zeros, never an exception);
2. discover the checks: ``CHECKS`` of ``course/<assignment>/checks.py``
   and, unless ``public_only``, ``course/<assignment>/hidden.py``;
3. give each check its points: the checks of a stage (public and hidden,
   also the hidden ones a handout lists only in ``hidden_manifest.json``) are
   rescaled so that they add up to the stage's total in ``config.toml``;
4. per assignment: no credit for a missing file, a forbidden import, or a
   file Python would not read as the check did (``autograder.imports``);
   otherwise one sandboxed child (restarted after a timeout or a death) runs
   the checks in order. Each check gets its own ``random.Random`` seeded from
   the grading seed and its name, so its inputs do not depend on which other
   checks run. The channel to the student's code is a parameter: ``Sandbox``
   everywhere, except in a browser kernel, which has no subprocesses and
   passes ``autograder.inprocess.InProcess``;
5. collect statuses, messages, hints and what the student's code printed.

When the grader runs as root, ``course/`` (the reference solutions and the
hidden checks in it) is made mode 0o700 before any child starts, so the
unprivileged child cannot read it. Without the reference solutions (the
student's kit) the grade is a self-check on the kit's published inputs, and
its message says that the official grade draws fresh ones.
"""
from __future__ import annotations

import importlib
import json
import math
import os
import random
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from autograder import isolation
from autograder.config import Config, Limits, load_config
from autograder.content import COURSE, HIDDEN, PUBLIC, REFERENCE, part
from autograder.imports import SourceRefused, forbidden_imports
from autograder.results import GradeResult, TestResult
from autograder.sandbox import ReplyQuota, Sandbox, SandboxBroken, running_as_root
from autograder.submission import Submission, SubmissionError, load_submission
from autograder.suite import (ASSIGNMENTS, BadReturn, CallTimeout, Check, ForbiddenCall, NotImplementedYet,
                              Session, Stopped, SubmissionDied, Verdict)
from autograder.workspace import Workspace, WorkspaceError

HERE = Path(__file__).resolve().parent
MANIFEST_NAME = "hidden_manifest.json"
SELF_CHECK = ("Self-check: without the reference solutions, the public tests use the kit's published "
              "inputs and recorded answers; the official grade draws fresh inputs for every test.")
# Opens the channel to one assignment's code: Sandbox, or a class with its interface (request, output,
# take_output, close and a settable deadline), called as channel(workspace, assignment, limits, probe, quota).
ChannelFactory = Callable[[Workspace, str, Limits, isolation.Probe, ReplyQuota], Any]


# -- discovering checks and their points ---------------------------------------------------

def discover_checks(public_only: bool = False) -> List[Check]:
    """The checks of every suite present: public first, then hidden, in assignment order."""
    checks: List[Check] = []
    for suite in (PUBLIC,) if public_only else (PUBLIC, HIDDEN):
        for assignment in ASSIGNMENTS:
            if not part(assignment, suite).is_file():
                continue
            module = importlib.import_module(f"course.{assignment}.{suite}")
            checks.extend(getattr(module, "CHECKS", []))
    return checks


def absent_hidden(present: Sequence[Check], root: Path = HERE, course: Path = COURSE) -> List[dict]:
    """The hidden checks a handout lists in ``hidden_manifest.json`` because ``course`` has no hidden suite.

    The manifest (written by ``autograder.handout`` into ``root``) is ``{"tests": [{"assignment",
    "stage", "points"}, ...]}``; entries with a ``name`` that a present check has are skipped.
    """
    manifest = root / MANIFEST_NAME
    if any(part(assignment, HIDDEN, course).is_file() for assignment in ASSIGNMENTS) or not manifest.is_file():
        return []
    names = {c.name for c in present}
    try:
        listed = json.loads(manifest.read_text(encoding="utf-8")).get("tests", [])
    except (ValueError, OSError, AttributeError):
        return []  # an unreadable manifest only costs the "pending" line of the report
    return [entry for entry in listed if isinstance(entry, dict) and entry.get("name") not in names
            and {"assignment", "stage"} <= set(entry) and isinstance(entry.get("points"), (int, float))]


def stage_scales(checks: Sequence[Check], absent: Sequence[dict], config: Config) -> Dict[str, float]:
    """The factor per ``assignment.stage`` that makes its checks add up to the configured total."""
    sums: Dict[str, float] = {}
    for key, points in [(f"{c.assignment}.{c.stage}", c.points) for c in checks] + \
            [(f"{e['assignment']}.{e['stage']}", float(e["points"])) for e in absent]:
        sums[key] = sums.get(key, 0.0) + points
    return {key: (config.points[key] / total if key in config.points and total > 0 else 1.0)
            for key, total in sums.items()}


def _selected(check_assignment: str, check_stage: str, only: Optional[Sequence[str]]) -> bool:
    """True if ``only`` (assignment or assignment.stage names) selects this check."""
    return not only or any(name in (check_assignment, f"{check_assignment}.{check_stage}")
                           for name in only)


# -- running checks --------------------------------------------------------------------------

def _zero(check: Check, points: float, status: str, message: str, visibility: str) -> TestResult:
    """A result with no points (a check that could not run)."""
    return TestResult(check.name, check.assignment, check.stage, 0.0, points, status, message,
                      hidden=check.hidden, visibility=visibility)


def _outcome(check: Check, session: Session) -> Tuple[str, float, str, str, str]:
    """Run one check; return (status, fraction, message, hint, traceback)."""
    try:
        verdict = check.run(session)
    except Stopped as exc:  # the student's function stopped before the check credited anything
        verdict = Verdict(0.0, "", stopped=exc)
    except CallTimeout as exc:
        return "timeout", 0.0, str(exc), "", ""
    except SubmissionDied as exc:
        return "error", 0.0, str(exc), "", ""
    except BadReturn as exc:
        return "failed", 0.0, f"Your code {exc}", "", ""
    except ForbiddenCall as exc:
        return "forbidden", 0.0, f"Your code {exc}", "", ""
    except SandboxBroken:
        raise
    except Exception as exc:  # the check itself failed, most often on an answer of an odd structure
        return ("error", 0.0, f"The grader could not check this answer ({type(exc).__name__}: {exc}); "
                "check that your function returns what its docstring says", "", "")
    if not isinstance(verdict, Verdict) or not isinstance(verdict.fraction, (int, float)):
        return "error", 0.0, "The grader's check returned no verdict (a bug in the grader)", "", ""
    fraction = verdict.fraction if math.isfinite(verdict.fraction) else 0.0
    fraction = min(max(float(fraction), 0.0), 1.0)
    if verdict.stopped is not None:
        return _stopped(verdict, fraction, session)
    status = "passed" if fraction >= 1.0 - 1e-9 else "failed"
    return status, fraction, verdict.message, verdict.hint, ""


def _stopped(verdict: Verdict, fraction: float, session: Session) -> Tuple[str, float, str, str, str]:
    """The outcome of a check whose student function stopped (a stub or a crash) after the credited work."""
    exc = verdict.stopped  # a NotImplementedYet or a StudentCrash
    so_far = f". Before it: {verdict.message}" if verdict.message else ""
    if isinstance(exc, NotImplementedYet):
        return "not implemented", fraction, f"Not implemented yet: {exc}{so_far}", verdict.hint, ""
    hint = verdict.hint
    if not hint and exc.exc_type == "MemoryError":
        hint = (f"your code needed more than the memory limit of "
                f"{session.config.limits.memory_mb} MB" if session.config else "")
    where = f", at {exc.location}" if exc.location else ""
    return "error", fraction, f"Your code raised {exc}{where}{so_far}", hint, exc.traceback


def _run_assignment(workspace: Workspace, assignment: str, checks: Sequence[Tuple[Check, float]],
                    config: Config, seed: int, deadline: float, probe: isolation.Probe,
                    quota: ReplyQuota, channel: ChannelFactory) -> Tuple[List[TestResult], str]:
    """Run one assignment's checks in its own sandbox; return the results and why the grader broke ("")."""
    sandbox = channel(workspace, assignment, config.limits, probe, quota)
    sandbox.deadline = deadline
    results, broken = [], ""
    try:
        for check, points in checks:
            visibility = config.hidden_visibility if check.hidden else "visible"
            if broken:
                results.append(_zero(check, points, "error", "Not run: the grader's sandbox failed",
                                     visibility))
                continue
            session = Session(sandbox, random.Random(f"{seed}:{check.name}"), config)
            try:
                status, fraction, message, hint, trace = _outcome(check, session)
            except SandboxBroken as exc:
                broken = str(exc)
                results.append(_zero(check, points, "error", broken, visibility))
                continue
            results.append(TestResult(check.name, check.assignment, check.stage, fraction * points,
                                      points, status, message, hint, check.hidden, visibility,
                                      printed=_trim(sandbox.take_output()), traceback=trace))
    finally:
        sandbox.close()
    return results, broken


def _trim(text: str, limit: int = 1500) -> str:
    """The start of ``text``, marked when cut."""
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + f"\n... ({len(text) - limit} more characters)"


def protect_secrets() -> None:
    """When running as root, make the course (reference solutions, hidden checks) unreadable to others."""
    if running_as_root():
        os.chmod(COURSE, 0o700)


def grade_submission(path: Optional[str] = None, *, only: Optional[Sequence[str]] = None,
                     public_only: bool = False, seed: Optional[int] = None,
                     config: Optional[Config] = None, probe: Optional[isolation.Probe] = None,
                     channel: ChannelFactory = Sandbox) -> GradeResult:
    """Grade a folder, ``.zip`` or ``.ipynb`` (None: the local ``assignments/``); never raises for a bad one.

    ``probe``: how the children are isolated (None: what this machine allows, asked once per process).
    ``channel`` runs each assignment's code: the sandbox, unless a browser kernel passes another.
    """
    started = time.monotonic()
    config = config or load_config()
    probe = probe or isolation.probe()
    seed = random.SystemRandom().randrange(2 ** 31) if seed is None else int(seed)
    protect_secrets()
    present = discover_checks(public_only)
    absent = absent_hidden(present)
    if public_only:
        absent += [{"name": c.name, "assignment": c.assignment, "stage": c.stage, "points": c.points}
                   for c in discover_checks() if c.hidden]
    _check_only(only, present)
    scales = stage_scales(present, absent, config)
    chosen = [(c, c.points * scales[f"{c.assignment}.{c.stage}"]) for c in present
              if _selected(c.assignment, c.stage, only)]
    pending = [e for e in absent if _selected(e["assignment"], e["stage"], only)]
    hidden_pending = (len(pending), round(sum(float(e["points"]) * scales[f"{e['assignment']}.{e['stage']}"]
                                              for e in pending), 4))
    try:
        submission = load_submission(path)
    except SubmissionError as exc:
        tests = [_zero(c, p, "error", exc.message, config.hidden_visibility if c.hidden else "visible")
                 for c, p in chosen]
        return _result(Path(str(path or "assignments")).stem, tests, exc.status, exc.message,
                       hidden_pending, seed, started, probe)
    tests, broken = _grade_loaded(submission, chosen, config, seed, started, probe, channel)
    status, message = "graded", ""
    if broken:
        status, message = "grader error", f"The grader's sandbox failed ({broken}); this grade must be redone."
    elif not official({c.assignment for c, _ in chosen}):
        message = SELF_CHECK
    return _result(submission.student, tests, status, message, hidden_pending, seed, started, probe)


def official(assignments: Sequence[str]) -> bool:
    """True when the reference solutions of these assignments are present: an official grade, whose
    inputs are all drawn now (``autograder.oracle``), not the kit's self-check."""
    return all(part(assignment, REFERENCE).is_file() for assignment in assignments)


def _check_only(only: Optional[Sequence[str]], present: Sequence[Check]) -> None:
    """Refuse an ``only`` name that selects nothing (a typo would otherwise grade nothing)."""
    known = {c.assignment for c in present} | {f"{c.assignment}.{c.stage}" for c in present}
    unknown = [name for name in only or () if name not in known]
    if unknown:
        raise ValueError(f"unknown assignment or stage {', '.join(unknown)}; "
                         f"expected one of {', '.join(sorted(known))}")


def _grade_loaded(submission: Submission, chosen: Sequence[Tuple[Check, float]], config: Config,
                  seed: int, started: float, probe: isolation.Probe,
                  channel: ChannelFactory) -> Tuple[List[TestResult], str]:
    """Grade a submission that was read: per assignment, a problem, a forbidden import or a sandbox;
    return the results and why the grader broke ("" if it did not)."""
    tests: List[TestResult] = []
    broken = ""
    deadline = started + config.limits.submission_seconds
    try:
        workspace = Workspace(submission.files)
    except WorkspaceError as exc:
        return [_zero(c, p, "error", f"Not run: {exc}", config.hidden_visibility if c.hidden else "visible")
                for c, p in chosen], str(exc)
    quota = ReplyQuota()
    try:
        for assignment in ASSIGNMENTS:
            checks = [(c, p) for c, p in chosen if c.assignment == assignment]
            if not checks:
                continue
            status, why = _refusal(submission, assignment, config)
            if why:
                tests += [_zero(c, p, status, why, config.hidden_visibility if c.hidden else "visible")
                          for c, p in checks]
                continue
            results, failure = _run_assignment(workspace, assignment, checks, config, seed, deadline, probe, quota,
                                               channel)
            tests += results
            broken = broken or failure
    finally:
        workspace.close()
    return tests, broken


def _refusal(submission: Submission, assignment: str, config: Config) -> Tuple[str, str]:
    """(status, why) when an assignment's file is not graded at all (missing, unreadable, a forbidden
    import), else ("", "")."""
    problem = submission.problems.get(assignment)
    if problem:
        return "error", problem
    try:
        found = forbidden_imports(submission.files[assignment + ".py"], config.forbidden_imports)
    except SourceRefused as exc:
        return exc.status, f"{assignment}.py {exc.message}, so it earns no credit"
    if found:
        return "forbidden", (f"{assignment}.py uses what this assignment forbids ("
                             + "; ".join(str(f) for f in found) + "), so it earns no credit")
    return "", ""


def _result(student: str, tests: List[TestResult], status: str, message: str,
            hidden_pending: Tuple[int, float], seed: int, started: float, probe: isolation.Probe) -> GradeResult:
    """Add up a GradeResult (test names made unique: Gradescope and the gradebook key on them)."""
    seen: Dict[str, int] = {}
    for test in tests:
        seen[test.name] = seen.get(test.name, 0) + 1
        if seen[test.name] > 1:
            test.name = f"{test.name}#{seen[test.name]}"
    return GradeResult(student, round(sum(t.score for t in tests), 4),
                       round(sum(t.max_score for t in tests), 4), status, message, tests,
                       hidden_pending, seed, time.monotonic() - started, probe.label())
