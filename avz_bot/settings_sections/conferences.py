"""Settings section ``[conferences]``: Case conferences (issue 15)."""

from __future__ import annotations

from datetime import time

from pydantic import BaseModel, ConfigDict, Field


class ConferenceSettings(BaseModel):
    """The ``[conferences]`` section.

    Reminders: one on the working day before the conference at ``day_before_at`` (local
    time, moved into office hours; it also posts the agenda) and one
    ``hour_before_minutes`` before the start when that falls within office hours.
    """

    model_config = ConfigDict(extra="forbid")

    #: Length of a conference when ``duur=`` is not given (minutes).
    default_duration_minutes: int = Field(default=60, ge=5, le=480)
    #: Local wall-clock time of the reminder on the working day before.
    day_before_at: time = time(9, 0)
    #: How long before the start the second reminder goes out (minutes).
    hour_before_minutes: int = Field(default=60, ge=1, le=240)
    #: At most this many items per agenda section (the rest is counted); per page of
    #: ``!overleggen``.
    list_limit: int = Field(default=10, ge=1, le=100)
    #: The domain part of the calendar files' UIDs (``ov-2026-0001@<uid_domain>``).
    uid_domain: str = Field(default="avz-bot", min_length=1, max_length=100)
