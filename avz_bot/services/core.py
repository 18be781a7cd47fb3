"""The core behind the Matrix adapter: exactly-once command handling and the outbox.

Every command runs in one database transaction that (1) claims the event id in
``processed_events`` (a replayed event finds it claimed and is skipped), (2) applies
the command, (3) appends the audit trail and (4) stores the reply in the outbox with a
transaction id derived from the event id. Only after the commit is the reply sent; a
crash before sending leaves the reply in the outbox, and resending it with the same
transaction id cannot make it appear twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.clock import Clock
from avz_bot.domain.inbound import IncomingCommand, Reply
from avz_bot.domain.reminders import ReminderPolicy
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.formatting import paragraphs, text
from avz_bot.lists import fit_content, fit_reply
from avz_bot.messages import Messages
from avz_bot.metrics import BotMetrics
from avz_bot.ports import EncryptedEventRef, Gateway, SendError
from avz_bot.services.agreements import AgreementService
from avz_bot.services.cases import CaseService
from avz_bot.services.directory import MemberDirectory
from avz_bot.settings import CasesSettings
from avz_bot.settings_sections.scale import LimitSettings
from commands.framework import Dispatcher, DispatchResult, Outcome
from storage.db import Database
from storage.repositories import (
    LANE_BULK,
    LANE_INTERACTIVE,
    AuditRepository,
    OutboxRepository,
    OutboxRow,
    PartnerRepository,
    PendingEncryptedRepository,
    ProcessedEventRepository,
    RoomRepository,
    SyncStateRepository,
)

log = logging.getLogger(__name__)

SYNC_TOKEN_KEY = "matrix.next_batch"
#: An outbox row that failed this often is given up (and logged) rather than retried forever.
MAX_SEND_ATTEMPTS = 10
#: Failures after which the room itself cannot take a message (so no notice there either).
ROOM_UNUSABLE = frozenset({"M_FORBIDDEN", "M_NOT_FOUND", "room_left"})
#: Rounds of one interactive flush (each reads at most ``[limits] outbox_batch`` rows).
MAX_FLUSH_ROUNDS = 20
#: At most one "could not decrypt" explanation per sender and room in this window.
EXPLANATION_WINDOW = timedelta(hours=12)


def txn_id_for(kind: str, key: str) -> str:
    """A transaction id derived from what triggered the message, so retries deduplicate."""
    digest = hashlib.sha256(f"{kind}:{key}".encode()).hexdigest()[:32]
    return f"avz-{kind}-{digest}"


def _where(exc: BaseException) -> str:
    """File and line of the innermost frame: enough to find a bug, no data from it."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno}"


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
    limits: LimitSettings = field(default_factory=LimitSettings)
    #: The registry cache for names; ``invalidate()`` it after every registry sync.
    members: MemberDirectory = field(default_factory=MemberDirectory)

    async def queue(
        self,
        session: AsyncSession,
        txn_id: str,
        room_id: str,
        reply: Reply,
        *,
        in_reply_to: str | None = None,
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
        ``requested_by`` is told if the message turns out to be undeliverable.
        """
        max_bytes = self.limits.reply_max_bytes
        cut_note = self.messages.t("list.cut")
        fitted = fit_reply(reply, max_bytes, cut_note)
        content = fit_content(fitted.to_content(in_reply_to), max_bytes, cut_note)
        return await OutboxRepository(session).add(
            txn_id, room_id, content, self.clock.now(), lane=lane, requested_by=requested_by
        )

    def now(self) -> datetime:
        """The current time (aware UTC)."""
        return self.clock.now()

    def bind(self, session: AsyncSession, device_cross_signed: bool | None = True) -> UnitServices:
        """Services working inside ``session``'s transaction.

        ``device_cross_signed`` is about the device that sent the command (True for
        work the bot does by itself): changes from other devices are marked in the
        audit trail (default trust policy).
        """
        now = self.clock.now()

        async def enqueue(key: str, room_id: str, reply: Reply) -> None:
            await self.queue(session, txn_id_for("notify", key), room_id, reply)

        async def enqueue_bulk(key: str, room_id: str, reply: Reply) -> None:
            await self.queue(session, txn_id_for("notify", key), room_id, reply, lane=LANE_BULK)

        cases = CaseService(
            session,
            now=now,
            settings=self.cases_settings,
            calendar=self.calendar,
            messages=self.messages,
            prefix=self.prefix,
            enqueue=enqueue,
            device_cross_signed=device_cross_signed,
            members=self.members,
            limits=self.limits,
        )
        agreements = AgreementService(
            session,
            cases,
            calendar=self.calendar,
            policy=self.reminder_policy,
            messages=self.messages,
            prefix=self.prefix,
            late_after=self.late_after,
        )
        return UnitServices(self.version, now, cases, agreements, enqueue, enqueue_bulk)


@dataclass(frozen=True)
class UnitServices:
    """The services of one unit of work (see ``AppServices.bind``)."""

    version: str
    at: datetime
    cases: CaseService
    agreements: AgreementService
    #: Queue a message for another room in this transaction: (key, room id, reply).
    enqueue: Callable[[str, str, Reply], Awaitable[None]]
    #: The same for bulk notifications (reminders, digests, reports): sent after
    #: interactive messages, paced to ``[limits] bulk_per_second``.
    enqueue_bulk: Callable[[str, str, Reply], Awaitable[None]]

    def now(self) -> datetime:
        """The unit of work's time (one instant for the whole transaction)."""
        return self.at


class JobRunner(Protocol):
    """The scheduler, as the core sees it."""

    def wake(self) -> None:
        """Re-arm the timer for the earliest pending job (after scheduling new ones)."""
        ...


class _Refused(Exception):
    """Internal: roll back a command that was refused after it had started changing."""

    def __init__(self, result: DispatchResult) -> None:
        super().__init__("refused")
        self.result = result


class BotCore:
    """Implements ``InboundPort`` on top of the database, the dispatcher and the gateway."""

    def __init__(
        self,
        *,
        database: Database,
        dispatcher: Dispatcher,
        messages: Messages,
        services: AppServices,
        clock: Clock,
        metrics: BotMetrics,
        allowed_servers: list[str],
        undecryptable_grace: timedelta,
    ) -> None:
        self._db = database
        self._dispatcher = dispatcher
        self._messages = messages
        self._services = services
        self._clock = clock
        self._metrics = metrics
        self._allowed_servers = frozenset(allowed_servers)
        self._grace = undecryptable_grace
        self._gateway: Gateway | None = None
        self._jobs: JobRunner | None = None
        self._flush_lock = asyncio.Lock()
        self._explained_recently: dict[tuple[str, str], datetime] = {}
        self._limits = services.limits
        self._bulk_task: asyncio.Task[None] | None = None
        self._bulk_wanted = False
        self._notices_queued = False
        self._bulk_paused_until = 0.0  # loop time; a 429 on bulk pauses all bulk sends

    def attach_gateway(self, gateway: Gateway) -> None:
        """Set the outbound gateway (the adapter; wired by the composition root)."""
        self._gateway = gateway

    def attach_jobs(self, jobs: JobRunner) -> None:
        """Set the scheduler that runs side effects and timers (composition root)."""
        self._jobs = jobs

    def _wake_jobs(self, result: DispatchResult) -> None:
        """After a successful change the command may have scheduled jobs (a room to
        create, a reminder): re-arm the scheduler's timer. Reads change nothing."""
        if self._jobs is None or result.outcome is not Outcome.OK or result.command is None:
            return
        spec = self._dispatcher.registry.lookup(result.command)
        if spec is not None and spec.changes_state:
            self._jobs.wake()

    # ------------------------------------------------------------ sync state
    async def load_sync_token(self) -> str | None:
        """The token after the last fully processed sync batch."""
        async with self._db.session() as session:
            return await SyncStateRepository(session).get(SYNC_TOKEN_KEY)

    async def save_sync_token(self, token: str) -> None:
        """Store the token: every event before it has been handled."""
        async with self._db.session() as session, session.begin():
            await SyncStateRepository(session).set(SYNC_TOKEN_KEY, token, self._clock.now())

    # ------------------------------------------------------------ rooms
    async def may_invite(self, inviter: str) -> bool:
        """Accept invitations only from registered partners on allowed servers (exact match)."""
        if ":" not in inviter:
            return False
        server = inviter.split(":", 1)[1]
        if server not in self._allowed_servers:
            return False
        async with self._db.session() as session:
            return await PartnerRepository(session).get_member(inviter) is not None

    async def joined(self, room_id: str, joined_at: datetime, encrypted: bool | None) -> None:
        """Record the bot's membership of ``room_id`` (the earliest join time is kept).

        ``encrypted is None`` means the bot itself just accepted an invitation; that is
        the moment that goes into the audit trail.
        """
        async with self._db.session() as session, session.begin():
            rooms = RoomRepository(session)
            await rooms.record_join(room_id, joined_at, bool(encrypted))
            if encrypted:
                await rooms.set_encrypted(room_id, True)
            if encrypted is None:
                await AuditRepository(session).append(
                    occurred_at=self._clock.now(),
                    actor="bot",
                    actor_org=None,
                    action="room.joined",
                    room_id=room_id,
                    entity_type="room",
                    entity_id=room_id,
                )

    async def left(self, room_id: str) -> None:
        """The bot is no longer in ``room_id``."""
        async with self._db.session() as session, session.begin():
            await RoomRepository(session).mark_left(room_id, self._clock.now())
            await AuditRepository(session).append(
                occurred_at=self._clock.now(),
                actor="bot",
                actor_org=None,
                action="room.left",
                room_id=room_id,
                entity_type="room",
                entity_id=room_id,
            )

    async def member_changed(
        self, room_id: str, user_id: str, membership: str, event_id: str, at: datetime
    ) -> None:
        """A case room member joined (welcome card) or left (loses every case role)."""
        if membership not in {"join", "leave", "ban"}:
            return
        async with self._db.session() as session, session.begin():
            room = await RoomRepository(session).get(room_id)
            if room is None or at < room.joined_at:
                return
            processed = ProcessedEventRepository(session)
            if not await processed.claim(event_id, room_id, user_id, self._clock.now()):
                return
            await processed.set_outcome(event_id, f"member.{membership}", Outcome.OK.value)
            cases = self._services.bind(session).cases
            if membership == "join":
                reply = await cases.member_joined(room_id, user_id)
            else:
                reply = await cases.member_left(room_id, user_id, event_id)
            if reply is not None:
                await self._enqueue(session, "member", event_id, room_id, reply)

    # ------------------------------------------------------------ messages
    def is_command(self, body: str) -> bool:
        """Whether ``body`` is addressed to the bot (prefix and a word)."""
        return self._dispatcher.is_command(body)

    async def message(self, incoming: IncomingCommand) -> None:
        """Handle a decrypted message from an encrypted room, exactly once."""
        if not self._dispatcher.is_command(incoming.body):
            return
        started = time.perf_counter()
        try:
            try:
                result = await self._run_command(incoming)
            except _Refused as refused:
                result = await self._record_without_changes(incoming, refused.result)
        except Exception as exc:  # the bot must survive any handler bug
            log.error(
                "command failed",
                extra={
                    "error_type": type(exc).__name__,
                    "where": _where(exc),
                    "event_id": incoming.event_id,
                },
            )
            failure = DispatchResult(text(self._messages.t("error.internal")), None, Outcome.ERROR)
            result = await self._record_without_changes(incoming, failure)
        if result is None:
            return
        self._metrics.commands.labels(result.command or "-", result.outcome.value).inc()
        self._metrics.command_latency.observe(time.perf_counter() - started)
        log.info(
            "command handled",
            extra={
                "command": result.command,
                "outcome": result.outcome.value,
                "room_id": incoming.room_id,
                "event_id": incoming.event_id,
            },
        )
        await self.flush_outbox(bulk=False)
        self._wake_jobs(result)

    async def _run_command(self, incoming: IncomingCommand) -> DispatchResult | None:
        async with self._db.session() as session, session.begin():
            room = await RoomRepository(session).get(incoming.room_id)
            if room is not None and incoming.sent_at < room.joined_at:
                # Sent before the bot joined: history, not a request to the bot.
                return None
            processed = ProcessedEventRepository(session)
            if not await processed.claim(
                incoming.event_id, incoming.room_id, incoming.sender, self._clock.now()
            ):
                return None
            member = await PartnerRepository(session).get_member(incoming.sender)
            services = self._services.bind(session, incoming.device_verified)
            result = await self._dispatcher.dispatch(incoming, member, services)
            if result.outcome is Outcome.REFUSED:
                # A refusal changes nothing, even if the handler had begun: roll back.
                raise _Refused(result)
            audit = AuditRepository(session)
            now = self._clock.now()
            org = member.organisation.code if member else None
            for note in result.audit:
                details = dict(note.details or {})
                if incoming.device_verified is not True:
                    # Default trust policy: accepted, but the trail shows the change came
                    # from a device its owner has not cross-signed (or we could not tell).
                    details["device_cross_signed"] = incoming.device_verified
                await audit.append(
                    occurred_at=now,
                    actor=incoming.sender,
                    actor_org=org,
                    action=note.action,
                    room_id=incoming.room_id,
                    entity_type=note.entity_type,
                    entity_id=note.entity_id,
                    details=details,
                )
            if result.outcome is Outcome.UNREGISTERED:
                await audit.append(
                    occurred_at=now,
                    actor=incoming.sender,
                    actor_org=None,
                    action="access.refused",
                    room_id=incoming.room_id,
                    details={"reason": "not_registered"},
                )
            if result.reply is not None:
                await self._reply(session, incoming, result.reply)
            await processed.set_outcome(incoming.event_id, result.command, result.outcome.value)
            return result

    async def _record_without_changes(
        self, incoming: IncomingCommand, result: DispatchResult
    ) -> DispatchResult | None:
        """After a refusal or a handler error, nothing of the command was kept: claim the
        event in a new transaction, record how it ended and queue the reply."""
        async with self._db.session() as session, session.begin():
            processed = ProcessedEventRepository(session)
            if not await processed.claim(
                incoming.event_id, incoming.room_id, incoming.sender, self._clock.now()
            ):
                return None
            await processed.set_outcome(incoming.event_id, result.command, result.outcome.value)
            if result.reply is not None:
                await self._reply(session, incoming, result.reply)
        return result

    async def message_in_unencrypted_room(self, incoming: IncomingCommand) -> None:
        """Refuse to work in an unencrypted room, and say why once."""
        if not self._dispatcher.is_command(incoming.body):
            return
        async with self._db.session() as session, session.begin():
            processed = ProcessedEventRepository(session)
            if not await processed.claim(
                incoming.event_id, incoming.room_id, incoming.sender, self._clock.now()
            ):
                return
            await processed.set_outcome(incoming.event_id, None, Outcome.REFUSED.value)
            rooms = RoomRepository(session)
            if await rooms.get(incoming.room_id) is None:
                await rooms.record_join(incoming.room_id, incoming.sent_at, False)
            if await rooms.mark_unencrypted_notice(incoming.room_id, self._clock.now()):
                reply = paragraphs(self._messages.t("room.unencrypted"))
                await self._enqueue(
                    session,
                    "unencrypted",
                    incoming.room_id,
                    incoming.room_id,
                    reply,
                    incoming.event_id,
                )
        self._metrics.commands.labels("-", Outcome.REFUSED.value).inc()
        await self.flush_outbox(bulk=False)

    # ------------------------------------------------------------ undecryptable
    async def undecryptable(self, ref: EncryptedEventRef) -> None:
        """Park an event whose key has not arrived; it is retried after each sync."""
        async with self._db.session() as session, session.begin():
            if await ProcessedEventRepository(session).is_processed(ref.event_id):
                return
            await PendingEncryptedRepository(session).add(
                event_id=ref.event_id,
                room_id=ref.room_id,
                sender=ref.sender,
                session_id=ref.session_id,
                sender_key=ref.sender_key,
                source=ref.source,
                first_seen_at=self._clock.now(),
            )

    async def pending_undecryptable(self) -> list[EncryptedEventRef]:
        """Parked events still worth retrying."""
        async with self._db.session() as session:
            rows = await PendingEncryptedRepository(session).all_unexplained()
        return [
            EncryptedEventRef(
                event_id=row.event_id,
                room_id=row.room_id,
                sender=row.sender,
                session_id=row.session_id,
                sender_key=row.sender_key,
                source=row.source,
                sent_at=row.first_seen_at,
            )
            for row in rows
        ]

    async def decrypted_late(self, event_id: str) -> None:
        """The key arrived: the event is processed normally and no longer parked."""
        async with self._db.session() as session, session.begin():
            await PendingEncryptedRepository(session).remove(event_id)

    async def _explain_undecryptable(self) -> None:
        """After the grace period, tell the sender once (per room, per window) and give up."""
        now = self._clock.now()
        async with self._db.session() as session, session.begin():
            pending = PendingEncryptedRepository(session)
            due = await pending.due_for_explanation(now - self._grace)
            for row in due:
                if not await pending.mark_explained(row.event_id, now):
                    continue
                key = (row.room_id, row.sender)
                last = self._explained_recently.get(key)
                if last is not None and now - last < EXPLANATION_WINDOW:
                    continue
                self._explained_recently[key] = now
                reply = text(self._messages.t("room.undecryptable", sender=row.sender))
                await self._enqueue(session, "undecryptable", row.event_id, row.room_id, reply)

    # ------------------------------------------------------------ outbox
    async def _enqueue(
        self,
        session: Any,
        kind: str,
        key: str,
        room_id: str,
        reply: Reply,
        in_reply_to: str | None = None,
        requested_by: str | None = None,
    ) -> None:
        await self._services.queue(
            session,
            txn_id_for(kind, key),
            room_id,
            reply,
            in_reply_to=in_reply_to,
            requested_by=requested_by,
        )

    async def _reply(self, session: Any, incoming: IncomingCommand, reply: Reply) -> None:
        """Queue the answer to a command, as a rich reply to it."""
        await self._enqueue(
            session,
            "reply",
            incoming.event_id,
            incoming.room_id,
            reply,
            incoming.event_id,
            incoming.sender,
        )

    async def after_sync(self) -> None:
        """Explain overdue undecryptable events and send whatever waits in the outbox.

        Due jobs are not looked for here: the scheduler's timer and sweep own that.
        """
        await self._explain_undecryptable()
        await self.flush_outbox()

    async def flush_outbox(self, *, bulk: bool = True) -> int:
        """Send the interactive messages that are ready, then (``bulk``) nudge the bulk
        sender. Commands pass ``bulk=False``: they queue no bulk messages, and the flush
        after the next sync (and after every batch of jobs) looks for those.

        Returns how many interactive messages were sent. Reads at most
        ``[limits] outbox_batch`` rows per round. Bulk messages (reminders, digests) are
        sent by one background task, paced to ``[limits] bulk_per_second``; it holds the
        send lock for one message at a time, so a command's reply waits for at most one
        bulk send. Failures never stop the flush (see ``_send_row``).
        """
        if self._gateway is None:
            return 0
        sent = 0
        async with self._flush_lock:
            for _ in range(MAX_FLUSH_ROUNDS):
                self._notices_queued = False
                rows, left = await self._ready(LANE_INTERACTIVE)
                blocked: set[str] = set()
                for row in rows:
                    sent += await self._send_row(row, blocked, left)
                # Another round only for a full batch or a notice about a dead letter.
                if len(rows) < self._limits.outbox_batch and not self._notices_queued:
                    break
        if bulk:
            self._wake_bulk()
        return sent

    async def _ready(self, lane: int) -> tuple[list[OutboxRow], set[str]]:
        """The next batch of ``lane`` and which of its rooms the bot has left."""
        async with self._db.session() as session:
            rows = await OutboxRepository(session).ready(
                self._clock.now(), lane, self._limits.outbox_batch
            )
            left = await RoomRepository(session).left_among([r.room_id for r in rows])
        return rows, left

    async def _send_row(self, row: OutboxRow, blocked: set[str], left: set[str]) -> int:
        """Send one message; 1 if sent. A room that failed transiently in this round is
        in ``blocked`` (its later messages wait, keeping their order).

        Permanent failures (``M_TOO_LARGE``, ``M_FORBIDDEN``, a room the bot left) are
        dead letters at once; transient ones (network, 5xx, 429, a send taking longer
        than ``send_timeout_seconds``) back the room off: ``retry_after`` from the
        homeserver, else ``retry_base_seconds`` doubling up to ``retry_cap_seconds``;
        after ``MAX_SEND_ATTEMPTS`` the message is given up as well.
        """
        assert self._gateway is not None
        if row.room_id in blocked:
            return 0
        if row.room_id in left:
            await self._give_up(row, "room_left")
            return 0
        try:
            event_id = await asyncio.wait_for(
                self._gateway.send(row.room_id, row.content, row.txn_id),
                self._limits.send_timeout_seconds,
            )
        except (SendError, TimeoutError) as exc:
            error = exc if isinstance(exc, SendError) else SendError("timeout", permanent=False)
            if error.permanent or row.attempts + 1 >= MAX_SEND_ATTEMPTS:
                await self._give_up(row, error.reason if error.permanent else "gave_up")
                return 0
            blocked.add(row.room_id)
            await self._defer(row, error)
            return 0
        async with self._db.session() as session, session.begin():
            await OutboxRepository(session).mark_sent(row.txn_id, event_id, self._clock.now())
        return 1

    async def _defer(self, row: OutboxRow, error: SendError) -> None:
        limits = self._limits
        delay = error.retry_after
        if delay is None:
            delay = min(limits.retry_base_seconds * 2.0**row.attempts, limits.retry_cap_seconds)
        if error.retry_after is not None and row.lane == LANE_BULK:
            # Rate limits are per account: pause all bulk sending, not only this room.
            loop = asyncio.get_running_loop()
            self._bulk_paused_until = max(self._bulk_paused_until, loop.time() + delay)
        async with self._db.session() as session, session.begin():
            await OutboxRepository(session).defer(
                row.txn_id, self._clock.now() + timedelta(seconds=delay)
            )
        log.warning(
            "message not sent yet",
            extra={"txn_id": row.txn_id, "reason": error.reason, "retry_in": delay},
        )

    async def _give_up(self, row: OutboxRow, reason: str) -> None:
        """Dead letter: set aside, audited, and the sender told where the room allows."""
        now = self._clock.now()
        async with self._db.session() as session, session.begin():
            if not await OutboxRepository(session).dead_letter(row.txn_id, reason, now):
                return
            await AuditRepository(session).append(
                occurred_at=now,
                actor="bot",
                actor_org=None,
                action="outbox.dead_letter",
                room_id=row.room_id,
                entity_type="outbox",
                entity_id=row.txn_id,
                details={"reason": reason, "lane": row.lane, "attempts": row.attempts + 1},
            )
            if row.requested_by is not None and reason not in ROOM_UNUSABLE:
                relates = row.content.get("m.relates_to") or {}
                in_reply_to = (relates.get("m.in_reply_to") or {}).get("event_id")
                key = "M_TOO_LARGE" if reason == "M_TOO_LARGE" else "other"
                notice = text(
                    self._messages.t(
                        "outbox.undeliverable", reason=self._messages.t(f"outbox.reason.{key}")
                    )
                )
                await self._services.queue(
                    session,
                    txn_id_for("undeliverable", row.txn_id),
                    row.room_id,
                    Reply(notice.plain, notice.html, (row.requested_by,)),
                    in_reply_to=in_reply_to if isinstance(in_reply_to, str) else None,
                )
                self._notices_queued = True
        self._metrics.messages_sent.labels("dead_letter").inc()
        log.error(
            "message given up",
            extra={"txn_id": row.txn_id, "room_id": row.room_id, "reason": reason},
        )

    # ------------------------------------------------------------ bulk sender
    def _wake_bulk(self) -> None:
        """Make sure the bulk sender runs (it stops when nothing bulk is ready)."""
        self._bulk_wanted = True
        if self._bulk_task is None or self._bulk_task.done():
            self._bulk_task = asyncio.create_task(self._drain_bulk(), name="avz-outbox-bulk")

    async def _drain_bulk(self) -> None:
        pace = 1.0 / self._limits.bulk_per_second
        loop = asyncio.get_running_loop()
        try:
            while True:
                self._bulk_wanted = False
                rows, left = await self._ready(LANE_BULK)
                if not rows:
                    if self._bulk_wanted:
                        continue
                    return
                blocked: set[str] = set()
                for row in rows:
                    pause = self._bulk_paused_until - loop.time()
                    if pause > 0:
                        await asyncio.sleep(pause)
                    async with self._flush_lock:
                        await self._send_row(row, blocked, left)
                    await asyncio.sleep(pace)
        except Exception as exc:  # the next flush starts a new sender
            log.error(
                "bulk sender stopped",
                extra={"error_type": type(exc).__name__, "where": _where(exc)},
            )

    async def bulk_idle(self) -> None:
        """Wait until the bulk sender has nothing ready (tests, benchmark, shutdown)."""
        while self._bulk_task is not None and not self._bulk_task.done():
            await asyncio.shield(self._bulk_task)

    async def close(self) -> None:
        """Stop the bulk sender (unsent messages stay in the outbox for the next start)."""
        task, self._bulk_task = self._bulk_task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
