"""The sandbox: one child process per assignment, spoken to in JSON lines, killed when it misbehaves.

Design (the threat model is in DESIGN.md: the submission is untrusted code):

- A :class:`Workspace` is a fresh temporary directory per submission: ``lib-*/``
  holds the submission as the package ``assignments`` and ``tinybackprop``
  reduced to its Matrix (nothing else of the library or the grader, so
  ``tinybackprop.losses`` cannot be reached), ``work-*/`` is each child's
  empty current directory. When the grader runs as root, the workspace root is
  mode 0o711 (not listable), ``lib-*/`` (a random name) is root-owned and read-only, and each
  child runs as its own unprivileged uid/gid (a random number in a high
  range, not ``nobody``: children of different students running at the same
  time then cannot signal, trace or write into one another) that owns only
  its work directory. ``autograder/reference/`` and ``autograder/hidden/``
  are made mode 0o700 by the runner, so that uid cannot read them; and the
  child, in a mount namespace of its own, covers the grader's tree (the
  checkout with its ``.git``, which holds every committed reference) with an
  empty read-only tmpfs where the system allows it (root with CAP_SYS_ADMIN). Not
  prevented: writing into world-writable places such as ``/tmp`` (that would
  need mount namespaces); the grader never reads from them, and the child's
  uid is its own, so no other submission's files are reachable.
- A :class:`Sandbox` starts ``python -I -S -B -u autograder/child.py`` (isolated,
  no site-packages, so numpy and friends are not importable) in a new session,
  with two private pipes: requests in, replies out. The settings (paths, uid,
  limits) go through the request pipe, because any user can read a command line. The child's stdout and
  stderr go to a third pipe that the parent drains into a capped buffer: the
  student's prints reach the report, never the reply channel.
- Every call has a time limit; the runner also passes a deadline for the whole
  submission. On a timeout the whole process group is killed (SIGKILL) and
  :class:`~autograder.suite.CallTimeout` is raised; if the child dies, its
  exit status becomes :class:`~autograder.suite.SubmissionDied`. The next
  request starts a fresh child (the generation number changes, so old handles
  are refused). The student's module is imported in a request of its own; a
  function (or an import) that used up the full per-call limit is not tried
  again: later requests for it raise :class:`~autograder.suite.NotRun` at
  once, so one infinite loop cannot spend the time budget of the others.
  Tracebacks come back with the workspace's path cut off (``assignments/svm.py``).
- POSIX only (process groups, rlimits, ``select`` on pipes): Linux and macOS;
  on Windows, grade inside WSL.
- Replies are parsed with ``json`` and validated strictly here, in the parent:
  only numbers, strings, booleans, None, lists, str-keyed dicts, rectangular
  matrices of numbers and handles come back; anything else is
  :class:`~autograder.suite.BadReturn`. No object made by the student ever
  reaches the grader, and nothing is unpickled.
"""
from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from random import SystemRandom
from typing import Any, Dict, Optional, Sequence

from autograder.suite import (BadReturn, CallTimeout, ForbiddenCall, Handle, NotImplementedYet, NotRun,
                              StudentCrash, SubmissionDied)

CHILD = Path(__file__).resolve().parent / "child.py"
GRADER_TREE = Path(__file__).resolve().parent.parent  # the checkout (or site-packages) holding the grader
TINYBACKPROP = Path(__file__).resolve().parent.parent / "tinybackprop"
MAX_REPLY_BYTES = 32 * 1024 * 1024
STARTUP_SECONDS = 20.0
# Unprivileged uids for children when grading as root: far above real users.
UID_BASE, UID_SPAN = 1_500_000_000, 500_000_000
# A frame of the student's code in a traceback, once the workspace's path is cut off.
_FRAME = re.compile(r'^  File "(assignments/[^"]+)", line (\d+), in (\S+)$', re.M)
# The first (innermost) frame of the student's code in a faulthandler stack dump.
_STUCK_FRAME = re.compile(r'^  File "[^"]*/assignments/([^"/]+)", line (\d+) in (\S+)$', re.M)
STACK_SECONDS = 0.5  # how long a stuck child may take to write its stack


@dataclass(frozen=True)
class Limits:
    """The resources one child may use."""

    call_seconds: float = 5.0
    submission_seconds: float = 60.0
    memory_mb: int = 512
    output_bytes: int = 20_000
    file_bytes: int = 1_000_000


def running_as_root() -> bool:
    """True when this process can (and so must) drop privileges for the child."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


class SandboxBroken(RuntimeError):
    """The child could not be set up (a problem of the grader's machine, not of the submission)."""


class Workspace:
    """A temporary directory with the submission as package ``assignments`` and tinybackprop's Matrix."""

    def __init__(self, files: Dict[str, str]) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="tinybackprop-grade-"))
        # A random name inside a root nobody else may list: another submission graded at
        # the same time cannot guess the path of this one's files.
        self.lib = Path(tempfile.mkdtemp(prefix="lib-", dir=self.root))
        package = self.lib / "assignments"
        package.mkdir()
        (package / "__init__.py").write_text('"""The submission under grading."""\n', encoding="utf-8")
        for name, source in files.items():
            (package / name).write_text(source, encoding="utf-8")
        if TINYBACKPROP.is_dir():
            # Only what an assignment may use: with tinybackprop.losses or .nn absent, no
            # attribute chain (tinybackprop.losses.softmax_cross_entropy) can reach them.
            library = self.lib / "tinybackprop"
            library.mkdir()
            (library / "__init__.py").write_text(
                '"""The part of tinybackprop an assignment may use."""\nfrom .matrix import Matrix\n',
                encoding="utf-8")
            shutil.copy(TINYBACKPROP / "matrix.py", library / "matrix.py")
        # Read-only for everyone (the child's user included); the root is traversable, not listable.
        self._chmod_lib(0o555, 0o444)
        os.chmod(self.root, 0o711)

    def _chmod_lib(self, directory_mode: int, file_mode: int) -> None:
        """Set the modes of everything in ``lib/``."""
        for directory, _, names in os.walk(self.lib):
            os.chmod(directory, directory_mode)
            for name in names:
                os.chmod(os.path.join(directory, name), file_mode)

    def new_workdir(self, uid: Optional[int], gid: Optional[int]) -> Path:
        """A fresh, empty current directory for one child, owned by its user."""
        work = Path(tempfile.mkdtemp(prefix="work-", dir=self.root))
        if uid is not None:
            os.chown(work, uid, gid)
        return work

    def close(self) -> None:
        """Delete the workspace and everything the children wrote into it."""
        self._chmod_lib(0o755, 0o644)  # without root, read-only folders cannot be emptied
        shutil.rmtree(self.root, ignore_errors=True)


def encode(value: Any) -> Any:
    """Turn a parent-side argument into JSON data for the child."""
    if value is None or isinstance(value, (bool, str, int, float)):
        return value
    if isinstance(value, Handle):
        return {"H": value.id}
    if isinstance(value, (list, tuple)):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {"D": {str(key): encode(item) for key, item in value.items()}}
    if hasattr(value, "tolist") and hasattr(value, "shape"):
        return {"M": value.tolist()}
    raise TypeError(f"cannot send a {type(value).__name__} to the submission")


def _number(value: Any) -> float:
    """A JSON number as a float (NaN and infinities kept)."""
    try:
        return float(value)
    except OverflowError:
        raise BadReturn("returned an integer too large for a float") from None


def _matrix(rows: Any) -> Any:
    """Validate nested lists as a non-empty rectangular matrix of numbers; build a parent Matrix."""
    from tinybackprop.matrix import Matrix

    if not isinstance(rows, list) or not rows or not all(isinstance(row, list) for row in rows):
        raise BadReturn("returned a Matrix without rows")
    width = len(rows[0])
    if width == 0 or any(len(row) != width for row in rows):
        raise BadReturn("returned a Matrix whose rows have different lengths or no columns")
    clean = []
    for row in rows:
        if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in row):
            raise BadReturn("returned a Matrix with entries that are not numbers")
        clean.append([_number(x) for x in row])
    return Matrix(clean)


def decode(value: Any, generation: int, description: str = "object") -> Any:
    """Validate a reply value from the child and rebuild it from plain data."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, list):
        return [decode(item, generation) for item in value]
    if isinstance(value, dict) and len(value) == 1:
        tag, body = next(iter(value.items()))
        if tag == "M":
            return _matrix(body)
        if tag == "D" and isinstance(body, dict):
            return {key: decode(item, generation) for key, item in body.items()}
        if tag == "H" and isinstance(body, int) and not isinstance(body, bool):
            return Handle(body, generation, description)
    raise BadReturn("returned something that is not a Matrix, a number, a list or a dict")


def student_location(trace: str) -> str:
    """Where in the student's files a traceback ends: ``assignments/svm.py, line 42, in f`` ("" if nowhere)."""
    frames = _FRAME.findall(trace)
    return f"{frames[-1][0]}, line {frames[-1][1]}, in {frames[-1][2]}" if frames else ""


def running(where: str) -> str:
    """The end of a timeout's message: where the student's code was when it was stopped."""
    return f"; it was running {where} when it was stopped" if where else ""


class Sandbox:
    """One assignment of one submission, served by a restartable child process."""

    def __init__(self, workspace: Workspace, assignment: str, limits: Limits) -> None:
        self.workspace = workspace
        self.assignment = assignment
        self.limits = limits
        self.deadline: Optional[float] = None  # monotonic time when the submission's budget ends
        self.generation = 0
        self.process: Optional[subprocess.Popen] = None
        self._captured = bytearray()
        self._dropped = 0
        self._taken = 0
        self._next_id = 0
        self._imported = False  # whether this child has imported the student's module
        # What timed out at the full per-call limit (a call target, or "" for the import):
        # trying it again would only spend the submission's time budget on a known answer.
        self._stuck: Dict[str, str] = {}

    # -- lifecycle ---------------------------------------------------------
    def _start(self) -> None:
        """Start a fresh child (as an unprivileged user when running as root)."""
        uid = gid = None
        if running_as_root():
            uid = gid = UID_BASE + SystemRandom().randrange(UID_SPAN)
        work = self.workspace.new_workdir(uid, gid)
        request_r, self._request_w = os.pipe()
        self._reply_r, reply_w = os.pipe()
        self._out_r, out_w = os.pipe()
        settings = {
            "assignment": self.assignment, "lib": str(self.workspace.lib), "work": str(work),
            "uid": uid, "gid": gid, "hide": self._hidden_paths(),
            "memory_bytes": self.limits.memory_mb * 1024 * 1024,
            "cpu_seconds": self.limits.submission_seconds + 1,
            "file_bytes": self.limits.file_bytes,
        }
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-S", "-B", "-u", str(CHILD), str(request_r), str(reply_w)],
                stdin=subprocess.DEVNULL, stdout=out_w, stderr=out_w, cwd=str(work),
                env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "HOME": str(work)},
                pass_fds=(request_r, reply_w), start_new_session=True)
        except OSError as exc:
            for fd in (self._request_w, self._reply_r, self._out_r):
                os.close(fd)
            raise SandboxBroken(f"the grader's sandbox could not start {sys.executable} ({exc})") from None
        finally:
            for fd in (request_r, reply_w, out_w):
                os.close(fd)
        self.generation += 1
        self._buffer = b""
        self._next_id = 0
        self._imported = False
        try:
            os.write(self._request_w, (json.dumps(settings) + "\n").encode("utf-8"))
            self._parse(self._read_reply(STARTUP_SECONDS))
        except (CallTimeout, SubmissionDied, BadReturn, OSError) as exc:
            raise SandboxBroken(f"the grader's sandbox did not start ({exc}): "
                                f"{self.take_output()[-2000:]}") from None

    def _hidden_paths(self) -> list:
        """The folders the child must not see: the grader's whole tree, or, when the
        interpreter or the workspace lives inside it (a virtualenv in the checkout),
        just its secrets: the repository history and the reference and hidden folders."""
        tree = GRADER_TREE
        needed = [self.workspace.root, Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()]
        if tree != Path(tree.anchor) and not any(tree == p or tree in p.parents for p in needed):
            return [str(tree)]
        secrets = [tree / ".git", tree / "autograder" / "reference", tree / "autograder" / "hidden"]
        return [str(path) for path in secrets if path.is_dir()]

    def _kill(self) -> None:
        """Kill the child's whole process group and release its pipes."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass  # the group is already gone
        self.process.wait()
        self._drain(0)
        for fd in (self._request_w, self._reply_r, self._out_r):
            os.close(fd)
        self.process = None

    def close(self) -> None:
        """Stop the child (if running)."""
        self._kill()

    # -- output capture ----------------------------------------------------
    def _capture(self, chunk: bytes) -> None:
        """Keep the first ``output_bytes`` of the student's output; count the rest."""
        room = self.limits.output_bytes - len(self._captured)
        self._captured += chunk[:max(room, 0)]
        self._dropped += max(len(chunk) - max(room, 0), 0)

    def _drain(self, wait: float) -> None:
        """Read whatever output is waiting in the capture pipe."""
        while select.select([self._out_r], [], [], wait)[0]:
            chunk = os.read(self._out_r, 65536)
            if not chunk:
                return
            self._capture(chunk)
            wait = 0

    def output(self) -> str:
        """Everything the student's code printed in this sandbox so far (capped)."""
        text = self._captured.decode("utf-8", errors="replace")
        if self._dropped:
            text += f"\n... ({self._dropped} more bytes of output not shown)"
        return text

    def take_output(self) -> str:
        """What the student's code printed since the last call of this method."""
        text = self._captured[self._taken:].decode("utf-8", errors="replace")
        self._taken = len(self._captured)
        return text

    # -- requests ----------------------------------------------------------
    def _time_limit(self, timeout: Optional[float]) -> float:
        """The seconds this request may take: its own limit, capped by the submission's."""
        limit = self.limits.call_seconds if timeout is None else timeout
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise NotRun(f"Not run: the submission used up its total time limit of "
                                  f"{self.limits.submission_seconds:g} s")
            limit = min(limit, left)
        return limit

    def _died(self) -> SubmissionDied:
        """The error for a child that ended during a call, naming how it ended."""
        code = self.process.wait() if self.process else None
        self._kill()
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            why = " (the CPU time limit)" if name == "SIGXCPU" else ""
            return SubmissionDied(f"Your code's process was killed by {name}{why}")
        return SubmissionDied(f"Your code's process ended (exit code {code}) instead of "
                              "returning: do not call sys.exit() or os._exit()")

    def _where_stuck(self) -> str:
        """The line of the student's files a child that overran its limit is running, or "".

        SIGUSR1 makes the child's faulthandler write its stack, innermost frame first,
        into the reply pipe; this reads it for at most a fraction of a second.
        """
        try:
            os.kill(self.process.pid, signal.SIGUSR1)
        except (ProcessLookupError, PermissionError):
            return ""
        dump = bytearray(self._buffer)
        end = time.monotonic() + STACK_SECONDS
        while b" in <module>" not in dump and len(dump) < 65536:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self._reply_r], [], [], left)[0]:
                break
            chunk = os.read(self._reply_r, 65536)
            if not chunk:
                break
            dump += chunk
        found = _STUCK_FRAME.search(dump.decode("utf-8", errors="replace"))
        if not found:
            return ""
        # PyPy's faulthandler gives a function's first line, not the running one: name the function only.
        line = "" if sys.implementation.name == "pypy" else f", line {found.group(2)}"
        return f"assignments/{found.group(1)}{line}, in {found.group(3)}"

    def _read_reply(self, limit: float) -> bytes:
        """Wait for one reply line, draining output meanwhile; kill the child on timeout."""
        end = time.monotonic() + limit
        while b"\n" not in self._buffer:
            left = end - time.monotonic()
            if left <= 0:
                where = self._where_stuck()
                self._kill()
                raise CallTimeout(f"did not return within {limit:.1f} s", where)
            ready = select.select([self._reply_r, self._out_r], [], [], left)[0]
            if self._out_r in ready:
                self._drain(0)
            if self._reply_r in ready:
                chunk = os.read(self._reply_r, 1 << 20)
                if not chunk:
                    raise self._died()
                self._buffer += chunk
                if len(self._buffer) > MAX_REPLY_BYTES:
                    self._kill()
                    raise BadReturn("returned more data than the grader accepts")
        line, self._buffer = self._buffer.split(b"\n", 1)
        self._drain(0)
        return line

    def request(self, op: str, *, timeout: Optional[float] = None,
                forbid: Sequence[str] = (), handle: Optional[Handle] = None,
                args: Sequence[Any] = (), kwargs: Optional[dict] = None, **fields: Any) -> Any:
        """Send one request to the child and return its validated, decoded reply value."""
        what = f"{handle.description}.{fields.get('name', '')}" if handle else str(fields.get("target", ""))
        for key in ("", what):
            if key in self._stuck:
                raise NotRun(self._stuck[key])
        limit = self._time_limit(timeout)
        if handle is not None and (self.process is None or handle.generation != self.generation):
            raise SubmissionDied(f"The {handle.description} object was lost when your code's "
                                 "process was restarted (after a timeout or a crash)")
        if self.process is None:
            self._start()
        if not self._imported:
            self._import()
            limit = self._time_limit(timeout)
        try:
            return self._send(op, limit, forbid, handle, args, kwargs, fields)
        except CallTimeout as exc:
            if limit >= self.limits.call_seconds:  # not a short limit of a speed test, nor the budget's end
                self._stuck[what] = (f"Not run: {what} did not return within {limit:.1f} s "
                                     "in an earlier test (an infinite loop?)")
            raise CallTimeout(f"{what} did not return within {limit:.1f} s (an infinite loop?)"
                              + running(exc.where)) from None

    def _import(self) -> None:
        """Import the student's module in a request of its own, so that a module whose top
        level never finishes is told apart from a slow function, and costs one time limit."""
        limit = self._time_limit(None)
        try:
            self._send("import", limit, (), None, (), None, {})
        except CallTimeout as exc:
            self._stuck[""] = (f"Not run: importing {self.assignment}.py did not finish "
                               "in an earlier test")
            # The loop may be in a file this one imports (linear_classifier.py imports svm.py):
            # the place it was running says which.
            raise CallTimeout(f"Importing {self.assignment}.py did not finish within {limit:.1f} s: "
                              "code at the top level of a file (outside any function) runs a loop "
                              "or a long computation" + running(exc.where)) from None
        except StudentCrash:
            return  # a module that raises on import: each call reports why, as its own error
        self._imported = True

    def _send(self, op: str, limit: float, forbid: Sequence[str], handle: Optional[Handle],
              args: Sequence[Any], kwargs: Optional[dict], fields: dict) -> Any:
        """Write one request to the running child and return its decoded reply value."""
        self._next_id += 1
        message = dict(fields, op=op, id=self._next_id, forbid=list(forbid),
                       args=encode(list(args)), kwargs={k: encode(v) for k, v in (kwargs or {}).items()})
        if handle is not None:
            message["handle"] = handle.id
        try:
            os.write(self._request_w, (json.dumps(message) + "\n").encode("utf-8"))
        except BrokenPipeError:
            raise self._died() from None
        reply = self._parse(self._read_reply(limit))
        if reply.get("ok") is True:
            try:
                return decode(reply.get("value"), self.generation, str(fields.get("target", "object")))
            except RecursionError:
                raise BadReturn("returned data nested too deeply") from None
        raise self._error(reply)

    def _parse(self, line: bytes) -> dict:
        """Parse a reply line; a reply that is not ours means the child is compromised: kill it."""
        try:
            reply = json.loads(line.decode("utf-8"))
        except (ValueError, RecursionError):
            reply = None
        if not isinstance(reply, dict) or reply.get("id") != self._next_id:
            self._kill()
            raise BadReturn("the submission wrote something into the grader's reply channel")
        return reply

    def _error(self, reply: dict) -> Exception:
        """The StudentError for a refusal reply."""
        kind = reply.get("kind")
        message = str(reply.get("message", ""))
        if kind == "not_implemented":
            return NotImplementedYet(message, self._computed(reply))
        if kind == "bad_return":
            return BadReturn(message)
        if kind == "forbidden":
            return ForbiddenCall(message)
        trace = self._as_student_sees(str(reply.get("traceback", "")))
        return StudentCrash(str(reply.get("exc_type", "")) or "Error", message, trace,
                            student_location(trace), self._computed(reply))

    def _computed(self, reply: dict) -> dict:
        """The locals a stopped function had computed, validated like any reply ({} if invalid)."""
        try:
            computed = decode(reply.get("computed", {"D": {}}), self.generation)
        except (BadReturn, RecursionError):
            return {}  # only credit is lost: the status stands
        return computed if isinstance(computed, dict) else {}

    def _as_student_sees(self, trace: str) -> str:
        """A traceback with the workspace's paths shortened to the student's ``assignments/<file>``."""
        for lib in {str(self.workspace.lib), str(self.workspace.lib.resolve())}:
            trace = trace.replace(lib + os.sep, "")
        return trace
