"""The contract every area fulfils, and the unit of work as the areas see it.

An *area* (cases, agreements, signals, escalations, conferences, helpdesk, reports) is a
set of modules of one shape — ``avz_bot/domain/<area>/`` (pure), ``avz_bot/services/<area>/``
(service, persister, view, jobs, and ``area.py`` with its descriptor),
``commands/<area>.py`` — and one :class:`Area` descriptor. The composition root
(``avz_bot.app``), the unit of work (``avz_bot.runtime.units``) and the command registry
iterate the descriptors in ``commands.areas.AREAS``; none of them names an area.

A descriptor says how the area's service is built inside one unit of work (``build``,
called lazily: the first time a command or job asks ``unit[TheService]``), which reactions
and jobs it handles, and what it adds to ``!mijn`` (``plate``).

``Unit`` is implemented by ``avz_bot.runtime.units.UnitServices``; the areas, the
commands and the jobs see only this protocol, so nothing below the runtime imports it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.clock import Clock
from avz_bot.domain.agreements.reminders import ReminderPolicy
from avz_bot.domain.dutch_search import DutchAnalyzer
from avz_bot.domain.inbound import IncomingReaction, Reply
from avz_bot.domain.partners import Member
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.messages import Messages
from avz_bot.ports import RoomGateway
from avz_bot.services.access_log import Reads
from avz_bot.services.directory import MemberDirectory
from avz_bot.settings_sections.board import BoardSettings
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.settings_sections.conferences import ConferenceSettings
from avz_bot.settings_sections.escalations import EscalationSettings
from avz_bot.settings_sections.helpdesk import HelpdeskSettings
from avz_bot.settings_sections.limits import LimitSettings
from avz_bot.settings_sections.operations import OperationsSettings
from avz_bot.settings_sections.privacy import PrivacySettings
from avz_bot.settings_sections.reports import ReportSettings
from avz_bot.settings_sections.signals import SignalSettings
from storage.outbox_repositories import ReactionTargetRow
from storage.schedule_repositories import JobRow

S = TypeVar("S")


class SendDirect(Protocol):
    """``UnitServices.direct``: send a member a direct message in this unit of work."""

    async def __call__(
        self, user_id: str, key: str, reply: Reply, *, reaction: tuple[str, str] | None = None
    ) -> None:
        """See :meth:`DirectMessages.send`."""
        ...


class AppDeps(Protocol):
    """What an area's ``build`` may take from the application (built once, read only).

    Implemented by ``avz_bot.runtime.units.AppServices``.
    """

    clock: Clock
    version: str
    messages: Messages
    prefix: str
    calendar: WorkCalendar
    analyzer: DutchAnalyzer
    limits: LimitSettings
    members: MemberDirectory
    late_after: timedelta
    reminder_policy: ReminderPolicy
    cases_settings: CasesSettings
    conference_settings: ConferenceSettings
    report_settings: ReportSettings
    signal_settings: SignalSettings
    escalation_settings: EscalationSettings
    helpdesk_settings: HelpdeskSettings
    board_settings: BoardSettings
    privacy_settings: PrivacySettings
    operations_settings: OperationsSettings
    #: The areas, in order (``commands.areas.AREAS``).
    areas: tuple[Area[Any], ...]


class Unit(Protocol):
    """One unit of work (one transaction), as areas, commands and jobs see it.

    ``unit[AREA]`` is the area's service bound to this transaction, built the first time
    it is asked for (one instance per unit).
    """

    @property
    def version(self) -> str:
        """The running bot version."""
        ...

    @property
    def at(self) -> datetime:
        """The unit of work's time (aware UTC; one instant for the whole transaction)."""
        ...

    @property
    def session(self) -> AsyncSession:
        """The transaction's session (repositories use it; nobody commits it but the runtime)."""
        ...

    @property
    def app(self) -> AppDeps:
        """The application's settings and shared parts."""
        ...

    @property
    def lane(self) -> int:
        """The outbox lane of everything this unit queues (interactive or bulk)."""
        ...

    @property
    def device_cross_signed(self) -> bool | None:
        """Whether the device behind this unit's command is cross-signed (True for the
        bot's own work; None when it cannot be told, e.g. a reaction)."""
        ...

    def now(self) -> datetime:
        """Same as :attr:`at`."""
        ...

    async def enqueue(self, key: str, room_id: str, reply: Reply) -> None:
        """Queue ``reply`` for ``room_id`` in this transaction (``key`` makes its
        transaction id: the same key twice is one message)."""
        ...

    @property
    def direct(self) -> SendDirect:
        """Send a member a direct message in this transaction (``avz_bot.services.direct``)."""
        ...

    def __getitem__(self, service: type[S]) -> S:
        """The area service of class ``service`` in this unit (built by its area's
        descriptor once, on first use; ``KeyError`` for a class no area provides)."""
        ...

    async def plate(self, member: Member) -> list[tuple[str, list[str]]]:
        """Every area's ``!mijn`` section for ``member``, in area order."""
        ...

    @property
    def reads(self) -> Reads:
        """What this unit showed its reader, for the access log
        (``avz_bot.services.access_log``): ``unit.reads.note(Shown(...), role=...)``."""
        ...


class Bind(Protocol):
    """``AppServices.bind`` as job handlers use it: they name their lane."""

    def __call__(self, session: AsyncSession, *, lane: int) -> Unit:
        """The unit of work of ``session`` queuing in ``lane``."""
        ...


#: ``handler(unit, member, target, reaction)``: handles a reaction on a bot message that
#: was registered as a reaction target of the handler's kind, inside the reaction's
#: exactly-once transaction (``member`` is None for unregistered senders).
ReactionHandler = Callable[
    [Unit, Member | None, ReactionTargetRow, IncomingReaction], Awaitable[None]
]

#: A durable job's handler ``handler(session, job, now)``: runs the claimed job in the
#: scheduler's transaction (see ``avz_bot.scheduling``).
JobHandler = Callable[[AsyncSession, JobRow, datetime], Awaitable[None]]


@dataclass(frozen=True)
class DigestSection:
    """One section of the daily digest: a heading, at most ``limit`` lines, and how many more."""

    heading: str
    lines: list[str]
    more: int = 0

    @classmethod
    def bounded(cls, heading: str, lines: list[str], limit: int) -> DigestSection:
        """The first ``limit`` of ``lines`` and how many more there are."""
        return cls(heading, lines[:limit], max(0, len(lines) - limit))


#: An area's part of the daily digest: ``provider(unit, limit) -> section`` (at most
#: ``limit`` lines, most urgent first, and how many more); an empty section is left out.
DigestProvider = Callable[[Unit, int], Awaitable[DigestSection]]


@dataclass(frozen=True)
class JobContext:
    """What an area's job handlers are made from (built once by the composition root)."""

    bind: Bind
    app: AppDeps
    #: The Matrix side for room work (create, invite, kick, redact).
    rooms: RoomGateway


@dataclass(frozen=True, eq=False)
class Area(Generic[S]):
    """One area's descriptor: the one thing the composition iterates.

    ``name`` is the area's one English name (the README glossary); ``service`` the class
    of its service and ``build(unit)`` makes one in ``unit``'s transaction (asked for as
    ``unit[service]``: callers import the class, not the descriptor, so an area's jobs and
    other areas need no import of this module's descriptors); ``reactions`` maps a reaction-target kind to
    its handler; ``jobs(context)`` gives the job kind → handler table (handlers bind their
    unit with the bulk lane); ``plate(service, member)`` is the area's ``!mijn`` section
    (heading, lines); ``digest`` its ranked sections of the daily digest.
    """

    name: str
    service: type[S]
    build: Callable[[Unit], S]
    reactions: Mapping[str, ReactionHandler] = field(default_factory=dict)
    jobs: Callable[[JobContext], Mapping[str, JobHandler]] | None = None
    plate: Callable[[S, Member], Awaitable[tuple[str, list[str]]]] | None = None
    #: Its sections of the daily digest, each with its rank: the digest shows every
    #: area's sections by rank, most urgent first (10 open escalations … 50 conferences).
    digest: tuple[tuple[int, DigestProvider], ...] = ()


def digest_providers(areas: Iterable[Area[Any]]) -> tuple[DigestProvider, ...]:
    """Every area's digest sections, by rank (most urgent first)."""
    ranked = [(rank, provider) for area in areas for rank, provider in area.digest]
    return tuple(provider for _, provider in sorted(ranked, key=lambda pair: pair[0]))
