"""Queuing messages in the outbox: the one place a ``Reply`` becomes outbox rows.

Messages are stored in the same transaction as the change that caused them and sent
after the commit (see ``BotCore.flush_outbox``). The transaction id is derived from
what triggered the message, so a retry can never post twice.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from avz_bot.domain.inbound import Reply
from storage.repositories import OutboxRepository


def txn_id_for(kind: str, key: str) -> str:
    """A transaction id derived from what triggered the message, so retries deduplicate."""
    digest = hashlib.sha256(f"{kind}:{key}".encode()).hexdigest()[:32]
    return f"avz-{kind}-{digest}"


def reply_events(
    kind: str,
    key: str,
    reply: Reply,
    in_reply_to: str | None = None,
    thread_root: str | None = None,
) -> list[tuple[str, dict[str, Any]]]:
    """``(txn_id, content)`` for every event of ``reply``: the text keeps the plain
    transaction id, attachment ``n`` gets ``…-n`` (stable across retries)."""
    base = txn_id_for(kind, key)
    return [
        (base if n == 0 else f"{base}-{n}", content)
        for n, content in enumerate(reply.contents(in_reply_to, thread_root))
    ]


async def queue_reply(
    outbox: OutboxRepository,
    kind: str,
    key: str,
    room_id: str,
    reply: Reply,
    now: datetime,
    in_reply_to: str | None = None,
    thread_root: str | None = None,
) -> None:
    """Queue ``reply`` (text and attachments) for ``room_id``; idempotent per ``(kind, key)``."""
    for txn_id, content in reply_events(kind, key, reply, in_reply_to, thread_root):
        await outbox.add(txn_id, room_id, content, now)
