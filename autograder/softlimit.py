"""A soft time limit for student code that runs in the grader's own process, checked from inside.

A browser kernel (Pyodide) can neither start a process it could kill nor set
a timer signal (it has no ``signal.setitimer``), so the in-process channel
(``autograder.inprocess``) limits a call's time from inside the interpreter:
Python reports events of the code in the student's files to a callback that
reads the clock and, past the deadline, raises :class:`SoftTimeout` right
there, in the student's code.

- Python 3.12 and later (the browser's is 3.14) use ``sys.monitoring``: each
  call (``PY_START``: a recursion too) and each jump (``JUMP``: every turn of
  a loop) of the student's code. Any other code is switched off at its first
  event (``DISABLE``), so the library and the grader run at full speed. Every
  event past the deadline raises again, so a loop that catches the exception
  and carries on is stopped at its next turn.
- Older Pythons and PyPy use ``sys.settrace``: each call and each line of the
  student's code. Python turns the tracer off once it has raised, so there a
  loop that catches ``BaseException`` and carries on escapes the limit.

What no version can stop: one long call into C (``sum(range(10**12))``,
``time.sleep(60)``, ``[0] * 10**10``) or a long loop inside the library's own
code; the deadline is seen again only when the student's code runs its next
line. This is why it is soft: the sandbox's limits are hard, it kills the
process.
"""
from __future__ import annotations

import os
import sys
import time
from types import CodeType, FrameType, TracebackType
from typing import Any, Callable, Optional, Type

# The sys.monitoring tool ids this may use: the ones Python's documentation leaves unnamed.
TOOL_IDS = (3, 4)


class SoftTimeout(BaseException):
    """Raised in the student's code past its deadline (a BaseException: ``except Exception`` lets it through)."""


class SoftLimit:
    """While entered, the code of files under ``folder`` raises SoftTimeout once ``seconds`` have passed."""

    def __init__(self, folder: str, seconds: float) -> None:
        self.folder = os.path.join(folder, "")  # with the separator: /lib/assignments/, not /lib/assignments2
        self.seconds = seconds
        self.deadline = 0.0
        self.fired = False  # whether SoftTimeout was raised (the student's code may have caught it)
        self._tool: Optional[int] = None
        self._tracer: Any = None  # the trace function this replaced (sys.settrace's way)

    def _is_students(self, code: CodeType) -> bool:
        """True for code compiled from a file under the student's folder."""
        return code.co_filename.startswith(self.folder)

    def _check(self) -> None:
        """Raise SoftTimeout if the deadline has passed."""
        if time.monotonic() > self.deadline:
            self.fired = True
            raise SoftTimeout(f"stopped after {self.seconds:.1f} s")

    def __enter__(self) -> SoftLimit:
        self.deadline = time.monotonic() + self.seconds
        monitoring = getattr(sys, "monitoring", None)
        free = [tool for tool in TOOL_IDS if monitoring is not None and monitoring.get_tool(tool) is None]
        if free:
            self._tool = free[0]
            self._monitor(monitoring, free[0])
        else:
            self._tracer = sys.gettrace()
            sys.settrace(self._on_call)
        return self

    def __exit__(self, kind: Optional[Type[BaseException]], error: Optional[BaseException],
                 trace: Optional[TracebackType]) -> None:
        if self._tool is None:
            sys.settrace(self._tracer)
            return
        monitoring, events = sys.monitoring, sys.monitoring.events
        monitoring.set_events(self._tool, events.NO_EVENTS)
        for event in (events.PY_START, events.JUMP):
            monitoring.register_callback(self._tool, event, None)
        monitoring.free_tool_id(self._tool)
        monitoring.restart_events()  # the code switched off counts again for whoever uses the id next
        self._tool = None

    # -- Python 3.12 and later: sys.monitoring --------------------------------
    def _monitor(self, monitoring: Any, tool: int) -> None:
        """Watch the student's calls and jumps with sys.monitoring, as tool ``tool``."""
        events = monitoring.events
        monitoring.use_tool_id(tool, "tinybackprop soft time limit")
        callback = self._on_event(monitoring.DISABLE)
        for event in (events.PY_START, events.JUMP):
            monitoring.register_callback(tool, event, callback)
        monitoring.set_events(tool, events.PY_START | events.JUMP)

    def _on_event(self, disable: object) -> Callable[..., object]:
        """The callback of both events: the deadline for the student's code, DISABLE for any other."""
        def on_event(code: CodeType, *offsets: int) -> object:
            if not self._is_students(code):
                return disable
            self._check()
            return None
        return on_event

    # -- before Python 3.12, and PyPy: sys.settrace ---------------------------
    def _on_call(self, frame: FrameType, event: str, arg: Any) -> Optional[Callable[..., Any]]:
        """The global tracer: the deadline at each call of the student's code, whose lines it then watches."""
        if not self._is_students(frame.f_code):
            return None
        self._check()
        return self._on_line

    def _on_line(self, frame: FrameType, event: str, arg: Any) -> Callable[..., Any]:
        """The local tracer of the student's frames: the deadline at each line."""
        self._check()
        return self._on_line
