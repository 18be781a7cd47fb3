"""Settings section ``[operations]``: registry reload and housekeeping (issue 8)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: Never prune a handled event younger than this many days, whatever is configured: a
#: replay (restart after an outage, a sync token restored from a backup) re-delivers
#: events at most this old, and exactly-once depends on still finding them. Synapse
#: itself keeps room history indefinitely by default, so the bound is about how far back
#: the bot can be rewound (backups), not about the homeserver.
MIN_PROCESSED_EVENTS_DAYS = 30


class OperationsSettings(BaseModel):
    """The ``[operations]`` section."""

    model_config = ConfigDict(extra="forbid")

    #: At most this many open agreements are listed per member in the coordination room
    #: when a member leaves the registry ("… en nog N" for the rest).
    list_max_items: int = Field(default=10, ge=1, le=100)
    #: Handled events (the exactly-once record) are kept this many days.
    processed_events_days: float = Field(default=180, gt=0)
    #: Sent (or given-up) outbox messages are kept this many days.
    sent_outbox_days: float = Field(default=30, gt=0)
    #: Finished (done, failed, cancelled) scheduled jobs are kept this many days.
    finished_jobs_days: float = Field(default=30, gt=0)
    #: How often the retention job runs, in seconds.
    retention_interval_seconds: float = Field(default=86_400, ge=60)
    #: At most this many rows are deleted per table per run (short transactions).
    retention_batch: int = Field(default=5_000, ge=100)

    @model_validator(mode="after")
    def _keep_replays_exact(self) -> OperationsSettings:
        if self.processed_events_days < MIN_PROCESSED_EVENTS_DAYS:
            raise ValueError(
                f"processed_events_days must be at least {MIN_PROCESSED_EVENTS_DAYS}: "
                "a replayed sync could otherwise run a command twice"
            )
        return self
