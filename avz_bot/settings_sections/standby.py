"""``[standby]``: a warm standby on PostgreSQL (README, "Warm standby")."""

from __future__ import annotations

import socket

from pydantic import BaseModel, ConfigDict, Field


class StandbySettings(BaseModel):
    """Two or more ``avz-bot run`` processes, one database: the lease holder acts."""

    model_config = ConfigDict(extra="forbid")

    #: Take part in the lease (needs PostgreSQL: ``storage.database_url``). Off: one
    #: process per data directory, guarded by the file lock only.
    enabled: bool = False
    #: A holder that has not renewed for this long is taken over (seconds). The holder
    #: renews every third of it and stops acting half of it after its last renewal began,
    #: so it has stopped before anyone can take over (clocks within lease/2 of each other).
    lease_seconds: float = Field(default=30.0, ge=3.0, le=300.0)
    #: This process's name in the lease (host name by default; the pid is appended).
    instance_name: str = Field(default_factory=socket.gethostname, min_length=1, max_length=100)
