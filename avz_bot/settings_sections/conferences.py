"""Settings section ``[conferences]``: Case conferences (issue 15)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ConferenceSettings(BaseModel):
    """The ``[conferences]`` section."""

    model_config = ConfigDict(extra="forbid")
