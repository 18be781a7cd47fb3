"""Settings section ``[privacy]``: the privacy officer's toolkit (issue 22)."""

from __future__ import annotations

from datetime import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

#: What an erasure does with one kind of data: remove it, or keep it (a legal duty).
ErasureRule = Literal["wissen", "bewaren"]


def _default_erasure() -> dict[str, ErasureRule]:
    return {
        # Signals and their matches exist only to find convergence: nothing requires
        # keeping them once the person asks (AVG art. 17(1)).
        "signals": "wissen",
        # The link of a case to the person's pseudonym (``!casus persoon``).
        "case_links": "wissen",
        # Access log entries are themselves a legal duty (NEN 7513, WGS accountability):
        # the person's pseudonym in them is crypto-shredded either way, the entries stay.
        "access_log": "bewaren",
    }


class PrivacySettings(BaseModel):
    """The ``[privacy]`` section.

    Requests of persons concerned: reminders to the privacy officer who registered one go
    out at ``reminder_at`` (local time) on the working day ``reminder_workdays_before``
    working days before it is due, and on the first working day after it lapsed.
    ``erasure`` says per kind of data what an erasure request does (see the README,
    "Privacy"); ``list_limit`` is the page size of the privacy lists.
    """

    model_config = ConfigDict(extra="forbid")

    reminder_workdays_before: list[int] = Field(default_factory=lambda: [5, 1])
    reminder_at: time = time(9, 0)
    list_limit: int = Field(default=20, ge=1, le=100)
    erasure: dict[Literal["signals", "case_links", "access_log"], ErasureRule] = Field(
        default_factory=_default_erasure  # type: ignore[arg-type]
    )
