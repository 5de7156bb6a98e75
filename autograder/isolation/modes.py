"""The isolation modes, what the probe found, and the grader's own error when isolation fails."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Dict


class Mode(Enum):
    """How far the child can be kept apart from the machine, strongest first."""

    NAMESPACES = "namespaces"          # root with CAP_SYS_ADMIN: all namespaces, a random unprivileged uid
    USER_NAMESPACE = "user namespace"  # a new user namespace, then the same private view
    UID_DROP = "uid drop"              # root without namespaces: an unprivileged uid and file permissions only
    NONE = "none"                      # no isolation: the child runs as the grader's user


class IsolationError(RuntimeError):
    """The child's isolation could not be set up: a fault of the grader's machine, never of the submission."""

    def __init__(self, step: str, error: str, code: int = 0) -> None:
        super().__init__(f"grader error: the child's isolation failed ({step}): {error}")
        self.step = step    # the setup step that failed ("user namespace", "proc", "bind", ...)
        self.error = error  # what the system said
        self.code = code    # its errno (0 if none)


@dataclass(frozen=True)
class Probe:
    """The isolation mode this machine allows, and why (the grader prints it in its log and report)."""

    mode: Mode
    reason: str              # which, and why not a stronger mode
    proc: bool = True        # whether the child gets a /proc of its own (a container may refuse one)
    map_root: bool = False   # user namespace made by root: root and a random uid mapped, not the grader's id
    accepted: bool = False   # the instructor accepted grading without isolation (--unisolated)

    @property
    def isolated(self) -> bool:
        """Whether the child gets the private view (its own namespaces)."""
        return self.mode in (Mode.NAMESPACES, Mode.USER_NAMESPACE)

    def describe(self) -> str:
        """One line for the grader's log: the mode and the reason."""
        return f"isolation: {self.mode.value}: {self.reason}" + self.acceptance()

    def label(self) -> str:
        """The mode in a few words for a report and results.json: who the grader is when isolated
        ("namespaces (root)"), the whole reason when not (it says what the child could reach)."""
        if self.isolated:
            who = self.reason.split(":")[0].split(";")[0]
            return f"{self.mode.value} ({who})"
        return f"{self.mode.value}: {self.reason}" + self.acceptance()

    def acceptance(self) -> str:
        """The note that an instructor chose to grade unisolated ("" when isolated or not chosen)."""
        if self.accepted and not self.isolated:
            return " (graded unisolated: the instructor passed --unisolated)"
        return ""

    def refusal(self) -> str:
        """What batch and Gradescope grading say when they refuse to grade without isolation."""
        keep = (" In uid drop mode only file permissions keep a submission from the others: make the "
                "submissions and the output folder mode 0700 before passing --unisolated."
                if self.mode is Mode.UID_DROP else "")
        return (f"grader error: the child cannot be isolated on this machine ({self.mode.value}: {self.reason}). "
                "Run the grader as root, or where unprivileged user namespaces are allowed, or pass "
                "--unisolated to grade anyway (the report then says the grading ran unisolated)." + keep)

    def to_json(self) -> Dict[str, Any]:
        """The probe as plain data (batch sends it to its workers)."""
        return {"mode": self.mode.value, "reason": self.reason, "proc": self.proc, "map_root": self.map_root,
                "accepted": self.accepted}

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "Probe":
        """The probe that :meth:`to_json` wrote."""
        return cls(Mode(data["mode"]), str(data["reason"]), bool(data["proc"]), bool(data["map_root"]),
                   bool(data["accepted"]))
