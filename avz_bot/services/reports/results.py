"""What the report service hands to its renderers: one computed ``Report``.

Below ``service``, ``view`` and ``render``: the service builds a ``Report`` and passes it
to the view (words) and the renderers (charts, CSV, HTML), which draw it without
knowing the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from avz_bot.domain.reports.figures import Section
from avz_bot.domain.reports.periods import Period


@dataclass(frozen=True)
class Report:
    """A computed report: the sections in order, for ``period`` against ``previous``."""

    period: Period
    previous: Period
    municipality: str | None
    generated_at: datetime
    threshold: int
    sections: tuple[Section, ...]
