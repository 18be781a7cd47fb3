"""What the privacy area stores besides its rows: the reminder jobs of a request
(one small function per change; durable jobs, ``avz_bot.scheduling``)."""

from __future__ import annotations

from datetime import datetime

from avz_bot.domain.workdays import WorkCalendar
from avz_bot.settings_sections.privacy import PrivacySettings
from storage.privacy_repositories import PrivacyRequestRow
from storage.schedule_repositories import JobRepository

#: The reminder job of a request (payload: ``request_id``, ``due`` ISO date, ``lapsed``).
JOB_REQUEST_REMINDER = "privacy.request_reminder"


def reminder_moments(
    row: PrivacyRequestRow, calendar: WorkCalendar, settings: PrivacySettings
) -> list[tuple[str, datetime, bool]]:
    """(dedupe suffix, due instant, lapsed?) of every reminder of ``row``: at
    ``reminder_at`` local time on the working day ``n`` working days before the due day
    (for each ``n`` in ``reminder_workdays_before``), and on the first working day after
    it lapsed. Wall-clock times, so a DST change in between does not shift them."""
    moments = [
        (
            f"before{n}",
            calendar.at(calendar.subtract_working_days(row.due_on, n), settings.reminder_at),
            False,
        )
        for n in sorted(set(settings.reminder_workdays_before), reverse=True)
    ]
    lapse_day = calendar.next_working_day(row.due_on)
    moments.append(("lapsed", calendar.at(lapse_day, settings.reminder_at), True))
    return moments


async def schedule_reminders(
    jobs: JobRepository,
    row: PrivacyRequestRow,
    calendar: WorkCalendar,
    settings: PrivacySettings,
    now: datetime,
) -> int:
    """Arm (or re-arm, after an extension) the request's reminders still in the future;
    returns how many."""
    armed = 0
    for suffix, due_at, lapsed in reminder_moments(row, calendar, settings):
        key = f"privacy-request:{row.id}:{suffix}"
        if due_at <= now:
            await jobs.cancel_key(key, now)
            continue
        await jobs.schedule(
            JOB_REQUEST_REMINDER,
            due_at,
            {"request_id": row.id, "due": row.due_on.isoformat(), "lapsed": lapsed},
            now,
            dedupe_key=key,
            entity_type="privacy_request",
            entity_id=str(row.id),
        )
        armed += 1
    return armed


async def cancel_reminders(jobs: JobRepository, row: PrivacyRequestRow, now: datetime) -> int:
    """A closed request reminds no more."""
    return await jobs.cancel_for_entity("privacy_request", str(row.id), now)
