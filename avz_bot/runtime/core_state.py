"""What the parts of the inbound runtime share: collaborators passed in, not a base class.

``BotCore`` (``avz_bot.runtime.core``) implements the ``InboundPort``: commands, the BSN
guard, reactions and the sync token itself; invitations and memberships through its
``RoomEvents`` (``room_events``); events whose key has not arrived through its
``UndecryptableEvents`` (``undecryptable``). Each part gets a ``CoreParts`` (the database,
the services, the clock, the outbox, the replay horizon) and, where it marks the sync token
as due, the one ``TokenMark``. What they queue is sent by ``OutboxDelivery``
(``avz_bot.runtime.delivery``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from avz_bot.clock import Clock
from avz_bot.domain.inbound import IncomingReaction
from avz_bot.domain.partners import Member
from avz_bot.messages import Messages
from avz_bot.runtime.delivery import OutboxDelivery
from avz_bot.runtime.units import AppServices, UnitServices
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


@dataclass(frozen=True)
class CoreParts:
    """The collaborators every part of the inbound runtime uses (built once by ``BotCore``)."""

    db: Database
    services: AppServices
    messages: Messages
    clock: Clock
    outbox: OutboxDelivery
    #: Events older than this are history, never acted on: the retention job prunes their
    #: exactly-once records (see avz_bot.services.operations.retention).
    replay_horizon: timedelta | None = None

    def beyond_replay_horizon(self, sent_at: datetime) -> bool:
        """Whether an event is too old to act on (its record may have been pruned)."""
        horizon = self.replay_horizon
        return horizon is not None and sent_at < self.clock.now() - horizon


@dataclass
class TokenMark:
    """Whether an event that needs the stored sync token to move reached the core since
    the token was last saved (room and membership events do; commands and parked events
    are claimed by event id, so replaying them after a crash changes nothing)."""

    handled_since_token: bool = True
