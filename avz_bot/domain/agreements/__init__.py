"""Agreements (acties) and reminders: who may do what, and when to remind (pure).

- :mod:`.permissions`: who may do what with agreements and reminders, the table
  :data:`PERMISSIONS` and the one place it is enforced, :func:`check` (for an agreement
  the case comes first: membership, then a closed case, see :func:`check_case`);
- :mod:`.reminders`: when to remind people of an agreement's deadline, and whom.

The permissions are re-exported here (``from avz_bot.domain import agreements``).
"""

from __future__ import annotations

from avz_bot.domain.agreements.permissions import (
    PERMISSIONS,
    READ_ONLY_ACTIONS,
    Actor,
    AgreementAction,
    Ownership,
    Rule,
    Scope,
    actors_for,
    check,
    check_case,
    permission_table_rows,
)

__all__ = [
    "PERMISSIONS",
    "READ_ONLY_ACTIONS",
    "Actor",
    "AgreementAction",
    "Ownership",
    "Rule",
    "Scope",
    "actors_for",
    "check",
    "check_case",
    "permission_table_rows",
]
