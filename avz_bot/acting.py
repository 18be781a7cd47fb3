"""Whether this process may act now: the one guard checked before every side effect.

With a warm standby (``[standby] enabled``, PostgreSQL) only the process holding the lease
(``avz_bot.lease``) acts: handles commands, runs scheduled jobs, sends from the outbox and
so changes rooms. ``ActingGuard`` is what those places consult; the lease moves its
deadline forward at each successful renewal. Without a standby it always allows.
"""

from __future__ import annotations

import math
import time
from typing import Literal

Role = Literal["active", "standby"]


class LeaseLost(Exception):
    """This process no longer holds the lease: it must not act (another may)."""


class ActingGuard:
    """Allows acting until a deadline on the monotonic clock (``time.monotonic``)."""

    def __init__(self) -> None:
        self._until = math.inf
        self.role: Role = "active"

    def acting(self) -> bool:
        """True while this process may cause effects."""
        return time.monotonic() < self._until

    def remaining(self) -> float:
        """Seconds this process may still act (negative: not at all)."""
        return self._until - time.monotonic()

    def check(self) -> None:
        """Raise ``LeaseLost`` unless this process may act."""
        if not self.acting():
            raise LeaseLost("this process no longer holds the lease")

    def hold_until(self, deadline: float) -> None:
        """Act until ``deadline`` (``time.monotonic`` seconds): the lease was renewed."""
        self._until = deadline
        self.role = "active"

    def stand_by(self) -> None:
        """Act no more (waiting for the lease, or it was lost)."""
        self._until = -math.inf
        self.role = "standby"
