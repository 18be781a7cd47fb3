"""Spoken Dutch clock times and day parts: "half tien", "kwart voor drie", "morgenochtend" (pure).

Used by :mod:`avz_bot.domain.dates`. Conventions (Dutch speech is twelve-hour):

* "half tien" is half an hour *before* ten (9:30); "kwart over negen" 9:15; "kwart voor drie"
  2:45; "tien uur" 10:00; the hour may be a word (een … twaalf) or digits ("half 10").
* A spoken hour is read within the working day: before 07:00 it means the afternoon ("kwart
  voor drie" is 14:45, "half zeven" 18:30). After "middag" or "avond" it is afternoon or
  evening ("vanavond half acht" is 19:30).
* A day part without a time takes the calendar's ``morning``, ``afternoon`` or ``evening``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from typing import Final

from avz_bot.domain.workdays import WorkCalendar

NUMBER_WORDS: Final[dict[str, int]] = {
    "een": 1,
    "één": 1,
    "twee": 2,
    "drie": 3,
    "vier": 4,
    "vijf": 5,
    "zes": 6,
    "zeven": 7,
    "acht": 8,
    "negen": 9,
    "tien": 10,
    "elf": 11,
    "twaalf": 12,
}

# ASCII only: ``\d`` would otherwise accept Arabic-Indic and other Unicode digits.
_F: Final = re.ASCII
_NUMBER_ALTERNATION: Final = "|".join(
    re.escape(w) for w in sorted(NUMBER_WORDS, key=len, reverse=True)
)
# Spoken clock time: "half tien", "kwart over negen", "om kwart voor 3", "tien uur".
_CLOCK_WORDS = re.compile(
    rf"(?:^|\s)(?:om\s+)?(?:(?P<quarter>kwart)\s+(?P<dir>over|voor)\s+|(?P<half>half)\s+)?"
    rf"(?P<h>[0-9]{{1,2}}|{_NUMBER_ALTERNATION})(?P<uur>\s+uur)?$",
    _F,
)
# A day part after the day: "morgenochtend", "vrijdag middag", "vanavond".
_DAY_PART = re.compile(r"^(?P<base>.*?)\s*(?P<part>ochtend|middag|avond)$", _F)
_MORNING_WORDS: Final = {"vanmorgen": "", "van morgen": "", "morgenvroeg": "morgen"}
#: Spoken clock hours before this are read as afternoon ("kwart voor drie" = 14:45).
_EARLIEST_SPOKEN_HOUR: Final = 7


def number(token: str) -> int:
    """A number word ("drie") or digits as an int."""
    return NUMBER_WORDS[token] if token in NUMBER_WORDS else int(token)


@dataclass(frozen=True, slots=True)
class TimeOfDay:
    """A time split off the text; ``spoken`` when it was twelve-hour ("half tien", "4 uur")."""

    hour: int
    minute: int
    spoken: bool


def spoken_clock(text: str) -> tuple[str, TimeOfDay] | None:
    """A trailing spoken time ("half tien" = 9:30, "kwart voor drie" = 2:45, "tien uur")."""
    match = _CLOCK_WORDS.search(text)
    if match is None:
        return None
    relative = match["quarter"] or match["half"]
    if not relative and not match["uur"]:
        return None  # a bare number is a day or nothing, never a time
    if relative and match["uur"]:
        return None
    hour = number(match["h"])
    if not 1 <= hour <= 12:
        return None
    minutes = hour * 60
    if match["half"]:
        minutes -= 30  # "half tien": half an hour before ten
    elif match["dir"] == "over":
        minutes += 15
    elif match["dir"] == "voor":
        minutes -= 15
    rest = text[: match.start()].strip()
    if rest == "om" or rest.endswith(" om"):
        rest = rest[:-2].strip()
    return rest, TimeOfDay((minutes // 60) % 24, minutes % 60, spoken=True)


def split_day_part(text: str) -> tuple[str, str | None]:
    """Separate a day part: ("morgen", "ochtend") for "morgenochtend"; "van" means today."""
    if text in _MORNING_WORDS:
        return _MORNING_WORDS[text], "ochtend"
    match = _DAY_PART.match(text)
    if match is None:
        return text, None
    base = match["base"].strip()
    return ("" if base == "van" else base), match["part"]


def clock_for(clock: TimeOfDay | None, part: str | None, calendar: WorkCalendar) -> time | None:
    """The wall-clock time meant by a (spoken) time and/or a day part."""
    if clock is None:
        defaults = {"ochtend": calendar.morning, "middag": calendar.afternoon}
        return None if part is None else defaults.get(part, calendar.evening)
    hour = clock.hour
    later_part = part in {"middag", "avond"}
    early = part is None and hour < _EARLIEST_SPOKEN_HOUR
    if clock.spoken and hour < 12 and (later_part or early):
        hour += 12
    return time(hour, clock.minute)
