"""Settings section ``[reports]``: Trend reports (issue 13)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ReportSettings(BaseModel):
    """The ``[reports]`` section."""

    model_config = ConfigDict(extra="forbid")
