"""Signals, matching, TVO triage, retention and the BSN guard: one unit of work per
command or job.

Every method runs inside the caller's transaction. It loads what it needs, lets the pure
domain (``avz_bot.domain.signals``) decide, persists each resulting event in the one
function registered for that event type (``SignalEvents`` in ``.persisting``, built once
per service), and returns a
reply rendered by :class:`avz_bot.services.signals.view.SignalView`. Identifiers (BSN,
name, date of birth) live only in the arguments of one call: they are turned into
pseudonyms here and never stored, logged, audited or repeated.

The service is one class assembled from its concepts: ``persons`` (register, match,
withdraw, retention, case person, ``!mijn``), ``triage`` (TVO) and ``in_case`` (signals
inside cases, the BSN guard), on the shared ``base``.
"""

from __future__ import annotations

from avz_bot.services.signals.base import (
    DIRECT_CHAT_MEMBERS,
    JOB_REDACT,
    JOB_RELIST,
    PersonArgs,
    parse_birth_date,
)
from avz_bot.services.signals.in_case import CaseSignals
from avz_bot.services.signals.persisting import JOB_RETENTION, SignalRefused
from avz_bot.services.signals.persons import PersonSignals
from avz_bot.services.signals.triage import TriageSignals


class SignalService(PersonSignals, TriageSignals, CaseSignals):
    """Signals inside one transaction (see the package docstring)."""


__all__ = [
    "DIRECT_CHAT_MEMBERS",
    "JOB_REDACT",
    "JOB_RELIST",
    "JOB_RETENTION",
    "PersonArgs",
    "SignalRefused",
    "SignalService",
    "parse_birth_date",
]
