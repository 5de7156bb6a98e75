"""The vocabulary shared by the grader and its suites: checks, verdicts, sessions, errors.

A suite module (``course/<assignment>/checks.py`` or
``course/<assignment>/hidden.py``) defines ``CHECKS: list[Check]``. The
runner (``autograder.grade``) gives each check a :class:`Session`, the trusted
parent's handle on the sandboxed child that runs one assignment of the
submission. A check calls the student's code only through the session, gets
back plain data (floats, lists, dicts, parent-built ``Matrix`` objects) and
returns a :class:`Verdict`, the one way credit reaches the runner. Anything
the student's code does wrong during a call is raised as a
:class:`StudentError`; a check that credits the work done before a student's
function stopped returns a Verdict that carries the :class:`Stopped` error;
any other error propagates, and the runner turns it into a status with no
credit (``error``, ``timeout``, ``not implemented``...).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Protocol, Sequence

from course import ASSIGNMENTS  # the course's list, which the engine's modules read here

if TYPE_CHECKING:
    from autograder.config import Config



@dataclass(frozen=True)
class Verdict:
    """What one check concludes: the fraction of its points earned, and why.

    ``stopped``: the student's function raised (a stub or a crash) after the work
    that ``fraction`` and ``message`` credit; the runner gives the test its
    status ("not implemented" or "error") and says where the function stopped.
    """

    fraction: float
    message: str
    hint: str = ""
    stopped: Optional["Stopped"] = None


@dataclass(frozen=True)
class Check:
    """One test of one stage of one assignment."""

    name: str
    assignment: str
    stage: str
    points: float
    run: Callable[["Session"], Verdict]
    hidden: bool = False


@dataclass(frozen=True)
class Handle:
    """A reference to an object that lives in the child (a student's class instance)."""

    id: int
    generation: int
    description: str


class StudentError(Exception):
    """Something the student's code did during a call (the runner maps it to a status)."""


class Stopped(StudentError):
    """The student's function raised before returning: a stub or a crash.

    ``computed`` holds the numbers and matrices the function had in its local
    variables when it raised (its arguments left out), as parent-built plain
    data: a check may credit the stages done before that point with
    ``Verdict(fraction, what_was_right, stopped=error)``.
    """

    def __init__(self, message: str, computed: Optional[dict] = None) -> None:
        super().__init__(message)
        self.computed = computed or {}


class NotImplementedYet(Stopped):
    """The stub still raises NotImplementedError; str() is the stage's message."""


class StudentCrash(Stopped):
    """The student's code raised an exception other than NotImplementedError."""

    def __init__(self, exc_type: str, message: str, traceback: str = "", location: str = "",
                 computed: Optional[dict] = None) -> None:
        super().__init__(f"{exc_type}: {message}" if message else exc_type, computed)
        self.exc_type = exc_type
        self.message = message
        self.traceback = traceback
        self.location = location  # the last line of the student's files it passed through, if any


class CallTimeout(StudentError):
    """The call did not return within its time limit (the child was killed).

    ``where``: the line of the student's files the child was running when stopped, if known.
    """

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(message)
        self.where = where


class NotRun(CallTimeout):
    """The call was not made: the submission's time is used up, or it would repeat a known timeout."""


class SubmissionDied(StudentError):
    """The child process exited or was killed (sys.exit, os._exit, memory, signal)."""


class BadReturn(StudentError):
    """The call returned something that is not plain data of the expected type or shape."""


class ForbiddenCall(StudentError):
    """The call used a function it must not use (e.g. vectorized calling naive)."""


class Channel(Protocol):
    """What a Session calls through: the sandbox of one assignment (``autograder.sandbox.Sandbox``)."""

    def request(self, op: str, **fields: Any) -> Any:
        """Send one request to the child and return its validated reply value."""

    def output(self) -> str:
        """What the student's code printed so far."""


Lent = Dict[str, Callable[..., Any]]  # a lent function by the name the student's code calls it by


@dataclass(frozen=True)
class LentArgument:
    """An argument of a call that is a lent function: the student's code gets, in its place, a function
    that runs ``lend[name]`` in the parent (``name`` has no dot, unlike a module's or a method's)."""

    name: str


class Session:
    """The trusted parent's handle on one sandboxed child (one assignment of one submission).

    A call may **lend** the student's code functions that run here, in the trusted
    parent: ``lend={"self.loss": fn}`` puts a proxy in place of the method's object's
    ``loss`` for the call (``fn(self, *args, **kwargs)``, where ``self`` is a dict of the
    object's data attributes at the time of the call), ``lend={"<module>.<name>": fn}``
    in place of a module's function (``fn(*args, **kwargs)``), and ``lend={"f": fn}`` with
    ``LentArgument("f")`` among the call's arguments hands it to the student's code as that
    argument (``numerical_gradient(f, x)``: the parent sees every x that f is called at). The student's code gets
    ``fn``'s answer; ``fn`` gets the arguments as validated plain data, and refuses bad
    ones by raising (the student's code then raises the same). Nothing of ``fn`` enters
    the child: it sees only the answers.
    """

    def __init__(self, sandbox: Channel, rng: random.Random, config: Optional["Config"] = None) -> None:
        self._sandbox = sandbox
        self.rng = rng
        self.config = config  # the grading Config (accuracy floors...), None outside the runner
        self._standins: Lent = {}  # what the stand-in modules of this session lend, on every call

    def _lent(self, lend: Optional[Lent]) -> Lent:
        """The functions one request lends: its own and those of the stand-in modules."""
        return dict(self._standins, **(lend or {}))

    def call(self, target: str, *args: Any, timeout: Optional[float] = None,
             forbid: Sequence[str] = (), lend: Optional[Lent] = None, **kwargs: Any) -> Any:
        """Call ``assignments.<module>.<name>(*args, **kwargs)`` in the child; return plain data.

        ``timeout`` (seconds) replaces the configured per-call limit; the submission's
        total limit still applies. ``forbid`` names functions the call must not use,
        as ``"<module>.<name>"`` or a bare ``"<name>"`` of the target's module: each is
        swapped for a tripwire during the call, and tripping it raises ForbiddenCall
        even if the student's code caught the tripwire's exception. ``lend``: see the class.
        """
        return self._sandbox.request("call", target=target, args=args, kwargs=kwargs,
                                     timeout=timeout, forbid=forbid, lend=self._lent(lend))

    def new(self, target: str, *args: Any, timeout: Optional[float] = None, **kwargs: Any) -> Handle:
        """Construct ``assignments.<module>.<Class>(*args, **kwargs)`` in the child; return its Handle."""
        return self._sandbox.request("new", target=target, args=args, kwargs=kwargs,
                                     timeout=timeout, lend=self._lent(None))

    def method(self, handle: Handle, name: str, *args: Any, timeout: Optional[float] = None,
               forbid: Sequence[str] = (), lend: Optional[Lent] = None, **kwargs: Any) -> Any:
        """Call ``obj.<name>(*args, **kwargs)`` on the child-side object of ``handle`` (``lend``: see the class)."""
        return self._sandbox.request("method", handle=handle, name=name, args=args,
                                     kwargs=kwargs, timeout=timeout, forbid=forbid, lend=self._lent(lend))

    def standin(self, module: str, lend: Lent) -> str:
        """Stand in for ``assignments.<module>`` when the student's file cannot be imported.

        The child then imports a module whose every function calls back here: ``lend``
        names what they run (``"<module>.<name>"`` -> fn), on every later call of this
        session. Call it before anything imports the module (``linear_classifier.py``
        imports ``svm.py``). Returns why the student's file could not be imported, or "".
        """
        why = self._sandbox.request("standin", module=module)
        if why:
            self._standins.update(lend)
        return why

    def attr(self, handle: Handle, name: str) -> Any:
        """Read attribute ``obj.<name>`` of the child-side object of ``handle`` as plain data."""
        return self._sandbox.request("attr", handle=handle, name=name)

    def output(self) -> str:
        """The student's captured stdout/stderr so far in this session (trimmed)."""
        return self._sandbox.output()
