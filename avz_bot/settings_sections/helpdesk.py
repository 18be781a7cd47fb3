"""Settings section ``[helpdesk]``: Helpdesk rooms, themes, service levels and search (issue 12)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class HelpdeskSettings(BaseModel):
    """The ``[helpdesk]`` section."""

    model_config = ConfigDict(extra="forbid")
