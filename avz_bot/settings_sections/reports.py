"""Settings section ``[reports]``: Trend reports (issue 13)."""

from __future__ import annotations

from datetime import time

from pydantic import BaseModel, ConfigDict, Field


class ReportSettings(BaseModel):
    """The ``[reports]`` section."""

    model_config = ConfigDict(extra="forbid")

    #: Counts below this are shown as ``<threshold`` (and a complementary cell too);
    #: medians over fewer items are not shown.
    suppression_threshold: int = Field(default=5, ge=2, le=50)
    #: Post last month's report in the coordination room on the first working day of
    #: every month (and last quarter's on the first working day of a quarter).
    scheduled: bool = True
    #: Local time (Europe/Amsterdam) at which the scheduled report is posted.
    scheduled_time: time = time(8, 0)
    #: Minimum seconds between two refreshes of the /metrics gauges (one aggregate
    #: query per refresh, run when Prometheus scrapes).
    gauge_refresh_seconds: float = Field(default=30.0, ge=0)
