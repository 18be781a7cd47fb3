"""Dutch date expressions: parse what people type ("vrijdag 9:30", "over 3 werkdagen") into
aware UTC instants (pure). Formatting instants back as local dates, and the Dutch day and
month names both use, live in :mod:`avz_bot.domain.date_names`.

Parsing is explicit and deterministic for the forms people actually type in the network
(see :func:`parse_when`); ``dateparser`` is only a fallback for word-only leftovers, because on
its own it misreads several of them (it fails on "volgende week vrijdag", "over een week" and
"over 3 werkdagen", reads a bare "12" as a past day of this month and cannot tell "vandaag" from
"vandaag 10:00").

Conventions (where Dutch usage leaves room):

* A date without a time means ``calendar.end_of_day`` (17:00) on that date (``has_time=False``).
* A weekday name means the next such day; if today is that weekday it means today as long as the
  resulting moment is still in the future ("maandag" on Monday at 10:00 is today 17:00,
  "maandag 9:00" then is next Monday). "volgende vrijdag" is AMBIGUOUS in Dutch (this coming or
  next week's?); "volgende week vrijdag" / "vrijdag volgende week" is the Friday of next ISO week.
* "einde van de week" is the weekday rule for Friday.
* Day-month is always read day first ("1/2" is 1 February); a bare number is UNPARSEABLE. A
  day-month without a year is its next occurrence whose moment is still in the future.
* Two numbers joined by a dot or colon are a time ("9.30"); dotted dates need a year
  ("1.12.2026").
* A time alone ("14:00") is today at that time; if that has passed the result is PAST (the
  caller asks again rather than us guessing tomorrow).
* Explicit dates on weekends and holidays are allowed (the caller decides); "over N werkdagen"
  counts working days of the calendar.
* Spoken times ("half tien", "kwart voor drie") and day parts ("morgenochtend",
  "vanmiddag 16:00"): see :mod:`avz_bot.domain.spoken_time`.
* "eind van de maand" is the month's last working day (next month's once that has passed);
  "eind volgende maand" likewise; "begin volgende week" is next week's first working day and
  "begin volgende maand" next month's; all at ``end_of_day`` without a time.
"""

from __future__ import annotations

import calendar as _gregorian
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Final

from avz_bot.domain.date_names import DUTCH_NAMES
from avz_bot.domain.spoken_time import NUMBER_WORDS as _NUMBER_WORDS
from avz_bot.domain.spoken_time import (
    TimeOfDay,
    clock_for,
    number,
    split_day_part,
    spoken_clock,
)
from avz_bot.domain.workdays import WorkCalendar

MAX_WHEN_LENGTH: Final = 100
"""Longer input is UNPARSEABLE without further work (no deadline expression is that long)."""

DEFAULT_MAX_AHEAD: Final = timedelta(days=5 * 366)
"""Results further ahead than this (about five years) are TOO_FAR: almost surely a typo."""

# Offsets beyond this many units ("over 99999 dagen") are TOO_FAR without doing the arithmetic,
# which could otherwise overflow ``date`` or loop for a long time counting working days.
_MAX_OFFSET_UNITS: Final = 10_000


class WhenErrorCode(StrEnum):
    """Why a date expression could not be turned into a future instant."""

    EMPTY = "empty"
    UNPARSEABLE = "unparseable"
    PAST = "past"
    AMBIGUOUS = "ambiguous"
    TOO_FAR = "too_far"


@dataclass(frozen=True, slots=True)
class ParsedWhen:
    """A successfully parsed moment: an aware UTC instant, strictly after ``now``."""

    instant: datetime
    has_time: bool
    source: str


@dataclass(frozen=True, slots=True)
class WhenError:
    """A date expression that was rejected, with the reason as a code for the message catalogue."""

    code: WhenErrorCode
    source: str


# -- vocabulary ------------------------------------------------------------------------------

#: The abbreviations accepted besides the full names (``DUTCH_NAMES``), Monday first.
_WEEKDAY_ABBREVIATIONS: Final = (
    ("ma",),
    ("di", "din"),
    ("wo", "woe"),
    ("do", "don"),
    ("vr", "vrij"),
    ("za", "zat"),
    ("zo", "zon"),
)
#: The same for months, January first.
_MONTH_ABBREVIATIONS: Final = (
    ("jan",),
    ("feb",),
    ("mrt", "mar"),
    ("apr",),
    (),
    ("jun",),
    ("jul",),
    ("aug",),
    ("sep", "sept"),
    ("okt", "oct"),
    ("nov",),
    ("dec",),
)


def _vocabulary(
    names: tuple[str, ...], abbreviations: tuple[tuple[str, ...], ...], first: int
) -> dict[str, int]:
    """Each name and its abbreviations to its number (``first`` for the first name)."""
    return {
        word: number
        for number, (name, short) in enumerate(zip(names, abbreviations, strict=True), first)
        for word in (name, *short)
    }


#: Weekday words to ``date.weekday()`` (Monday 0).
_WEEKDAYS: Final[dict[str, int]] = _vocabulary(DUTCH_NAMES.weekdays, _WEEKDAY_ABBREVIATIONS, 0)
#: Month words to month numbers (January 1).
_MONTHS: Final[dict[str, int]] = _vocabulary(DUTCH_NAMES.months, _MONTH_ABBREVIATIONS, 1)

_RELATIVE_DAYS: Final[dict[str, int]] = {"vandaag": 0, "morgen": 1, "overmorgen": 2}

# Phrases that name a period rather than a moment: asking back beats guessing a day.
_AMBIGUOUS_PHRASES: Final = frozenset(
    {
        "volgende week",
        "komende week",
        "deze week",
        "volgende maand",
        "komende maand",
        "deze maand",
        "binnenkort",
        "zsm",
        "z.s.m",
        "asap",
        "later",
    }
)


def _alternation(words: dict[str, int]) -> str:
    # Longest first so "vrijdag" is tried before "vrij" and "vr".
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_WD: Final = _alternation(_WEEKDAYS)
_MON: Final = _alternation(_MONTHS)
_NUM: Final = r"[0-9]+|" + _alternation(_NUMBER_WORDS)
# A weekday, optionally with a dot ("vr.") and/or "a.s." (aanstaande) after it.
_WD_TOKEN: Final = rf"(?P<wd>{_WD})\.?(?:\s+a\.?s\.?)?"
# ASCII only: ``\d`` would otherwise accept Arabic-Indic and other Unicode digits.
_F: Final = re.ASCII

_TIME_AT_END = re.compile(
    r"(?:^|\s)(?:om\s+)?"
    r"(?:(?P<h1>[0-9]{1,2})[:.](?P<m1>[0-9]{2})(?:\s*(?:uur|u))?"
    r"|(?P<h2>[0-9]{1,2})\s*(?:uur|u)(?:\s*(?P<m2>[0-9]{2}))?"
    r"|om\s+(?P<h3>[0-9]{1,2}))$",
    _F,
)
_CLOCK_OFFSET = re.compile(
    rf"^(?:over|in|binnen)\s+(?:(?P<n>{_NUM})\s+(?P<unit>uur|minuut|minuten|kwartier)"
    r"|(?P<half>(?:een\s+)?half\s+uur))$",
    _F,
)
_DAY_OFFSET = re.compile(
    rf"^(?:over|in|binnen)\s+(?P<n>{_NUM})\s+"
    r"(?P<unit>werkdagen|werkdag|dagen|dag|weken|week|maanden|maand)$",
    _F,
)
_WEEKDAY = re.compile(rf"^(?:(?:aanstaande|komende|deze)\s+)?{_WD_TOKEN}$", _F)
_WEEKDAY_NEXT_WEEK = re.compile(
    rf"^(?:volgende\s+week\s+{_WD_TOKEN}|(?P<wd2>{_WD})\.?\s+volgende\s+week)$", _F
)
# "over een paar dagen", "binnen enkele weken": a vague span.
_VAGUE_OFFSET = re.compile(r"^(?:over|in|binnen)\s+(?:een\s+)?(?:paar|aantal|enkele)\b", _F)
_NEXT_WEEKDAY = re.compile(rf"^volgende\s+(?:{_WD})\.?$", _F)
_END_OF_WEEK = re.compile(r"^(?:het\s+)?eind(?:e)?\s+(?:van\s+)?(?:de|deze)\s+week$", _F)
_END_OF_NEXT_WEEK = re.compile(r"^(?:het\s+)?eind(?:e)?\s+(?:van\s+)?volgende\s+week$", _F)
_DAY_MONTH_NAME = re.compile(
    rf"^(?:{_WD_TOKEN}\s+)?(?P<d>[0-9]{{1,2}})(?:e|ste|de)?\s+(?P<mon>{_MON})\.?"
    r"(?:\s+(?P<y>[0-9]{4}|'[0-9]{2}))?$",
    _F,
)
_DAY_MONTH_NUMERIC = re.compile(
    rf"^(?:{_WD_TOKEN}\s+)?(?P<d>[0-9]{{1,2}})(?P<sep>[-/.])(?P<m>[0-9]{{1,2}})"
    r"(?:(?P=sep)(?P<y>[0-9]{4}|[0-9]{2}))?$",
    _F,
)
_END_OF_MONTH = re.compile(r"^(?:het\s+)?eind(?:e)?\s+(?:van\s+)?(?:de|deze)\s+maand$", _F)
_END_OF_NEXT_MONTH = re.compile(
    r"^(?:het\s+)?eind(?:e)?\s+(?:van\s+)?(?:de\s+)?volgende\s+maand$", _F
)
_START_OF_NEXT = re.compile(
    r"^(?:het\s+)?begin\s+(?:van\s+)?(?:de\s+)?(?:volgende|komende)\s+(?P<unit>week|maand)$", _F
)
_ISO_DATE = re.compile(r"^(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})$", _F)
_ISO_T = re.compile(r"^([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})t(?=[0-9])", _F)
_LEADING_FILLER = re.compile(r"^(?:uiterlijk\s+)?(?:op\s+)?", _F)


def _normalize(text: str) -> str:
    # Commas are decoration ("vrijdag, 4 december"); a trailing full stop ends a sentence.
    collapsed = " ".join(text.lower().replace(",", " ").split())
    collapsed = collapsed.rstrip(".!?").strip()
    collapsed = _ISO_T.sub(r"\1 ", collapsed)
    return _LEADING_FILLER.sub("", collapsed)


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")


# -- parsing ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Context:
    """What every resolution step needs: the moment of asking and how to compose a date."""

    now: datetime
    today: date
    calendar: WorkCalendar
    clock: time | None

    def compose(self, day: date) -> datetime:
        """The UTC instant for ``day`` at the given time, or at end of day without one."""
        return self.calendar.at(
            day, self.clock if self.clock is not None else self.calendar.end_of_day
        )

    def upcoming_weekday(self, weekday: int) -> date:
        """The next ``weekday`` whose moment is after now (today counts while still ahead)."""
        day = self.today + timedelta(days=(weekday - self.today.weekday()) % 7)
        if self.compose(day) <= self.now:
            day += timedelta(days=7)
        return day

    def weekday_next_week(self, weekday: int) -> date:
        """``weekday`` in the ISO week after the current one."""
        monday = self.today - timedelta(days=self.today.weekday())
        return monday + timedelta(days=7 + weekday)

    def end_of_month(self, months_ahead: int) -> date:
        """The last working day of the month ``months_ahead`` after this one."""
        first_after = _add_months(self.today.replace(day=1), months_ahead + 1)
        return self.calendar.previous_working_day(first_after)

    def next_occurrence(self, day: int, month: int) -> date | WhenErrorCode:
        """The first ``day``-``month`` from this year on whose moment is after now."""
        # Eight years cover the leap-year gap around 29 February (e.g. 2096 -> 2104).
        for year in range(self.today.year, self.today.year + 9):
            try:
                candidate = date(year, month, day)
            except ValueError:
                continue
            if self.compose(candidate) > self.now:
                return candidate
        return WhenErrorCode.UNPARSEABLE


def _split_time(text: str) -> tuple[str, TimeOfDay | None] | WhenErrorCode:
    """Separate a trailing time ("om 9.30", "14:00", "14 uur", "half tien") from the date."""
    match = _TIME_AT_END.search(text)
    if match is None:
        return spoken_clock(text) or (text, None)
    hour_text = match["h1"] or match["h2"] or match["h3"]
    minute_text = match["m1"] or match["m2"] or "0"
    hour, minute = int(hour_text), int(minute_text)
    if hour > 23 or minute > 59:
        return WhenErrorCode.UNPARSEABLE
    # "4 uur" and "om 4" are spoken twelve-hour times; "4:00" and "16 uur" are not.
    spoken = match["h1"] is None and hour <= 12
    return text[: match.start()].strip(), TimeOfDay(hour, minute, spoken)


def _check_weekday(found: date, weekday_token: str | None) -> date | WhenErrorCode:
    # "maandag 4 december" when the 4th is a Friday: one of the two is wrong, ask back.
    if weekday_token is not None and _WEEKDAYS[weekday_token] != found.weekday():
        return WhenErrorCode.AMBIGUOUS
    return found


def _explicit_date(
    ctx: _Context, day: int, month: int, year_text: str | None, weekday_token: str | None
) -> date | WhenErrorCode:
    if year_text is None:
        found = ctx.next_occurrence(day, month)
    else:
        digits = year_text.lstrip("'")
        # Two-digit years are this century: "1-12-26" is 2026.
        year = 2000 + int(digits) if len(digits) == 2 else int(digits)
        # Decide far-off years here: composing an instant in year 1 or 9999 can overflow.
        if year < ctx.today.year:
            return WhenErrorCode.PAST
        if year > ctx.today.year + 100:
            return WhenErrorCode.TOO_FAR
        try:
            found = date(year, month, day)
        except ValueError:
            return WhenErrorCode.UNPARSEABLE
    if isinstance(found, WhenErrorCode):
        return found
    return _check_weekday(found, weekday_token)


def _add_months(day: date, months: int) -> date:
    # Clamp to the month's last day: 31 January + 1 month is 28/29 February.
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, _gregorian.monthrange(year, month)[1]))


def _day_offset(ctx: _Context, n: int, unit: str) -> date | WhenErrorCode:
    if n > _MAX_OFFSET_UNITS:
        return WhenErrorCode.TOO_FAR
    if unit.startswith("werkdag"):
        return ctx.calendar.add_working_days(ctx.today, n)
    if unit.startswith("dag"):
        return ctx.today + timedelta(days=n)
    if unit.startswith("we"):
        return ctx.today + timedelta(weeks=n)
    return _add_months(ctx.today, n)


def _resolve_day(ctx: _Context, text: str, fallback: bool) -> date | WhenErrorCode:
    """The local date meant by the date part ``text`` (the time has been split off)."""
    if text == "":
        # Only a time was given: today.
        return ctx.today
    if text in _RELATIVE_DAYS:
        return ctx.today + timedelta(days=_RELATIVE_DAYS[text])
    if text == "om" or text.endswith(" om"):
        # "morgen om" without the time: the user meant a time, do not silently use 17:00.
        return WhenErrorCode.UNPARSEABLE
    if text in _AMBIGUOUS_PHRASES or _NEXT_WEEKDAY.match(text) or _VAGUE_OFFSET.match(text):
        return WhenErrorCode.AMBIGUOUS
    if match := _WEEKDAY.match(text):
        return ctx.upcoming_weekday(_WEEKDAYS[match["wd"]])
    if match := _WEEKDAY_NEXT_WEEK.match(text):
        return ctx.weekday_next_week(_WEEKDAYS[match["wd"] or match["wd2"]])
    if _END_OF_WEEK.match(text):
        return ctx.upcoming_weekday(4)
    if _END_OF_NEXT_WEEK.match(text):
        return ctx.weekday_next_week(4)
    if _END_OF_MONTH.match(text):
        last = ctx.end_of_month(0)
        return last if ctx.compose(last) > ctx.now else ctx.end_of_month(1)
    if _END_OF_NEXT_MONTH.match(text):
        return ctx.end_of_month(1)
    if match := _START_OF_NEXT.match(text):
        if match["unit"] == "week":
            return ctx.calendar.next_working_day(ctx.weekday_next_week(0), include_today=True)
        first = _add_months(ctx.today.replace(day=1), 1)
        return ctx.calendar.next_working_day(first, include_today=True)
    if match := _DAY_OFFSET.match(text):
        return _day_offset(ctx, number(match["n"]), match["unit"])
    if match := _DAY_MONTH_NAME.match(text):
        return _explicit_date(ctx, int(match["d"]), _MONTHS[match["mon"]], match["y"], match["wd"])
    if match := _DAY_MONTH_NUMERIC.match(text):
        return _explicit_date(ctx, int(match["d"]), int(match["m"]), match["y"], match["wd"])
    if match := _ISO_DATE.match(text):
        return _explicit_date(ctx, int(match["d"]), int(match["m"]), match["y"], None)
    if fallback and re.search(r"[a-z]", text) and not re.search(r"[0-9]", text):
        # Digits never reach dateparser: every numeric form we accept is handled above, and
        # dateparser reads leftovers like "12" as a (past) day of this month.
        return _dateparser_day(ctx, text)
    return WhenErrorCode.UNPARSEABLE


def _dateparser_day(ctx: _Context, text: str) -> date | WhenErrorCode:
    """Ask ``dateparser`` (Dutch, future-leaning, relative to now) for the date only."""
    try:
        from dateparser.date import DateDataParser  # imported lazily: slow first import

        parser = DateDataParser(
            languages=["nl"],
            settings={
                "PREFER_DATES_FROM": "future",
                # Naive local wall-clock time: we only take the date back, and a naive base
                # keeps dateparser from converting through the machine's own time zone.
                "RELATIVE_BASE": ctx.calendar.local(ctx.now).replace(tzinfo=None),
                "DATE_ORDER": "DMY",
            },
        )
        data = parser.get_date_data(text)
    except Exception:
        # dateparser is a best-effort fallback; whatever goes wrong inside it means "no".
        return WhenErrorCode.UNPARSEABLE
    found: datetime | None = data.date_obj
    if found is None:
        return WhenErrorCode.UNPARSEABLE
    if data.period != "day":
        # "december", "volgende maand": a period, not a day.
        return WhenErrorCode.AMBIGUOUS
    return found.date()


def _resolve(
    text: str, now: datetime, calendar: WorkCalendar, fallback: bool
) -> tuple[datetime, bool] | WhenErrorCode:
    if match := _CLOCK_OFFSET.match(text):
        if match["half"]:
            delta = timedelta(minutes=30)
        else:
            n = number(match["n"])
            if n > _MAX_OFFSET_UNITS:
                return WhenErrorCode.TOO_FAR
            per_unit = {"uur": 60, "kwartier": 15}.get(match["unit"], 1)
            delta = timedelta(minutes=n * per_unit)
        # Whole minutes: a deadline "over 2 uur" should not carry seconds into messages.
        return (now.astimezone(UTC) + delta).replace(second=0, microsecond=0), True
    split = _split_time(text)
    if isinstance(split, WhenErrorCode):
        return split
    date_text, spoken = split
    date_text, part = split_day_part(date_text)
    clock = clock_for(spoken, part, calendar)
    ctx = _Context(now=now, today=calendar.local_date(now), calendar=calendar, clock=clock)
    day = _resolve_day(ctx, date_text, fallback)
    if isinstance(day, WhenErrorCode):
        return day
    return ctx.compose(day), clock is not None


def parse_when(
    text: str,
    now: datetime,
    calendar: WorkCalendar,
    *,
    max_ahead: timedelta = DEFAULT_MAX_AHEAD,
    fallback: bool = True,
) -> ParsedWhen | WhenError:
    """Parse a Dutch date expression relative to ``now`` (aware) into a future UTC instant.

    Understood (case-insensitive, extra spaces and a leading "op"/"uiterlijk" tolerated):
    "vandaag", "morgen", "overmorgen"; weekday names and abbreviations ("vrijdag", "vr",
    optionally "aanstaande"/"a.s."); "volgende week vrijdag" / "vrijdag volgende week";
    "einde van de week"; "1 december", "1 dec", "1 december 2026", "1-12", "1-12-2026",
    "01/12/2026", "1.12.2026", "2026-12-01"; any of those with a time ("14:00", "om 9.30",
    "14 uur"); a time alone; "over 3 werkdagen", "over 2 dagen", "over een week",
    "over 2 weken", "over 3 maanden", "over 2 uur", "over een kwartier"; spoken times
    ("half tien", "kwart voor drie"); day parts ("morgenochtend", "vanmiddag 16:00");
    "eind van de maand", "begin volgende week". See the module
    docstring for the conventions. Word-only leftovers go to ``dateparser`` if ``fallback``.

    Never raises on any ``text``; a naive ``now`` is a programming error (ValueError).
    """
    _require_aware(now)
    normalized = _normalize(text)
    if not normalized:
        return WhenError(WhenErrorCode.EMPTY, text)
    if len(normalized) > MAX_WHEN_LENGTH:
        return WhenError(WhenErrorCode.UNPARSEABLE, text)
    try:
        resolved = _resolve(normalized, now, calendar, fallback)
    except (ValueError, OverflowError):
        # Safety net: the grammar bounds every number, but a date that cannot exist must be
        # reported, never raised, since ``text`` comes straight from a chat message.
        return WhenError(WhenErrorCode.UNPARSEABLE, text)
    if isinstance(resolved, WhenErrorCode):
        return WhenError(resolved, text)
    instant, has_time = resolved
    if instant <= now:
        return WhenError(WhenErrorCode.PAST, text)
    if instant - now > max_ahead:
        return WhenError(WhenErrorCode.TOO_FAR, text)
    return ParsedWhen(instant=instant, has_time=has_time, source=text)
