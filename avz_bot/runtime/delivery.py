"""Outbox delivery: what was queued is sent after the commit, in order per room, never twice.

Every message is stored in the outbox inside the transaction that produced it
(``AppServices.queue``; the core's own replies and notices through ``enqueue``, which
also tells the flush after the next sync to look). ``flush`` sends what is ready after
the commit, with the transaction id derived from the triggering event, so a resend after
a crash cannot make a message appear twice. Two lanes: interactive messages (replies)
are sent at once by the flush; bulk messages (reminders, digests) by one background
task, paced to ``[limits] bulk_per_second``, that never holds up a reply for more than
one send. A failed send backs its room off (later messages in that room wait, keeping
their order); a message that cannot be delivered becomes a dead letter, audited, and the
person who asked for it is told where the room allows.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from avz_bot.clock import Clock
from avz_bot.domain.inbound import Reply
from avz_bot.formatting import text
from avz_bot.logs import get_logger, where
from avz_bot.messages import Messages
from avz_bot.metrics import BotMetrics
from avz_bot.ports import Gateway, SendError
from avz_bot.runtime.units import AppServices
from avz_bot.services.audit import Audit
from avz_bot.services.outbox import txn_id_for
from storage.db import Database
from storage.outbox_repositories import (
    LANE_BULK,
    LANE_INTERACTIVE,
    OutboxRepository,
    OutboxRow,
    ReactionTargetRepository,
)

log = get_logger(__name__)

#: An outbox row that failed this often is given up (and logged) rather than retried forever.
MAX_SEND_ATTEMPTS = 10
#: Failures after which the room itself cannot take a message (so no notice there either).
ROOM_UNUSABLE = frozenset({"M_FORBIDDEN", "M_NOT_FOUND", "room_left"})
#: Rounds of one interactive flush (each reads at most ``[limits] outbox_batch`` rows).
MAX_FLUSH_ROUNDS = 20
#: Unsent outbox rows (a failed send) are looked for after a sync at least this often.
OUTBOX_RETRY = timedelta(seconds=30)


class OutboxDelivery:
    """Sends the outbox through the ``Gateway``: the interactive flush and the bulk sender."""

    def __init__(
        self,
        *,
        database: Database,
        messages: Messages,
        services: AppServices,
        clock: Clock,
        metrics: BotMetrics,
    ) -> None:
        self._db = database
        self._messages = messages
        self._services = services
        self._clock = clock
        self._metrics = metrics
        self._limits = services.limits
        self._gateway: Gateway | None = None
        self._flush_lock = asyncio.Lock()
        # The flush after a sync is skipped while nothing can be ready (profiled: this
        # and the parked-event query were half the bot's CPU per command): every row
        # enters through ``AppServices.queue``, which counts them, so the flush runs when
        # the count moved; failed sends are retried at the latest after OUTBOX_RETRY.
        self._seen_queued = -1
        self._checked_at: datetime | None = None
        self._bulk_task: asyncio.Task[None] | None = None
        self._bulk_wanted = False
        self._notices_queued = False
        self._bulk_paused_until = 0.0  # loop time; a 429 on bulk pauses all bulk sends
        # A deferred message is retried when its pause ends (a timer that only nudges:
        # the pause itself is durable, ``outbox.not_before``, and the check after every
        # sync retries at the latest OUTBOX_RETRY later, also after a restart).
        self._retry_timer: asyncio.TimerHandle | None = None
        self._retry_task: asyncio.Task[None] | None = None

    def attach_gateway(self, gateway: Gateway) -> None:
        """Set the outbound gateway (the adapter; wired by the composition root)."""
        self._gateway = gateway

    async def enqueue(
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
        """Queue ``reply`` for ``room_id`` in ``session`` (sent after its commit); the
        transaction id is derived from ``kind`` and ``key``, so queueing again is a no-op."""
        await self._services.queue(
            session,
            txn_id_for(kind, key),
            room_id,
            reply,
            in_reply_to=in_reply_to,
            thread_root=thread_root,
            requested_by=requested_by,
        )

    def due(self) -> bool:
        """Whether the flush after a sync should run (then it counts as run): something
        was queued since the last flush, or OUTBOX_RETRY has passed since this last said
        yes (failed sends wait for a retry)."""
        now = self._clock.now()
        checked = self._checked_at
        queued = self._services.queued
        if queued != self._seen_queued or checked is None or now - checked >= OUTBOX_RETRY:
            self._seen_queued = queued
            self._checked_at = now
            return True
        return False

    async def flush(self, *, bulk: bool = True) -> int:
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
        self._seen_queued = self._services.queued  # this flush sees every row queued so far
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
        async with self._db.one_statement_session() as connection:
            return await OutboxRepository(connection).ready(
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
        if row.room_id in blocked or not self._services.acting.acting():
            return 0  # without the lease: the next holder sends it
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
            async with self._db.one_statement_session() as connection, connection.begin():
                await OutboxRepository(connection).mark_sent(
                    row.txn_id, event_id, self._clock.now()
                )
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
        self._retry_in(delay)
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
            await Audit(session, now).record(
                "outbox.dead_letter",
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
                extra={"error_type": type(exc).__name__, "where": where(exc)},
            )

    def _retry_in(self, delay: float) -> None:
        """Flush again in ``delay`` seconds (the earliest pending retry wins): without
        this a deferred reply waited for the next sync's retry check, a long poll and
        up to OUTBOX_RETRY away, and a burst under the homeserver's rate limit could
        take minutes to drain."""
        loop = asyncio.get_running_loop()
        when = loop.time() + delay
        timer = self._retry_timer
        if timer is not None and not timer.cancelled() and timer.when() <= when:
            return
        if timer is not None:
            timer.cancel()
        self._retry_timer = loop.call_at(when, self._start_retry)

    def _start_retry(self) -> None:
        self._retry_timer = None
        if self._retry_task is None or self._retry_task.done():
            self._retry_task = asyncio.create_task(self._retry(), name="avz-outbox-retry")

    async def _retry(self) -> None:
        try:
            await self.flush()
        except Exception as exc:  # e.g. the database away: the check after a sync retries
            log.warning(
                "outbox retry postponed",
                extra={"error_type": type(exc).__name__, "where": where(exc)},
            )

    async def bulk_idle(self) -> None:
        """Wait until the bulk sender has nothing ready (tests, benchmark, shutdown)."""
        while self._bulk_task is not None and not self._bulk_task.done():
            await asyncio.shield(self._bulk_task)

    async def close(self) -> None:
        """Stop the bulk sender and any retry (unsent messages stay in the outbox for
        the next start)."""
        if self._retry_timer is not None:
            self._retry_timer.cancel()
            self._retry_timer = None
        for task in (self._bulk_task, self._retry_task):
            if task is not None and not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._bulk_task = self._retry_task = None
