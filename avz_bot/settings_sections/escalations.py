"""Settings section ``[escalations]``: Escalation routes and clocks (issue 11)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class EscalationSettings(BaseModel):
    """The ``[escalations]`` section."""

    model_config = ConfigDict(extra="forbid")
