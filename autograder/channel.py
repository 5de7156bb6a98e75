"""A channel to one assignment's code: the parent's side of the sandbox's protocol, whatever carries it.

What a :class:`RequestChannel` does is the same however the requests travel:
each request has a time limit, capped by the submission's deadline; the
student's module is imported in a request of its own (so that a top level that
never finishes is told apart from a slow function, and costs one time limit);
a call that ran out the full limit is not made again (``autograder.timeouts``);
a handle belongs to one generation of the code's server and is refused after a
restart; the request is encoded with ``autograder.wire`` and the reply is
validated by ``autograder.replies``; what the code printed is kept, capped.

A request may lend the student's code functions of the parent's for its
duration (``lend``: name -> function, by the name the code knows them by:
``"self.<attr>"`` of the method's object, ``"<module>.<name>"``, or a name without
a dot for an argument given as ``LentArgument(name)``). When the
code calls one, a callback comes before the request's reply: the function
runs in the parent (:meth:`RequestChannel._answer`), on arguments validated
like any reply, so the grader sees every argument; its time counts in the
call's limit.

Two transports carry it: ``autograder.sandbox.Sandbox`` writes each request to
a sandboxed child process and reads its reply from a pipe (the only way the
grader runs untrusted code); ``autograder.inprocess.InProcess`` serves it in
this process, for a browser kernel that cannot start one. A transport provides
``_running``, ``_start`` (a fresh server: it calls ``_fresh``), ``_exchange``
(one request out, its callbacks answered, its parsed reply back) and ``close``.
"""
from __future__ import annotations

import os
import time
from typing import Any, Callable, Dict, Optional, Sequence

from autograder import replies, wire
from autograder.capture import Output
from autograder.config import Limits
from autograder.suite import BadReturn, CallTimeout, Handle, LentArgument, NotRun, StudentCrash, SubmissionDied
from autograder.timeouts import TimeoutPolicy
from autograder.workspace import Workspace


class RequestChannel:
    """The requests into one assignment of one submission, and their replies, whatever carries them."""

    # How a handle of an earlier generation was lost, for the error that refuses it.
    RESTARTED = "your code's process was restarted (after a timeout or a crash)"

    def __init__(self, workspace: Workspace, assignment: str, limits: Limits) -> None:
        self.workspace = workspace
        self.assignment = assignment
        self.limits = limits
        self.deadline: Optional[float] = None  # monotonic time when the submission's budget ends
        self.generation = 0
        self.printed = Output(limits.output_bytes)
        self.timeouts = TimeoutPolicy(limits.call_seconds)
        self._next_id = 0
        self._imported = False  # whether the running server has imported the student's module

    # -- what a transport provides -------------------------------------------
    def _running(self) -> bool:
        """True while a server of the student's code is up."""
        raise NotImplementedError

    def _start(self) -> None:
        """Start a fresh server of the student's code (calling ``_fresh``)."""
        raise NotImplementedError

    def _exchange(self, message: dict, limit: float, lend: Dict[str, Callable]) -> dict:
        """Carry one request to the server, answer its callbacks with ``_answer``; its reply, parsed
        (CallTimeout after ``limit`` s)."""
        raise NotImplementedError

    def close(self) -> None:
        """Stop the server, if any."""
        raise NotImplementedError

    def _fresh(self) -> None:
        """A new generation: the old handles refused, request ids from 1, the module not yet imported."""
        self.generation += 1
        self._next_id = 0
        self._imported = False

    # -- output ----------------------------------------------------------------
    def output(self) -> str:
        """Everything the student's code printed so far (capped)."""
        return self.printed.text()

    def take_output(self) -> str:
        """What the student's code printed since the last call of this method."""
        return self.printed.take()

    # -- requests --------------------------------------------------------------
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
        """Send one request to the student's code and return its validated, decoded reply value.

        lend: the functions the student's code may call back during this request, by the name it
        knows them by (``"self.<attr>"`` of the method's object, ``"<module>.<name>"``, or a name
        without a dot for an argument given as ``LentArgument(name)``).
        """
        what = f"{handle.description}.{fields.get('name', '')}" if handle else str(fields.get("target", ""))
        self.timeouts.refuse_known(what)
        limit = self._time_limit(timeout)
        if handle is not None and (not self._running() or handle.generation != self.generation):
            raise SubmissionDied(f"The {handle.description} object was lost when {self.RESTARTED}")
        if not self._running():
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
        """Carry one request to the running server and return its decoded reply value."""
        self._next_id += 1
        message = dict(fields, op=op, id=self._next_id, forbid=list(forbid), lend=sorted(lend),
                       args=wire.encode_argument(list(args), Handle, LentArgument),
                       kwargs={k: wire.encode_argument(v, Handle, LentArgument)
                               for k, v in (kwargs or {}).items()})
        if handle is not None:
            message["handle"] = handle.id
        reply = self._exchange(message, limit, lend)
        trace = self._as_student_sees(replies.text(reply, "traceback"))
        return replies.result(reply, self.generation, str(fields.get("target", "object")), trace)

    def _answer(self, callback: dict, lend: Dict[str, Callable]) -> dict:
        """Run the lent function a callback names, here, on its validated arguments: the answer to
        write to the code (a refusal, with the exception's name and message, when the function refuses
        them by raising). BadReturn when the callback is not one (the transport then stops the code)."""
        name = callback.get(wire.CALLBACK)
        try:
            args = replies.decode(callback.get("args"), self.generation)
            kwargs = replies.decode({wire.DICT: callback.get("kwargs")}, self.generation)
        except RecursionError:
            raise BadReturn("called a lent function with arguments nested too deeply") from None
        except BadReturn:
            raise BadReturn("called a lent function with arguments that are not plain data") from None
        if not isinstance(args, list) or not isinstance(kwargs, dict) or not isinstance(name, str):
            raise BadReturn("called a lent function with arguments that are not plain data")
        try:
            if name not in lend:
                raise RuntimeError(f"{name} is not lent by the grader here")
            return wire.reply(callback["id"], wire.encode_argument(lend[name](*args, **kwargs), Handle))
        except Exception as exc:  # the lent function refuses the student's arguments
            return wire.refusal(callback["id"], wire.CRASH, str(exc), type(exc).__name__)

    def _as_student_sees(self, trace: str) -> str:
        """A traceback with the workspace's paths shortened to the student's ``assignments/<file>``."""
        for lib in {str(self.workspace.lib), str(self.workspace.lib.resolve())}:
            trace = trace.replace(lib + os.sep, "")
        return trace
