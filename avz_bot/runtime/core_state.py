"""What every part of ``BotCore`` shares: its dependencies, its state and its wiring.

``BotCore`` (``avz_bot.runtime.core``) implements the ``InboundPort`` in parts, one
mechanism per module, all on this base: commands, the BSN guard, reactions and the sync
token in ``core``; invitations and memberships in ``room_events``; events whose key has
not arrived in ``undecryptable``. What they queue is sent by ``OutboxDelivery``
(``avz_bot.runtime.delivery``), an object of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Protocol

from avz_bot.clock import Clock
from avz_bot.domain.inbound import IncomingReaction
from avz_bot.domain.partners import Member
from avz_bot.messages import Messages
from avz_bot.metrics import BotMetrics
from avz_bot.ports import Gateway
from avz_bot.runtime.delivery import OutboxDelivery
from avz_bot.runtime.units import AppServices, UnitServices
from commands.framework import Dispatcher
from storage.db import Database
from storage.outbox_repositories import ReactionTargetRow


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


class CoreState:
    """The dependencies and state of ``BotCore``, set up once (see the module docstring)."""

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
        # their exactly-once records (see avz_bot.services.operations.retention).
        self._replay_horizon = replay_horizon
        self._dispatcher = dispatcher
        self._messages = messages
        self._services = services
        self._clock = clock
        self._metrics = metrics
        self._allowed_servers = frozenset(allowed_servers)
        self._grace = undecryptable_grace
        self._outbox = OutboxDelivery(
            database=database, messages=messages, services=services, clock=clock, metrics=metrics
        )
        self._jobs: JobRunner | None = None
        self._explained_recently: dict[tuple[str, str], datetime] = {}
        self._reaction_handlers: dict[str, ReactionHandler] = {}
        # Per-sync work that usually finds nothing is skipped while nothing can be there
        # (profiled: these queries were half the bot's CPU per command). Parked events
        # only come from ``undecryptable``; the outbox has its own flag (``due``).
        self._maybe_undecryptable = True
        # The stored sync token need not move after every batch: commands and parked
        # events are claimed by event id, so replaying them after a crash changes nothing.
        # Room and membership events are saved at once; otherwise at least every
        # SYNC_TOKEN_INTERVAL.
        self._handled_since_token = True
        self._token_saved_at: datetime | None = None

    def _beyond_replay_horizon(self, sent_at: datetime) -> bool:
        """Whether an event is too old to act on (its record may have been pruned)."""
        horizon = self._replay_horizon
        return horizon is not None and sent_at < self._clock.now() - horizon

    def attach_gateway(self, gateway: Gateway) -> None:
        """Set the outbound gateway (the adapter; wired by the composition root)."""
        self._outbox.attach_gateway(gateway)

    def attach_jobs(self, jobs: JobRunner) -> None:
        """Set the scheduler that runs side effects and timers (composition root)."""
        self._jobs = jobs
