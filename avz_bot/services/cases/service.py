"""The case service: one unit of work's cases, composed of its parts.

:class:`CaseService` builds, once per unit of work, the parts that share its session:
:class:`~avz_bot.services.cases.base.People` (names), :class:`~.base.CaseStore` (loading
and the audit trail), :class:`~.view.CaseView` (every reply), :class:`~.persisting.CaseEvents`
(writing a transition's events), :class:`~.opening.CaseOpening`,
:class:`~.membership.CaseMembership` and :class:`~.sweeps.CaseSweeps`, and offers what
commands, jobs and the other areas use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, time

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.cases import Refusal, Transition
from avz_bot.domain.inbound import Reply
from avz_bot.domain.partners import Member
from avz_bot.domain.privacy.reading import case_role
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.lists import MoreLine, Window
from avz_bot.messages import Messages
from avz_bot.services.access_log import Reads, Shown
from avz_bot.services.cases.base import (
    CaseStore,
    Coordination,
    Enqueue,
    LoadedCase,
    People,
)
from avz_bot.services.cases.closing import CaseClosing
from avz_bot.services.cases.membership import CaseMembership
from avz_bot.services.cases.opening import CaseOpening
from avz_bot.services.cases.persisting import CaseEvents
from avz_bot.services.cases.sweeps import CaseSweeps
from avz_bot.services.cases.view import CaseView
from avz_bot.services.directory import MemberDirectory
from avz_bot.services.refusal import Refused
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.settings_sections.limits import LimitSettings
from storage.agreement_repositories import AgreementRepository
from storage.case_repositories import CaseRow
from storage.list_repositories import Slice
from storage.schedule_repositories import JobRepository


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
        reads: Reads | None = None,
    ) -> None:
        self._now = now
        #: What this unit showed its reader (the access log); areas built on this
        #: service note their reads here too.
        self.reads = reads if reads is not None else Reads()
        self._settings = settings
        self._calendar = calendar
        self.limits = limits or LimitSettings()
        people = People(session, members)
        store = CaseStore(session, now=now, people=people, device_cross_signed=device_cross_signed)
        view = CaseView(
            session,
            messages=messages,
            calendar=calendar,
            settings=settings,
            prefix=prefix,
            limits=self.limits,
            people=people,
        )
        self._people, self._store, self.view = people, store, view
        self.cases = store.cases
        self._assemble(session, enqueue)

    def _assemble(self, session: AsyncSession, enqueue: Enqueue) -> None:
        """The persister and the parts that use it, on the shared people, store and view."""
        people, store, view = self._people, self._store, self.view
        settings, calendar, now = self._settings, self._calendar, self._now
        jobs = JobRepository(session)
        coordination = Coordination(settings.coordination_room, enqueue)
        events = CaseEvents(
            store,
            people=people,
            view=view,
            jobs=jobs,
            agreements=AgreementRepository(session),
            coordination=coordination,
        )
        self._events = events
        self._opening = CaseOpening(
            store,
            people=people,
            view=view,
            jobs=jobs,
            settings=settings,
            calendar=calendar,
            now=now,
        )
        self._membership = CaseMembership(store, events=events, view=view, now=now)
        self.closing = CaseClosing(
            session,
            store,
            events=events,
            view=view,
            jobs=jobs,
            enqueue=enqueue,
            settings=settings,
            now=now,
        )
        self._sweeps = CaseSweeps(
            store,
            events=events,
            view=view,
            coordination=coordination,
            enqueue=enqueue,
            settings=settings,
            calendar=calendar,
            now=now,
        )

    # ------------------------------------------------------------ the unit of work
    @property
    def now(self) -> datetime:
        """The unit of work's time."""
        return self._now

    @property
    def coordination_room(self) -> str | None:
        """The ketenmanagers' coordination room, if configured."""
        return self._settings.coordination_room

    @property
    def opened(self) -> CaseRow | None:
        """The case ``open_case`` registered in this unit of work (for callers such as
        a TVO decision that must link it)."""
        return self._opening.opened

    def expiry(self) -> Callable[[datetime], datetime]:
        """The proposal-expiry function handed to the domain: a proposal lapses N working
        days later at the same wall-clock time."""
        return self._expiry

    def _expiry(self, now: datetime) -> datetime:
        local = self._calendar.local(now)
        day = self._calendar.add_working_days(
            local.date(), self._settings.proposal_expiry_working_days
        )
        return self._calendar.at(day, time(local.hour, local.minute))

    # ------------------------------------------------------------ loading, persisting
    async def load_for_room(self, room_id: str) -> LoadedCase | None:
        """The case whose room this is, or None."""
        return await self._store.load_for_room(room_id)

    async def require_case(self, room_id: str) -> LoadedCase:
        """The case of this room, or a refusal explaining this is no case room."""
        loaded = await self._store.load_for_room(room_id)
        if loaded is None:
            raise Refused(self.view.not_a_case_room())
        return loaded

    async def apply(
        self, loaded: LoadedCase, outcome: Transition | Refusal, room_id: str, key: str
    ) -> Reply:
        """Persist the events of an accepted transition of the case, from this area or
        another one (see ``CaseEvents.apply``); a refusal raises ``Refused``."""
        return await self._events.apply(loaded, outcome, room_id, key)

    async def record_audit(
        self,
        row: CaseRow,
        actor: str,
        action: str,
        room_id: str | None,
        details: Mapping[str, str | int | bool | None],
    ) -> None:
        """One audit entry about the case (its timeline), see ``CaseStore.record_audit``."""
        await self._store.record_audit(row, actor, action, room_id, details)

    # ------------------------------------------------------------ commands, reactions, jobs
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
        return await self._opening.open_case(
            member, room_id, title, municipality, case_type, partners
        )

    async def member_left(self, room_id: str, user: str, key: str) -> Reply | None:
        """Someone left (or was removed from) a case room: they lose every case role."""
        return await self._membership.member_left(room_id, user, key)

    async def member_deregistered(self, row: CaseRow, user: str, key: str) -> Reply | None:
        """``user`` left the partner registry: off the case (and its room), no roles."""
        return await self._membership.member_deregistered(row, user, key)

    async def member_joined(self, room_id: str, user: str) -> Reply | None:
        """Someone joined a case room: welcome them with the case card."""
        return await self._membership.member_joined(room_id, user)

    async def sweep(self) -> int:
        """Lapse expired proposals and report cases without regie; returns messages queued."""
        return await self._sweeps.sweep()

    # ------------------------------------------------------------ what members read
    def note_read(self, loaded: LoadedCase, reader: str) -> None:
        """Note for the access log that this unit's reply shows ``loaded``'s data, with
        ``reader``'s role in the case (``avz_bot.services.access_log``)."""
        self.reads.note(Shown("case", loaded.row.reference), role=case_role(loaded.state, reader))

    async def card(self, loaded: LoadedCase) -> Reply:
        """The case card."""
        return await self.view.card(loaded)

    async def regie_show(self, loaded: LoadedCase) -> Reply:
        """``!regie``."""
        return await self.view.regie_show(loaded)

    async def roles(self, loaded: LoadedCase, page: int = 1) -> Reply:
        """``!rollen [pagina=]``."""
        return await self.view.roles(loaded, page)

    async def timeline(self, loaded: LoadedCase, count: int, page: int = 1) -> Reply:
        """``!tijdlijn [aantal] [pagina=]``."""
        return await self.view.timeline(loaded, count, page)

    # ------------------------------------------------------------ names and wording
    # What the other areas and the commands use of the cases' people and wording.
    async def directory(self) -> Mapping[str, Member]:
        """Registered members by Matrix id."""
        return await self._people.directory()

    async def name(self, user: str) -> str:
        """How a person is shown: their registered name, else their Matrix id."""
        return await self._people.name(user)

    async def org_name(self, code: str | None) -> str:
        """An organisation's name (from the registry), else its code."""
        return await self._people.org_name(code)

    def t(self, key: str, /, **values: object) -> str:
        """A catalogue text."""
        return self.view.t(key, **values)

    def when(self, instant: datetime | None) -> str:
        """An instant as people here read it."""
        return self.view.when(instant)

    def municipality_name(self, code: str) -> str:
        """The configured name of a municipality code."""
        return self.view.municipality_name(code)

    def case_type_name(self, code: str) -> str:
        """The configured name of a case type code."""
        return self.view.case_type_name(code)

    def refusal_reply(self, refusal: Refusal) -> Reply:
        """The Dutch explanation of a domain refusal."""
        return self.view.refusal_reply(refusal)

    def window(self, page: int, size: int | None = None) -> Window:
        """Page ``page`` of a list (``size`` items, default ``[limits] list_items``)."""
        return self.view.window(page, size)

    @staticmethod
    def slice(win: Window) -> Slice:
        """The database slice of a window."""
        return CaseView.slice(win)

    def more_line(self, command: str) -> MoreLine:
        """The "… en nog N. Meer zien: !<command> pagina=P" line of a list."""
        return self.view.more_line(command)

    @property
    def budget(self) -> int:
        """Bytes a list reply may take (the configured maximum minus the envelope)."""
        return self.view.budget
