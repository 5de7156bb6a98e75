"""Late work: the due date and the penalty policy of ``config.toml``'s ``[late]`` table, and days late.

A submission is late by the days between its time (Moodle's grading
worksheet carries it) and the due date, plus any extension and the grace
period; a started day counts as a day. When the LMS only flags a submission
late (Canvas writes ``LATE`` into the file name, with no time), it is late by
``flagged_days``. The penalty is a percentage of the points possible per late
day, up to a cap, as Canvas's own late policy counts it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Dict, Optional, Union

from autograder.config import DEFAULT_PATH, ConfigError, read_toml

DAY = timedelta(days=1)


@dataclass(frozen=True)
class LatePolicy:
    """When the work is due and what lateness costs; no due date and no flag means nothing is late."""

    due: Optional[datetime] = None
    grace_minutes: float = 0.0
    per_day: float = 0.0  # percent of the points possible taken per late day
    max_penalty: float = 100.0  # the most a late submission loses, in percent
    flagged_days: float = 1.0  # days late of a submission flagged late without a time

    def days_late(self, submitted: Optional[datetime], flagged: bool, extension_days: float = 0.0) -> int:
        """Whole days late (a started day counts) of a submission, with the student's extension."""
        if submitted is not None and self.due is not None:
            over = submitted - self.due - timedelta(days=extension_days, minutes=self.grace_minutes)
            return max(0, math.ceil(over / DAY)) if over > timedelta(0) else 0
        if flagged:
            return max(0, math.ceil(self.flagged_days - extension_days))
        return 0

    def penalty_percent(self, days: int) -> float:
        """The percent of the points possible that `days` late days cost."""
        return min(self.max_penalty, self.per_day * days) if days > 0 else 0.0


def parse_time(text: str, where: str = "time") -> datetime:
    """An ISO 8601 time ("2025-03-01T23:59:00+01:00", "...Z" for UTC); ConfigError if it is not one."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"  # Python before 3.11 reads no "Z"
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{where}: {text!r} is not a time; expected ISO 8601 such as "
                          "2025-03-01T23:59:00+01:00") from None


def local_time(moment: datetime, policy: LatePolicy) -> datetime:
    """A time without a zone read in the due date's zone (an LMS writes its own local times)."""
    if moment.tzinfo is None and policy.due is not None and policy.due.tzinfo is not None:
        return moment.replace(tzinfo=policy.due.tzinfo)
    if moment.tzinfo is not None and policy.due is not None and policy.due.tzinfo is None:
        return moment.replace(tzinfo=None)
    return moment


def _percent(table: Dict[str, Any], key: str, default: float, where: str) -> float:
    """A number >= 0 from the [late] table."""
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(f"{where}: late.{key} must be a number >= 0, got {value!r}")
    return float(value)


def load_late_policy(path: Optional[Union[str, Path]] = None) -> LatePolicy:
    """The [late] table of a config file (None: the shipped one); ConfigError if it is invalid."""
    path = Path(path) if path is not None else DEFAULT_PATH
    table = read_toml(path).get("late", {})
    where = path.name
    due = table.get("due", "")
    if not isinstance(due, (str, datetime)):
        raise ConfigError(f"{where}: late.due must be a time in quotes, got {due!r}")
    return LatePolicy(
        due=parse_time(due, f"{where}: late.due") if isinstance(due, str) and due.strip() else
        (due if isinstance(due, datetime) else None),
        grace_minutes=_percent(table, "grace_minutes", 0.0, where),
        per_day=_percent(table, "per_day", 0.0, where),
        max_penalty=_percent(table, "max_penalty", 100.0, where),
        flagged_days=_percent(table, "flagged_days", 1.0, where),
    )
