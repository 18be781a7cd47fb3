"""The access log: the one way product code records that case or person data was READ.

How to call it (NEN 7513: every access to a client's data is logged — when, who, in which
role, on whose behalf, what):

- In a command handler or an area service, inside the command's unit of work, note what
  the reply shows::

      from avz_bot.services.access_log import Shown
      unit.reads.note(Shown("case", "AVZ-2026-0001"), role="regiehouder")
      ctx.services.reads.note(*[Shown("signal", ref) for ref in refs])

  The runtime writes the notes of a command as ONE entry after the handler, with the
  reader (Matrix id), their organisation, the command name and the room
  (``avz_bot.runtime.core``); a refused command is rolled back and logs nothing, as
  nothing was shown. ``role`` is the reader's role for what was shown (e.g. in the
  case); without one the reader's network roles are recorded.
- Elsewhere (a job, a CLI, a web board), record an entry directly in your transaction::

      await AccessLog(session, now).record(
          reader="@anna:example.org", organisation="politie", role="professional",
          command="board.case", shown=[Shown("case", "AVZ-2026-0001")], room_id=None)

- Verify the chain (``avz-bot privacy verify-log``): ``await verify(session)`` →
  :class:`Verification` (entries checked, the first broken link or None).

``Shown.kind`` is one of :data:`KINDS`; ``reference`` is a case reference, signal
reference, pseudonym or another reference — never an identifier (BSN, name, birth date).
Entries are append-only and hash-chained (``avz_bot.domain.privacy.chain``); appends are
serialised by the head row, so concurrent writers on SQLite and PostgreSQL form one chain.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.partners import Member
from avz_bot.domain.privacy.chain import (
    GENESIS,
    Break,
    ChainEntry,
    Shown,
    check_head,
    first_break,
    seal,
)
from storage.access_repositories import AccessLogRepository

__all__ = ["KINDS", "AccessLog", "Reads", "Shown", "Verification", "verify"]

#: The kinds of things an entry can show.
KINDS = frozenset(
    {"case", "signal", "person", "conference", "escalation", "question", "report", "request"}
)

#: Entries read per batch when verifying.
VERIFY_BATCH = 2_000


@dataclass
class Reads:
    """What one unit of work showed its reader, noted by handlers and services
    (``unit.reads``); written by the runtime as one entry per command."""

    shown: list[Shown] = field(default_factory=list)
    role: str | None = None

    def note(self, *shown: Shown, role: str | None = None) -> None:
        """Note that the reply shows ``shown`` (duplicates are kept once); ``role`` is the
        reader's role for it (the first role noted wins)."""
        for item in shown:
            if item.kind not in KINDS:
                raise ValueError(f"unknown access log kind {item.kind!r}")
            if item not in self.shown:
                self.shown.append(item)
        if role is not None and self.role is None:
            self.role = role

    def __bool__(self) -> bool:
        return bool(self.shown)


def member_role(member: Member | None) -> str | None:
    """A reader's network roles as one text (``ketenmanager,professional``)."""
    if member is None:
        return None
    return ",".join(sorted(role.value for role in member.roles)) or None


class AccessLog:
    """Access log entries made in one transaction, at one moment."""

    def __init__(self, session: AsyncSession, now: datetime) -> None:
        self._repository = AccessLogRepository(session)
        self._now = now

    async def record(
        self,
        *,
        reader: str,
        organisation: str | None,
        role: str | None,
        command: str,
        shown: Sequence[Shown],
        room_id: str | None = None,
    ) -> None:
        """Append one entry (nothing when ``shown`` is empty)."""
        if not shown:
            return
        for item in shown:
            if item.kind not in KINDS:
                raise ValueError(f"unknown access log kind {item.kind!r}")
        await self._repository.append(
            [
                ChainEntry(
                    0,
                    self._now,
                    reader,
                    organisation,
                    (role or "")[:64] or None,
                    command[:64],
                    room_id,
                    tuple(seal(item, secrets.token_hex(16)) for item in shown),
                    "",
                )
            ]
        )

    async def record_reads(
        self, reads: Reads, *, member: Member | None, reader: str, command: str, room_id: str | None
    ) -> None:
        """Write a unit's notes as one entry (nothing when nothing was noted)."""
        if not reads:
            return
        await self.record(
            reader=reader,
            organisation=member.organisation.code if member else None,
            role=reads.role or member_role(member),
            command=command,
            shown=reads.shown,
            room_id=room_id,
        )


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of :func:`verify`: how many entries were checked, and the first break
    (None: the chain is whole)."""

    checked: int
    head_seq: int
    broken: Break | None


async def verify(session: AsyncSession, batch: int = VERIFY_BATCH) -> Verification:
    """Check the whole chain from its first entry, in batches of ``batch`` entries."""
    repository = AccessLogRepository(session)
    previous: tuple[int, str] = (0, GENESIS)
    checked = 0
    while True:
        entries = await repository.batch(previous[0], batch)
        if not entries:
            break
        broken, previous = first_break(entries, previous)
        if broken is not None:
            return Verification(previous[0], (await repository.head())[0], broken)
        checked += len(entries)
    head = await repository.head()
    return Verification(checked, head[0], check_head(previous, head))


def shown_all(kind: str, references: Iterable[str]) -> list[Shown]:
    """``Shown(kind, r)`` for every reference."""
    return [Shown(kind, reference) for reference in references]
