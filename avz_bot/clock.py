"""Time, injectable: the system clock in production, a controllable one in tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime:
        """The current instant (timezone-aware, UTC)."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """The current instant (timezone-aware, UTC)."""
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to (for tests and simulations)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """The current simulated instant."""
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by ``delta``."""
        self._now += delta

    def set(self, instant: datetime) -> None:
        """Jump to ``instant`` (aware)."""
        if instant.tzinfo is None:
            raise ValueError("instant must be timezone-aware")
        self._now = instant.astimezone(UTC)


class OffsetFileClock:
    """The system clock plus an offset in seconds read from a file (demos only).

    ``avz-bot demo`` runs the real bot as a process; instead of waiting idle for a
    conference to begin it moves this clock forward by writing a number of seconds
    (e.g. ``120``) to the file named by ``bot.clock_offset_file``. A missing or unreadable
    file means no offset. The file is re-read only when its modification time changes, so
    ``now()`` costs one ``stat``. Only the bot's idea of "now" moves: timers armed before a
    jump still fire on the system clock (the scheduler's sweep catches what fell due).
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._seen: int | None = None
        self._offset = timedelta(0)

    def now(self) -> datetime:
        """The system time plus the file's offset (timezone-aware, UTC)."""
        try:
            stamp = self._path.stat().st_mtime_ns
        except OSError:
            stamp = None
        if stamp != self._seen:
            self._seen = stamp
            self._offset = self._read()
        return datetime.now(UTC) + self._offset

    def _read(self) -> timedelta:
        try:
            return timedelta(seconds=float(self._path.read_text(encoding="utf-8").strip()))
        except (OSError, ValueError):
            return timedelta(0)
