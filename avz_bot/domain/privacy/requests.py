"""Requests of persons concerned (AVG chapter III) through the contact point (pure).

Sources:

- BGS (Besluit gegevensverwerking door samenwerkingsverbanden, BWBR0050665) art. 1.1: a
  request at the contact point counts as a request to every joint controller, so every
  partner organisation whose data is involved is told (by organisation, reference only).
- AVG art. 12(3): the answer is due "within one month of receipt"; that period "may be
  extended by two further months where necessary", the person being told with reasons
  within the first month.
- Periods in months: Regulation (EEC, Euratom) No 1182/71 art. 3(2)(c): the period ends
  at the end of the day in the last month with the same date as the day of receipt, or the
  last day of that month when it has no such date (received 31 January → 28/29 February).
  Its art. 3(4) (a period ending on a Saturday, Sunday or holiday runs to the next
  working day) is NOT applied: the bot keeps the stricter, earlier day.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

#: A reference: ``PV-<year>-<number>`` (privacyverzoek).
REFERENCE_PREFIX = "PV"
#: Months until the answer is due, and the most an extension adds (AVG art. 12(3)).
ANSWER_MONTHS = 1
EXTENSION_MONTHS = 2


class RequestKind(StrEnum):
    """What the person asks (AVG art. 15, 16, 17, 18, 21)."""

    INZAGE = "inzage"
    CORRECTIE = "correctie"
    WISSEN = "wissen"
    BEPERKING = "beperking"
    BEZWAAR = "bezwaar"


class RequestStatus(StrEnum):
    """``open`` until answered (``afgerond``)."""

    OPEN = "open"
    AFGEROND = "afgerond"


def format_reference(year: int, number: int) -> str:
    """``PV-2026-0007``."""
    return f"{REFERENCE_PREFIX}-{year}-{number:04d}"


def add_months(day: date, months: int) -> date:
    """The day ``months`` calendar months after ``day`` (same date, or the last day of a
    shorter month; Regulation 1182/71 art. 3(2)(c))."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def answer_due(received: date) -> date:
    """The last day to answer a request received on ``received`` (local date)."""
    return add_months(received, ANSWER_MONTHS)


def latest_extension(received: date) -> date:
    """The latest day an extension may reach: the month plus two further months."""
    return add_months(received, ANSWER_MONTHS + EXTENSION_MONTHS)


@dataclass(frozen=True, slots=True)
class ExtensionRefused:
    """Why an extension is refused: ``closed``, ``not_later`` (not after the current
    deadline), ``too_late`` (beyond the two further months), ``lapsed`` (the first month
    is over: the person had to be told within it)."""

    code: str


def check_extension(
    received: date, due: date, new_due: date, today: date, status: RequestStatus
) -> ExtensionRefused | None:
    """Whether ``due`` may move to ``new_due`` today (AVG art. 12(3))."""
    if status is not RequestStatus.OPEN:
        return ExtensionRefused("closed")
    if today > answer_due(received):
        return ExtensionRefused("lapsed")
    if new_due <= due:
        return ExtensionRefused("not_later")
    if new_due > latest_extension(received):
        return ExtensionRefused("too_late")
    return None
