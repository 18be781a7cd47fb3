"""Outbox transaction ids and the events a ``Reply`` becomes.

Messages are stored in the same transaction as the change that caused them and sent
after the commit (see ``avz_bot.runtime.delivery``). The transaction id is derived from
what triggered the message, so a retry can never post twice.
"""

from __future__ import annotations

import hashlib
from typing import Any

from avz_bot.domain.inbound import Reply


def txn_id_for(kind: str, key: str) -> str:
    """A transaction id derived from what triggered the message, so retries deduplicate."""
    digest = hashlib.sha256(f"{kind}:{key}".encode()).hexdigest()[:32]
    return f"avz-{kind}-{digest}"


def reply_events(
    txn_id: str,
    reply: Reply,
    in_reply_to: str | None = None,
    thread_root: str | None = None,
) -> list[tuple[str, dict[str, Any]]]:
    """``(txn_id, content)`` for every event of ``reply``: the text keeps ``txn_id``,
    attachment ``n`` gets ``…-n`` (stable across retries). The one place that queues them
    (with the size guard and the delivery lanes) is ``AppServices.queue``."""
    return [
        (txn_id if n == 0 else f"{txn_id}-{n}", content)
        for n, content in enumerate(reply.contents(in_reply_to, thread_root))
    ]
