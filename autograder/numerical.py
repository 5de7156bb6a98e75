"""Numerical gradients of the student's own loss, taken through the Session one entry at a time."""
from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

from autograder.compare import NUMERIC, fmt, rel_error, unpack

SHOWN = 3  # disagreeing entries a message lists: enough to see the pattern, short enough to read


def centered_difference(loss_at: Callable[[float], Any], h: float = 1e-5) -> Optional[float]:
    """(L(+h) - L(-h)) / 2h, where loss_at(step) returns what the student's forward returns
    with one entry moved by step: a (loss, cache) pair. None if a loss is not a number."""
    losses = []
    for step in (h, -h):
        pair = unpack(loss_at(step), 2)
        if pair is None or not isinstance(pair[0], float):
            return None
        losses.append(pair[0])
    return (losses[0] - losses[1]) / (2 * h)


def agreement(name: str, analytic: float, numerical: Optional[float]) -> tuple:
    """(within NUMERIC, a line of the message) for one entry of a gradient check."""
    if numerical is None:
        return False, f"{name}: analytic {fmt(analytic)}, numerical not a number (your loss)"
    error = rel_error(analytic, numerical)
    return error <= NUMERIC, (f"{name}: analytic {fmt(analytic)}, numerical {fmt(numerical)} "
                              f"(relative error {error:.1e})")


def summary(results: Sequence[tuple]) -> str:
    """The message of a gradient check from its (ok, line) entries: the first few that disagree,
    or, when all agree, only how many were checked (the numbers would say nothing more)."""
    wrong = [line for ok, line in results if not ok]
    if not wrong:
        return (f"all {len(results)} entries checked agree with centered differences of your loss "
                f"(relative error below {NUMERIC:g})")
    more = f"; and {len(wrong) - SHOWN} more" if len(wrong) > SHOWN else ""
    return "; ".join(wrong[:SHOWN]) + more
