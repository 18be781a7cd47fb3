"""The services of the application and of one unit of work (the composition of the areas).

``AppServices`` is built once by the composition root; ``AppServices.bind(session)``
gives the ``UnitServices`` of one transaction: every area's service, bound to that
session, and the one way into the outbox (``AppServices.queue``).

A unit of work has one delivery lane for everything it queues, direct messages
included: ``LANE_INTERACTIVE`` for what a person's command or reaction causes (the
default), ``LANE_BULK`` for scheduled and background work (every job handler binds its
unit with ``lane=LANE_BULK``; see the README, "Lists, paging and the outbox").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.clock import Clock
from avz_bot.domain.agreements.reminders import ReminderPolicy
from avz_bot.domain.dutch_search import DutchAnalyzer
from avz_bot.domain.inbound import UPLOAD_KEY, Reply
from avz_bot.domain.partners import Member
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.lists import fit_content, fit_reply
from avz_bot.messages import Messages
from avz_bot.services.access_log import Reads
from avz_bot.services.area import Area, SendDirect
from avz_bot.services.direct import DirectMessages
from avz_bot.services.directory import MemberDirectory
from avz_bot.services.outbox import reply_events, txn_id_for
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
from commands.areas import service_areas
from storage.direct_repositories import PendingDirect
from storage.outbox_repositories import LANE_INTERACTIVE, OutboxRepository

S = TypeVar("S")


@dataclass
class AppServices:
    """What command handlers may use (see ``commands.framework.Services``).

    ``bind`` gives the services of one unit of work (one transaction).
    """

    clock: Clock
    version: str
    messages: Messages
    prefix: str = "!"
    cases_settings: CasesSettings = field(default_factory=CasesSettings)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    reminder_policy: ReminderPolicy = field(default_factory=ReminderPolicy)
    late_after: timedelta = timedelta(minutes=5)
    conference_settings: ConferenceSettings = field(default_factory=ConferenceSettings)
    report_settings: ReportSettings = field(default_factory=ReportSettings)
    signal_settings: SignalSettings = field(default_factory=SignalSettings)
    escalation_settings: EscalationSettings = field(default_factory=EscalationSettings)
    helpdesk_settings: HelpdeskSettings = field(default_factory=HelpdeskSettings)
    board_settings: BoardSettings = field(default_factory=BoardSettings)
    privacy_settings: PrivacySettings = field(default_factory=PrivacySettings)
    operations_settings: OperationsSettings = field(default_factory=OperationsSettings)
    analyzer: DutchAnalyzer = field(default_factory=DutchAnalyzer)
    limits: LimitSettings = field(default_factory=LimitSettings)
    #: The registry cache for names; ``invalidate()`` it after every registry sync.
    members: MemberDirectory = field(default_factory=MemberDirectory)
    #: How many times ``queue`` or ``queue_held`` took messages (committed or not): the
    #: outbox's flush after a sync runs when this moved, whoever queued (a command, a
    #: membership change, a job), so no message waits for the retry interval.
    queued: int = field(default=0, init=False)
    #: The areas, in order (``commands.areas.AREAS``); ``bind`` builds none of them.
    areas: tuple[Area[Any], ...] = field(default_factory=service_areas)

    def __post_init__(self) -> None:
        self._by_service: dict[type, Area[Any]] = {area.service: area for area in self.areas}

    def area_of(self, service: type[S]) -> Area[S]:
        """The area whose service is ``service`` (``KeyError`` if none)."""
        return cast(Area[S], self._by_service[service])

    async def queue(
        self,
        session: AsyncSession,
        txn_id: str,
        room_id: str,
        reply: Reply,
        *,
        in_reply_to: str | None = None,
        thread_root: str | None = None,
        lane: int = LANE_INTERACTIVE,
        requested_by: str | None = None,
    ) -> int:
        """Queue ``reply`` for ``room_id`` in the caller's transaction: THE one place
        every message enters the outbox. Returns the outbox id.

        Final size guard: a reply over ``[limits] reply_max_bytes`` (bytes of its
        content's JSON) is shortened and marked as such, so no command, list or
        notification can ever queue an event the homeserver would refuse. Lists should
        not rely on it: they page (``avz_bot.lists``). ``lane``: ``LANE_INTERACTIVE``
        (sent at once) or ``LANE_BULK`` (paced, after interactive messages).
        ``requested_by`` is told if the message turns out to be undeliverable. A reply's
        attachments follow as their own events (``avz_bot.services.outbox``).
        """
        events = self.events(txn_id, reply, in_reply_to, thread_root)
        return await self._add(session, room_id, events, lane, requested_by)

    async def queue_held(
        self, session: AsyncSession, room_id: str, held: Sequence[PendingDirect]
    ) -> None:
        """Queue direct messages that waited for their recipient to join (see
        ``avz_bot.services.direct``), each in the lane it was sent in. Their events were
        made by ``events`` when they were held; the size guard is applied again to the
        texts, as the limit may have been lowered since (an attachment's bytes are
        uploaded, not sent in the event)."""
        max_bytes = self.limits.reply_max_bytes
        cut_note = self.messages.t("list.cut")
        for message in held:
            content = message.content
            if UPLOAD_KEY not in content:
                content = fit_content(content, max_bytes, cut_note)
            await self._add(session, room_id, [(message.txn_id, content)], message.lane, None)

    async def _add(
        self,
        session: AsyncSession,
        room_id: str,
        events: list[tuple[str, dict[str, Any]]],
        lane: int,
        requested_by: str | None,
    ) -> int:
        """The insert itself (the only ``OutboxRepository.add`` of the bot: a source
        scan in ``tests/unit/test_outbox_entry.py`` checks it)."""
        self.queued += 1
        outbox = OutboxRepository(session)
        now = self.clock.now()
        first = 0
        for txn, content in events:
            added = await outbox.add(
                txn, room_id, content, now, lane=lane, requested_by=requested_by
            )
            first = first or added
        return first

    def events(
        self,
        txn_id: str,
        reply: Reply,
        in_reply_to: str | None = None,
        thread_root: str | None = None,
    ) -> list[tuple[str, dict[str, Any]]]:
        """The outbox events of ``reply`` (text, then attachments) with the size guard
        applied to the text (an attachment's bytes are uploaded, not sent in the event)."""
        max_bytes = self.limits.reply_max_bytes
        cut_note = self.messages.t("list.cut")
        fitted = fit_reply(reply, max_bytes, cut_note)
        events = reply_events(txn_id, fitted, in_reply_to, thread_root)
        text_txn, text_content = events[0]
        return [(text_txn, fit_content(text_content, max_bytes, cut_note)), *events[1:]]

    def now(self) -> datetime:
        """The current time (aware UTC)."""
        return self.clock.now()

    def direct_messages(
        self, session: AsyncSession, lane: int = LANE_INTERACTIVE
    ) -> DirectMessages:
        """Direct messages in ``session``'s transaction, queued in ``lane`` through this
        one way into the outbox (the only place that makes ``DirectMessages``)."""
        return DirectMessages(session, self.clock.now(), self, lane)

    def bind(
        self,
        session: AsyncSession,
        device_cross_signed: bool | None = True,
        *,
        lane: int = LANE_INTERACTIVE,
    ) -> UnitServices:
        """The unit of work of ``session``'s transaction.

        ``device_cross_signed`` is about the device that sent the command (True for
        work the bot does by itself): changes from other devices are marked in the
        audit trail (default trust policy). ``lane`` is that of every message the unit
        queues: ``LANE_BULK`` for job handlers and other background work (see the
        module docstring). No area service is built here: each is built the first
        time the unit is asked for it (``unit[CaseService]``).
        """
        return UnitServices(self, session, self.clock.now(), lane, device_cross_signed)


class UnitServices:
    """One unit of work (see ``avz_bot.services.area.Unit``): the areas' services bound
    to one transaction, each built on first use from its area's descriptor."""

    def __init__(
        self,
        app: AppServices,
        session: AsyncSession,
        at: datetime,
        lane: int,
        device_cross_signed: bool | None,
    ) -> None:
        self._app = app
        self._session = session
        self._at = at
        self._lane = lane
        self._device_cross_signed = device_cross_signed
        self._built: dict[type, object] = {}
        self._direct: DirectMessages | None = None
        self._reads = Reads()

    @property
    def version(self) -> str:
        """The running bot version."""
        return self._app.version

    @property
    def at(self) -> datetime:
        """The unit of work's time (one instant for the whole transaction)."""
        return self._at

    @property
    def session(self) -> AsyncSession:
        """The transaction's session."""
        return self._session

    @property
    def app(self) -> AppServices:
        """The application's settings and shared parts."""
        return self._app

    @property
    def lane(self) -> int:
        """The lane of every message this unit queues: ``LANE_INTERACTIVE``, or
        ``LANE_BULK`` (scheduled and background work: sent after interactive messages,
        paced to ``[limits] bulk_per_second``)."""
        return self._lane

    @property
    def device_cross_signed(self) -> bool | None:
        """Whether the command's device is cross-signed (True for the bot's own work)."""
        return self._device_cross_signed

    def now(self) -> datetime:
        """The unit of work's time (one instant for the whole transaction)."""
        return self._at

    async def enqueue(self, key: str, room_id: str, reply: Reply) -> None:
        """Queue a message for a room in this transaction (``key`` → transaction id)."""
        await self._app.queue(
            self._session, txn_id_for("notify", key), room_id, reply, lane=self._lane
        )

    @property
    def direct(self) -> SendDirect:
        """Send a member a direct message in this transaction (``avz_bot.services.direct``)."""
        if self._direct is None:
            self._direct = self._app.direct_messages(self._session, self._lane)
        return self._direct.send

    def __getitem__(self, service: type[S]) -> S:
        """The area service of class ``service``, built on first use."""
        built = self._built.get(service)
        if built is None:
            area = self._app.area_of(service)
            built = area.build(self)
            self._built[service] = built
        return cast(S, built)

    @property
    def reads(self) -> Reads:
        """What this unit showed its reader (the access log; ``avz_bot.services.access_log``)."""
        return self._reads

    async def plate(self, member: Member) -> list[tuple[str, list[str]]]:
        """Every area's ``!mijn`` section for ``member``, in area order."""
        return [
            await area.plate(self[area.service], member)
            for area in self._app.areas
            if area.plate is not None
        ]
