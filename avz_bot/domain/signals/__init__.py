"""Signals about persons, privacy-preserving matching, TVO triage and retention: pure rules.

No I/O here. The design follows the Dutch *Verwijsindex risicojongeren* (Wet op de
jeugdzorg, art. 2b-2l; being phased out): a signal records only *that* a professional is
involved with a person, in which domain, never the content. Two signals of different
organisations on one person are a *match*: both professionals learn of each other, nobody
else learns anything, and nobody can browse or search signals.

Identifiers never leave this module in the clear: the service keeps only
:func:`pseudonym` values (HMAC-SHA-256, RFC 2104 / FIPS 198-1, over the normalised
identifier, with a secret key per *key version* and a label per *purpose*, so that a
signal pseudonym cannot be linked to a pseudonym made for anything else).

Who may do what, and where, is one table: :data:`PERMISSIONS` (checked by :func:`check`).
"""

from __future__ import annotations

from avz_bot.domain.signals.identifiers import (
    BSN_LENGTH,
    KEY_VERSION,
    IdentifierError,
    IdentifierKind,
    PersonIdentifier,
    Pseudonymiser,
    PseudonymKey,
    Purpose,
    bsn_identifier,
    contains_bsn,
    is_valid_bsn,
    key_version_of,
    name_identifier,
    normalise_bsn,
    normalise_name,
    pseudonym,
)
from avz_bot.domain.signals.lifecycle import (
    CaseMatchFound,
    Decision,
    MatchFound,
    Retention,
    RetentionStep,
    Severity,
    SignalDeleted,
    SignalEvent,
    SignalExpired,
    SignalStatus,
    SignalWithdrawn,
    StoredSignal,
    TriageStatus,
    add_years,
    is_active,
    matches_for,
    one_per_professional,
    retention_event,
    retention_step,
    signal_matches,
    withdraw,
)
from avz_bot.domain.signals.permissions import (
    PERMISSIONS,
    SIGNAL_REFERENCE,
    Place,
    Refused,
    Rule,
    SignalAction,
    SignalActor,
    SignalRefusal,
    actors_for,
    check,
    format_signal_reference,
    normalise_code,
    parse_signal_reference,
    permission_rows,
)

__all__ = [
    "BSN_LENGTH",
    "KEY_VERSION",
    "PERMISSIONS",
    "SIGNAL_REFERENCE",
    "CaseMatchFound",
    "Decision",
    "IdentifierError",
    "IdentifierKind",
    "MatchFound",
    "PersonIdentifier",
    "Place",
    "PseudonymKey",
    "Pseudonymiser",
    "Purpose",
    "Refused",
    "Retention",
    "RetentionStep",
    "Rule",
    "Severity",
    "SignalAction",
    "SignalActor",
    "SignalDeleted",
    "SignalEvent",
    "SignalExpired",
    "SignalRefusal",
    "SignalStatus",
    "SignalWithdrawn",
    "StoredSignal",
    "TriageStatus",
    "actors_for",
    "add_years",
    "bsn_identifier",
    "check",
    "contains_bsn",
    "format_signal_reference",
    "is_active",
    "is_valid_bsn",
    "key_version_of",
    "matches_for",
    "name_identifier",
    "normalise_bsn",
    "normalise_code",
    "normalise_name",
    "one_per_professional",
    "parse_signal_reference",
    "permission_rows",
    "pseudonym",
    "retention_event",
    "retention_step",
    "signal_matches",
    "withdraw",
]
