"""Working days, office hours and local wall-clock time for the network (pure).

People in the network think in Europe/Amsterdam wall-clock time and in Dutch working days; the
rest of the bot stores and compares aware UTC instants. :class:`WorkCalendar` is the single
place that converts between the two, so daylight-saving changes and public holidays are handled
once, here, and nowhere else.

Public holidays come from the ``holidays`` library (``country_holidays("NL")``) with its
defaults. For the Netherlands that is: Nieuwjaarsdag, Goede Vrijdag, Eerste en Tweede Paasdag,
Koningsdag (27 April, or 26 April when the 27th is a Sunday), Bevrijdingsdag (5 May) **only in
lustrum years** (2025, 2030, ...), Hemelvaartsdag, Eerste en Tweede Pinksterdag and Eerste en
Tweede Kerstdag. Goede Vrijdag and the non-lustrum Bevrijdingsdag are not days off for every
employer; organisations that close on extra days can list them in ``extra_closed_days``.

Which of these count as days off is configurable by key (``days_off``; settings
``[calendar] holidays_off``). The keys are those of :data:`HOLIDAY_KEYS` plus
``bevrijdingsdag`` (5 May in *every* year, which the library does not list). The default,
:data:`DEFAULT_DAYS_OFF`, is the library's set: every holiday above, Goede Vrijdag included,
and 5 May only in lustrum years (``bevrijdingsdag_lustrum``). Many municipalities work on
Goede Vrijdag: leave ``goede_vrijdag`` out to make it a working day; add ``bevrijdingsdag``
to close on 5 May every year.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

_ONE_DAY = timedelta(days=1)
# Saturday and Sunday: ``date.weekday()`` numbers them 5 and 6.
_FIRST_WEEKEND_DAY = 5


#: The library's Dutch holiday names (``language="nl"``) -> the configuration key.
HOLIDAY_KEYS: Mapping[str, str] = MappingProxyType(
    {
        "Nieuwjaarsdag": "nieuwjaarsdag",
        "Goede vrijdag": "goede_vrijdag",
        "Eerste paasdag": "eerste_paasdag",
        "Tweede paasdag": "tweede_paasdag",
        "Koningsdag": "koningsdag",
        # The library lists 5 May only in lustrum years.
        "Bevrijdingsdag": "bevrijdingsdag_lustrum",
        "Hemelvaartsdag": "hemelvaartsdag",
        "Eerste pinksterdag": "eerste_pinksterdag",
        "Tweede pinksterdag": "tweede_pinksterdag",
        "Eerste kerstdag": "eerste_kerstdag",
        "Tweede kerstdag": "tweede_kerstdag",
    }
)
#: 5 May in every year (Bevrijdingsdag; a day off in some collective agreements).
EVERY_YEAR_LIBERATION_DAY = "bevrijdingsdag"
ALL_HOLIDAY_KEYS: frozenset[str] = frozenset({*HOLIDAY_KEYS.values(), EVERY_YEAR_LIBERATION_DAY})
#: The library's defaults: all of them, 5 May only in lustrum years.
DEFAULT_DAYS_OFF: frozenset[str] = frozenset(HOLIDAY_KEYS.values())


@lru_cache(maxsize=128)
def _holiday_keys(country: str, year: int) -> Mapping[date, frozenset[str]]:
    """The configuration keys of each public holiday of ``year`` (NL keys; other countries
    get one key per library name, lowercased)."""
    found: dict[date, set[str]] = {}
    for day, name in _public_holidays(country, year, "nl").items():
        found.setdefault(day, set()).add(HOLIDAY_KEYS.get(name, name.lower()))
    if country == "NL":
        found.setdefault(date(year, 5, 5), set()).add(EVERY_YEAR_LIBERATION_DAY)
    return MappingProxyType({day: frozenset(keys) for day, keys in found.items()})


@lru_cache(maxsize=128)
def _public_holidays(country: str, year: int, language: str) -> Mapping[date, str]:
    """Public holidays of ``country`` in ``year``, computed once per (country, year, language).

    Cached at module level because the ``holidays`` objects are mutable dicts that extend
    themselves on lookup; a frozen, read-only snapshot per year keeps :class:`WorkCalendar`
    immutable and its lookups cheap.
    """
    table = holidays.country_holidays(country, years=year, language=language)
    return MappingProxyType({day: str(name) for day, name in table.items()})


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instant must be a timezone-aware datetime")


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Dutch working days, office hours and the conversion between local time and UTC.

    ``end_of_day`` is what "a date without a time" means for a deadline ("vrijdag" means
    Friday at 17:00). ``office_start``/``office_end`` bound when the bot bothers people with
    reminders.
    """

    tz: ZoneInfo = AMSTERDAM
    country: str = "NL"
    office_start: time = time(8, 30)
    office_end: time = time(17, 30)
    end_of_day: time = time(17, 0)
    extra_closed_days: frozenset[date] = frozenset()
    holiday_language: str = "nl"
    #: ``date.weekday()`` numbers of working days (Monday 0 ... Friday 4 by default).
    working_weekdays: frozenset[int] = frozenset(range(_FIRST_WEEKEND_DAY))
    #: Whether public holidays are days off (switched off only for tests and demos that
    #: must run whatever the date).
    observe_holidays: bool = True
    #: Which public holidays are days off (keys: see the module docstring).
    days_off: frozenset[str] = DEFAULT_DAYS_OFF
    #: What "ochtend", "middag" and "avond" mean without a time ("morgenochtend").
    morning: time = time(9, 0)
    afternoon: time = time(14, 0)
    evening: time = time(19, 0)

    def __post_init__(self) -> None:
        for name in ("office_start", "office_end", "end_of_day", "morning", "afternoon", "evening"):
            value: time = getattr(self, name)
            # A tz-aware time would silently disagree with ``tz``; wall-clock times only.
            if value.tzinfo is not None:
                raise ValueError(f"{name} must be a naive wall-clock time")
        if not self.office_start < self.office_end:
            raise ValueError("office_start must be before office_end")
        if not self.working_weekdays or not self.working_weekdays <= frozenset(range(7)):
            raise ValueError("working_weekdays must be a non-empty subset of 0..6")
        unknown = self.days_off - ALL_HOLIDAY_KEYS if self.country == "NL" else frozenset()
        if unknown:
            raise ValueError(
                f"unknown holidays in days_off: {sorted(unknown)}; known: {sorted(ALL_HOLIDAY_KEYS)}"
            )

    # -- days -------------------------------------------------------------------------------

    def holiday_name(self, day: date) -> str | None:
        """The public holiday's name on ``day`` (in ``holiday_language``), or ``None``."""
        return _public_holidays(self.country, day.year, self.holiday_language).get(day)

    def is_holiday(self, day: date) -> bool:
        """Whether ``day`` is a day off: a public holiday in ``days_off`` or one of the
        ``extra_closed_days``."""
        if day in self.extra_closed_days:
            return True
        if not self.observe_holidays:
            return False
        keys = _holiday_keys(self.country, day.year).get(day)
        return keys is not None and not keys.isdisjoint(self.days_off)

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a weekday that is not a holiday."""
        return day.weekday() in self.working_weekdays and not self.is_holiday(day)

    def next_working_day(self, day: date, include_today: bool = False) -> date:
        """The first working day after ``day`` (or ``day`` itself if ``include_today``)."""
        candidate = day if include_today else day + _ONE_DAY
        while not self.is_working_day(candidate):
            candidate += _ONE_DAY
        return candidate

    def previous_working_day(self, day: date, include_today: bool = False) -> date:
        """The last working day before ``day`` (or ``day`` itself if ``include_today``)."""
        candidate = day if include_today else day - _ONE_DAY
        while not self.is_working_day(candidate):
            candidate -= _ONE_DAY
        return candidate

    def add_working_days(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day``.

        ``n == 0`` gives ``day`` itself if it is a working day, else the next working day.
        Counting starts after ``day`` whatever ``day`` is, so Saturday + 1 is Monday.
        """
        if n < 0:
            raise ValueError("n must be >= 0; use subtract_working_days to go back")
        result = self.next_working_day(day, include_today=True) if n == 0 else day
        for _ in range(n):
            result = self.next_working_day(result)
        return result

    def subtract_working_days(self, day: date, n: int) -> date:
        """The ``n``-th working day before ``day`` (mirror image of :meth:`add_working_days`)."""
        if n < 0:
            raise ValueError("n must be >= 0; use add_working_days to go forward")
        result = self.previous_working_day(day, include_today=True) if n == 0 else day
        for _ in range(n):
            result = self.previous_working_day(result)
        return result

    def working_days_between(self, start_date: date, end_date: date) -> int:
        """The number of working days ``d`` with ``start_date < d <= end_date``.

        Negative when ``end_date`` is before ``start_date`` (the count the other way round),
        so ``working_days_between(a, b) == -working_days_between(b, a)``.
        """
        if end_date < start_date:
            return -self.working_days_between(end_date, start_date)
        count = 0
        day = start_date + _ONE_DAY
        while day <= end_date:
            if self.is_working_day(day):
                count += 1
            day += _ONE_DAY
        return count

    # -- instants ---------------------------------------------------------------------------

    def local(self, instant: datetime) -> datetime:
        """``instant`` (aware) as an aware local wall-clock datetime in ``tz``."""
        _require_aware(instant)
        return instant.astimezone(self.tz)

    def local_date(self, instant: datetime) -> date:
        """The local calendar date of ``instant`` (aware)."""
        return self.local(instant).date()

    def at(self, day: date, wall_clock: time) -> datetime:
        """The aware UTC instant at which local clocks show ``wall_clock`` on ``day``.

        Daylight saving: a wall-clock time that does not exist (the spring-forward gap, e.g.
        02:30 on the last Sunday of March) moves forward by the size of the gap (03:30 CEST);
        an ambiguous time (the autumn fall-back hour) means its first occurrence (CEST).
        Both follow from PEP 495 with ``fold=0``: zoneinfo then applies the offset that was
        in force *before* the transition.
        """
        if wall_clock.tzinfo is not None:
            raise ValueError("wall_clock must be a naive wall-clock time")
        local = datetime.combine(day, wall_clock.replace(fold=0), tzinfo=self.tz)
        return local.astimezone(UTC)

    def is_office_time(self, instant: datetime) -> bool:
        """Whether ``instant`` falls within office hours on a working day (local time)."""
        local = self.local(instant)
        return (
            self.is_working_day(local.date())
            and self.office_start <= local.time() < self.office_end
        )

    def next_office_moment(self, instant: datetime) -> datetime:
        """``instant`` itself (as UTC) during office time, else the next office start (UTC)."""
        if self.is_office_time(instant):
            return instant.astimezone(UTC)
        local = self.local(instant)
        today = local.date()
        if self.is_working_day(today) and local.time() < self.office_start:
            return self.at(today, self.office_start)
        return self.at(self.next_working_day(today), self.office_start)

    # -- working time (clocks that only run during office hours) -----------------------------

    def _office_spans(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The office-time spans (UTC ``[open, close)``) from ``start`` on, in order.

        The first span is cut to begin at ``start`` when ``start`` falls inside it. Every
        span is computed with :meth:`at`, so each day's office hours are local wall-clock
        hours whatever the UTC offset of that day (daylight saving changes fall on
        Sundays, but a span that crosses a weekend still changes offset in between).
        """
        cursor = start.astimezone(UTC)
        day = self.local_date(cursor)
        while True:
            if self.is_working_day(day):
                opens = self.at(day, self.office_start)
                closes = self.at(day, self.office_end)
                begin = max(cursor, opens)
                if begin < closes:
                    yield begin, closes
            day += _ONE_DAY

    @property
    def office_day(self) -> timedelta:
        """The length of one working day's office hours (9 h with the defaults).

        A service level of "1 working day" means this much office time.
        """
        start = datetime.combine(date(2000, 1, 3), self.office_start)
        return datetime.combine(date(2000, 1, 3), self.office_end) - start

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """The UTC instant after ``duration`` of office time from ``start`` (aware).

        Only time within office hours (``office_start``–``office_end``, local) on working
        days counts, so a clock started on Friday at 17:45 counts from Monday at office
        start (or Tuesday after Easter Monday). With a zero ``duration`` the result is the
        next office moment. Raises ``ValueError`` for a negative ``duration`` or a naive
        ``start``.
        """
        _require_aware(start)
        if duration < timedelta(0):
            raise ValueError("duration must not be negative")
        remaining = duration
        for begin, closes in self._office_spans(start):
            available = closes - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise AssertionError("unreachable: the spans never end")  # pragma: no cover

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Office time in ``[start, end)`` (both aware); zero when ``end <= start``."""
        _require_aware(start)
        _require_aware(end)
        end = end.astimezone(UTC)
        total = timedelta(0)
        if end <= start:
            return total
        for begin, closes in self._office_spans(start):
            if begin >= end:
                break
            total += min(closes, end) - begin
        return total

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """``add_working_time`` with the duration in hours (``ValueError`` if negative)."""
        if hours < 0:
            raise ValueError("hours must be >= 0")
        return self.add_working_time(start, timedelta(hours=hours))

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """``working_time_between`` in hours."""
        return self.working_time_between(start, end).total_seconds() / 3600

    def add_working_days_at(self, start: datetime, days: int) -> datetime:
        """``days`` working days after ``start``, at the same local office time (UTC).

        ``start`` is first moved to the next office moment (a request on Saturday counts
        from Monday at office start); the result is that wall-clock time ``days`` working
        days later, so daylight saving changes in between do not shift it. Raises
        ``ValueError`` for negative ``days`` or a naive ``start``.
        """
        if days < 0:
            raise ValueError("days must be >= 0")
        local = self.local(self.next_office_moment(start))
        day = self.add_working_days(local.date(), days)
        return self.at(day, local.time().replace(tzinfo=None))
