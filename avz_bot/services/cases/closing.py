"""Closing a case that still has work open (asked, then confirmed) and reopening one.

The first ``!casus sluiten reden=…`` on a case with open agreements, open escalations or
planned conferences changes nothing: it asks, says what closing does to them, and keeps
the request as a durable job (``cases.close_request``, one per case, due when it lapses:
``CasesSettings.close_confirmation_minutes``). ``!casus sluiten bevestig`` or a 👍 on the
question by the same member within that time closes the case with the reason given
first. When the request lapses, the room is told that the case stays open. A case with
nothing open closes at once. ``!casus heropenen reden=…``: a ketenmanager reopens a closed
case within ``CasesSettings.reopen_within_days``. Every step is in the case's audit trail.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain import cases as domain
from avz_bot.domain.inbound import Reply
from avz_bot.domain.partners import Member
from avz_bot.formatting import paragraphs
from avz_bot.services.cases.base import CaseStore, Enqueue, LoadedCase
from avz_bot.services.cases.persisting import CaseEvents
from avz_bot.services.cases.view import CaseView
from avz_bot.services.refusal import Refused
from avz_bot.settings_sections.cases import CasesSettings
from storage.conference_repositories import ConferenceRepository
from storage.escalation_repositories import EscalationRepository
from storage.list_repositories import ListRepository
from storage.outbox_repositories import ReactionTargetRepository
from storage.schedule_repositories import JOB_PENDING, JobRepository, JobRow

#: The durable job that is an unconfirmed close request (due when it lapses).
JOB_CLOSE_REQUEST = "cases.close_request"
#: Reaction-target kind of the bot's question "close anyway?" (a 👍 confirms).
CLOSE_REACTION_KIND = "case_close"


def close_request_key(case_id: int) -> str:
    """Dedupe key of a case's close request (a new request replaces the old one)."""
    return f"case:{case_id}:close-request"


def is_thumbs_up(key: str) -> bool:
    """Whether a reaction key is a thumbs-up (any skin tone, with or without VS16)."""
    return key.startswith("👍")


class CaseClosing:
    """Close with confirmation, confirm, lapse, reopen (a part of ``CaseService``)."""

    def __init__(
        self,
        session: AsyncSession,
        store: CaseStore,
        *,
        events: CaseEvents,
        view: CaseView,
        jobs: JobRepository,
        enqueue: Enqueue,
        settings: CasesSettings,
        now: datetime,
    ) -> None:
        self._store = store
        self._session = session
        self._events = events
        self._view = view
        self._jobs = jobs
        self._enqueue = enqueue
        self._settings = settings
        self._now = now

    async def open_work(self, case_id: int) -> domain.OpenWork:
        """What of the case is still open or planned (three COUNTs)."""
        _, conferences = await ConferenceRepository(self._session).for_case(
            case_id, planned=True, limit=0
        )
        return domain.OpenWork(
            agreements=await ListRepository(self._session).count_open_agreements(case_id),
            escalations=await EscalationRepository(self._session).count_open_for_case(case_id),
            conferences=conferences,
        )

    async def close(
        self,
        loaded: LoadedCase,
        member: Member,
        reason: str,
        room_id: str,
        key: str,
        reply_txn: str,
    ) -> Reply:
        """``!casus sluiten reden=…``: close now, or ask first when work is open.

        ``reply_txn`` is the transaction id of the reply to the command: the question is
        registered under it as a reaction target, so a 👍 on it confirms.
        """
        outcome = domain.close(loaded.state, member, reason, self._now)
        if isinstance(outcome, domain.Refusal):
            raise Refused(self._view.refusal_reply(outcome))
        work = await self.open_work(loaded.row.id)
        if not domain.close_needs_confirmation(work):
            return await self._events.apply(loaded, outcome, room_id, key)
        row = loaded.row
        expires = self._now + timedelta(minutes=self._settings.close_confirmation_minutes)
        payload = {"actor": member.matrix_id, "reason": reason.strip(), "room_id": room_id}
        payload["asked_at"] = self._now.isoformat()
        await self._jobs.schedule(
            JOB_CLOSE_REQUEST,
            expires,
            payload,
            self._now,
            dedupe_key=close_request_key(row.id),
            entity_type="case",
            entity_id=str(row.id),
        )
        await ReactionTargetRepository(self._session).add(
            reply_txn, CLOSE_REACTION_KIND, str(row.id), room_id, self._now
        )
        details = {"agreements": work.agreements, "escalations": work.escalations}
        details["conferences"] = work.conferences
        await self._store.record(row, member.matrix_id, "close_requested", room_id, details)
        return self._view.close_question(row, work, expires)

    async def _request(self, case_id: int) -> tuple[JobRow, domain.CloseRequest] | None:
        job = await self._jobs.by_key(close_request_key(case_id))
        if job is None or job.status != JOB_PENDING or job.kind != JOB_CLOSE_REQUEST:
            return None
        payload = job.payload
        request = domain.CloseRequest(
            payload["actor"],
            payload["reason"],
            datetime.fromisoformat(payload["asked_at"]),
            job.due_at,
        )
        return job, request

    async def confirm(self, loaded: LoadedCase, member: Member, room_id: str, key: str) -> Reply:
        """``!casus sluiten bevestig`` (or a 👍): close with the reason asked with."""
        state = loaded.state
        gate = domain.check(domain.CaseAction.VIEW, state, member)  # members only
        if gate is None and state.is_closed:
            gate = domain.Refusal(domain.RefusalCode.CASE_CLOSED)
        if gate is not None:
            raise Refused(self._view.refusal_reply(gate))
        found = await self._request(loaded.row.id)
        if found is None:
            raise Refused(self._view.problem("case.close.nothing_to_confirm"))
        job, request = found
        if (code := request.confirmable_by(member.matrix_id, self._now)) is not None:
            raise Refused(self._view.refusal_reply(domain.Refusal(code)))
        work = await self.open_work(loaded.row.id)
        outcome = domain.close(loaded.state, member, request.reason, self._now)
        reply = await self._events.apply(loaded, outcome, room_id, key)
        await self._jobs.cancel(job.id, self._now)
        return paragraphs(reply.plain, self._view.close_effects(work))

    async def confirm_by_reaction(self, member: Member | None, case_id: int, key: str) -> None:
        """A 👍 on the question: confirm as the command would; refusals go nowhere (a
        reaction is no command: the asker can still type ``!casus sluiten bevestig``)."""
        if member is None:
            return
        row = await self._store.cases.get(case_id)
        if row is None or row.room_id is None:
            return
        loaded = await self._store.load_for_room(row.room_id)
        if loaded is None:
            return
        try:
            reply = await self.confirm(loaded, member, row.room_id, key)
        except Refused:
            return
        await self._enqueue(f"case-close:{key}", row.room_id, reply)

    async def lapsed(self, job: JobRow) -> None:
        """The request lapsed unconfirmed: the room hears that the case stays open."""
        if job.entity_id is None:
            return
        row = await self._store.cases.get(int(job.entity_id))
        if row is None or row.room_id is None or row.status == domain.CaseStatus.GESLOTEN:
            return
        reply = paragraphs(self._view.t("case.close.lapsed", reference=row.reference))
        await self._enqueue(f"case-close-lapsed:{job.id}", row.room_id, reply)

    async def reopen(
        self, loaded: LoadedCase, member: Member, reason: str, room_id: str, key: str
    ) -> Reply:
        """``!casus heropenen reden=…``: a ketenmanager, within the configured period."""
        within = timedelta(days=self._settings.reopen_within_days)
        outcome = domain.reopen(
            loaded.state, member, reason, self._now, loaded.row.closed_at, within
        )
        return await self._events.apply(loaded, outcome, room_id, key)
