"""The in-process channel: a kernel without subprocesses (a browser tab) runs the checks in its own process.

A browser kernel (Pyodide, in a JupyterLite tab) cannot start the sandbox's
child process, so its check cells grade through :class:`InProcess`, which
takes the sandbox's place in ``autograder.grade`` (the ``channel`` of
``grade_submission``) with the same interface and the same protocol: each
request is encoded with ``autograder.wire`` and made JSON text, served by the
child's own ``Server`` (``autograder/child.py``), and its JSON reply is
validated by ``autograder.replies`` exactly as a sandboxed reply is.

While the student's code serves one request:

- the workspace's ``lib`` folder is first on ``sys.path`` and ``sys.modules``
  holds the submission's ``assignments`` modules (the kernel's own are set
  aside); afterwards the kernel's modules and ``sys.path`` are put back;
- what it prints goes into ``autograder.capture.Output`` under the
  configured cap, as the sandbox's pipe does;
- a lent function's callback is answered by the channel's ``_answer``
  directly, through the same JSON round trip (there are no pipes);
- a soft time limit (``autograder.softlimit``) stops it at its next line or
  call once the call's limit has passed. A call that was stopped is a
  timeout, and the next request starts afresh (the modules imported again,
  the handles to old objects refused), as after the sandbox kills its child.

This is not a sandbox. The student's code runs in the kernel's own process:
it can read and change anything there, it sees the kernel's whole
``tinybackprop`` (forbidden imports are still refused before anything runs),
no limit holds its memory, and its time limit is soft. That is acceptable
only because the kernel is the student's own, checking their own work in
their own browser tab: the official grade always runs in the sandbox, and
the check cell says so.
"""
from __future__ import annotations

import io
import json
import sys
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from types import ModuleType
from typing import Callable, Dict, Iterator, Optional

import tinybackprop.matrix  # noqa: F401  the kernel's library is loaded before the workspace goes on the path
from autograder import isolation, replies, wire
from autograder.capture import Output
from autograder.channel import RequestChannel
from autograder.child import Server, safe_reply
from autograder.config import Limits
from autograder.softlimit import SoftLimit
from autograder.suite import BadReturn, CallTimeout
from autograder.workspace import Workspace

PACKAGE = "assignments"  # the student's package, in the workspace's lib folder


def student_modules() -> Dict[str, ModuleType]:
    """Take the ``assignments`` package and its modules out of ``sys.modules``; return them."""
    names = [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]
    return {name: sys.modules.pop(name) for name in names}


class Printed(io.TextIOBase):
    """A text stream into an Output: what the student's code prints, kept up to the cap."""

    def __init__(self, output: Output) -> None:
        super().__init__()
        self.output = output

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        """Keep the text (as UTF-8 bytes, as the sandbox's pipe would carry it)."""
        self.output.add(text.encode("utf-8", errors="replace"))
        return len(text)


class InProcess(RequestChannel):
    """One assignment of one submission, its requests served in this process by the child's Server."""

    RESTARTED = "your code was started afresh (after a timeout)"
    # What a report says of where the code ran (the isolation line of a sandboxed grade).
    PROBE = isolation.Probe(isolation.Mode.NONE, "in the notebook's own process: no sandbox")

    def __init__(self, workspace: Workspace, assignment: str, limits: Limits,
                 probe: Optional[isolation.Probe] = None, quota: object = None) -> None:
        """``probe`` and ``quota`` are the sandbox's (how to isolate, how much may come back): this
        channel isolates nothing and keeps no quota, and takes them only to be called as the sandbox is."""
        super().__init__(workspace, assignment, limits)
        self.server: Optional[Server] = None  # None until the first request, and after a timeout
        self.modules: Dict[str, ModuleType] = {}  # the submission's modules, set aside between requests
        self._lend: Dict[str, Callable] = {}  # the functions lent for the request being served
        self._refused: Optional[BadReturn] = None  # a callback that was not one, in that request

    def _running(self) -> bool:
        """True while a server holds the student's modules and objects."""
        return self.server is not None

    def _start(self) -> None:
        """A fresh server, as the sandbox's new child: the modules imported anew, old handles refused."""
        self.server = Server(self.assignment, wire)
        self.server.ask = self._ask  # type: ignore[method-assign]  (no pipes: callbacks come here)
        self.modules = {}
        self._fresh()

    def close(self) -> None:
        """Forget the submission's modules and objects (the kernel's were put back after each request)."""
        self.server = None
        self.modules = {}
        sys.path_importer_cache.pop(str(self.workspace.lib), None)

    def _exchange(self, message: dict, limit: float, lend: Dict[str, Callable]) -> dict:
        """Serve one request through the JSON round trip, within a soft time limit; its reply, parsed."""
        clock = SoftLimit(str(self.workspace.lib / PACKAGE), limit)
        self._lend, self._refused = lend, None
        try:
            with self._students_turn(), clock:
                line = safe_reply(self.server, json.loads(json.dumps(message)))
        finally:
            self._lend = {}
        if self._refused is not None:  # the student's code may have caught it: it still counts
            self.server = None
            raise self._refused
        try:
            reply = json.loads(line)
        except (ValueError, RecursionError):
            reply = None
        if not isinstance(reply, dict) or reply.get("id") != message["id"]:
            raise BadReturn("the submission wrote something into the grader's reply channel")
        if clock.fired:  # stopped by the limit (or it caught the stop and returned late)
            self.server = None
            trace = self._as_student_sees(str(reply.get("traceback", "")))
            raise CallTimeout(f"did not return within {limit:.1f} s", replies.student_location(trace))
        return reply

    def _ask(self, callback: dict) -> dict:
        """A callback of the student's code to a lent function, answered here through the JSON round trip."""
        try:
            return json.loads(json.dumps(self._answer(json.loads(json.dumps(callback)), self._lend)))
        except BadReturn as exc:
            self._refused = exc
            raise

    @contextmanager
    def _students_turn(self) -> Iterator[None]:
        """The student's modules and path in place and its output captured; the kernel's put back after."""
        path, saved_path = sys.path, list(sys.path)
        kernels = student_modules()
        sys.modules.update(self.modules)
        path.insert(0, str(self.workspace.lib))
        printed = Printed(self.printed)
        try:
            with redirect_stdout(printed), redirect_stderr(printed):
                yield
        finally:
            self.modules = student_modules()
            sys.modules.update(kernels)
            path[:] = saved_path
            sys.path = path  # also if the student's code bound sys.path to another list
