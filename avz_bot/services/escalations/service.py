"""Escalations (opschalingen): one unit of work per command, reaction or clock job.

Every method runs inside the caller's transaction. It loads the escalation (with its
frozen levels and its case), lets the pure domain (``avz_bot.domain.escalations``)
decide, and persists each resulting event with one small function per event type
(``EscalationEvents`` in :mod:`avz_bot.services.escalations.persisting`, a collaborator
built once per service). Wording lives in :mod:`avz_bot.services.escalations.view`; lists
in :mod:`.overviews` (``EscalationOverviews``, a collaborator too).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain import cases as case_domain
from avz_bot.domain import escalations as domain
from avz_bot.domain.escalations import (
    ClockStage,
    EscalationAction,
    EscalationState,
    EscalationStatus,
    FrozenLevel,
    Refusal,
    RouteKind,
    Transition,
)
from avz_bot.domain.inbound import Reply
from avz_bot.domain.partners import Member, Organisation
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.formatting import text
from avz_bot.messages import Messages
from avz_bot.services.access_log import Shown
from avz_bot.services.area import SendDirect
from avz_bot.services.cases import CaseService
from avz_bot.services.escalations.base import Enqueue, Loaded, frozen_level, is_acknowledgement
from avz_bot.services.escalations.overviews import EscalationOverviews
from avz_bot.services.escalations.persisting import EscalationEvents
from avz_bot.services.escalations.view import EscalationView
from avz_bot.services.refusal import Refused
from avz_bot.settings_sections.escalations import EscalationSettings
from storage.case_repositories import CLOSED_STATUS, CaseRepository, CaseRow
from storage.escalation_repositories import EscalationRepository, EscalationRow
from storage.schedule_repositories import JobRow


class EscalationService:
    """Escalation operations inside one transaction (commands, reactions, clocks)."""

    def __init__(
        self,
        session: AsyncSession,
        cases: CaseService,
        *,
        settings: EscalationSettings,
        calendar: WorkCalendar,
        messages: Messages,
        prefix: str,
        enqueue: Enqueue,
        direct: SendDirect,
        txn_id: Callable[[str], str],
        late_after: timedelta,
    ) -> None:
        self._session = session
        self._cases = cases
        self._settings = settings
        self._calendar = calendar
        self._prefix = prefix
        self._enqueue = enqueue
        self._direct = direct
        self.escalations = EscalationRepository(session)
        self.view = EscalationView(cases, messages, prefix)
        self.events = EscalationEvents(
            session,
            cases,
            self.escalations,
            calendar=calendar,
            view=self.view,
            enqueue=enqueue,
            direct=direct,
            txn_id=txn_id,
            late_after=late_after,
        )
        self.overviews = EscalationOverviews(
            session,
            cases,
            self.escalations,
            settings=settings,
            calendar=calendar,
            view=self.view,
            prefix=prefix,
        )

    @property
    def now(self) -> datetime:
        """The unit of work's time."""
        return self._cases.now

    def _refuse(self, key: str, /, **values: object) -> Refused:
        return Refused(text(self.view.t(key, **values)))

    # ------------------------------------------------------------ loading
    async def _load(self, row: EscalationRow) -> Loaded:
        case = await CaseRepository(self._session).get(row.case_id)
        assert case is not None  # escalations cascade with their case
        members = frozenset(
            m.matrix_id for m in await CaseRepository(self._session).list_members(case.id)
        )
        levels = tuple(
            frozen_level(lv.snapshot, lv.targets) for lv in await self.escalations.levels(row.id)
        )
        state = EscalationState(
            reference=row.reference,
            route=RouteKind(row.route),
            status=EscalationStatus(row.status),
            urgent=row.urgent,
            requester=row.requester,
            levels=levels,
            level=row.current_level,
            acknowledged_by=row.acknowledged_by,
            regie_holder=case.regie_holder,
            case_members=members,
        )
        return Loaded(row, case, state)

    async def _by_reference(self, reference_text: str) -> Loaded:
        reference = domain.parse_reference(reference_text)
        if reference is None:
            raise self._refuse("esc.bad_reference", value=reference_text)
        row = await self.escalations.by_reference(reference)
        if row is None:
            raise self._refuse("esc.not_found", reference=reference)
        return await self._load(row)

    # ------------------------------------------------------------ commands
    async def request(
        self,
        member: Member,
        room_id: str,
        *,
        route: RouteKind,
        reason: str,
        decision_asked: str,
        partner: str | None,
        urgent: bool,
        key: str,
    ) -> Reply:
        """``!opschalen``: freeze the route, store the escalation, ping level one."""
        loaded_case = await self._cases.load_for_room(room_id)
        if loaded_case is None:
            raise self._refuse("esc.not_a_case_room", prefix=self._prefix)
        if not loaded_case.state.is_member(member.matrix_id):
            raise self._refuse("esc.not_a_case_member")
        if loaded_case.state.is_closed:
            closed = case_domain.Refusal(case_domain.RefusalCode.CASE_CLOSED)
            raise Refused(self._cases.refusal_reply(closed))
        case = loaded_case.row
        levels, partner_org = await self._freeze_route(route, case.municipality, partner, member)
        year = self._calendar.local_date(self.now).year
        reference = domain.format_reference(year, await self.escalations.next_number(year))
        outcome = domain.request(
            reference=reference,
            route=route,
            levels=levels,
            requester=member.matrix_id,
            urgent=urgent,
            partner=partner,
            reason=reason,
            decision_asked=decision_asked,
            regie_holder=loaded_case.state.regie_holder,
            case_members=frozenset(loaded_case.state.members),
            now=self.now,
        )
        if isinstance(outcome, Refusal):
            raise Refused(await self.view.refusal(outcome))
        loaded = await self._store(
            outcome,
            levels,
            member,
            room_id,
            case=case,
            reference=reference,
            route=route,
            urgent=urgent,
            partner_org=partner_org,
            reason=reason,
            decision_asked=decision_asked,
        )
        return await self.events.apply(loaded, outcome, room_id, key)

    async def _freeze_route(
        self, route: RouteKind, municipality: str, partner: str | None, member: Member
    ) -> tuple[tuple[FrozenLevel, ...], Organisation | None]:
        """The route's levels, frozen now for the case's municipality and the named partner."""
        directory = await self._cases.directory()
        partner_org = self._organisation(partner, directory) if partner else None
        levels = domain.freeze_route(
            self._settings.policies(route),
            directory.values(),
            municipality,
            partner_org,
            member.matrix_id,
        )
        return levels, partner_org

    async def _store(
        self,
        outcome: Transition,
        levels: tuple[FrozenLevel, ...],
        member: Member,
        room_id: str,
        *,
        case: CaseRow,
        reference: str,
        route: RouteKind,
        urgent: bool,
        partner_org: Organisation | None,
        reason: str,
        decision_asked: str,
    ) -> Loaded:
        """Store the requested escalation with its frozen levels; record the request."""
        row = await self.escalations.create(
            _level_rows(levels),
            reference=reference,
            case_id=case.id,
            route=route.value,
            status=EscalationStatus.AANGEVRAAGD.value,
            urgent=urgent,
            partner_org=partner_org.code if partner_org else None,
            requester=member.matrix_id,
            requester_org=member.organisation.code,
            reason=reason.strip(),
            decision_asked=decision_asked.strip(),
            current_level=outcome.state.level,
            level_started_at=self.now,
            requested_at=self.now,
        )
        loaded = Loaded(row, case, outcome.state)
        await self.events.record(
            loaded,
            member.matrix_id,
            "requested",
            room_id,
            {
                "route": route.value,
                "urgent": urgent,
                "partner": row.partner_org,
            },
        )
        return loaded

    def _organisation(self, code: str, directory: Mapping[str, Member]) -> Organisation:
        wanted = code.strip().lower()
        for candidate in directory.values():
            if candidate.organisation.code == wanted:
                return candidate.organisation
        raise self._refuse("esc.unknown_partner", value=code)

    async def act(
        self,
        member: Member,
        reference: str,
        action: EscalationAction,
        room_id: str,
        key: str,
        words: str = "",
        *,
        via_reaction: bool = False,
    ) -> Reply:
        """``!ontvangen``, ``!vrijgeven``, ``!besluit``, ``!doorzetten``, ``!afschalen``,
        ``!opschaling intrekken``: ``words`` is the decision or the reason."""
        loaded = await self._by_reference(reference)
        if not domain.actors_for(loaded.state, member):
            # Involvement first (as membership for a case): whoever has no part in the
            # escalation or its case gets the reply for an unknown reference, so a typed
            # reference tells them neither that it exists nor its status.
            raise self._refuse("esc.not_found", reference=loaded.row.reference)
        self._cases.reads.note(Shown("escalation", loaded.row.reference))
        state, now = loaded.state, self.now
        outcome: domain.Outcome
        if action is EscalationAction.ACKNOWLEDGE:
            outcome = domain.acknowledge(state, member, now, via_reaction=via_reaction)
        elif action is EscalationAction.RELEASE:
            outcome = domain.release(state, member, now)
        elif action is EscalationAction.DECIDE:
            outcome = domain.decide(state, member, words, now)
        elif action is EscalationAction.FORWARD:
            outcome = domain.forward(state, member, words, now)
        elif action is EscalationAction.DEESCALATE:
            outcome = domain.close(state, member, EscalationStatus.AFGESCHAALD, words, now)
        else:
            outcome = domain.close(state, member, EscalationStatus.INGETROKKEN, words, now)
        if isinstance(outcome, Refusal):
            raise Refused(await self.view.refusal(outcome))
        return await self.events.apply(loaded, outcome, room_id, key)

    async def reaction(self, member: Member | None, entity_id: str, key: str, emoji: str) -> None:
        """A reaction on one of the bot's pings: a 👍 acknowledges (only from a target).

        Anyone else gets a short refusal in their direct chat and nothing changes; other
        emoji are ignored.
        """
        if member is None or not is_acknowledgement(emoji):
            return
        row = await self.escalations.get(int(entity_id))
        if row is None:
            return
        loaded = await self._load(row)
        outcome = domain.acknowledge(loaded.state, member, self.now, via_reaction=True)
        if isinstance(outcome, Refusal):
            if outcome.code is domain.RefusalCode.ALREADY_ACKNOWLEDGED and (
                loaded.state.acknowledged_by == member.matrix_id
            ):
                return  # their own second 👍 (e.g. in the other room): nothing to say
            message = (await self.view.refusal(outcome)).plain
            reply = text(
                self.view.t(
                    "esc.reaction_closed" if loaded.state.is_closed else "esc.reaction_refused",
                    reference=row.reference,
                    status=self.view.t(f"esc.status.{row.status}"),
                    allowed=self.view.t("esc.actor.target"),
                )
                if outcome.code in {domain.RefusalCode.CLOSED, domain.RefusalCode.NOT_PERMITTED}
                else message
            )
            await self._direct(member.matrix_id, f"esc-react:{key}", reply)
            return
        # An act on the escalation, as !ontvangen is: in the access log (issue 22).
        self._cases.reads.note(Shown("escalation", row.reference))
        reply = await self.events.apply(loaded, outcome, "", key)
        if loaded.case.room_id:
            await self._enqueue(f"esc-react:{key}", loaded.case.room_id, reply)

    async def clock_fired(self, job: JobRow) -> None:
        """A clock job: remind, move on, or nothing when the escalation has moved on."""
        row = await self.escalations.get(int(job.payload["escalation_id"]))
        if row is None:
            return
        loaded = await self._load(row)
        if loaded.case.status == CLOSED_STATUS:
            return  # the case was closed: its escalations' clocks stop
        stage = ClockStage(str(job.payload["stage"]))
        planned = datetime.fromisoformat(str(job.payload["planned_at"]))
        outcome = domain.clock_fired(loaded.state, stage, int(job.payload["level"]), self.now)
        if outcome is None:
            return
        self.events.planned = planned
        key = f"clock:{row.id}:{stage.value}:{planned.isoformat()}"
        if stage in {ClockStage.ACK_ESCALATE} and outcome.state.level != loaded.state.level:
            await self.events.apply(loaded, outcome, "", key)
            return
        # A reminder or a note: nothing about the state changes, the clocks stay as armed.
        for event in outcome.events:
            await self.events.persist(loaded, event, "", key)

    # ------------------------------------------------------------ overviews
    async def overview(self, member: Member, room_id: str, page: int = 1) -> Reply:
        """``!opschalingen [pagina=]`` (see :meth:`EscalationOverviews.overview`)."""
        return await self.overviews.overview(member, room_id, page)

    async def plate_section(self, member: Member) -> tuple[str, list[str]]:
        """``!mijn`` (see :meth:`EscalationOverviews.plate_section`)."""
        return await self.overviews.plate_section(member)

    async def overdue_acknowledgements(self) -> list[str]:
        """Digest section (see :meth:`EscalationOverviews.overdue_acknowledgements`)."""
        return await self.overviews.overdue_acknowledgements()

    async def open_lines(self, limit: int) -> tuple[list[str], int]:
        """Digest section (see :meth:`EscalationOverviews.open_lines`)."""
        return await self.overviews.open_lines(limit)


def _level_rows(levels: tuple[FrozenLevel, ...]) -> list[dict[str, object]]:
    """The frozen levels as the repository stores them."""
    return [
        {
            "number": lv.number,
            "target_kind": lv.policy.targets.value,
            "scope": lv.scope,
            "targets": list(lv.targets),
            "ack_working_hours": lv.policy.ack_working_hours,
            "decision_working_days": lv.policy.decision_working_days,
            "urgent_ack_minutes": lv.policy.urgent_ack_minutes,
            "urgent_decision_hours": lv.policy.urgent_decision_hours,
        }
        for lv in levels
    ]
