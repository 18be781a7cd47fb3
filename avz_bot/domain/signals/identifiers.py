"""Identifiers of persons, only ever in passing: the BSN elfproef, name normalisation
and the versioned, domain-separated HMAC-SHA-256 pseudonyms (see the package)."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

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


class IdentifierProblem(StrEnum):
    """Why an identifier cannot be used (catalogue ``signal.identifier.<value>``)."""

    INVALID_BSN = "invalid_bsn"
    NAME_MISSING = "name_missing"
    BIRTHDATE_REQUIRED = "birthdate_required"


class IdentifierError(ValueError):
    """The identifier cannot be used; ``code`` names why (for a Dutch explanation)."""

    def __init__(self, code: IdentifierProblem) -> None:
        super().__init__(code.value)
        self.code = code


def bsn_identifier(raw: str) -> PersonIdentifier:
    """A BSN identifier; raises ``IdentifierError`` (``invalid_bsn``) if it fails the
    elfproef."""
    digits = normalise_bsn(raw)
    if digits is None:
        raise IdentifierError(IdentifierProblem.INVALID_BSN)
    return PersonIdentifier(IdentifierKind.BSN, digits)


def name_identifier(name: str, birth_date: date | None) -> PersonIdentifier:
    """The weak key: normalised name and date of birth (both required)."""
    normal = normalise_name(name)
    if not normal:
        raise IdentifierError(IdentifierProblem.NAME_MISSING)
    if birth_date is None:
        raise IdentifierError(IdentifierProblem.BIRTHDATE_REQUIRED)
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


__all__ = [
    "BSN_LENGTH",
    "KEY_VERSION",
    "IdentifierError",
    "IdentifierKind",
    "IdentifierProblem",
    "PersonIdentifier",
    "PseudonymKey",
    "Pseudonymiser",
    "Purpose",
    "bsn_identifier",
    "contains_bsn",
    "is_valid_bsn",
    "key_version_of",
    "name_identifier",
    "normalise_bsn",
    "normalise_name",
    "pseudonym",
]
