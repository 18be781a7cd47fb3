"""The partner registry as the bot reads it: a process-wide cache of the members.

Commands print names (``!casus``, ``!acties``, ``!tijdlijn``, ``!mijn``): loading the
whole registry for each of them grew with the province (500 members: most of a
command's time, and a full garbage collection every few commands), and every command,
reaction and invitation looks up its sender (two statements each, the largest share of
a ``!ping``'s database work). The registry only changes when its file is synchronised,
and that happens in the bot's own process only (start-up, and a reload asked for by
SIGHUP or ``avz-bot partners reload``, which signals the running bot): so the members
are read once and kept until :meth:`MemberDirectory.invalidate`, which
``Application.sync_partners`` calls after every synchronisation, committed or not.
Who may act is therefore decided on the registry as last synchronised — the same
answer a database read would give, without the reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.partners import Member
from storage.registry_repositories import PartnerRepository


class MemberDirectory:
    """Active registered members by Matrix id, and organisation names by code."""

    def __init__(self) -> None:
        self._members: Mapping[str, Member] | None = None
        self._org_names: Mapping[str, str] = {}
        self.loads = 0  # how often the registry was read (for tests and the benchmark)

    def invalidate(self) -> None:
        """Forget the cached registry; the next use reads it again. Call after every
        registry synchronisation (start-up, reload)."""
        self._members = None
        self._org_names = {}

    async def rebuild(self, session: AsyncSession) -> None:
        """Read the registry now (e.g. right after a reload, so no command pays for it)."""
        self.invalidate()
        await self.members(session)

    async def members(self, session: AsyncSession) -> Mapping[str, Member]:
        """Members by Matrix id (read-only), loaded on first use through ``session``."""
        if self._members is None:
            listed = await PartnerRepository(session).list_members()
            self._members = MappingProxyType({m.matrix_id: m for m in listed})
            self._org_names = MappingProxyType(
                {m.organisation.code: m.organisation.name for m in listed}
            )
            self.loads += 1
        return self._members

    def known(self) -> Mapping[str, Member] | None:
        """The cached members by Matrix id, or None while nothing is cached (no
        database work: the inbound path asks this first, so a command whose sender is
        known needs no ORM session)."""
        return self._members

    async def get(self, session: AsyncSession, matrix_id: str) -> Member | None:
        """The active registered member with exactly this Matrix id, or None (an
        unregistered sender, or one whose organisation is inactive)."""
        return (await self.members(session)).get(matrix_id)

    async def org_name(self, session: AsyncSession, code: str) -> str | None:
        """The name of organisation ``code`` (from its members), or None."""
        await self.members(session)
        return self._org_names.get(code)
