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

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType

from avz_bot.domain.partners import Member, Role, ScopedRoleKind

# --------------------------------------------------------------------------- BSN


BSN_LENGTH = 9
#: The elfproef weights of a BSN's nine digits (the last one counts negatively).
_BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)
#: Nine digits, optionally grouped by single spaces, dots or dashes ("123 456 782",
#: "1234.56.782"), not glued to other letters or digits (so longer numbers and ids with
#: digits in them are not split into a candidate).
_BSN_IN_TEXT = re.compile(r"(?<![\w])\d(?:[ .\-]?\d){8}(?![\w])")
_SEPARATORS = re.compile(r"[ .\-]")


def is_valid_bsn(digits: str) -> bool:
    """Whether nine digits pass the BSN *elfproef* (eleven-test).

    Source: the BSN specification of the Dutch government (Logius, "Burgerservicenummer",
    and the Wet algemene bepalingen burgerservicenummer): 9·d1 + 8·d2 + … + 2·d8 − 1·d9
    must be divisible by 11. ``000000000`` passes the arithmetic but is no number.
    """
    if len(digits) != BSN_LENGTH or not digits.isascii() or not digits.isdigit():
        return False
    if digits == "0" * BSN_LENGTH:
        return False
    total = sum(int(d) * w for d, w in zip(digits, _BSN_WEIGHTS, strict=True))
    return total % 11 == 0


def normalise_bsn(raw: str) -> str | None:
    """The nine digits of a typed BSN (spaces, dots, dashes removed; an 8-digit number
    gets its leading zero back), or None when it is not a valid BSN."""
    digits = _SEPARATORS.sub("", raw.strip())
    if len(digits) == BSN_LENGTH - 1 and digits.isdigit():
        digits = "0" + digits
    return digits if is_valid_bsn(digits) else None


def contains_bsn(text: str) -> bool:
    """Whether ``text`` contains a number that passes the elfproef.

    The one check used wherever free text enters (command arguments, messages in shared
    rooms). Numbers that fail the elfproef (phone numbers, case numbers, postcodes) are
    left alone; a random 9-digit number passes with a chance of about 1 in 11.
    """
    for found in _BSN_IN_TEXT.finditer(text):
        if is_valid_bsn(_SEPARATORS.sub("", found.group(0))):
            return True
    return False


# --------------------------------------------------------------------------- names


def normalise_name(name: str) -> str:
    """A name in the form used for the weak key: case folded, diacritics removed
    (Unicode NFKD, combining marks dropped), every run of white space one space.

    ``"  Özil  de   JONG "`` → ``"ozil de jong"``. Punctuation is kept: "d'Hondt"
    and "dHondt" are different people as far as the bot can tell.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


# --------------------------------------------------------------------------- pseudonyms


class Purpose(StrEnum):
    """What a pseudonym is for: the HMAC label, so pseudonyms of different purposes
    cannot be linked even under the same key."""

    #: The person a signal (or a case's central person) is about.
    SIGNAL_PERSON = "avz-bot/signals/person"


class IdentifierKind(StrEnum):
    """Which identifier a pseudonym was made from."""

    BSN = "bsn"
    #: Name plus date of birth: a weaker key (namesakes, typing variants), marked as such.
    NAME_BIRTHDATE = "naam"


@dataclass(frozen=True, slots=True)
class PersonIdentifier:
    """A normalised identifier of a person. Lives only for the duration of one command."""

    kind: IdentifierKind
    value: str

    @property
    def weak(self) -> bool:
        """Whether this is the weaker name-and-birth-date key."""
        return self.kind is IdentifierKind.NAME_BIRTHDATE

    def __repr__(self) -> str:  # never show the identifier in logs or tracebacks
        return f"PersonIdentifier(kind={self.kind.value!r}, value=<hidden>)"


class IdentifierError(ValueError):
    """The identifier cannot be used; ``code`` names why (for a Dutch explanation)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def bsn_identifier(raw: str) -> PersonIdentifier:
    """A BSN identifier; raises ``IdentifierError("invalid_bsn")`` if it fails the elfproef."""
    digits = normalise_bsn(raw)
    if digits is None:
        raise IdentifierError("invalid_bsn")
    return PersonIdentifier(IdentifierKind.BSN, digits)


def name_identifier(name: str, birth_date: date | None) -> PersonIdentifier:
    """The weak key: normalised name and date of birth (both required)."""
    normal = normalise_name(name)
    if not normal:
        raise IdentifierError("name_missing")
    if birth_date is None:
        raise IdentifierError("birthdate_required")
    return PersonIdentifier(IdentifierKind.NAME_BIRTHDATE, f"{normal}|{birth_date.isoformat()}")


KEY_VERSION = re.compile(r"^v[1-9][0-9]{0,3}$")


@dataclass(frozen=True)
class PseudonymKey:
    """One version of the secret key (``v1``, ``v2``…). At least 32 bytes of secret."""

    version: str
    secret: bytes

    def __post_init__(self) -> None:
        if not KEY_VERSION.match(self.version):
            raise ValueError("key version must look like v1, v2, …")
        if len(self.secret) < 32:
            raise ValueError("a pseudonym key needs at least 32 bytes")

    def __repr__(self) -> str:
        return f"PseudonymKey(version={self.version!r}, secret=<hidden>)"


def pseudonym(key: PseudonymKey, purpose: Purpose, identifier: PersonIdentifier) -> str:
    """``<version>:<hex HMAC-SHA-256>`` of the identifier under ``key`` for ``purpose``.

    The message is ``purpose NUL kind NUL value`` (NUL cannot occur in the parts), so
    the purpose label separates domains and the kind separates a BSN from a name key.
    """
    message = "\x00".join((purpose.value, identifier.kind.value, identifier.value))
    digest = hmac.new(key.secret, message.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{key.version}:{digest}"


@dataclass(frozen=True)
class Pseudonymiser:
    """The key versions in force; ``current`` makes new pseudonyms, all of them match.

    Rotation (see ``avz-bot signals rotate-key``): add a new version and make it current;
    old signals keep their old-version pseudonym and still match, because matching
    computes the identifier's pseudonym under every version in force. A version may be
    retired once no stored pseudonym uses it any more.
    """

    keys: tuple[PseudonymKey, ...]
    current: str

    def __post_init__(self) -> None:
        versions = [k.version for k in self.keys]
        if len(set(versions)) != len(versions):
            raise ValueError("a key version is listed twice")
        if self.current not in versions:
            raise ValueError(f"the current key version {self.current!r} has no key")

    def make(self, identifier: PersonIdentifier, purpose: Purpose) -> str:
        """The pseudonym to store (current key version)."""
        key = next(k for k in self.keys if k.version == self.current)
        return pseudonym(key, purpose, identifier)

    def candidates(self, identifier: PersonIdentifier, purpose: Purpose) -> tuple[str, ...]:
        """The identifier's pseudonym under every version in force (for matching)."""
        return tuple(pseudonym(k, purpose, identifier) for k in self.keys)

    @property
    def versions(self) -> tuple[str, ...]:
        """The versions in force."""
        return tuple(k.version for k in self.keys)


def key_version_of(stored: str) -> str:
    """The key version part of a stored pseudonym."""
    return stored.split(":", 1)[0]


# --------------------------------------------------------------------------- life cycle


class SignalStatus(StrEnum):
    """A person signal's life cycle. ``actief`` signals match; the others never again."""

    ACTIEF = "actief"
    INGETROKKEN = "ingetrokken"  # withdrawn by its professional (unjustified, risk gone)
    VERLOPEN = "verlopen"  # the active period ended: archived for accountability only


class TriageStatus(StrEnum):
    """Where a signal stands in its municipality's TVO triage."""

    OPEN = "open"  # awaiting a decision (on the agenda)
    MONITOREN = "monitoren"  # decided to watch: back on the agenda at ``relist_at``
    CASUS = "casus"  # a case was opened
    GEEN_ACTIE = "geen-actie"  # decided: no action


class Decision(StrEnum):
    """What ``!tvo besluit`` may decide (the words users type)."""

    CASUS = "casus"
    MONITOREN = "monitoren"
    GEEN_ACTIE = "geen-actie"

    @property
    def triage_status(self) -> TriageStatus:
        """The triage status this decision leads to."""
        return TriageStatus(self.value)


class Severity(StrEnum):
    """The severity of a signal recorded inside a case (``ernst=``)."""

    LAAG = "laag"
    MIDDEN = "midden"
    HOOG = "hoog"


def add_years(instant: datetime, years: int) -> datetime:
    """The same wall-clock moment ``years`` later (29 February becomes 28 February)."""
    try:
        return instant.replace(year=instant.year + years)
    except ValueError:
        return instant.replace(year=instant.year + years, day=28)


@dataclass(frozen=True, slots=True)
class Retention:
    """How long signals match and are kept (years, as the Verwijsindex counted)."""

    active_years: int = 2
    archive_years: int = 5

    def expires_at(self, created_at: datetime) -> datetime:
        """When a signal stops matching."""
        return add_years(created_at, self.active_years)

    def delete_at(self, ended_at: datetime) -> datetime:
        """When a signal that stopped matching at ``ended_at`` is deleted."""
        return add_years(ended_at, self.archive_years)


class RetentionStep(StrEnum):
    """What is due for a signal at a given moment."""

    NONE = "none"
    EXPIRE = "expire"  # active → verlopen (stops matching)
    DELETE = "delete"  # the row goes; the audit trail keeps the reference


def retention_step(
    status: SignalStatus, expires_at: datetime, delete_at: datetime | None, now: datetime
) -> RetentionStep:
    """What the retention job must do now for a signal in ``status``.

    Deletion comes first: a signal past its deletion moment is deleted whatever its
    status (a bot that was down for years does not archive before deleting).
    """
    if delete_at is not None and now >= delete_at:
        return RetentionStep.DELETE
    if status is SignalStatus.ACTIEF and now >= expires_at:
        return RetentionStep.EXPIRE
    return RetentionStep.NONE


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True, slots=True)
class StoredSignal:
    """What matching needs to know about a stored signal (no identifier)."""

    id: int
    reference: str
    organisation_code: str
    professional: str
    status: SignalStatus
    expires_at: datetime
    created_at: datetime


def is_active(signal: StoredSignal, now: datetime) -> bool:
    """Whether ``signal`` still matches: status actief and its active period not over
    (an expiry job that has not run yet does not keep a signal matching)."""
    return signal.status is SignalStatus.ACTIEF and now < signal.expires_at


def signal_matches(
    organisation_code: str, same_person: Iterable[StoredSignal], now: datetime
) -> list[StoredSignal]:
    """The stored signals a new signal of ``organisation_code`` matches, oldest first.

    ``same_person`` are the stored signals with one of the new signal's candidate
    pseudonyms. A match needs an active signal of **another** organisation: signals of
    the same organisation never match each other (they already know).
    """
    found = [
        s for s in same_person if is_active(s, now) and s.organisation_code != organisation_code
    ]
    return sorted(found, key=lambda s: (s.created_at, s.id))


def one_per_professional(signals: Sequence[StoredSignal]) -> list[StoredSignal]:
    """The oldest matching signal of each professional (one message per person)."""
    seen: set[str] = set()
    kept = []
    for signal in signals:
        if signal.professional not in seen:
            seen.add(signal.professional)
            kept.append(signal)
    return kept


# --------------------------------------------------------------------------- permissions


class SignalAction(StrEnum):
    """Everything one can do with signals; the keys of :data:`PERMISSIONS`."""

    REGISTER = "register"  # !signaal bsn=… / naam=…
    WITHDRAW = "withdraw"  # !signaal intrekken
    CASE_SIGNAL = "case_signal"  # !signaal in a case room
    CASE_SIGNALS_VIEW = "case_signals_view"  # !signalen
    LINK_PERSON = "link_person"  # !casus persoon
    TVO_AGENDA = "tvo_agenda"  # !tvo agenda
    TVO_DECIDE = "tvo_decide"  # !tvo besluit


class SignalActor(StrEnum):
    """A relationship someone can have to what the action is about."""

    PARTNER = "partner"  # any registered partner
    SIGNALLER = "signaller"  # registered the signal concerned
    CASE_MEMBER = "case_member"  # member of the case of this room
    REGIEHOUDER = "regiehouder"  # holds regie of the case concerned
    KETENMANAGER = "ketenmanager"  # network role ketenmanager
    TVO = "tvo"  # scoped role tvo for the municipality concerned


class Place(StrEnum):
    """Where an action may be taken."""

    DIRECT_CHAT = "direct_chat"  # encrypted, only the sender and the bot
    CASE_ROOM = "case_room"
    TVO_ROOM = "tvo_room"  # the municipality's intake/TVO room


@dataclass(frozen=True, slots=True)
class Rule:
    """Who may take an action, and where."""

    actors: frozenset[SignalActor]
    place: Place


PERMISSIONS: Mapping[SignalAction, Rule] = MappingProxyType(
    {
        SignalAction.REGISTER: Rule(frozenset({SignalActor.PARTNER}), Place.DIRECT_CHAT),
        SignalAction.WITHDRAW: Rule(frozenset({SignalActor.SIGNALLER}), Place.DIRECT_CHAT),
        SignalAction.CASE_SIGNAL: Rule(frozenset({SignalActor.CASE_MEMBER}), Place.CASE_ROOM),
        SignalAction.CASE_SIGNALS_VIEW: Rule(frozenset({SignalActor.CASE_MEMBER}), Place.CASE_ROOM),
        SignalAction.LINK_PERSON: Rule(frozenset({SignalActor.REGIEHOUDER}), Place.DIRECT_CHAT),
        SignalAction.TVO_AGENDA: Rule(
            frozenset({SignalActor.KETENMANAGER, SignalActor.TVO}), Place.TVO_ROOM
        ),
        SignalAction.TVO_DECIDE: Rule(
            frozenset({SignalActor.KETENMANAGER, SignalActor.TVO}), Place.TVO_ROOM
        ),
    }
)
"""Who may do what with signals, and where. The README's table is rendered from it."""


def actors_for(
    member: Member,
    *,
    municipality: str | None = None,
    signaller: str | None = None,
    case_members: Iterable[str] = (),
    regie_holder: str | None = None,
) -> frozenset[SignalActor]:
    """The member's relationships to what an action concerns.

    ``municipality`` is the municipality of the TVO room (for the scoped ``tvo`` role),
    ``signaller`` who registered the signal concerned, ``case_members``/``regie_holder``
    describe the case concerned.
    """
    found = {SignalActor.PARTNER}
    if member.has_role(Role.KETENMANAGER):
        found.add(SignalActor.KETENMANAGER)
    if municipality is not None and member.holds(ScopedRoleKind.TVO, municipality):
        found.add(SignalActor.TVO)
    if signaller is not None and signaller == member.matrix_id:
        found.add(SignalActor.SIGNALLER)
    if member.matrix_id in set(case_members):
        found.add(SignalActor.CASE_MEMBER)
    if regie_holder is not None and regie_holder == member.matrix_id:
        found.add(SignalActor.REGIEHOUDER)
    return frozenset(found)


class SignalRefusal(StrEnum):
    """Why an action was refused (each has a Dutch explanation in the catalogue)."""

    WRONG_PLACE = "wrong_place"  # params: place
    NOT_PERMITTED = "not_permitted"  # params: allowed
    NOT_ACTIVE = "not_active"  # params: status


@dataclass(frozen=True, slots=True)
class Refused:
    """A refused action, with the parameters of its explanation."""

    code: SignalRefusal
    params: Mapping[str, str]


def check(
    action: SignalAction, actors: frozenset[SignalActor], place: Place | None
) -> Refused | None:
    """None when ``actors`` may take ``action`` in ``place``; else why not.

    The place is checked first: a BSN typed outside a direct chat must be refused before
    anything else is said about it.
    """
    rule = PERMISSIONS[action]
    if place is not rule.place:
        return Refused(SignalRefusal.WRONG_PLACE, {"place": rule.place.value})
    if not actors & rule.actors:
        allowed = ",".join(a.value for a in SignalActor if a in rule.actors)
        return Refused(SignalRefusal.NOT_PERMITTED, {"allowed": allowed})
    return None


def permission_rows() -> list[tuple[SignalAction, list[SignalActor], Place]]:
    """The permission table in a stable order (for the README)."""
    return [
        (action, [a for a in SignalActor if a in rule.actors], rule.place)
        for action, rule in PERMISSIONS.items()
    ]


# --------------------------------------------------------------------------- references

SIGNAL_REFERENCE = re.compile(r"^SIG-(\d{4})-(\d{1,6})$", re.IGNORECASE)


def format_signal_reference(year: int, number: int) -> str:
    """The reference users see: ``SIG-2026-0007``."""
    return f"SIG-{year}-{number:04d}"


def parse_signal_reference(text: str) -> tuple[int, int] | None:
    """(year, number) of a typed signal reference, or None."""
    found = SIGNAL_REFERENCE.match(text.strip())
    return (int(found.group(1)), int(found.group(2))) if found else None


def normalise_code(value: str) -> str:
    """A typed category or municipality as a configuration code (lower case, dashes)."""
    return "-".join(normalise_name(value).split())


# --------------------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class SignalEvent:
    """Something that happened to a signal; the service persists each kind in one place."""


@dataclass(frozen=True, slots=True)
class MatchFound(SignalEvent):
    """A new signal matched an active signal of another organisation."""

    new: StoredSignal
    other: StoredSignal


@dataclass(frozen=True, slots=True)
class CaseMatchFound(SignalEvent):
    """A new signal is about the linked central person of an open case."""

    new: StoredSignal
    case_id: int


@dataclass(frozen=True, slots=True)
class SignalWithdrawn(SignalEvent):
    """The signalling professional withdrew the signal (it stops matching now)."""

    signal: StoredSignal
    reason: str
    delete_at: datetime


@dataclass(frozen=True, slots=True)
class SignalExpired(SignalEvent):
    """The active period ended: archived (kept, never matching) until ``delete_at``."""

    signal: StoredSignal
    delete_at: datetime


@dataclass(frozen=True, slots=True)
class SignalDeleted(SignalEvent):
    """The archive period ended: the signal is deleted (the audit keeps the reference)."""

    signal: StoredSignal


def matches_for(
    new: StoredSignal,
    same_person: Iterable[StoredSignal],
    open_case_ids: Iterable[int],
    now: datetime,
) -> list[SignalEvent]:
    """The match events of a newly stored signal: one per matching signal of another
    organisation (oldest first) and one per open case linked to the same person."""
    others = [s for s in same_person if s.id != new.id]
    events: list[SignalEvent] = [
        MatchFound(new, other) for other in signal_matches(new.organisation_code, others, now)
    ]
    events.extend(CaseMatchFound(new, case_id) for case_id in sorted(set(open_case_ids)))
    return events


def withdraw(
    signal: StoredSignal, actor: Member, reason: str, now: datetime, retention: Retention
) -> SignalWithdrawn | Refused:
    """``!signaal intrekken``: only its own professional, only while it is active."""
    actors = actors_for(actor, signaller=signal.professional)
    refused = check(SignalAction.WITHDRAW, actors, Place.DIRECT_CHAT)
    if refused is not None:
        return refused
    if signal.status is not SignalStatus.ACTIEF:
        return Refused(SignalRefusal.NOT_ACTIVE, {"status": signal.status.value})
    return SignalWithdrawn(signal, reason, retention.delete_at(now))


def retention_event(
    signal: StoredSignal, delete_at: datetime | None, now: datetime, retention: Retention
) -> SignalEvent | None:
    """What the retention job does now (see :func:`retention_step`)."""
    step = retention_step(signal.status, signal.expires_at, delete_at, now)
    if step is RetentionStep.DELETE:
        return SignalDeleted(signal)
    if step is RetentionStep.EXPIRE:
        return SignalExpired(signal, retention.delete_at(signal.expires_at))
    return None
