"""The access log's hash chain (pure; NEN 7513 asks that access logs be protected against
tampering, this makes any change, removal or insertion detectable).

An entry's hash is SHA-256 (hex) over the canonical JSON of its content and the previous
entry's hash: ``[seq, occurred_at, reader, organisation, role, command, room_id,
[[kind, digest], …], prev_hash]`` with ``occurred_at`` as UTC ISO 8601 with
microseconds. The first entry's ``prev_hash`` is :data:`GENESIS`. Changing any field of
any entry, removing or inserting one, changes that entry's hash and so breaks the link
to the next one; :func:`first_break` finds the first such place.

What an entry showed enters the hash as a *digest* per item: SHA-256 over a random salt
(16 bytes, hex), the kind and the reference. An erasure (AVG art. 17) blanks a person's
pseudonym in the log by removing the reference AND the salt: the chain still verifies
(the digest stays), and the digest left behind can no longer be linked to the person
(crypto-shredding). A reference whose salt is kept must still match its digest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

#: ``prev_hash`` of the first entry (and the head's hash before any entry).
GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class Shown:
    """One thing a read showed: ``kind`` (``case``, ``signal``, ``person``, ``conference``,
    ``escalation``, ``question``, ``report``) and its reference (a case or signal
    reference, a pseudonym; never an identifier such as a BSN or name)."""

    kind: str
    reference: str


@dataclass(frozen=True, slots=True)
class ShownItem:
    """An item as stored: kind, reference and salt (both None once erased), digest."""

    kind: str
    reference: str | None
    salt: str | None
    digest: str


def item_digest(salt: str, kind: str, reference: str) -> str:
    """SHA-256 (hex) over ``salt``, ``kind`` and ``reference``."""
    return hashlib.sha256(f"{salt}|{kind}|{reference}".encode()).hexdigest()


def seal(shown: Shown, salt: str) -> ShownItem:
    """``shown`` as stored, with its salt and digest."""
    return ShownItem(
        shown.kind, shown.reference, salt, item_digest(salt, shown.kind, shown.reference)
    )


def item_intact(item: ShownItem) -> bool:
    """Whether a kept reference still matches its digest (an erased one always does)."""
    if item.reference is None or item.salt is None:
        return item.reference is None and item.salt is None
    return item_digest(item.salt, item.kind, item.reference) == item.digest


@dataclass(frozen=True, slots=True)
class ChainEntry:
    """An access log entry as the chain sees it."""

    seq: int
    occurred_at: datetime
    reader: str
    organisation: str | None
    role: str | None
    command: str
    room_id: str | None
    shown: tuple[ShownItem, ...]
    prev_hash: str
    hash: str = ""


def entry_hash(entry: ChainEntry) -> str:
    """The hash ``entry`` must carry (its own ``hash`` field is not part of it)."""
    at = entry.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    content = [
        entry.seq,
        at,
        entry.reader,
        entry.organisation,
        entry.role,
        entry.command,
        entry.room_id,
        [[item.kind, item.digest] for item in entry.shown],
        entry.prev_hash,
    ]
    canonical = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Break:
    """Where the chain is broken: at entry ``seq`` (the first bad one), and why
    (``hash``: its content does not match its hash; ``link``: its ``prev_hash`` is not the
    previous entry's hash; ``gap``: entries are missing before it; ``head``: the chain
    ends before the recorded head, entries were removed at the end)."""

    seq: int
    reason: str


def first_break(
    entries: Iterable[ChainEntry], previous: tuple[int, str] = (0, GENESIS)
) -> tuple[Break | None, tuple[int, str]]:
    """The first break among ``entries`` (in ``seq`` order) continuing from
    ``previous`` = (seq, hash) of the entry before them; and the last (seq, hash) seen,
    to continue with the next batch."""
    last_seq, last_hash = previous
    for entry in entries:
        if entry.seq != last_seq + 1:
            return Break(last_seq + 1, "gap"), (last_seq, last_hash)
        if entry.prev_hash != last_hash:
            return Break(entry.seq, "link"), (last_seq, last_hash)
        if entry_hash(entry) != entry.hash or not all(map(item_intact, entry.shown)):
            return Break(entry.seq, "hash"), (last_seq, last_hash)
        last_seq, last_hash = entry.seq, entry.hash
    return None, (last_seq, last_hash)


def check_head(last: tuple[int, str], head: tuple[int, str]) -> Break | None:
    """Whether the chain ends where the head says (entries removed at the end, or the
    head itself changed, show here)."""
    if last == head:
        return None
    return Break(min(last[0], head[0]) + 1, "head")


def chain(entries: Sequence[ChainEntry], previous: tuple[int, str]) -> list[ChainEntry]:
    """``entries`` (their seq, prev_hash and hash are ignored) linked after ``previous``."""
    linked: list[ChainEntry] = []
    seq, prev = previous
    for entry in entries:
        seq += 1
        bare = replace(entry, seq=seq, prev_hash=prev, hash="")
        prev = entry_hash(bare)
        linked.append(replace(bare, hash=prev))
    return linked
