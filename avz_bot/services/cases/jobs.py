"""Matrix side effects of case commands, run as durable jobs after the command commits.

A command never waits for the homeserver inside its transaction: it records the case
change and schedules a job; the scheduler runs the job (and retries it with backoff
when the homeserver is away). Room creation is idempotent: a retry after a crash
finds the room the first attempt created by its name (the case reference).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.inbound import IncomingReaction
from avz_bot.domain.partners import Member
from avz_bot.formatting import text
from avz_bot.ports import RoomGateway, SendError
from avz_bot.services.area import Bind, DigestSection, Unit
from avz_bot.services.audit import Audit
from avz_bot.services.cases import (
    JOB_CREATE_ROOM,
    JOB_INVITE,
    JOB_KICK,
    CaseService,
    case_room_state,
)
from avz_bot.services.cases.closing import JOB_CLOSE_REQUEST, is_thumbs_up
from avz_bot.services.throttle import TOLD, follow_later
from avz_bot.settings_sections.cases import CasesSettings
from storage.case_repositories import CaseRepository
from storage.outbox_repositories import LANE_BULK, LANE_INTERACTIVE, ReactionTargetRow
from storage.runtime_repositories import RoomRepository
from storage.schedule_repositories import JobRepository, JobRow

#: The periodic case sweep (lapsed proposals, cases without regie): one row, re-armed.
JOB_CASE_SWEEP = "cases.sweep"
CASE_SWEEP_KEY = "cases:sweep"


class RoomJobs:
    """Handlers for the ``room.*`` job kinds."""

    def __init__(
        self,
        gateway: RoomGateway,
        settings: CasesSettings,
        bind: Bind,
    ) -> None:
        self._gateway = gateway
        self._settings = settings
        self._bind = bind

    def handlers(self) -> dict[str, Any]:
        """Job kind → handler, for the scheduler."""
        return {
            JOB_CREATE_ROOM: self.create_room,
            JOB_INVITE: self.invite,
            JOB_KICK: self.kick,
            JOB_CASE_SWEEP: self.sweep,
            JOB_CLOSE_REQUEST: self.close_request_lapsed,
        }

    async def close_request_lapsed(self, session: AsyncSession, job: JobRow, now: datetime) -> None:
        """An unconfirmed ``!casus sluiten`` lapsed: tell the room the case stays open."""
        del now
        await self._bind(session, lane=LANE_BULK)[CaseService].closing.lapsed(job)

    @staticmethod
    async def close_reaction(
        unit: Unit, member: Member | None, target: ReactionTargetRow, reaction: IncomingReaction
    ) -> None:
        """A reaction on the question "close anyway?": a 👍 by the asker confirms."""
        if is_thumbs_up(reaction.key):
            await unit[CaseService].closing.confirm_by_reaction(
                member, int(target.entity_id), reaction.event_id
            )

    async def sweep(self, session: AsyncSession, job: JobRow, now: datetime) -> None:
        """Lapse expired proposals, report cases without regie (bulk), and re-arm."""
        del job
        await self._bind(session, lane=LANE_BULK)[CaseService].sweep()
        await JobRepository(session).schedule(
            JOB_CASE_SWEEP,
            now + timedelta(seconds=self._settings.sweep_seconds),
            {},
            now,
            dedupe_key=CASE_SWEEP_KEY,
        )

    async def create_room(self, session: AsyncSession, job: JobRow, now: datetime) -> None:
        """Create the case room (encrypted, invite-only, bot-controlled) and invite members."""
        cases = CaseRepository(session)
        case = await cases.get(int(job.payload["case_id"]))
        if case is None or case.room_id is not None:
            return
        members = [m.matrix_id for m in await cases.list_members(case.id)]
        room_id = self._gateway.find_room(case.reference)
        if room_id is None:
            power_levels, initial_state = case_room_state()
            try:
                room_id = await self._gateway.create_private_room(
                    name=case.reference,  # room state is not encrypted: the reference only
                    invite=members,
                    federate=self._settings.federate,
                    power_levels=power_levels,
                    initial_state=initial_state,
                )
            except SendError as exc:
                if exc.retry_after is None:
                    raise
                due = await follow_later(session, job, now, exc.retry_after)
                await self._tell_room_follows(session, job, case.reference, due)
                return
        else:
            for user in members:
                await self._gateway.invite_user(room_id, user)
        await cases.set_room(case.id, room_id)
        await RoomRepository(session).record_join(room_id, now, True)
        await RoomRepository(session).set_encrypted(room_id, True)
        await Audit(session, now).record(
            "case.room_created",
            room_id=room_id,
            entity_type="case",
            entity_id=case.reference,
            details={"members": len(members)},
        )

    async def invite(self, session: AsyncSession, job: JobRow, now: datetime) -> None:
        """Invite a member to a case room (later, and the room told so, when the
        homeserver rate-limits invitations)."""
        room_id, user = str(job.payload["room_id"]), str(job.payload["user_id"])
        try:
            await self._gateway.invite_user(room_id, user)
        except SendError as exc:
            if exc.retry_after is None:
                raise
            due = await follow_later(session, job, now, exc.retry_after)
            if not job.payload.get(TOLD):
                unit = self._bind(session, lane=LANE_INTERACTIVE)
                cases = unit[CaseService]
                message = cases.t(
                    "case.invite_delayed", user=await cases.name(user), time=cases.when(due)
                )
                await unit.enqueue(
                    f"invite-delayed:{job.dedupe_key or job.id}", room_id, text(message)
                )

    async def _tell_room_follows(
        self, session: AsyncSession, job: JobRow, reference: str, due: datetime
    ) -> None:
        """Once per case: tell the requester, where they opened it, that its room follows
        and roughly when (the time is the re-armed job's due time)."""
        room = job.payload.get("intake_room") or self._settings.coordination_room
        if job.payload.get(TOLD) or not room:
            return
        unit = self._bind(session, lane=LANE_INTERACTIVE)
        cases = unit[CaseService]
        requester = job.payload.get("requested_by")
        message = cases.t(
            "case.room_delayed",
            name=await cases.name(str(requester)) if requester else "",
            reference=reference,
            time=cases.when(due),
        )
        await unit.enqueue(f"room-delayed:{job.payload['case_id']}", str(room), text(message))

    async def kick(self, session: AsyncSession, job: JobRow, now: datetime) -> None:
        """Remove someone from a case room (no reason text: it would be unencrypted)."""
        del session, now
        await self._gateway.kick_user(
            str(job.payload["room_id"]), str(job.payload["user_id"]), None
        )


async def cases_without_regie(unit: Unit, limit: int) -> DigestSection:
    """Open cases nobody holds regie of, longest vacant first."""
    cases = unit[CaseService]
    rows = await cases.cases.cases_without_regie(unit.now())
    rows.sort(key=lambda r: r.regie_vacant_since or r.created_at)
    lines = [
        cases.t(
            "esc.digest.unregie_line",
            reference=row.reference,
            municipality=cases.municipality_name(row.municipality),
            since=cases.when(row.regie_vacant_since),
        )
        for row in rows
    ]
    return DigestSection.bounded(cases.t("esc.digest.unregie"), lines, limit)
