"""Numerical gradients of the student's own loss, taken through the Session one entry at a time."""
from __future__ import annotations

from typing import Any, Callable, Optional

from autograder.compare import NUMERIC, fmt, rel_error, unpack


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
