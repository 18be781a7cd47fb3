"""Dutch day and month names, and instants formatted as local dates with them (pure).

``DUTCH_NAMES`` is the one source of the names: the date parser
(:mod:`avz_bot.domain.dates`) builds its vocabulary from it, the views format with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from avz_bot.domain.workdays import WorkCalendar


@dataclass(frozen=True, slots=True)
class DateNames:
    """Day and month names used to format dates; Monday first, January first."""

    weekdays: tuple[str, ...]
    months: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(self.weekdays) != 7 or len(self.months) != 12:
            raise ValueError("DateNames needs 7 weekday names and 12 month names")


DUTCH_NAMES: Final = DateNames(
    weekdays=("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    months=(
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ),
)


def format_date(day: date, names: DateNames = DUTCH_NAMES) -> str:
    """``day`` as e.g. "vrijdag 28 november 2026"."""
    return f"{names.weekdays[day.weekday()]} {day.day} {names.months[day.month - 1]} {day.year}"


def format_when(
    instant: datetime,
    calendar: WorkCalendar,
    names: DateNames = DUTCH_NAMES,
    with_time: bool = True,
) -> str:
    """``instant`` (aware) in local time as e.g. "vrijdag 28 november 2026, 17:00"."""
    local = calendar.local(instant)
    text = format_date(local.date(), names)
    if with_time:
        text += f", {local.hour:02d}:{local.minute:02d}"
    return text
