"""The registration list: importing this module registers every table on ``Base.metadata``.

Each area declares its tables (and their indexes) in its own ``storage/<area>_models.py``
on the ``Base`` of ``storage.base``; a table exists for SQLAlchemy only once its module
has been imported. Whatever needs the whole schema (the migrations' ``env.py``, the schema
check, foreign keys between areas at flush time) imports this module; the ``storage``
package imports it first, so any use of ``storage`` has the whole schema. Models are
imported from their area's module, never from here. A new area adds its module below.
"""

from __future__ import annotations

from storage import (
    access_models,
    agreement_models,
    audit_models,
    board_models,
    case_models,
    conference_models,
    direct_models,
    escalation_models,
    helpdesk_models,
    outbox_models,
    privacy_models,
    registry_models,
    runtime_models,
    schedule_models,
    signal_intake_models,
    signal_models,
)

__all__ = [
    "access_models",
    "agreement_models",
    "audit_models",
    "board_models",
    "case_models",
    "conference_models",
    "direct_models",
    "escalation_models",
    "helpdesk_models",
    "outbox_models",
    "privacy_models",
    "registry_models",
    "runtime_models",
    "schedule_models",
    "signal_intake_models",
    "signal_models",
]
