"""Settings section ``[signals]``: Signals, TVO triage and matching (issue 10)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class SignalSettings(BaseModel):
    """The ``[signals]`` section."""

    model_config = ConfigDict(extra="forbid")
