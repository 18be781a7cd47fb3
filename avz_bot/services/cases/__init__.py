"""Cases, case rooms and procesregie: one unit of work per command or job.

Every method runs inside the caller's transaction (the command's exactly-once
transaction, or a job's). It loads the case, lets the pure domain
(``avz_bot.domain.cases``) decide, then persists the resulting events: the case
tables, the audit trail (the case timeline is read from it), outgoing messages to
other rooms (outbox) and Matrix side effects such as creating a room or inviting
someone (durable jobs, run after the commit). Nothing here talks to Matrix directly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, time
from html import escape
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain import cases as domain
from avz_bot.domain.cases import (
    CaseEvent,
    CaseMember,
    CaseState,
    CaseStatus,
    ProposalKind,
    Refusal,
    RegieProposal,
    Transition,
)
from avz_bot.domain.dates import format_when
from avz_bot.domain.inbound import Reply
from avz_bot.domain.partners import Member
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.formatting import paragraphs, text
from avz_bot.lists import ENVELOPE_BYTES, MoreLine, Page, Window, page_listing, page_of, window
from avz_bot.messages import Messages
from avz_bot.services.directory import MemberDirectory
from avz_bot.settings import CasesSettings
from avz_bot.settings_sections.scale import LimitSettings
from storage.case_repositories import AgreementRepository, CaseRepository, CaseRow
from storage.list_repositories import ListRepository, Slice
from storage.repositories import AuditRepository, PartnerRepository
from storage.schedule_repositories import JobRepository
from storage.signal_repositories import CaseSignalRepository

#: Job kinds for the Matrix side effects of case commands (run by the scheduler).
JOB_CREATE_ROOM = "room.create_case"
JOB_INVITE = "room.invite"
JOB_KICK = "room.kick"

#: Power levels of a case room: only the bot (100) invites, removes and changes state.
BOT_POWER = 100
MEMBER_TITLE_MAX = 120

Enqueue = Callable[[str, str, Reply], Any]


class CaseCommandError(Exception):
    """A case command cannot proceed; ``reply`` says why (in Dutch). Nothing changed."""

    def __init__(self, reply: Reply) -> None:
        super().__init__("case command refused")
        self.reply = reply


@dataclass(frozen=True)
class LoadedCase:
    """A case as stored, and as the domain sees it."""

    row: CaseRow
    state: CaseState


def case_room_state() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Power levels and initial state of a case room (see README, "Case rooms").

    Presets are not trusted: every security-relevant state event is set explicitly.
    The bot, as the room's creator, is the only one with power: in room version 12 the
    creator's power is implicit (and it may not be listed in ``users``); in older
    versions the homeserver's default ``users`` map gives the creator 100. So
    ``users`` is left to the homeserver and nobody else is ever added to it.
    """
    power_levels = {
        "users_default": 0,
        "events_default": 0,
        "state_default": BOT_POWER,
        "invite": BOT_POWER,
        "kick": BOT_POWER,
        "ban": BOT_POWER,
        "redact": BOT_POWER,
        "events": {
            "m.room.name": BOT_POWER,
            "m.room.topic": BOT_POWER,
            "m.room.avatar": BOT_POWER,
            "m.room.power_levels": BOT_POWER,
            "m.room.history_visibility": BOT_POWER,
            "m.room.join_rules": BOT_POWER,
            "m.room.guest_access": BOT_POWER,
            "m.room.encryption": BOT_POWER,
            "m.room.canonical_alias": BOT_POWER,
            "m.room.server_acl": BOT_POWER,
            "m.room.tombstone": BOT_POWER,
        },
    }
    initial_state = [
        {
            "type": "m.room.encryption",
            "state_key": "",
            "content": {"algorithm": "m.megolm.v1.aes-sha2"},
        },
        {"type": "m.room.join_rules", "state_key": "", "content": {"join_rule": "invite"}},
        {
            "type": "m.room.history_visibility",
            "state_key": "",
            "content": {"history_visibility": "joined"},
        },
        {"type": "m.room.guest_access", "state_key": "", "content": {"guest_access": "forbidden"}},
    ]
    return power_levels, initial_state


class CaseService:
    """Case and regie operations inside one transaction."""

    def __init__(
        self,
        session: AsyncSession,
        *,
        now: datetime,
        settings: CasesSettings,
        calendar: WorkCalendar,
        messages: Messages,
        prefix: str,
        enqueue: Enqueue,
        device_cross_signed: bool | None = True,
        members: MemberDirectory | None = None,
        limits: LimitSettings | None = None,
    ) -> None:
        self._session = session
        self._members = members
        self.limits = limits or LimitSettings()
        self._device_cross_signed = device_cross_signed
        self._now = now
        self._settings = settings
        self._calendar = calendar
        self._messages = messages
        self._prefix = prefix
        self._enqueue = enqueue
        self.cases = CaseRepository(session)
        self._audit = AuditRepository(session)
        self._jobs = JobRepository(session)
        self._directory: dict[str, Member] | None = None
        #: The case ``open_case`` registered in this unit of work (for callers such as
        #: a TVO decision that must link it).
        self.opened: CaseRow | None = None

    # ------------------------------------------------------------ helpers
    def t(self, key: str, /, **values: object) -> str:
        """A catalogue text."""
        return self._messages.t(key, **values)

    # ------------------------------------------------------------ bounded lists
    def window(self, page: int, size: int | None = None) -> Window:
        """Page ``page`` of a list (``size`` items, default ``[limits] list_items``)."""
        return window(page, size or self.limits.list_items)

    @staticmethod
    def slice(win: Window) -> Slice:
        """The database slice of a window."""
        return Slice(win.limit, win.offset)

    def more_line(self, command: str) -> MoreLine:
        """The "… en nog N. Meer zien: !<command> pagina=P" line of a list."""
        prefix = self._prefix
        return lambda count, page: self.t(
            "list.more", count=count, command=f"{prefix}{command}", page=page
        )

    @property
    def budget(self) -> int:
        """Bytes a list reply may take (the configured maximum minus the envelope)."""
        return self.limits.reply_max_bytes - ENVELOPE_BYTES

    def when(self, instant: datetime | None) -> str:
        """An instant as people here read it ("vrijdag 28 november 2026, 17:00")."""
        return format_when(instant, self._calendar) if instant is not None else "—"

    async def directory(self) -> Mapping[str, Member]:
        """Registered members by Matrix id: from the process-wide cache when one was
        given (``MemberDirectory``), else loaded once per unit of work."""
        if self._members is not None:
            return await self._members.members(self._session)
        if self._directory is None:
            members = await PartnerRepository(self._session).list_members()
            self._directory = {m.matrix_id: m for m in members}
        return self._directory

    async def name(self, user: str) -> str:
        """How a person is shown: their registered name, else their Matrix id."""
        if user == "bot":
            return "avz-bot"
        member = (await self.directory()).get(user)
        return member.display_name if member else user

    async def org_name(self, code: str | None) -> str:
        """An organisation's name (from the registry), else its code."""
        if code is None:
            return "—"
        if self._members is not None:
            return await self._members.org_name(self._session, code) or code
        for member in (await self.directory()).values():
            if member.organisation.code == code:
                return member.organisation.name
        return code

    def municipality_name(self, code: str) -> str:
        """The configured name of a municipality code."""
        return self._settings.municipalities.get(code, code)

    def case_type_name(self, code: str) -> str:
        """The configured name of a case type code."""
        return self._settings.case_types.get(code, code)

    def _expiry(self, now: datetime) -> datetime:
        """A proposal lapses N working days later at the same wall-clock time."""
        local = self._calendar.local(now)
        day = self._calendar.add_working_days(
            local.date(), self._settings.proposal_expiry_working_days
        )
        return self._calendar.at(day, time(local.hour, local.minute))

    def refusal_reply(self, refusal: Refusal) -> Reply:
        """The Dutch explanation of a domain refusal."""
        params = dict(refusal.params)
        if "allowed" in params:
            values = [v for v in params["allowed"].split(",") if v]
            if refusal.code is domain.RefusalCode.TRANSITION_NOT_ALLOWED:
                params["allowed"] = ", ".join(self.t(f"case.status.{v}") for v in values)
            else:
                params["allowed"] = " of ".join(self.t(f"case.actor.{v}") for v in values)
        if "status" in params:
            params["status"] = self.t(f"case.status.{params['status']}")
        if "expires_at" in params:
            params["expires_at"] = self.when(datetime.fromisoformat(params["expires_at"]))
        return text(self._messages.t_lenient(f"case.refusal.{refusal.code.value}", params))

    # ------------------------------------------------------------ loading
    async def load_for_room(self, room_id: str) -> LoadedCase | None:
        """The case whose room this is, or None."""
        row = await self.cases.by_room(room_id)
        return None if row is None else await self._load(row)

    async def _load(self, row: CaseRow) -> LoadedCase:
        members = {
            m.matrix_id: CaseMember(m.matrix_id, m.organisation_code, m.joined_at, m.casemanager)
            for m in await self.cases.list_members(row.id)
        }
        proposal_row = await self.cases.open_proposal(row.id)
        proposal = None
        if proposal_row is not None:
            proposal = RegieProposal(
                ProposalKind(proposal_row.kind),
                proposal_row.from_user,
                proposal_row.to_user,
                proposal_row.created_at,
                proposal_row.expires_at,
            )
        holder = row.regie_holder if row.regie_holder in members else None
        since = (row.regie_since if holder else row.regie_vacant_since) or row.created_at
        state = CaseState(
            reference=row.reference,
            status=CaseStatus(row.status),
            regie_holder=holder,
            regie_since=since,
            members=members,
            pending_proposal=proposal if holder is not None else None,
        )
        return LoadedCase(row, state)

    async def require_case(self, room_id: str) -> LoadedCase:
        """The case of this room, or a refusal explaining this is no case room."""
        loaded = await self.load_for_room(room_id)
        if loaded is None:
            raise CaseCommandError(text(self.t("case.not_a_case_room", prefix=self._prefix)))
        return loaded

    # ------------------------------------------------------------ opening
    async def open_case(
        self,
        member: Member,
        room_id: str,
        title: str,
        municipality: str,
        case_type: str,
        partners: list[str],
    ) -> Reply:
        """``!casus nieuw``: register the case and queue the creation of its room."""
        settings = self._settings
        intake = set(settings.intake_rooms)
        if settings.coordination_room:
            intake.add(settings.coordination_room)
        if room_id not in intake:
            raise CaseCommandError(text(self.t("case.not_intake_room")))
        municipality = municipality.strip().lower()
        case_type = case_type.strip().lower()
        if municipality not in settings.municipalities:
            raise CaseCommandError(
                text(
                    self.t(
                        "case.unknown_municipality",
                        value=municipality,
                        choices=", ".join(settings.municipalities),
                    )
                )
            )
        if case_type not in settings.case_types:
            raise CaseCommandError(
                text(
                    self.t(
                        "case.unknown_type", value=case_type, choices=", ".join(settings.case_types)
                    )
                )
            )
        invitees = await self._resolve_partners(partners, exclude=member.matrix_id)
        now = self._now
        year = self._calendar.local(now).year
        reference = await self.cases.next_reference(year)
        row = await self.cases.create(
            reference=reference,
            title=title.strip(),
            municipality=municipality,
            case_type=case_type,
            created_by=member.matrix_id,
            now=now,
        )
        self.opened = row
        await self.cases.add_member(row.id, member.matrix_id, member.organisation.code, now)
        directory = await self.directory()
        for user in invitees:
            await self.cases.add_member(row.id, user, directory[user].organisation.code, now)
        await self._record(
            row, member.matrix_id, "case_opened", room_id, {"municipality": municipality}
        )
        for user in invitees:
            await self._record(row, member.matrix_id, "member_added", room_id, {"user": user})
        await self._jobs.schedule(
            JOB_CREATE_ROOM,
            now,
            {"case_id": row.id},
            now,
            dedupe_key=f"case:{row.id}:room",
            entity_type="case",
            entity_id=str(row.id),
        )
        names = [await self.name(u) for u in [member.matrix_id, *invitees]]
        return text(
            self.t(
                "case.opened",
                reference=reference,
                municipality=self.municipality_name(municipality),
                case_type=self.case_type_name(case_type),
                invitees=", ".join(names),
            )
        )

    async def _resolve_partners(self, partners: list[str], exclude: str) -> list[str]:
        directory = await self.directory()
        orgs = sorted({m.organisation.code for m in directory.values()})
        chosen: list[str] = []
        for item in partners:
            value = item.strip()
            if not value:
                continue
            if value.startswith("@"):
                if value not in directory:
                    raise CaseCommandError(text(self.t("case.refusal.not_registered", user=value)))
                found = [value]
            else:
                code = value.lower()
                found = sorted(u for u, m in directory.items() if m.organisation.code == code)
                if not found:
                    raise CaseCommandError(
                        text(self.t("case.unknown_partner", value=value, choices=", ".join(orgs)))
                    )
            chosen.extend(u for u in found if u != exclude and u not in chosen)
        return chosen

    # ------------------------------------------------------------ reading
    async def card(self, loaded: LoadedCase) -> Reply:
        """The case card: reference, title, where, status, regie, members, open items."""
        row, state = loaded.row, loaded.state
        t = self.t
        lines = [
            t("case.card.title_line", title=row.title),
            t(
                "case.card.where",
                municipality=self.municipality_name(row.municipality),
                case_type=self.case_type_name(row.case_type),
            ),
            t(
                "case.card.status",
                status=t(f"case.status.{row.status}"),
                since=self.when(row.status_changed_at),
            ),
        ]
        lines.append(await self._regie_line(loaded, card=True))
        proposal = state.pending_proposal
        if proposal is not None:
            lines.append(
                t(
                    "case.card.proposal",
                    from_user=await self.name(proposal.from_user),
                    to_user=await self.name(proposal.to_user),
                    expires=self.when(proposal.expires_at),
                )
            )
        open_items = await ListRepository(self._session).count_open_agreements(row.id)
        lines.append(t("case.card.open_items", count=open_items))
        signals = await CaseSignalRepository(self._session).list_for_case(row.id, 1)
        if signals.total:
            lines.append(t("case.card.signals", count=signals.total, prefix=self._prefix))
        lines.append(t("case.card.members"))
        # Members with a role first (domain.roles orders them); at most one page.
        members = page_of(_by_role(domain.roles(state)), self.window(1))
        items = []
        for line in members.items:
            roles = ", ".join(t(f"case.role.{r.value}") for r in line.roles)
            items.append(
                t(
                    "case.card.member",
                    name=await self.name(line.matrix_id),
                    organisation=await self.org_name(line.organisation_code),
                    roles=f" — {roles}",
                )
            )
        card = Page(
            (*lines, *items),
            len(lines) + members.total,
            Window(1, len(lines) + members.window.size),
        )
        return page_listing(
            t("case.card.title", reference=row.reference),
            card,
            lambda count, _page: t("case.card.members_more", count=count, prefix=self._prefix),
            self.budget,
        )

    async def _regie_line(self, loaded: LoadedCase, *, card: bool) -> str:
        row, state = loaded.row, loaded.state
        if state.regie_holder is None:
            key = "case.card.no_regie" if card else "case.regie.none"
            return self.t(
                key,
                reference=row.reference,
                since=self.when(state.regie_since),
                prefix=self._prefix,
            )
        key = "case.card.regie" if card else "case.regie.show"
        return self.t(
            key,
            reference=row.reference,
            holder=await self.name(state.regie_holder),
            organisation=await self.org_name(row.regie_org),
            since=self.when(state.regie_since),
        )

    async def regie_show(self, loaded: LoadedCase) -> Reply:
        """``!regie``."""
        return text(await self._regie_line(loaded, card=False))

    async def roles(self, loaded: LoadedCase, page: int = 1) -> Reply:
        """``!rollen [pagina=]``: members with their roles, role holders first."""
        lines = page_of(_by_role(domain.roles(loaded.state)), self.window(page))
        items = []
        for line in lines.items:
            items.append(
                self.t(
                    "case.roles.line",
                    name=await self.name(line.matrix_id),
                    organisation=await self.org_name(line.organisation_code),
                    roles=", ".join(self.t(f"case.role.{r.value}") for r in line.roles),
                )
            )
        return page_listing(
            self.t("case.roles.title", reference=loaded.row.reference),
            Page(tuple(items), lines.total, lines.window),
            self.more_line("rollen"),
            self.budget,
        )

    async def timeline(self, loaded: LoadedCase, count: int, page: int = 1) -> Reply:
        """``!tijdlijn [aantal] [pagina=]``: the case's audit trail in Dutch, newest last;
        page 2 holds the ``count`` entries before page 1."""
        win = self.window(page, count)
        entries, total = await ListRepository(self._session).case_timeline(
            loaded.row.reference, self.slice(win)
        )
        if not entries:
            return text(self.t("case.timeline.empty"))
        lines = []
        for entry in reversed(entries):
            details = {k: v for k, v in (entry.details or {}).items()}
            kind = entry.action.removeprefix("case.")
            values: dict[str, object] = {}
            for key, value in details.items():
                if isinstance(value, str) and value.startswith("@"):
                    values[key] = await self.name(value)
                elif key in {"old_status", "new_status"} and isinstance(value, str):
                    values[key] = self.t(f"case.status.{value}")
                elif key == "cause" and isinstance(value, str):
                    reason = details.get("reason")
                    # A release names its reason; other causes (left, removed) are words.
                    values[key] = (
                        reason
                        if value == "released" and isinstance(reason, str) and reason
                        else self.t(f"case.cause.{value}")
                    )
                elif key == "organisation_code" and isinstance(value, str):
                    values[key] = await self.org_name(value)
                else:
                    values[key] = value
            try:
                what = self._messages.t_lenient(f"case.event.{kind}", values)
            except KeyError:
                what = kind
            lines.append(
                self.t(
                    "case.timeline.line",
                    when=self.when(entry.occurred_at),
                    who=await self.name(entry.actor),
                    what=what,
                )
            )
        return page_listing(
            self.t("case.timeline.title", reference=loaded.row.reference, count=len(lines)),
            Page(tuple(lines), total, win),
            self.more_line("tijdlijn"),
            self.budget,
            least_urgent_first=True,
        )

    # ------------------------------------------------------------ changes
    async def apply(
        self, loaded: LoadedCase, outcome: Transition | Refusal, room_id: str, key: str
    ) -> Reply:
        """Persist an accepted transition (or explain a refusal); returns the reply.

        ``key`` (the triggering event id) makes the transaction ids of any messages to
        other rooms unique and repeatable.
        """
        if isinstance(outcome, Refusal):
            raise CaseCommandError(self.refusal_reply(outcome))
        lines: list[str] = []
        for event in outcome.events:
            line = await self._persist(loaded, event, room_id, key)
            if line:
                lines.append(line)
        return paragraphs(*lines)

    async def _persist(self, loaded: LoadedCase, event: CaseEvent, room_id: str, key: str) -> str:
        row = loaded.row
        repo = self.cases
        now = event.at
        t = self.t
        name = self.name
        line = ""
        directory = await self.directory()

        def org_of(user: str) -> str:
            member = loaded.state.members.get(user)
            if member is not None:
                return member.organisation_code
            found = directory.get(user)
            return found.organisation.code if found else ""

        if isinstance(event, domain.StatusChanged):
            changed = await repo.change_status(
                row.id, event.old_status.value, event.new_status.value, now
            )
            if not changed:
                raise CaseCommandError(self.refusal_reply(Refusal(domain.RefusalCode.CASE_CLOSED)))
            if event.new_status is CaseStatus.GESLOTEN:
                line = t("case.closed", reference=row.reference, reason=event.reason)
                # Scheduled work for the case (reminders, later escalations) ends here.
                await self._jobs.cancel_for_entity("case", str(row.id), now)
                open_agreements = await AgreementRepository(self._session).list_for_case(
                    row.id, statuses=["open"]
                )
                if open_agreements:
                    line += "\n" + t("case.closed_agreements", count=len(open_agreements))
            else:
                line = t(
                    "case.status_changed",
                    reference=row.reference,
                    old=t(f"case.status.{event.old_status.value}"),
                    new=t(f"case.status.{event.new_status.value}"),
                    reason=event.reason,
                )
        elif isinstance(event, domain.RegieTaken):
            if not await repo.claim_regie(row.id, event.holder, org_of(event.holder), now):
                fresh = await repo.get(row.id)
                holder = fresh.regie_holder if fresh else None
                raise CaseCommandError(
                    text(t("case.regie.lost_race", holder=await name(holder or "?")))
                )
            line = t("case.regie.taken", holder=await name(event.holder), reference=row.reference)
        elif isinstance(event, domain.RegieRequested | domain.RegieTransferProposed):
            kind = "request" if isinstance(event, domain.RegieRequested) else "transfer"
            from_user = (
                event.requester if isinstance(event, domain.RegieRequested) else event.holder
            )
            to_user = event.holder if isinstance(event, domain.RegieRequested) else event.to_user
            created = await repo.create_proposal(
                case_id=row.id,
                kind=kind,
                from_user=from_user,
                to_user=to_user,
                now=now,
                expires_at=event.expires_at,
            )
            if created is None:
                raise CaseCommandError(
                    self.refusal_reply(Refusal(domain.RefusalCode.NO_PENDING_PROPOSAL))
                )
            if kind == "request":
                line = t(
                    "case.regie.requested",
                    holder=await name(to_user),
                    prefix=self._prefix,
                    expires=self.when(event.expires_at),
                )
            else:
                line = t(
                    "case.regie.proposed",
                    holder=await name(from_user),
                    to_user=await name(to_user),
                    prefix=self._prefix,
                    expires=self.when(event.expires_at),
                )
        elif isinstance(event, domain.RegieTransferred):
            await self._resolve_open(row.id, "accepted", now)
            await repo.transfer_regie(
                row.id, event.previous, event.new_holder, org_of(event.new_holder), now
            )
            line = t(
                "case.regie.transferred",
                reference=row.reference,
                previous=await name(event.previous),
                holder=await name(event.new_holder),
            )
        elif isinstance(event, domain.RegieDeclined):
            await self._resolve_open(row.id, "declined", now)
            line = t(
                "case.regie.declined",
                user=await name(event.actor or ""),
                holder=await name(loaded.state.regie_holder or ""),
            )
        elif isinstance(event, domain.RegieReleased):
            await repo.release_regie(row.id, event.previous, now)
            line = t(
                "case.regie.released", previous=await name(event.previous), reference=row.reference
            )
            await self._tell_coordination(
                f"released:{key}",
                t(
                    "case.coord.released",
                    reference=row.reference,
                    municipality=self.municipality_name(row.municipality),
                    case_type=self.case_type_name(row.case_type),
                    previous=await name(event.previous),
                ),
            )
        elif isinstance(event, domain.RegieAssigned):
            await repo.assign_regie(row.id, event.new_holder, org_of(event.new_holder), now)
            line = t(
                "case.regie.assigned", holder=await name(event.new_holder), reason=event.reason
            )
        elif isinstance(event, domain.ProposalExpired):
            await self._resolve_open(row.id, "expired", now)
            line = t(
                "case.regie.expired",
                from_user=await name(event.from_user),
                to_user=await name(event.to_user),
                holder=await name(loaded.state.regie_holder or ""),
            )
        elif isinstance(event, domain.ProposalCancelled):
            await self._resolve_open(row.id, "cancelled", now)
        elif isinstance(event, domain.MemberAdded):
            await repo.add_member(row.id, event.user, event.organisation_code, now)
            if row.room_id is not None:
                await self._jobs.schedule(
                    JOB_INVITE,
                    now,
                    {"room_id": row.room_id, "user_id": event.user},
                    now,
                    dedupe_key=f"invite:{key}:{event.user}",
                    entity_type="case",
                    entity_id=str(row.id),
                )
            line = t("case.invited", user=await name(event.user))
        elif isinstance(event, domain.MemberRemoved):
            await repo.mark_member_left(row.id, event.user, now)
            removed = {domain.EndCause.REMOVED, domain.EndCause.DEREGISTERED}
            if event.cause in removed and row.room_id is not None:
                await self._jobs.schedule(
                    JOB_KICK,
                    now,
                    {"room_id": row.room_id, "user_id": event.user},
                    now,
                    dedupe_key=f"kick:{key}:{event.user}",
                    entity_type="case",
                    entity_id=str(row.id),
                )
                line = t("case.removed", user=await name(event.user))
                if event.cause is domain.EndCause.DEREGISTERED:
                    line = t("ops.case.deregistered", user=await name(event.user))
            else:
                line = t("case.member_left", user=await name(event.user))
        elif isinstance(event, domain.CasemanagerTaken):
            await repo.set_casemanager(row.id, event.user, event.organisation_code)
            org = await self.org_name(event.organisation_code)
            if event.previous:
                line = t(
                    "case.role.taken_from",
                    user=await name(event.user),
                    organisation=org,
                    previous=await name(event.previous),
                )
            else:
                line = t("case.role.taken", user=await name(event.user), organisation=org)
        await self._record(row, event.actor or "bot", event.kind, room_id, event.payload())
        return line

    async def _resolve_open(self, case_id: int, resolution: str, now: datetime) -> None:
        proposal = await self.cases.open_proposal(case_id)
        if proposal is not None:
            await self.cases.resolve_proposal(proposal.id, resolution, now)

    async def _record(
        self,
        row: CaseRow,
        actor: str,
        kind: str,
        room_id: str | None,
        details: Mapping[str, str | int | bool | None],
    ) -> None:
        await self.record_audit(row, actor, f"case.{kind}", room_id, details)

    async def record_audit(
        self,
        row: CaseRow,
        actor: str,
        action: str,
        room_id: str | None,
        details: Mapping[str, str | int | bool | None],
    ) -> None:
        """One audit entry about the case (its timeline). Texts are cut at 200 characters;
        under the default trust policy a change from a device its owner has not
        cross-signed is marked as such."""
        directory = await self.directory()
        member = directory.get(actor)
        clean: dict[str, str | int | bool | None] = {
            k: (v[:200] if isinstance(v, str) else v) for k, v in details.items()
        }
        if self._device_cross_signed is not True:
            clean["device_cross_signed"] = self._device_cross_signed
        await self._audit.append(
            occurred_at=self._now,
            actor=actor,
            actor_org=member.organisation.code if member else None,
            action=action,
            room_id=room_id,
            entity_type="case",
            entity_id=row.reference,
            details=clean,
        )

    async def _tell_coordination(self, key: str, message: str) -> None:
        room = self._settings.coordination_room
        if room:
            await self._enqueue(f"coord:{key}", room, text(message))

    # ------------------------------------------------------------ membership events
    async def member_left(self, room_id: str, user: str, key: str) -> Reply | None:
        """Someone left (or was removed from) a case room: they lose every case role."""
        loaded = await self.load_for_room(room_id)
        if loaded is None or not loaded.state.is_member(user):
            return None
        outcome = domain.member_left(loaded.state, user, self._now)
        if isinstance(outcome, Refusal):
            return None  # e.g. a closed case: membership history stays as it was
        return await self.apply(loaded, outcome, room_id, key)

    async def member_deregistered(self, row: CaseRow, user: str, key: str) -> Reply | None:
        """``user`` left the partner registry: off the case (and its room), no roles.

        Returns the note for the case room, or ``None`` when nothing changed (not a
        member, or the case is closed).
        """
        loaded = await self._load(row)
        outcome = domain.member_deregistered(loaded.state, user, self._now)
        if isinstance(outcome, Refusal):
            return None
        return await self.apply(loaded, outcome, row.room_id or "", key)

    async def member_joined(self, room_id: str, user: str) -> Reply | None:
        """Someone joined a case room: welcome them with the case card."""
        loaded = await self.load_for_room(room_id)
        if loaded is None or not loaded.state.is_member(user):
            return None
        card = await self.card(loaded)
        welcome = self.t("case.welcome", reference=loaded.row.reference, name=await self.name(user))
        return _prepend(welcome, card)

    # ------------------------------------------------------------ sweeps
    async def sweep(self) -> int:
        """Lapse expired proposals and report cases without regie; returns messages queued."""
        now = self._now
        queued = 0
        for proposal in await self.cases.expired_proposals(now):
            row = await self.cases.get(proposal.case_id)
            if row is None:
                continue
            loaded = await self._load(row)
            outcome = domain.expire_proposal(loaded.state, now)
            if outcome is None:
                await self.cases.resolve_proposal(proposal.id, "expired", now)
                continue
            reply = await self.apply(loaded, outcome, row.room_id or "", f"expiry:{proposal.id}")
            if row.room_id:
                await self._enqueue(f"expiry:{proposal.id}", row.room_id, reply)
                queued += 1
        if self._settings.coordination_room and self._calendar.is_office_time(now):
            queued += await self._report_unregie(now)
        return queued

    async def _report_unregie(self, now: datetime) -> int:
        today = self._calendar.local_date(now)
        queued = 0
        threshold = self._settings.unregie_report_after_working_days
        for row in await self.cases.cases_without_regie(now):
            if row.regie_vacant_since is None:
                continue
            vacant_day = self._calendar.local_date(row.regie_vacant_since)
            due = domain.unregie_report_due(
                vacant_day,
                row.unregie_reported_on,
                today,
                threshold,
                self._calendar.working_days_between,
            )
            if not due or not await self.cases.mark_unregie_reported(row.id, today):
                continue
            days = self._calendar.working_days_between(vacant_day, today)
            await self._tell_coordination(
                f"unregie:{row.id}:{today.isoformat()}",
                self.t(
                    "case.coord.unregie",
                    reference=row.reference,
                    municipality=self.municipality_name(row.municipality),
                    case_type=self.case_type_name(row.case_type),
                    days=days,
                    since=self.when(row.regie_vacant_since),
                ),
            )
            queued += 1
        return queued

    # ------------------------------------------------------------ transitions
    def expiry(self) -> Callable[[datetime], datetime]:
        """The proposal-expiry function handed to the domain."""
        return self._expiry

    @property
    def now(self) -> datetime:
        """The unit of work's time."""
        return self._now

    @property
    def coordination_room(self) -> str | None:
        """The ketenmanagers' coordination room, if configured."""
        return self._settings.coordination_room


def _by_role(lines: list[domain.RoleLine]) -> list[domain.RoleLine]:
    """Regiehouder, then casemanagers, then the other members (stable otherwise)."""
    return sorted(
        lines,
        key=lambda line: (
            domain.CaseRole.REGIEHOUDER not in line.roles,
            domain.CaseRole.CASEMANAGER not in line.roles,
        ),
    )


def _prepend(first: str, reply: Reply) -> Reply:
    """``first`` as a paragraph before ``reply`` (keeping the reply's HTML)."""
    return Reply(plain=f"{first}\n{reply.plain}", html=f"{escape(first)}<br>{reply.html}")
