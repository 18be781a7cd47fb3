"""Room operations the homeserver rate-limits: they follow later, once (and people are told).

Synapse allows a burst of room creations (10 by default) and then about one a minute
(``rc_room_creation``), and invitations per room, per issuer and per invitee
(``rc_invites``), unless the bot's account is exempt (``override_ratelimit``; see
``avz-bot check``). A throttled creation or invitation is not a failure: the job is
re-armed (by its dedupe key, so it stays one job and never runs out of attempts) for
when the homeserver allows it again, queued behind the others already waiting. Case
rooms and invitations tell people the first time (``services/cases/jobs.py``); a direct
chat just follows (its messages wait for it).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.schedule_repositories import JobRepository, JobRow

#: Added to the homeserver's wait so the retry does not arrive a hair too early.
MARGIN = timedelta(seconds=1)
#: Payload flag of a re-armed job whose delay was already announced.
TOLD = "told"


async def follow_later(session: AsyncSession, job: JobRow, now: datetime, wait: float) -> datetime:
    """Re-arm ``job`` for ``wait`` seconds (the homeserver's ``retry_after``) times its
    place in the queue of jobs of its kind already waiting; returns the new due time.

    The homeserver frees one slot per ``wait`` or so, so spacing the waiting jobs by it
    lets each through in turn instead of all retrying at once and all but one being
    throttled again.
    """
    jobs = JobRepository(session)
    ahead = await jobs.count_waiting(job.kind, now)
    due = now + timedelta(seconds=wait) * (ahead + 1) + MARGIN
    await jobs.schedule(
        job.kind,
        due,
        {**job.payload, TOLD: True},
        now,
        dedupe_key=job.dedupe_key,
        entity_type=job.entity_type,
        entity_id=job.entity_id,
    )
    return due
