"""Settings section ``[limits]``: reply size, list length and outbox pacing."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

#: Synapse (and the spec) refuse events over 65,536 bytes; an encrypted event is about
#: 4/3 of its plaintext plus the envelope, so replies must stay far below that.
HOMESERVER_EVENT_LIMIT = 65_536


class LimitSettings(BaseModel):
    """The ``[limits]`` section: what keeps replies and the outbox bounded at any scale."""

    model_config = ConfigDict(extra="forbid")

    #: Largest message content the bot queues, in bytes of its JSON (body plus HTML).
    #: Encrypted it grows by about a third, so 16,000 stays well under the 64 KiB limit.
    reply_max_bytes: int = Field(default=16_000, ge=2_000, le=40_000)
    #: Items one list shows per page (most urgent first; the rest via ``pagina=``).
    list_items: int = Field(default=15, ge=1, le=100)
    #: Outbox messages read (and sent) per round; a flush never reads more than this.
    outbox_batch: int = Field(default=25, ge=1, le=500)
    #: Bulk notifications (reminders, digests, reports) per second at most.
    bulk_per_second: float = Field(default=20.0, gt=0, le=1_000)
    #: First back-off after a transient send failure for a room, in seconds (doubles).
    retry_base_seconds: float = Field(default=2.0, gt=0)
    #: Longest back-off for one room, in seconds.
    retry_cap_seconds: float = Field(default=300.0, gt=0)
    #: Longest one send may take before it counts as a transient failure, in seconds.
    send_timeout_seconds: float = Field(default=30.0, gt=0)
