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
import time
import traceback
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from avz_bot.clock import Clock
from avz_bot.domain.inbound import IncomingCommand, IncomingReaction, Reply
from avz_bot.domain.partners import Member
from avz_bot.domain.signals import Place, contains_bsn
from avz_bot.formatting import paragraphs, text
from avz_bot.logs import get_logger
from avz_bot.messages import Messages
from avz_bot.metrics import BotMetrics
from avz_bot.ports import EncryptedEventRef, Gateway, SendError
from avz_bot.services.direct import DirectMessages
from avz_bot.services.direct_messages import schedule_direct_message
from avz_bot.services.outbox import txn_id_for
from avz_bot.services.units import AppServices, UnitServices
from commands.framework import Dispatcher, DispatchResult, Outcome
from storage.db import Database, is_database_unavailable
from storage.outbox_repositories import (
    LANE_BULK,
    LANE_INTERACTIVE,
    OutboxRepository,
    OutboxRow,
    ReactionTargetRepository,
    ReactionTargetRow,
)
from storage.repositories import AuditRepository, ProcessedEventRepository
from storage.room_repositories import (
    PendingEncryptedRepository,
    RoomRepository,
    SyncStateRepository,
)

log = get_logger(__name__)

SYNC_TOKEN_KEY = "matrix.next_batch"
#: An outbox row that failed this often is given up (and logged) rather than retried forever.
MAX_SEND_ATTEMPTS = 10
#: Failures after which the room itself cannot take a message (so no notice there either).
ROOM_UNUSABLE = frozenset({"M_FORBIDDEN", "M_NOT_FOUND", "room_left"})
#: Rounds of one interactive flush (each reads at most ``[limits] outbox_batch`` rows).
MAX_FLUSH_ROUNDS = 20
#: At most one "could not decrypt" explanation per sender and room in this window.
EXPLANATION_WINDOW = timedelta(hours=12)
#: Unsent outbox rows (a failed send) are looked for after a sync at least this often.
OUTBOX_RETRY = timedelta(seconds=30)
#: The sync token is stored at least this often even when no event reached the core.
SYNC_TOKEN_INTERVAL = timedelta(seconds=30)


def _where(exc: BaseException) -> str:
    """File and line of the innermost frame: enough to find a bug, no data from it."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno}"


class JobRunner(Protocol):
    """The scheduler, as the core sees it."""

    def wake(self) -> None:
        """Re-arm the timer for the earliest pending job (after scheduling new ones)."""
        ...


#: ``handler(unit, member, target, reaction)``: handles a reaction on a bot message that
#: was registered as a reaction target of the handler's kind, inside the reaction's
#: exactly-once transaction (``member`` is None for unregistered senders).
ReactionHandler = Callable[
    [UnitServices, Member | None, ReactionTargetRow, IncomingReaction], Awaitable[None]
]


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
        replay_horizon: timedelta | None = None,
    ) -> None:
        self._db = database
        # Events older than this are history, never acted on: the retention job prunes
        # their exactly-once records (see avz_bot.services.retention_jobs).
        self._replay_horizon = replay_horizon
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
        self._reaction_handlers: dict[str, ReactionHandler] = {}
        # Per-sync work that usually finds nothing is skipped while nothing can be there
        # (profiled: these queries were half the bot's CPU per command). Parked events
        # only come from ``undecryptable``; outbox rows outside commands and jobs (which
        # flush themselves) only from ``_enqueue``; failed sends are retried at the latest
        # after OUTBOX_RETRY.
        self._maybe_undecryptable = True
        self._outbox_dirty = True
        # The stored sync token need not move after every batch: commands and parked
        # events are claimed by event id, so replaying them after a crash changes nothing.
        # Room and membership events are saved at once; otherwise at least every
        # SYNC_TOKEN_INTERVAL.
        self._handled_since_token = True
        self._token_saved_at: datetime | None = None
        self._outbox_checked_at: datetime | None = None
        self._limits = services.limits
        self._bulk_task: asyncio.Task[None] | None = None
        self._bulk_wanted = False
        self._notices_queued = False
        self._bulk_paused_until = 0.0  # loop time; a 429 on bulk pauses all bulk sends

    def _beyond_replay_horizon(self, sent_at: datetime) -> bool:
        """Whether an event is too old to act on (its record may have been pruned)."""
        horizon = self._replay_horizon
        return horizon is not None and sent_at < self._clock.now() - horizon

    def attach_gateway(self, gateway: Gateway) -> None:
        """Set the outbound gateway (the adapter; wired by the composition root)."""
        self._gateway = gateway

    def attach_jobs(self, jobs: JobRunner) -> None:
        """Set the scheduler that runs side effects and timers (composition root)."""
        self._jobs = jobs

    def on_reaction(self, kind: str, handler: ReactionHandler) -> None:
        """Route reactions on bot messages registered with ``kind`` to ``handler``."""
        self._reaction_handlers[kind] = handler

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
        """Store the token: every event before it has been handled (skipped, for up to
        SYNC_TOKEN_INTERVAL, while only idempotent events reached the core)."""
        now = self._clock.now()
        saved = self._token_saved_at
        if (
            not self._handled_since_token
            and saved is not None
            and now - saved < SYNC_TOKEN_INTERVAL
        ):
            return
        async with self._db.session() as session, session.begin():
            await SyncStateRepository(session).set(SYNC_TOKEN_KEY, token, now)
        self._handled_since_token = False
        self._token_saved_at = now

    # ------------------------------------------------------------ rooms
    async def may_invite(self, inviter: str) -> bool:
        """Accept invitations only from registered partners on allowed servers (exact match)."""
        self._handled_since_token = True
        if ":" not in inviter:
            return False
        server = inviter.split(":", 1)[1]
        if server not in self._allowed_servers:
            return False
        async with self._db.session() as session:
            return await self._services.members.get(session, inviter) is not None

    async def joined(self, room_id: str, joined_at: datetime, encrypted: bool | None) -> None:
        """Record the bot's membership of ``room_id`` (the earliest join time is kept).

        ``encrypted is None`` means the bot itself just accepted an invitation; that is
        the moment that goes into the audit trail.
        """
        self._handled_since_token = True
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
        self._handled_since_token = True
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
        self._handled_since_token = True
        if membership not in {"join", "leave", "ban"}:
            return
        async with self._db.session() as session, session.begin():
            room = await RoomRepository(session).get(room_id)
            if room is None or at < room.joined_at or self._beyond_replay_horizon(at):
                return
            processed = ProcessedEventRepository(session)
            if not await processed.claim(event_id, room_id, user_id, self._clock.now()):
                return
            await processed.set_outcome(event_id, f"member.{membership}", Outcome.OK.value)
            cases = self._services.bind(session).cases
            direct = DirectMessages(session, self._clock.now())
            if membership == "join":
                await direct.joined(room_id, user_id)
                reply = await cases.member_joined(room_id, user_id)
            else:
                await direct.left(room_id, user_id)
                reply = await cases.member_left(room_id, user_id, event_id)
            if reply is not None:
                await self._enqueue(session, "member", event_id, room_id, reply)

    # ------------------------------------------------------------ messages
    def is_command(self, body: str) -> bool:
        """Whether ``body`` is addressed to the bot (prefix and a word)."""
        return self._dispatcher.is_command(body)

    def may_hold_identifier(self, body: str) -> bool:
        """Whether ``body`` contains a BSN-valid number (the guard's cheap first look)."""
        return contains_bsn(body)

    async def screen(self, incoming: IncomingCommand) -> bool:
        """The BSN guard: a message with a BSN-valid number in a shared room is redacted
        (case rooms) or its sender asked to remove it, exactly once; never executed, and
        its body never logged. Returns False (nothing done) in a direct chat."""
        async with self._db.session() as session, session.begin():
            room = await RoomRepository(session).get(incoming.room_id)
            if room is not None and incoming.sent_at < room.joined_at:
                return True  # history from before the bot joined
            signals = self._services.bind(session, incoming.device_verified).signals
            if await signals.place_of(incoming.room_id, incoming.room_members) is Place.DIRECT_CHAT:
                return False
            processed = ProcessedEventRepository(session)
            if not await processed.claim(
                incoming.event_id, incoming.room_id, incoming.sender, self._clock.now()
            ):
                return True
            await signals.guard(
                incoming.room_id, incoming.event_id, incoming.sender, incoming.room_members
            )
            await processed.set_outcome(incoming.event_id, None, Outcome.REFUSED.value)
        log.info(
            "identifier guard", extra={"room_id": incoming.room_id, "event_id": incoming.event_id}
        )
        await self.flush_outbox()
        if self._jobs is not None:
            self._jobs.wake()
        return True

    async def message(self, incoming: IncomingCommand) -> None:
        """Handle a decrypted message from an encrypted room, exactly once."""
        if not self._dispatcher.is_command(incoming.body):
            return
        if contains_bsn(incoming.body) and await self.screen(incoming):
            return
        started = time.perf_counter()
        try:
            try:
                result = await self._run_command(incoming)
            except _Refused as refused:
                result = await self._record_without_changes(incoming, refused.result)
        except Exception as exc:  # the bot must survive any handler bug
            if is_database_unavailable(exc):
                # Not a bug: nothing was kept; the sync loop replays the batch later.
                raise
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
        if self._beyond_replay_horizon(incoming.sent_at):
            return None
        async with self._db.session() as session, session.begin():
            processed = ProcessedEventRepository(session)
            # Not claimed (nothing done) when handled before, or when sent before the
            # bot joined the room: history, not a request to the bot.
            if not await processed.claim(
                incoming.claim_id,
                incoming.room_id,
                incoming.sender,
                self._clock.now(),
                sent_at=incoming.sent_at,
            ):
                return None
            member = await self._services.members.get(session, incoming.sender)
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
            await processed.set_outcome(incoming.claim_id, result.command, result.outcome.value)
            return result

    async def _record_without_changes(
        self, incoming: IncomingCommand, result: DispatchResult
    ) -> DispatchResult | None:
        """After a refusal or a handler error, nothing of the command was kept: claim the
        event in a new transaction, record how it ended and queue the reply."""
        async with self._db.session() as session, session.begin():
            processed = ProcessedEventRepository(session)
            if not await processed.claim(
                incoming.claim_id, incoming.room_id, incoming.sender, self._clock.now()
            ):
                return None
            await processed.set_outcome(incoming.claim_id, result.command, result.outcome.value)
            if result.reply is not None:
                await self._reply(session, incoming, result.reply)
        return result

    async def reaction(self, incoming: IncomingReaction) -> None:
        """A reaction on some event: handled exactly once when it targets a bot message
        registered as a reaction target (see ``ReactionTargetRepository``)."""
        try:
            async with self._db.session() as session, session.begin():
                processed = ProcessedEventRepository(session)
                target = await ReactionTargetRepository(session).by_event(incoming.relates_to)
                if target is None or target.kind not in self._reaction_handlers:
                    return
                if not await processed.claim(
                    incoming.event_id, incoming.room_id, incoming.sender, self._clock.now()
                ):
                    return
                member = await self._services.members.get(session, incoming.sender)
                if member is not None and self._dispatcher.refuse_unsigned_devices:
                    # Reactions are not encrypted: no device can be tied to them. Under
                    # the strict trust policy only the (encrypted) commands count.
                    await processed.set_outcome(
                        incoming.event_id, f"reaction.{target.kind}", Outcome.FORBIDDEN.value
                    )
                    await schedule_direct_message(
                        session,
                        user=incoming.sender,
                        key=f"reaction-unverified:{incoming.event_id}",
                        reply=text(self._messages.t("reaction.unverifiable")),
                        now=self._clock.now(),
                    )
                else:
                    # Unencrypted, so from no known device: marked so in the audit trail.
                    unit = self._services.bind(session, None)
                    await self._reaction_handlers[target.kind](unit, member, target, incoming)
                    await processed.set_outcome(
                        incoming.event_id, f"reaction.{target.kind}", Outcome.OK.value
                    )
        except Exception as exc:  # the bot must survive any handler bug
            log.error(
                "reaction failed",
                extra={
                    "error_type": type(exc).__name__,
                    "where": _where(exc),
                    "event_id": incoming.event_id,
                },
            )
            return
        await self.flush_outbox()
        if self._jobs is not None:
            self._jobs.wake()

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
        self._maybe_undecryptable = True
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
        if not self._maybe_undecryptable:
            return []
        async with self._db.session() as session:
            rows = await PendingEncryptedRepository(session).all_unexplained()
        if not rows:
            self._maybe_undecryptable = False
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
        if not self._maybe_undecryptable:
            return
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
        thread_root: str | None = None,
        requested_by: str | None = None,
    ) -> None:
        self._outbox_dirty = True
        await self._services.queue(
            session,
            txn_id_for(kind, key),
            room_id,
            reply,
            in_reply_to=in_reply_to,
            thread_root=thread_root,
            requested_by=requested_by,
        )

    async def _reply(self, session: Any, incoming: IncomingCommand, reply: Reply) -> None:
        """Queue the answer to a command, as a rich reply to it (in its thread, if any;
        to the original command when answering an edit)."""
        await self._enqueue(
            session,
            "reply",
            incoming.claim_id,
            incoming.room_id,
            reply,
            incoming.edit_of or incoming.event_id,
            incoming.thread_root,
            incoming.sender,
        )

    async def after_sync(self) -> None:
        """Explain overdue undecryptable events and send whatever waits in the outbox.

        Due jobs are not looked for here: the scheduler's timer and sweep own that.
        """
        await self._explain_undecryptable()
        now = self._clock.now()
        checked = self._outbox_checked_at
        if self._outbox_dirty or checked is None or now - checked >= OUTBOX_RETRY:
            self._outbox_dirty = False
            self._outbox_checked_at = now
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
        self._outbox_dirty = False  # this flush sees every row queued so far
        sent = 0
        async with self._flush_lock:
            for _ in range(MAX_FLUSH_ROUNDS):
                self._notices_queued = False
                rows = await self._ready(LANE_INTERACTIVE)
                blocked: set[str] = set()
                for row in rows:
                    sent += await self._send_row(row, blocked)
                # Another round only for a full batch or a notice about a dead letter.
                if len(rows) < self._limits.outbox_batch and not self._notices_queued:
                    break
        if bulk:
            self._wake_bulk()
        return sent

    async def _ready(self, lane: int) -> list[OutboxRow]:
        """The next batch of ``lane`` (one statement; see ``OutboxRepository.ready``)."""
        async with self._db.one_statement_session() as session:
            return await OutboxRepository(session).ready(
                self._clock.now(), lane, self._limits.outbox_batch
            )

    async def _send_row(self, row: OutboxRow, blocked: set[str]) -> int:
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
        if row.room_left:
            await self._give_up(row, "room_left")
            return 0
        try:
            # ``asyncio.timeout`` rather than ``wait_for``: no extra task per message.
            async with asyncio.timeout(self._limits.send_timeout_seconds):
                event_id = await self._gateway.send(row.room_id, row.content, row.txn_id)
        except (SendError, TimeoutError) as exc:
            error = exc if isinstance(exc, SendError) else SendError("timeout", permanent=False)
            if error.permanent or row.attempts + 1 >= MAX_SEND_ATTEMPTS:
                await self._give_up(row, error.reason if error.permanent else "gave_up")
                return 0
            blocked.add(row.room_id)
            await self._defer(row, error)
            return 0
        if not row.reaction_target:  # one statement: no transaction around it
            async with self._db.one_statement_session() as session, session.begin():
                await OutboxRepository(session).mark_sent(row.txn_id, event_id, self._clock.now())
            return 1
        async with self._db.session() as session, session.begin():
            await OutboxRepository(session).mark_sent(row.txn_id, event_id, self._clock.now())
            # Reactions to this message find their target by its event id.
            await ReactionTargetRepository(session).record_sent(row.txn_id, event_id, row.room_id)
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
                rows = await self._ready(LANE_BULK)
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
                        await self._send_row(row, blocked)
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
