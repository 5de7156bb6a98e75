"""Numerical gradients: centered differences of a loss, one entry at a time, and how they compare."""
from __future__ import annotations

import math
from typing import Any, Callable, Optional, Sequence

from autograder.compare import NUMERIC, fmt, is_number, rel_error

SHOWN = 3  # disagreeing entries a message lists: enough to see the pattern, short enough to read


def centered_difference(loss_at: Callable[[float], Any], h: float = 1e-5) -> Optional[float]:
    """(L(+h) - L(-h)) / 2h, where loss_at(step) is the loss with one entry moved by step.
    None if a loss is not a finite number."""
    losses = [loss_at(step) for step in (h, -h)]
    if not all(is_number(loss) and math.isfinite(loss) for loss in losses):
        return None
    return (losses[0] - losses[1]) / (2 * h)


def agreement(name: str, analytic: float, numerical: Optional[float]) -> tuple:
    """(within NUMERIC, a line of the message) for one entry of a gradient check."""
    if numerical is None:
        return False, f"{name}: analytic {fmt(analytic)}, numerical not a number (the loss is not finite there)"
    error = rel_error(analytic, numerical)
    return error <= NUMERIC, (f"{name}: analytic {fmt(analytic)}, numerical {fmt(numerical)} "
                              f"(relative error {error:.1e})")


def summary(results: Sequence[tuple], loss: str) -> str:
    """The message of a gradient check from its (ok, line) entries: the first few that disagree,
    or, when all agree, only how many were checked (the numbers would say nothing more).
    loss: what was differentiated, in words ("the loss")."""
    wrong = [line for ok, line in results if not ok]
    if not wrong:
        return (f"all {len(results)} entries checked agree with centered differences of {loss} "
                f"(relative error below {NUMERIC:g})")
    more = f"; and {len(wrong) - SHOWN} more" if len(wrong) > SHOWN else ""
    return "; ".join(wrong[:SHOWN]) + more
