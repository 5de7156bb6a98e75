"""The capture of what the student's code prints: the first bytes kept for the report, the rest counted.

The child's stdout and stderr go to a pipe of their own (never the reply
pipe), which the sandbox drains while it waits for a reply, so that a
student who prints without end can neither block the child nor fill the
grader's memory, nor hold the grader in a drain that never ends.
"""
from __future__ import annotations

import os
import select

DRAIN_CHUNKS = 16  # chunks of 64 KiB read by one drain: the sandbox's deadlines are checked between drains


class Output:
    """The student's output of one sandbox, across restarts of its child: at most ``limit`` bytes kept."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.kept = bytearray()
        self.dropped = 0  # bytes printed beyond the limit
        self.taken = 0  # how much of ``kept`` take() has handed out

    def add(self, chunk: bytes) -> None:
        """Keep the first ``limit`` bytes printed; count the rest."""
        room = max(self.limit - len(self.kept), 0)
        self.kept += chunk[:room]
        self.dropped += max(len(chunk) - room, 0)

    def drain(self, fd: int, wait: float) -> bool:
        """Read what is waiting in the pipe ``fd``, at most DRAIN_CHUNKS chunks (waiting at most ``wait`` s
        for the first); False once the pipe has ended (every writer gone)."""
        for _ in range(DRAIN_CHUNKS):
            if not select.select([fd], [], [], wait)[0]:
                return True
            chunk = os.read(fd, 65536)
            if not chunk:
                return False
            self.add(chunk)
            wait = 0
        return True

    def text(self) -> str:
        """Everything printed so far (capped), with a note of how much was left out."""
        text = self.kept.decode("utf-8", errors="replace")
        if self.dropped:
            text += f"\n... ({self.dropped} more bytes of output not shown)"
        return text

    def take(self) -> str:
        """What was printed since the last call of this method."""
        text = self.kept[self.taken:].decode("utf-8", errors="replace")
        self.taken = len(self.kept)
        return text
