"""Indexes for the retention job (see ``storage.models`` for the conventions).

The retention job deletes by age; without these its DELETEs would scan the whole
table. Imported at the end of ``storage.models`` so that ``Base.metadata`` holds them.
"""

from __future__ import annotations

from sqlalchemy import Index

from storage.models import ProcessedEventRecord, ScheduledJobRecord

#: ``DELETE FROM processed_events WHERE processed_at < ?`` (retention).
PROCESSED_EVENTS_AGE_INDEX = Index(
    "ix_processed_events_processed_at", ProcessedEventRecord.processed_at
)
#: ``DELETE FROM scheduled_jobs WHERE status IN (finished) AND done_at < ?`` (retention).
FINISHED_JOBS_AGE_INDEX = Index("ix_scheduled_jobs_done_at", ScheduledJobRecord.done_at)
