"""Direct messages that accept reactions (e.g. an escalation ping a target can 👍).

The message itself goes through the one direct-message mechanism
(``avz_bot.services.direct``); this only registers its first event as a reaction target
under the transaction id it will be sent with, so the outbox can record the event id
once it is sent (``ReactionTargetRepository.record_sent``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.inbound import Reply
from avz_bot.services.direct import DirectMessages
from avz_bot.services.outbox import txn_id_for
from storage.outbox_repositories import ReactionTargetRepository


async def schedule_direct_message(
    session: AsyncSession,
    *,
    user: str,
    key: str,
    reply: Reply,
    now: datetime,
    reaction: tuple[str, str] | None = None,
) -> None:
    """Send ``reply`` to ``user``'s direct chat once per ``key``.

    ``reaction`` is ``(kind, entity_id)`` when reactions to the message are to be routed
    to the handler registered for ``kind`` (the room is recorded when it is sent).
    """
    await DirectMessages(session, now).send(user, key, reply)
    if reaction:
        kind, entity_id = reaction
        txn_id = txn_id_for("direct", key)  # the text event's (see reply_events)
        await ReactionTargetRepository(session).add(txn_id, kind, entity_id, "", now)
