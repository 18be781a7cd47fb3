"""iCalendar files (RFC 5545) for case conferences, written by hand (pure).

Why not generate with the ``icalendar`` library: the file is a dozen fixed lines, the
domain stays free of third-party formatting code and the runtime free of one more
dependency; ``icalendar`` (a dev dependency) validates the output in the tests.

Rules followed:

- RFC 5545 §3.1: lines end in CRLF and are folded at 75 octets (a continuation line starts
  with a space; a UTF-8 character is never split); §3.3.11: TEXT escapes ``\\ ; ,`` and
  newlines.
- Times are local Europe/Amsterdam times with ``TZID`` (§3.3.5 form 3) and the
  ``VTIMEZONE`` is included (§3.6.5), with the EU daylight-saving rules (last Sunday of
  March 02:00 → CEST, last Sunday of October 03:00 → CET; in force since 1996).
- RFC 5546 (iTIP): METHOD REQUEST for an invitation or an update, CANCEL with
  ``STATUS:CANCELLED`` for a cancellation; the ``UID`` stays the same and ``SEQUENCE``
  goes up with every change, so calendar programs update the existing entry.
- The file holds no case content: only the references, the time, the place and who is
  invited (it may end up in an e-mail calendar).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

TZID = "Europe/Amsterdam"
AMSTERDAM = ZoneInfo(TZID)
PRODID = "-//Actiecentrum Veiligheid en Zorg//avz-bot//NL"
_FOLD_OCTETS = 75

_VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)


class Method(StrEnum):
    """The iTIP method of the file."""

    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


@dataclass(frozen=True, slots=True)
class Person:
    """Someone in the file: a display name and their Matrix id."""

    name: str
    matrix_id: str

    @property
    def uri(self) -> str:
        """The Matrix URI of the user (``matrix:u/localpart:server``)."""
        return "matrix:u/" + self.matrix_id.removeprefix("@")


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One conference as a calendar entry; instants are aware (any zone)."""

    uid: str
    sequence: int
    summary: str
    starts_at: datetime
    duration: timedelta
    location: str
    organiser: Person
    attendees: Sequence[Person]
    stamp: datetime


def escape_text(value: str) -> str:
    """A TEXT value escaped per RFC 5545 §3.3.11."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _param(value: str) -> str:
    """A parameter value (§3.2): quoted, without the characters a quoted value forbids."""
    clean = "".join(ch for ch in value if ch not in '"\r\n' and ord(ch) >= 0x20)
    return f'"{clean}"'


def fold(line: str) -> str:
    """Fold one content line at 75 octets without splitting a UTF-8 character."""
    out: list[str] = []
    current = ""
    size = 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        limit = _FOLD_OCTETS if not out else _FOLD_OCTETS - 1  # continuation: leading space
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += ch
        size += width
    out.append(current)
    return "\r\n ".join(out)


def _local(instant: datetime) -> str:
    return instant.astimezone(AMSTERDAM).strftime("%Y%m%dT%H%M%S")


def _utc(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def render(event: CalendarEvent, method: Method) -> bytes:
    """The ``.ics`` file (UTF-8, CRLF) for ``event`` with ``method``."""
    cancelled = method is Method.CANCEL
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method.value}",
        *_VTIMEZONE,
        "BEGIN:VEVENT",
        f"UID:{escape_text(event.uid)}",
        f"SEQUENCE:{event.sequence}",
        f"DTSTAMP:{_utc(event.stamp)}",
        f"DTSTART;TZID={TZID}:{_local(event.starts_at)}",
        f"DTEND;TZID={TZID}:{_local(event.starts_at + event.duration)}",
        f"SUMMARY:{escape_text(event.summary)}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
        f"ORGANIZER;CN={_param(event.organiser.name)}:{event.organiser.uri}",
    ]
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    for person in event.attendees:
        lines.append(
            f"ATTENDEE;CN={_param(person.name)};ROLE=REQ-PARTICIPANT;RSVP=FALSE:{person.uri}"
        )
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
