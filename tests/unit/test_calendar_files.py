"""The conference's ``.ics`` files, validated with the maintained ``icalendar`` library."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from avz_bot.domain.conferences.calendar_files import (
    CalendarEvent,
    Method,
    Person,
    escape_text,
    fold,
    render,
)

AMS = ZoneInfo("Europe/Amsterdam")


def event(
    starts_at: datetime, sequence: int = 0, location: str = "Stadhuis, kamer 2"
) -> CalendarEvent:
    return CalendarEvent(
        uid="ov-2026-0001@avz-bot.test",
        sequence=sequence,
        summary="Casusoverleg AVZ-2026-0001 (OV-2026-0001)",
        starts_at=starts_at,
        duration=timedelta(minutes=90),
        location=location,
        organiser=Person("Pieter de Politie", "@pieter:avz.test"),
        attendees=[Person("Anouk", "@anouk:avz.test"), Person("Zoë Ünal", "@zoe:avz.test")],
        stamp=datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
    )


def parse(data: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def test_invitation_parses_with_timezone_and_all_fields() -> None:
    start = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)  # 14:00 CET
    calendar, vevent = parse(render(event(start), Method.REQUEST))
    assert str(calendar["METHOD"]) == "REQUEST"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    dtstart = vevent.decoded("DTSTART")
    assert dtstart == start
    assert dtstart.astimezone(AMS).hour == 14
    assert vevent.decoded("DTEND") - dtstart == timedelta(minutes=90)
    assert str(vevent["UID"]) == "ov-2026-0001@avz-bot.test"
    assert int(vevent["SEQUENCE"]) == 0
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert str(vevent["LOCATION"]) == "Stadhuis, kamer 2"  # the comma survives escaping
    attendees = vevent["ATTENDEE"]
    assert [str(a) for a in attendees] == ["matrix:u/anouk:avz.test", "matrix:u/zoe:avz.test"]
    assert attendees[1].params["CN"] == "Zoë Ünal"
    assert str(vevent["ORGANIZER"]) == "matrix:u/pieter:avz.test"


@pytest.mark.parametrize(
    ("utc", "local_hour"),
    [
        (datetime(2026, 3, 27, 13, 0, tzinfo=UTC), 14),  # Friday before the change: CET
        (datetime(2026, 3, 30, 12, 0, tzinfo=UTC), 14),  # Monday after it: CEST
        (datetime(2026, 10, 23, 12, 0, tzinfo=UTC), 14),  # CEST
        (datetime(2026, 10, 26, 13, 0, tzinfo=UTC), 14),  # back to CET
    ],
)
def test_local_times_are_right_across_daylight_saving_changes(
    utc: datetime, local_hour: int
) -> None:
    data = render(event(utc), Method.REQUEST)
    assert f"T{local_hour}0000".encode() in data  # written as local wall-clock time
    _, vevent = parse(data)
    assert vevent.decoded("DTSTART") == utc  # and read back as the same instant


def test_the_vtimezone_itself_gives_the_right_offsets() -> None:
    """Read with the file's own VTIMEZONE (as Outlook does), not the system's zoneinfo."""
    calendar, _ = parse(render(event(datetime(2026, 7, 1, 8, 0, tzinfo=UTC)), Method.REQUEST))
    tz = calendar.walk("VTIMEZONE")[0].to_tz()
    assert datetime(2026, 3, 29, 1, 59).replace(tzinfo=tz).utcoffset() == timedelta(hours=1)
    assert datetime(2026, 3, 29, 3, 0).replace(tzinfo=tz).utcoffset() == timedelta(hours=2)
    assert datetime(2026, 10, 25, 3, 1).replace(tzinfo=tz).utcoffset() == timedelta(hours=1)


def test_update_and_cancel_keep_the_uid_and_raise_the_sequence() -> None:
    start = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)
    _, first = parse(render(event(start, 0), Method.REQUEST))
    moved_cal, moved = parse(render(event(start + timedelta(days=1), 1), Method.REQUEST))
    cancel_cal, cancelled = parse(render(event(start + timedelta(days=1), 2), Method.CANCEL))
    assert str(first["UID"]) == str(moved["UID"]) == str(cancelled["UID"])
    assert int(first["SEQUENCE"]) < int(moved["SEQUENCE"]) < int(cancelled["SEQUENCE"])
    assert str(moved_cal["METHOD"]) == "REQUEST"
    assert str(cancel_cal["METHOD"]) == "CANCEL"
    assert str(cancelled["STATUS"]) == "CANCELLED"


def test_lines_are_folded_at_75_octets_with_crlf() -> None:
    long_place = "Gemeentehuis Groningen, vergaderzaal ‘De Martinitoren’; ingang Radesingel " * 3
    data = render(
        event(datetime(2026, 12, 3, 13, 0, tzinfo=UTC), location=long_place), Method.REQUEST
    )
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    _, vevent = parse(data)
    assert str(vevent["LOCATION"]) == long_place


def test_text_escaping_and_folding_helpers() -> None:
    assert escape_text("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"
    folded = fold("X" * 80 + "é" * 40)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == "X" * 80 + "é" * 40
