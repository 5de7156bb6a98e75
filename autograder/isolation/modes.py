"""The isolation modes, what the probe found, and the grader's own error when isolation fails."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


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

    @property
    def isolated(self) -> bool:
        """Whether the child gets the private view (its own namespaces)."""
        return self.mode in (Mode.NAMESPACES, Mode.USER_NAMESPACE)

    def describe(self) -> str:
        """One line for the grader's log: the mode and the reason."""
        return f"isolation: {self.mode.value}: {self.reason}"

    def refusal(self) -> str:
        """What batch and Gradescope grading say when they refuse to grade without isolation."""
        return (f"grader error: the child cannot be isolated on this machine ({self.mode.value}: {self.reason}). "
                "Run the grader as root, or where unprivileged user namespaces are allowed, or pass "
                "--unisolated to grade anyway (the report then says the grading ran unisolated).")
