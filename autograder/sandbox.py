"""The sandbox: the life of the child process that runs one assignment of a submission.

The threat model is in DESIGN.md: the submission is untrusted code. A
:class:`Sandbox` serves one assignment from a :class:`~autograder.workspace.Workspace`:

- It starts ``python -I -S -B -u autograder/child.py`` (isolated, no
  site-packages, so numpy and friends are not importable) in a new session,
  with two private pipes: requests in, replies out, one JSON line each in the
  format of ``autograder.wire``. The settings (paths, uid, limits) go through
  the request pipe, because any user can read a command line. The child's
  stdout and stderr go to a third pipe, drained into ``autograder.capture``:
  the student's prints reach the report, never the reply channel. The child
  answers a handshake once it is set up, before any student code runs.
- When the grader runs as root, each child runs as its own unprivileged
  uid/gid (a random number in a high range, not ``nobody``: children of
  different students running at the same time then cannot signal, trace or
  write into one another) that owns only its work directory.
  ``course/`` (the reference solutions and hidden checks) is made mode 0o700
  by the runner, so that uid cannot read it; and the child, in a mount
  namespace of its own, covers the grader's tree (the checkout with its
  ``.git``, which holds every committed reference) with an empty read-only
  tmpfs where the system allows it (root with CAP_SYS_ADMIN). Not prevented:
  writing into world-writable places such as ``/tmp``; the grader never reads
  from them, and the child's uid is its own, so no other submission's files
  are reachable.
- Every call has a time limit, capped by a deadline for the whole submission
  that the runner passes. On a timeout the whole process group is killed
  (SIGKILL) and :class:`~autograder.suite.CallTimeout` is raised; if the child
  dies, its exit status becomes :class:`~autograder.suite.SubmissionDied`.
  The next request starts a fresh child (the generation number changes, so
  old handles are refused). The student's module is imported in a request of
  its own; what is not tried again after a timeout is ``autograder.timeouts``.
- Every reply is read by ``autograder.replies``, which trusts nothing in it;
  tracebacks come back with the workspace's path cut off (``assignments/svm.py``).
- POSIX only (process groups, rlimits, ``select`` on pipes): Linux and macOS;
  on Windows, grade inside WSL.
"""
from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from random import SystemRandom
from typing import Optional

from autograder.channel import RequestChannel
from autograder.config import Limits
from autograder.suite import BadReturn, CallTimeout, SubmissionDied
from autograder.workspace import Workspace

CHILD = Path(__file__).resolve().parent / "child.py"
GRADER_TREE = Path(__file__).resolve().parent.parent  # the checkout (or site-packages) holding the grader
MAX_REPLY_BYTES = 32 * 1024 * 1024
STARTUP_SECONDS = 20.0
# Unprivileged uids for children when grading as root: far above real users.
UID_BASE, UID_SPAN = 1_500_000_000, 500_000_000
# The first (innermost) frame of the student's code in a faulthandler stack dump.
STUCK_FRAME = re.compile(r'^  File "[^"]*/assignments/([^"/]+)", line (\d+) in (\S+)$', re.M)
STACK_SECONDS = 0.5  # how long a stuck child may take to write its stack


def running_as_root() -> bool:
    """True when this process can (and so must) drop privileges for the child."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


class SandboxBroken(RuntimeError):
    """The child could not be set up (a problem of the grader's machine, not of the submission)."""


class Sandbox(RequestChannel):
    """One assignment of one submission, served by a restartable child process.

    The requests' limits, the import, the handles and the output are the
    protocol's (``autograder.channel``); this is how they travel: over pipes.
    """

    def __init__(self, workspace: Workspace, assignment: str, limits: Limits) -> None:
        super().__init__(workspace, assignment, limits)
        self.process: Optional[subprocess.Popen] = None

    # -- lifecycle ---------------------------------------------------------
    def _start(self) -> None:
        """Start a fresh child (as an unprivileged user when running as root) and wait for its handshake."""
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
        self._fresh()
        self._buffer = b""
        try:
            os.write(self._request_w, (json.dumps(settings) + "\n").encode("utf-8"))
            self._parse(self._read_reply(STARTUP_SECONDS))
        except (CallTimeout, SubmissionDied, BadReturn, OSError) as exc:
            raise SandboxBroken(f"the grader's sandbox did not start ({exc}): "
                                f"{self.take_output()[-2000:]}") from None

    def _hidden_paths(self) -> list:
        """The folders the child must not see: the grader's whole tree, or, when the
        interpreter or the workspace lives inside it (a virtualenv in the checkout),
        just its secrets: the repository history and the course folder."""
        tree = GRADER_TREE
        needed = [self.workspace.root, Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()]
        if tree != Path(tree.anchor) and not any(tree == p or tree in p.parents for p in needed):
            return [str(tree)]
        secrets = [tree / ".git", tree / "course"]
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
        self.printed.drain(self._out_r, 0)
        for fd in (self._request_w, self._reply_r, self._out_r):
            os.close(fd)
        self.process = None

    def close(self) -> None:
        """Stop the child (if running)."""
        self._kill()

    def _running(self) -> bool:
        """True while a child is up."""
        return self.process is not None

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
        found = STUCK_FRAME.search(dump.decode("utf-8", errors="replace"))
        if not found:
            return ""
        # PyPy's faulthandler gives a function's first line, not the running one: name the function only.
        line = "" if sys.implementation.name == "pypy" else f", line {found.group(2)}"
        return f"assignments/{found.group(1)}{line}, in {found.group(3)}"

    # -- requests ----------------------------------------------------------
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
                self.printed.drain(self._out_r, 0)
            if self._reply_r in ready:
                chunk = os.read(self._reply_r, 1 << 20)
                if not chunk:
                    raise self._died()
                self._buffer += chunk
                if len(self._buffer) > MAX_REPLY_BYTES:
                    self._kill()
                    raise BadReturn("returned more data than the grader accepts")
        line, self._buffer = self._buffer.split(b"\n", 1)
        self.printed.drain(self._out_r, 0)
        return line

    def _exchange(self, message: dict, limit: float) -> dict:
        """Write one request to the running child and read its reply, parsed."""
        try:
            os.write(self._request_w, (json.dumps(message) + "\n").encode("utf-8"))
        except BrokenPipeError:
            raise self._died() from None
        return self._parse(self._read_reply(limit))

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
