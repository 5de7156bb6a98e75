"""The sandbox: the life of the child process that runs one assignment of a submission.

The threat model is in DESIGN.md: the submission is untrusted code. A
:class:`Sandbox` serves one assignment from a :class:`~autograder.workspace.Workspace`:

- It starts ``python -I -S -B -u child.py`` (isolated, no site-packages, so
  numpy and friends are not importable) with two private pipes: requests in,
  replies out, one JSON line each in the format of ``autograder.wire``. The
  settings (paths, uid, limits) go through the request pipe, because any user
  can read a command line. The child's stdout and stderr go to a third pipe,
  drained into ``autograder.capture``: the student's prints reach the report,
  never the reply channel. The child answers a handshake once it is set up,
  before any student code runs.
- Where the machine allows it (:func:`autograder.isolation.probe`, asked once
  per grader process), the child runs in a private view of the machine
  (``autograder.isolation``): its own mount, PID and network namespaces, a
  root holding only the Python installation, the workspace's ``lib``
  (read-only) and capped tmpfs for its work folder and ``/tmp``, no
  privileges. It sees no other process, user, submission or copy of the
  course, has no network, and one kill ends every process it made.
  Otherwise, in mode "uid drop" (root where no namespace can be made, as on
  Gradescope) it runs as an unprivileged uid of its own, kept from the
  course (mode 0o700) and the grader's tree (an empty mount where root may
  make one) by file permissions, and what it leaves in ``/tmp`` is removed
  when it ends; in mode "none" it runs as the grader's own user.
- Every call has a time limit, capped by a deadline for the whole submission
  that the runner passes. The request is written without blocking, under the
  same deadline as its reply; nothing may come back before it is written
  whole. On a timeout, a protocol violation or a death, the child's whole
  process tree is killed (the next request starts a fresh child: the
  generation number changes, so old handles are refused) and
  :class:`~autograder.suite.CallTimeout` or
  :class:`~autograder.suite.SubmissionDied` is raised. The student's module is
  imported in a request of its own; what is not tried again after a timeout
  is ``autograder.timeouts``.
- A request may lend the student's code functions of the parent's for its
  duration (``lend``: name -> function). When the child asks for one (a
  callback, before the request's reply), the function runs here, on
  arguments validated like any reply, and its answer goes back on the
  request pipe under the request's deadline; the time it takes counts in the
  call's limit, and each callback counts against the reply quota.
- Every reply is read within a size cap (per reply, and per submission
  across its sandboxes: :class:`ReplyQuota`) by ``autograder.replies``,
  which trusts nothing in it; tracebacks come back with the workspace's path
  cut off (``assignments/svm.py``).
- A child that cannot be set up is :class:`SandboxBroken`: the grader's
  error, never the student's 0.
- POSIX only (process groups, rlimits, ``select`` on pipes): Linux and macOS;
  on Windows, grade inside WSL.
"""
from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from autograder import isolation, replies, wire
from autograder.capture import Output
from autograder.config import Limits
from autograder.isolation.launch import random_id
from autograder.suite import (BadReturn, CallTimeout, Handle, LentArgument, NotRun, StudentCrash,
                              StudentError, SubmissionDied)
from autograder.timeouts import TimeoutPolicy, stuck_at
from autograder.workspace import Workspace, WorkspaceError, remove_leftovers

CHILD = Path(__file__).resolve().parent / "child.py"
GRADER_TREE = Path(__file__).resolve().parent.parent  # the checkout (or site-packages) holding the grader
MiB = 1024 * 1024
# A complete submission's largest reply is about 30 kB and all its replies together about 400 kB.
MAX_REPLY_BYTES = 4 * MiB
SUBMISSION_REPLY_BYTES = 64 * MiB
STARTUP_SECONDS = 20.0
STACK_SECONDS = 0.5  # how long a stuck child may take to write its stack
DEATH_SECONDS = 2.0  # how long a child whose reply pipe ended may take to end before it is killed
SELF_TEST = "def product(m):\n    return m @ m.T\n"


def running_as_root() -> bool:
    """True when this process runs as root (it then keeps the course from every other user)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


class SandboxBroken(RuntimeError):
    """The child could not be set up (a problem of the grader's machine, not of the submission)."""


class ReplyQuota:
    """The bytes of replies one submission may still send, across the sandboxes of its assignments."""

    def __init__(self, total: int = SUBMISSION_REPLY_BYTES) -> None:
        self.total = total
        self.left = total

    def take(self, size: int) -> bool:
        """Count a reply of ``size`` bytes; False once the submission has sent more than its total."""
        self.left -= size
        return self.left >= 0


class Sandbox:
    """One assignment of one submission, served by a restartable child process."""

    def __init__(self, workspace: Workspace, assignment: str, limits: Limits,
                 probe: Optional[isolation.Probe] = None, quota: Optional[ReplyQuota] = None) -> None:
        self.workspace = workspace
        self.assignment = assignment
        self.limits = limits
        self.probe = probe or isolation.probe()
        self.quota = quota or ReplyQuota()
        self.deadline: Optional[float] = None  # monotonic time when the submission's budget ends
        self.generation = 0
        self.process: Optional[subprocess.Popen] = None
        self.printed = Output(limits.output_bytes)
        self.timeouts = TimeoutPolicy(limits.call_seconds)
        self._next_id = 0
        self._buffer = bytearray()  # what the child wrote into the reply pipe, not yet read as a reply
        self._imported = False  # whether this child has imported the student's module
        self._uid: Optional[int] = None  # the unisolated child's own uid (uid drop mode)

    # -- lifecycle ---------------------------------------------------------
    def _start(self) -> None:
        """Start a fresh child and wait for its handshake; SandboxBroken if it cannot be set up."""
        request_r, self._request_w = os.pipe()
        self._reply_r, reply_w = os.pipe()
        self._out_r, out_w = os.pipe()
        try:
            self.process, settings = self._launch(request_r, reply_w, out_w)
        except (isolation.IsolationError, WorkspaceError, ValueError, OSError) as exc:
            for fd in (self._request_w, self._reply_r, self._out_r):
                os.close(fd)
            raise SandboxBroken(f"the grader's sandbox did not start its child ({exc})") from None
        finally:
            for fd in (request_r, reply_w, out_w):
                os.close(fd)
        os.set_blocking(self._request_w, False)
        self.generation += 1
        self._buffer = bytearray()
        self._out_open = True
        self._next_id = 0
        self._imported = False
        end = time.monotonic() + STARTUP_SECONDS
        try:
            self._write((json.dumps(settings) + "\n").encode("utf-8"), end)
            self._parse(self._read_reply(end))
        except StudentError as exc:
            self._kill()
            raise SandboxBroken(f"the grader's sandbox did not start ({exc}): "
                                f"{self.take_output()[-2000:]}") from None

    def _launch(self, request_r: int, reply_w: int, out_w: int) -> Tuple[subprocess.Popen, dict]:
        """Start the child process, isolated when the probe allows it; return it and its settings."""
        settings = {
            "assignment": self.assignment, "strict": self.probe.mode is not isolation.Mode.NONE,
            "memory_bytes": self.limits.memory_mb * MiB,
            "cpu_seconds": self.limits.submission_seconds + 1,
            "file_bytes": self.limits.file_bytes,
        }
        command = ["-I", "-S", "-B", "-u"]
        pipes = dict(stdin=subprocess.DEVNULL, stdout=out_w, stderr=out_w, pass_fds=(request_r, reply_w))
        self._uid = None
        if self.probe.isolated:
            # Paths as the child sees them; it is unprivileged from its first instruction.
            settings.update(lib=isolation.LIB, work=isolation.WORK, uid=None, gid=None, hide=[])
            view = isolation.View(lib=str(self.workspace.lib), files={"child.py": str(CHILD)},
                                  tmp_bytes=self.limits.tmp_bytes, work_bytes=self.limits.work_bytes,
                                  processes=False)
            command += [f"{isolation.WORKSPACE}/child.py", str(request_r), str(reply_w)]
            return isolation.start(command, view, self.probe, **pipes), settings
        changed = self.workspace.changed()
        if changed:  # only a child run as the grader's own user could have written them
            raise WorkspaceError(f"the workspace's files changed since it was written ({', '.join(changed)})")
        if self.probe.mode is isolation.Mode.UID_DROP:
            self._uid = random_id()
        work = self.workspace.new_workdir(self._uid)
        settings.update(lib=str(self.workspace.lib), work=str(work), uid=self._uid, gid=self._uid,
                        hide=self._hidden_paths() if self._uid is not None else [])
        process = subprocess.Popen(
            [sys.executable] + command + [str(CHILD), str(request_r), str(reply_w)], cwd=str(work),
            env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "HOME": str(work)}, start_new_session=True,
            **pipes)
        return process, settings

    def _hidden_paths(self) -> list:
        """The folders an unisolated child must not see: the grader's whole tree, or, when the
        interpreter or the workspace lives inside it (a virtualenv in the checkout),
        just its secrets: the repository history and the course folder."""
        tree = GRADER_TREE
        needed = [self.workspace.root, Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()]
        if tree != Path(tree.anchor) and not any(tree == p or tree in p.parents for p in needed):
            return [str(tree)]
        secrets = [tree / ".git", tree / "course"]
        return [str(path) for path in secrets if path.is_dir()]

    def _kill(self) -> None:
        """Kill the child's whole process tree and release its pipes.

        One kill of the process group: isolated, that is the launcher's, whose end ends every
        process of the child's PID namespace, whatever groups or sessions they made; unisolated,
        the child's own (RLIMIT_NPROC = 0 keeps it from making others).
        """
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
        if self._uid is not None:
            remove_leftovers(self._uid)

    def close(self) -> None:
        """Stop the child (if running)."""
        self._kill()

    def _died(self) -> SubmissionDied:
        """The error for a child whose reply pipe ended, naming how it ended (killed if it lives on)."""
        try:
            code: Optional[int] = self.process.wait(timeout=DEATH_SECONDS) if self.process else None
        except subprocess.TimeoutExpired:
            self._kill()
            return SubmissionDied("Your code's process closed the grader's reply channel and was stopped")
        self._kill()
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            why = " (the CPU time limit)" if name == "SIGXCPU" else ""
            return SubmissionDied(f"Your code's process was killed by {name}{why}")
        return SubmissionDied(f"Your code's process ended (exit code {code}) instead of "
                              "returning: do not call sys.exit() or os._exit()")

    def _violation(self, what: str) -> SubmissionDied:
        """Kill a child that broke the protocol (the student's code wrote into the reply channel)."""
        self._kill()
        return SubmissionDied(f"Your code's process was stopped: it {what}")

    def _timed_out(self) -> CallTimeout:
        """Kill a child that did not keep its deadline, saying where the student's code was."""
        where = self._where_stuck()
        self._kill()
        return CallTimeout("did not answer in time", where)

    def _where_stuck(self) -> str:
        """The line of the student's files a child that overran its limit is running, or "".

        SIGUSR1 (to the child, or to the launcher, which passes it on) makes the child's
        faulthandler write its stack, innermost frame first, into the reply pipe; this reads
        it for at most a fraction of a second.
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
        return stuck_at(dump.decode("utf-8", errors="replace"))

    # -- output ------------------------------------------------------------
    def output(self) -> str:
        """Everything the student's code printed in this sandbox so far (capped)."""
        return self.printed.text()

    def take_output(self) -> str:
        """What the student's code printed since the last call of this method."""
        return self.printed.take()

    # -- the pipes: every wait has a deadline ------------------------------
    def _watched(self) -> List[int]:
        """The pipes to wait on for reading: replies, and the output until it ends."""
        return [self._reply_r, self._out_r] if self._out_open else [self._reply_r]

    def _keep_output(self, readable: Sequence[int]) -> None:
        """Drain the child's output if ``select`` found it readable."""
        if self._out_open and self._out_r in readable:
            self._out_open = self.printed.drain(self._out_r, 0)

    def _write(self, data: bytes, end: float) -> None:
        """Write one message into the request pipe by the deadline ``end``, draining output meanwhile.

        Nothing may come back before the message is written whole: a reply that is
        early (or left over from the last one) was not written by the child's server.
        """
        if self._buffer:
            raise self._violation("wrote into the grader's reply channel")
        view = memoryview(data)
        while view:
            left = end - time.monotonic()
            if left <= 0:
                raise self._timed_out()
            readable, writable, _ = select.select(self._watched(), [self._request_w], [], left)
            self._keep_output(readable)
            if self._reply_r in readable:
                if not os.read(self._reply_r, 1):
                    raise self._died()
                raise self._violation("wrote into the grader's reply channel before it was asked anything")
            if writable:
                try:
                    view = view[os.write(self._request_w, view):]
                except BlockingIOError:
                    continue  # the pipe filled up between select and write
                except BrokenPipeError:
                    raise self._died() from None

    def _read_reply(self, end: float) -> bytes:
        """Read one message line by the deadline ``end``, within the caps, draining output meanwhile."""
        while b"\n" not in self._buffer:
            left = end - time.monotonic()
            if left <= 0:
                raise self._timed_out()
            readable = select.select(self._watched(), [], [], left)[0]
            self._keep_output(readable)
            if self._reply_r in readable:
                chunk = os.read(self._reply_r, MiB)
                if not chunk:
                    raise self._died()
                self._buffer += chunk
                if len(self._buffer) > MAX_REPLY_BYTES and b"\n" not in self._buffer:
                    self._kill()
                    raise BadReturn(f"returned more data than the grader accepts in one reply "
                                    f"({MAX_REPLY_BYTES // MiB} MB)")
        line, _, rest = bytes(self._buffer).partition(b"\n")
        self._buffer = bytearray(rest)
        self._keep_output(select.select(self._watched(), [], [], 0)[0])
        return line

    def _count(self, line: bytes) -> None:
        """Count a reply against the submission's quota; past it, stop the child."""
        if not self.quota.take(len(line)):
            self._kill()
            raise BadReturn(f"returned more data than the grader accepts from one submission "
                            f"({self.quota.total // MiB} MB in all)")

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

    def request(self, op: str, *, timeout: Optional[float] = None,
                forbid: Sequence[str] = (), handle: Optional[Handle] = None,
                args: Sequence[Any] = (), kwargs: Optional[dict] = None,
                lend: Optional[Dict[str, Callable]] = None, **fields: Any) -> Any:
        """Send one request to the child and return its validated, decoded reply value.

        lend: the functions the student's code may call back during this request, by the
        name it knows them by (``"self.<attr>"`` of the method's object, ``"<module>.<name>"``, or a name
        without a dot for an argument given as ``LentArgument(name)``).
        """
        what = f"{handle.description}.{fields.get('name', '')}" if handle else str(fields.get("target", ""))
        self.timeouts.refuse_known(what)
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
            return self._send(op, limit, forbid, handle, args, kwargs, fields, lend or {})
        except CallTimeout as exc:
            raise self.timeouts.call_timed_out(what, limit, exc.where) from None

    def _import(self) -> None:
        """Import the student's module in a request of its own, so that a module whose top
        level never finishes is told apart from a slow function, and costs one time limit."""
        limit = self._time_limit(None)
        try:
            self._send(wire.IMPORT, limit, (), None, (), None, {}, {})
        except CallTimeout as exc:
            raise self.timeouts.import_timed_out(self.assignment, limit, exc.where) from None
        except StudentCrash:
            return  # a module that raises on import: each call reports why, as its own error
        self._imported = True

    def _send(self, op: str, limit: float, forbid: Sequence[str], handle: Optional[Handle],
              args: Sequence[Any], kwargs: Optional[dict], fields: dict, lend: Dict[str, Callable]) -> Any:
        """Write one request to the running child and return its decoded reply value, both within
        ``limit``, answering the callbacks to lent functions that come before the reply."""
        end = time.monotonic() + limit
        self._next_id += 1
        message = dict(fields, op=op, id=self._next_id, forbid=list(forbid), lend=sorted(lend),
                       args=wire.encode_argument(list(args), Handle, LentArgument),
                       kwargs={k: wire.encode_argument(v, Handle, LentArgument)
                               for k, v in (kwargs or {}).items()})
        if handle is not None:
            message["handle"] = handle.id
        self._write((json.dumps(message) + "\n").encode("utf-8"), end)
        reply = self._next_reply(end)
        while wire.CALLBACK in reply:  # the student's code called a lent function: answer, read on
            self._answer(reply, lend, end)
            reply = self._next_reply(end)
        if reply.get("ok") is True:
            try:
                return replies.decode(reply.get("value"), self.generation, str(fields.get("target", "object")))
            except RecursionError:
                raise BadReturn("returned data nested too deeply") from None
        trace = self._as_student_sees(replies.text(reply, "traceback"))
        raise replies.refusal_error(reply, self.generation, trace)

    def _next_reply(self, end: float) -> dict:
        """The next message from the child, read by ``end``, counted against the quota, parsed."""
        line = self._read_reply(end)
        self._count(line)
        return self._parse(line)

    def _answer(self, callback: dict, lend: Dict[str, Callable], end: float) -> None:
        """Run the lent function a callback names, here, on its validated arguments; write its answer
        (or, when it refuses them by raising, the exception's name and message) to the child."""
        name = callback[wire.CALLBACK]
        try:
            args = replies.decode(callback.get("args"), self.generation)
            kwargs = replies.decode({wire.DICT: callback.get("kwargs")}, self.generation)
            if not isinstance(args, list) or not isinstance(name, str):
                raise BadReturn("not a callback")
        except (BadReturn, RecursionError):
            self._kill()  # it waits for an answer that will never come
            raise BadReturn("called a lent function with arguments that are not plain data") from None
        try:
            if name not in lend:
                raise RuntimeError(f"{name} is not lent by the grader here")
            answer = wire.reply(callback["id"], wire.encode_argument(lend[name](*args, **kwargs), Handle))
        except Exception as exc:  # the lent function refuses the student's arguments
            answer = wire.refusal(callback["id"], wire.CRASH, str(exc), type(exc).__name__)
        self._write((json.dumps(answer) + "\n").encode("utf-8"), end)

    def _parse(self, line: bytes) -> dict:
        """Parse a reply line; a reply that is not ours means the child is compromised: kill it."""
        try:
            reply = json.loads(line.decode("utf-8"))
        except (ValueError, RecursionError):
            reply = None
        if not isinstance(reply, dict) or reply.get("id") != self._next_id:
            raise self._violation("wrote something into the grader's reply channel")
        return reply

    def _as_student_sees(self, trace: str) -> str:
        """A traceback with the workspace's paths shortened to the student's ``assignments/<file>``."""
        for lib in {str(self.workspace.lib), str(self.workspace.lib.resolve()), isolation.LIB}:
            trace = trace.replace(lib + os.sep, "")
        return trace


def self_test(limits: Limits, probe: Optional[isolation.Probe] = None) -> None:
    """Run one call in a child as grading would: SandboxBroken when this machine cannot (batch checks
    this before grading a class that would all get 0)."""
    from tinybackprop.matrix import Matrix

    workspace = Workspace({"selftest.py": SELF_TEST})
    sandbox = Sandbox(workspace, "selftest", limits, probe)
    try:
        answer = sandbox.request(wire.CALL, target="selftest.product", args=[Matrix([[1.0, 2.0]])])
    except StudentError as exc:
        raise SandboxBroken(f"the grader's sandbox failed its self-test ({type(exc).__name__}: {exc}): "
                            f"{sandbox.take_output()[-2000:]}") from None
    finally:
        sandbox.close()
        workspace.close()
    if not (isinstance(answer, Matrix) and answer.tolist() == [[5.0]]):
        raise SandboxBroken(f"the grader's sandbox failed its self-test: [[1, 2]] @ [[1], [2]] gave {answer!r}")
