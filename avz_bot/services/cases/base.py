"""What every part of the case service shares: its state, wording, loading and audit.

:class:`CaseServiceBase` holds the unit of work (session, time, settings, calendar,
catalogue), the helpers every reply uses (names, times, bounded lists, the Dutch
explanation of a domain refusal), loading a case as the domain sees it
(:class:`LoadedCase`), the audit trail (the case timeline) and messages to the
coordination room.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain import cases as domain
from avz_bot.domain.cases import (
    CaseMember,
    CaseState,
    CaseStatus,
    ProposalKind,
    Refusal,
    RegieProposal,
)
from avz_bot.domain.date_names import format_when
from avz_bot.domain.inbound import Reply
from avz_bot.domain.partners import Member
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.formatting import text
from avz_bot.lists import ENVELOPE_BYTES, MoreLine, Window, window
from avz_bot.messages import Messages
from avz_bot.services.audit import Audit
from avz_bot.services.directory import MemberDirectory
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.settings_sections.limits import LimitSettings
from storage.case_repositories import CaseRepository, CaseRow
from storage.list_repositories import Slice
from storage.registry_repositories import PartnerRepository
from storage.schedule_repositories import JobRepository

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


class CaseServiceBase:
    """The shared state and helpers of :class:`~avz_bot.services.cases.CaseService`."""

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
        self._now = now
        self._settings = settings
        self._calendar = calendar
        self._messages = messages
        self._prefix = prefix
        self._enqueue = enqueue
        self.cases = CaseRepository(session)
        self._audit = Audit(session, now, device_cross_signed)
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

    # ------------------------------------------------------------ audit, coordination
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
        await self._audit.record(
            action,
            actor=actor,
            actor_org=member.organisation.code if member else None,
            room_id=room_id,
            entity_type="case",
            entity_id=row.reference,
            details=details,
        )

    async def _tell_coordination(self, key: str, message: str) -> None:
        room = self._settings.coordination_room
        if room:
            await self._enqueue(f"coord:{key}", room, text(message))

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
