"""Escalations (opschalingen): the service of one unit of work, split by concept."""

from __future__ import annotations

from avz_bot.services.escalations.base import (
    JOB_ESCALATION_CLOCK,
    REACTION_KIND,
    is_acknowledgement,
)
from avz_bot.services.escalations.service import EscalationService

__all__ = ["JOB_ESCALATION_CLOCK", "REACTION_KIND", "EscalationService", "is_acknowledgement"]
