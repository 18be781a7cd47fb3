"""The demo's simulated clock: the system time plus an offset read from a file."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from avz_bot.clock import OffsetFileClock


def test_no_file_means_the_system_time(tmp_path: Path) -> None:
    clock = OffsetFileClock(tmp_path / "offset")
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)
    assert clock.now().tzinfo is not None


def test_the_offset_moves_the_clock_and_is_re_read_when_the_file_changes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "offset"
    clock = OffsetFileClock(path)
    path.write_text("120", encoding="utf-8")
    ahead = clock.now() - datetime.now(UTC)
    assert timedelta(seconds=115) < ahead < timedelta(seconds=125)
    path.write_text("3600.5", encoding="utf-8")
    os.utime(path, ns=(0, path.stat().st_mtime_ns + 1_000_000))  # a new modification time
    ahead = clock.now() - datetime.now(UTC)
    assert timedelta(minutes=59) < ahead < timedelta(minutes=61)


def test_an_unreadable_offset_means_none(tmp_path: Path) -> None:
    path = tmp_path / "offset"
    path.write_text("morgen", encoding="utf-8")
    assert abs(OffsetFileClock(path).now() - datetime.now(UTC)) < timedelta(seconds=5)
