"""The core behind the Matrix adapter: exactly-once handling of what the adapter reports.

Every command runs in one database transaction that (1) claims the event id in
``processed_events`` (a replayed event finds it claimed and is skipped), (2) applies
the command, (3) appends the audit trail and (4) stores the reply in the outbox with a
transaction id derived from the event id. Only after the commit is the reply sent
(``avz_bot.runtime.delivery``); a crash before sending leaves the reply in the outbox,
and resending it with the same transaction id cannot make it appear twice. Reactions,
membership changes, the BSN guard and undecryptable events are claimed the same way.

Here: commands, the BSN guard, reactions, unencrypted rooms and the sync token. ``BotCore``
is composed of its parts, each an object with the collaborators it needs
(``core_state.CoreParts``): ``RoomEvents`` (invitations, memberships; ``room_events``),
``UndecryptableEvents`` (parked events; ``undecryptable``) and ``OutboxDelivery`` (sending;
``delivery``), all in ``avz_bot.runtime``.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from avz_bot.clock import Clock
from avz_bot.domain.inbound import IncomingCommand, IncomingReaction, Reply
from avz_bot.domain.signals import Place, contains_bsn
from avz_bot.formatting import paragraphs, text
from avz_bot.logs import get_logger, where
from avz_bot.messages import Messages
from avz_bot.metrics import BotMetrics
from avz_bot.ports import Gateway
from avz_bot.runtime.command_records import audit_command, log_reads, with_registry_names
from avz_bot.runtime.core_state import CoreParts, JobRunner, ReactionHandler, TokenMark
from avz_bot.runtime.delivery import (
    MAX_FLUSH_ROUNDS,
    MAX_SEND_ATTEMPTS,
    OUTBOX_RETRY,
    ROOM_UNUSABLE,
    OutboxDelivery,
)
from avz_bot.runtime.room_events import RoomEvents
from avz_bot.runtime.undecryptable import EXPLANATION_WINDOW, UndecryptableEvents
from avz_bot.runtime.units import AppServices, LazySession
from avz_bot.services.access_log import AccessLog
from avz_bot.services.outbox import txn_id_for
from avz_bot.services.signals import SignalService
from commands.framework import Dispatcher, DispatchResult, Outcome
from storage.db import Database, is_database_unavailable
from storage.outbox_repositories import ReactionTargetRepository
from storage.runtime_repositories import (
    ProcessedEventRepository,
    RoomRepository,
    SyncStateRepository,
)

__all__ = [
    "EXPLANATION_WINDOW",
    "MAX_FLUSH_ROUNDS",
    "MAX_SEND_ATTEMPTS",
    "OUTBOX_RETRY",
    "ROOM_UNUSABLE",
    "SYNC_TOKEN_INTERVAL",
    "SYNC_TOKEN_KEY",
    "BotCore",
    "JobRunner",
    "ReactionHandler",
    "txn_id_for",
]

log = get_logger(__name__)

SYNC_TOKEN_KEY = "matrix.next_batch"
#: The sync token is stored at least this often even when no event reached the core.
SYNC_TOKEN_INTERVAL = timedelta(seconds=30)


class _Refused(Exception):
    """Internal: roll back a command that was refused after it had started changing."""

    def __init__(self, result: DispatchResult) -> None:
        super().__init__("refused")
        self.result = result


class BotCore:
    """Implements ``InboundPort`` on top of the database, the dispatcher and the gateway.

    Room and membership events are handled by its ``rooms`` (``RoomEvents``), undecryptable
    ones by its ``parked`` (``UndecryptableEvents``), sending by ``OutboxDelivery``.
    """

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
        self._dispatcher = dispatcher
        self._messages = messages
        self._services = services
        self._clock = clock
        self._metrics = metrics
        self._outbox = OutboxDelivery(
            database=database, messages=messages, services=services, clock=clock, metrics=metrics
        )
        self._parts = CoreParts(database, services, messages, clock, self._outbox, replay_horizon)
        # The stored sync token need not move after every batch: commands and parked
        # events are claimed by event id, so replaying them after a crash changes nothing.
        # Room and membership events are saved at once; otherwise at least every
        # SYNC_TOKEN_INTERVAL.
        self._mark = TokenMark()
        self._token_saved_at: datetime | None = None
        self.rooms = RoomEvents(self._parts, self._mark, allowed_servers)
        self.parked = UndecryptableEvents(self._parts, undecryptable_grace)
        self._jobs: JobRunner | None = None
        self._reaction_handlers: dict[str, ReactionHandler] = {}
        # The InboundPort's room, membership and parked-event calls go to the parts.
        self.may_invite = self.rooms.may_invite
        self.joined = self.rooms.joined
        self.left = self.rooms.left
        self.member_changed = self.rooms.member_changed
        self.undecryptable = self.parked.undecryptable
        self.pending_undecryptable = self.parked.pending_undecryptable
        self.decrypted_late = self.parked.decrypted_late

    def attach_gateway(self, gateway: Gateway) -> None:
        """Set the outbound gateway (the adapter; wired by the composition root)."""
        self._outbox.attach_gateway(gateway)

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
            not self._mark.handled_since_token
            and saved is not None
            and now - saved < SYNC_TOKEN_INTERVAL
        ):
            return
        async with self._db.session() as session, session.begin():
            await SyncStateRepository(session).set(SYNC_TOKEN_KEY, token, now)
        self._mark.handled_since_token = False
        self._token_saved_at = now

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
            signals = self._services.bind(session, incoming.device_verified)[SignalService]
            if await signals.place_of(incoming.room_id, incoming.room_members) is Place.DIRECT_CHAT:
                return False
            processed = ProcessedEventRepository(session)
            if not await processed.claim(
                incoming.event_id, incoming.room_id, incoming.sender, self._clock.now()
            ):
                return True
            command = self._dispatcher.is_command(incoming.body)
            notice = await signals.guard(
                incoming.room_id,
                incoming.event_id,
                incoming.sender,
                incoming.room_members,
                command=command,
            )
            if command and notice is not None:
                # The answer to the command, where its answer would go: it was not run.
                await self._reply(session, incoming, notice)
            await processed.set_outcome(incoming.event_id, None, Outcome.REFUSED.value)
        log.info(
            "identifier guard", extra={"room_id": incoming.room_id, "event_id": incoming.event_id}
        )
        await self._outbox.flush()
        if self._jobs is not None:
            self._jobs.wake()
        return True

    async def message(self, incoming: IncomingCommand) -> None:
        """Handle a decrypted message from an encrypted room, exactly once.

        Raises ``LeaseLost`` (nothing claimed: the batch is replayed by the next holder)
        when this process may no longer act (``avz_bot.acting``)."""
        if not self._dispatcher.is_command(incoming.body):
            return
        self._services.acting.check()
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
                    "where": where(exc),
                    "event_id": incoming.event_id,
                },
            )
            failure = DispatchResult(text(self._messages.t("error.internal")), None, Outcome.ERROR)
            result = await self._record_without_changes(incoming, failure)
        if result is None:
            return
        self._metrics.command_latency.observe(time.perf_counter() - started)
        await self._outbox.flush(bulk=False)  # the answer first, the bookkeeping after
        self._metrics.commands.labels(result.command or "-", result.outcome.value).inc()
        log.info(
            "command handled",
            extra={
                "command": result.command,
                "outcome": result.outcome.value,
                "room_id": incoming.room_id,
                "event_id": incoming.event_id,
            },
        )
        self._wake_jobs(result)

    async def _run_command(self, incoming: IncomingCommand) -> DispatchResult | None:
        if self._parts.beyond_replay_horizon(incoming.sent_at):
            return None
        # One transaction on one connection: the claim, the outbox row and the outcome
        # are Core statements on it; an ORM session joins it only if the command (or an
        # uncached sender lookup, or the audit trail) asks for one (``LazySession``).
        async with self._db.connection() as connection:
            lazy = LazySession(connection)
            try:
                async with connection.begin():
                    result = await self._command_unit(incoming, lazy)
                    await lazy.flush()
            finally:
                await lazy.close()
        return result

    async def _command_unit(
        self, incoming: IncomingCommand, lazy: LazySession
    ) -> DispatchResult | None:
        """Claim, dispatch and record one command in ``lazy``'s transaction (see
        ``_run_command``); None when the event was not claimed."""
        connection = lazy.connection
        processed = ProcessedEventRepository(connection)
        # Not claimed (nothing done) when handled before, or when sent before the
        # bot joined the room: history, not a request to the bot. The claim records
        # the likely ending (this command, ok), corrected below if it ends otherwise.
        expected = (self._dispatcher.command_name(incoming.body), Outcome.OK.value)
        if not await processed.claim(
            incoming.claim_id,
            incoming.room_id,
            incoming.sender,
            self._clock.now(),
            sent_at=incoming.sent_at,
            command=expected[0],
            outcome=expected[1],
        ):
            return None
        known = self._services.members.known()
        if known is not None:
            member = known.get(incoming.sender)
        else:
            member = await self._services.members.get(lazy.get(), incoming.sender)
        incoming = await with_registry_names(self._services.members, lazy, incoming)
        services = self._services.bind(lazy, incoming.device_verified)
        result = await self._dispatcher.dispatch(incoming, member, services)
        if result.outcome is Outcome.REFUSED:
            # A refusal changes nothing, even if the handler had begun: roll back.
            raise _Refused(result)
        if result.audit or result.outcome is Outcome.UNREGISTERED:
            await audit_command(lazy.get(), self._clock.now(), incoming, member, result)
        if services.reads:  # the reply shows case or person data (issue 22)
            await log_reads(lazy.get(), self._clock.now(), incoming, member, result, services)
        if result.reply is not None:
            await self._reply(connection, incoming, result.reply)
        if (result.command, result.outcome.value) != expected:
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
        self._services.acting.check()
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
                    await self._services.direct_messages(session).send(
                        incoming.sender,
                        f"reaction-unverified:{incoming.event_id}",
                        text(self._messages.t("reaction.unverifiable")),
                    )
                else:
                    # Unencrypted, so from no known device: marked so in the audit trail.
                    unit = self._services.bind(session, None)
                    await self._reaction_handlers[target.kind](unit, member, target, incoming)
                    if unit.reads:  # what the handler's reply shows is a read (issue 22)
                        await AccessLog(session, self._clock.now()).record_reads(
                            unit.reads,
                            member=member,
                            reader=incoming.sender,
                            command=f"reaction.{target.kind}",
                            room_id=incoming.room_id,
                        )
                    await processed.set_outcome(
                        incoming.event_id, f"reaction.{target.kind}", Outcome.OK.value
                    )
        except Exception as exc:  # the bot must survive any handler bug
            log.error(
                "reaction failed",
                extra={
                    "error_type": type(exc).__name__,
                    "where": where(exc),
                    "event_id": incoming.event_id,
                },
            )
            return
        await self._outbox.flush()
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
                await self._outbox.enqueue(
                    session,
                    "unencrypted",
                    incoming.room_id,
                    incoming.room_id,
                    reply,
                    incoming.event_id,
                )
        self._metrics.commands.labels("-", Outcome.REFUSED.value).inc()
        await self._outbox.flush(bulk=False)

    # ------------------------------------------------------------ outbox
    async def _reply(self, session: Any, incoming: IncomingCommand, reply: Reply) -> None:
        """Queue the answer to a command, as a rich reply to it (in its thread, if any;
        to the original command when answering an edit)."""
        await self._outbox.enqueue(
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
        await self.parked.explain()
        if self._outbox.due():
            await self._outbox.flush()

    async def flush_outbox(self, *, bulk: bool = True) -> int:
        """Send the interactive messages that are ready, then (``bulk``) nudge the bulk
        sender; how many were sent (see ``OutboxDelivery.flush``)."""
        return await self._outbox.flush(bulk=bulk)

    async def bulk_idle(self) -> None:
        """Wait until the bulk sender has nothing ready (tests, benchmark, shutdown)."""
        await self._outbox.bulk_idle()

    async def close(self) -> None:
        """Stop the bulk sender (unsent messages stay in the outbox for the next start)."""
        await self._outbox.close()
