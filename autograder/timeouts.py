"""The timeout policy of a sandbox: what used up the full per-call limit is not tried again.

One infinite loop must not spend the time budget of every other check. A
function (or the import of the student's module) that ran out the whole
per-call limit once would run it out again, so later requests for it raise
:class:`~autograder.suite.NotRun` at once. A call stopped by a shorter limit
(a speed test's own) or by the end of the submission's budget may be tried
again: with more time it could return. Every timeout's message says where the
student's code was running (:func:`stuck_at`, from the stack the child dumps).
"""
from __future__ import annotations

import re
import sys
from typing import Dict

from autograder.suite import CallTimeout, NotRun

IMPORT_KEY = ""  # the key of the student module's import among the calls that timed out
# The first (innermost) frame of the student's code in a faulthandler stack dump.
STUCK_FRAME = re.compile(r'^  File "[^"]*/assignments/([^"/]+)", line (\d+) in (\S+)$', re.M)


def stuck_at(dump: str) -> str:
    """The line of the student's files a faulthandler stack dump shows running (innermost), or ""."""
    found = STUCK_FRAME.search(dump)
    if not found:
        return ""
    # PyPy's faulthandler gives a function's first line, not the running one: name the function only.
    line = "" if sys.implementation.name == "pypy" else f", line {found.group(2)}"
    return f"assignments/{found.group(1)}{line}, in {found.group(3)}"


def running(where: str) -> str:
    """The end of a timeout's message: where the student's code was when it was stopped."""
    return f"; it was running {where} when it was stopped" if where else ""


class TimeoutPolicy:
    """The calls of one sandbox that timed out at the full limit, and the messages of its timeouts."""

    def __init__(self, call_seconds: float) -> None:
        self.call_seconds = call_seconds
        self.stuck: Dict[str, str] = {}  # a call target (or IMPORT_KEY) -> why it is not run again

    def refuse_known(self, what: str) -> None:
        """Raise NotRun when the import, or ``what``, already used up the full per-call limit."""
        for key in (IMPORT_KEY, what):
            if key in self.stuck:
                raise NotRun(self.stuck[key])

    def call_timed_out(self, what: str, limit: float, where: str) -> CallTimeout:
        """The error of a call stopped after ``limit`` s; remembered when that was the full limit."""
        if limit >= self.call_seconds:  # not a short limit of a speed test, nor the budget's end
            self.stuck[what] = (f"Not run: {what} did not return within {limit:.1f} s "
                                "in an earlier test (an infinite loop?)")
        return CallTimeout(f"{what} did not return within {limit:.1f} s (an infinite loop?)" + running(where))

    def import_timed_out(self, assignment: str, limit: float, where: str) -> CallTimeout:
        """The error of an import of the student's module that did not finish: never tried again."""
        self.stuck[IMPORT_KEY] = f"Not run: importing {assignment}.py did not finish in an earlier test"
        # The loop may be in a file this one imports (linear_classifier.py imports svm.py):
        # the place it was running says which.
        return CallTimeout(f"Importing {assignment}.py did not finish within {limit:.1f} s: "
                           "code at the top level of a file (outside any function) runs a loop "
                           "or a long computation" + running(where))
