"""Membership events of a case room: someone left, was deregistered, or joined."""

from __future__ import annotations

from html import escape

from avz_bot.domain import cases as domain
from avz_bot.domain.cases import Refusal
from avz_bot.domain.inbound import Reply
from avz_bot.services.cases.persisting import CasePersisting
from avz_bot.services.cases.view import CaseViews
from storage.case_repositories import CaseRow


class CaseMembership(CaseViews, CasePersisting):
    """Reacting to people leaving and joining case rooms."""

    async def member_left(self, room_id: str, user: str, key: str) -> Reply | None:
        """Someone left (or was removed from) a case room: they lose every case role."""
        loaded = await self.load_for_room(room_id)
        if loaded is None or not loaded.state.is_member(user):
            return None
        outcome = domain.member_left(loaded.state, user, self._now)
        if isinstance(outcome, Refusal):
            return None  # e.g. a closed case: membership history stays as it was
        return await self.apply(loaded, outcome, room_id, key)

    async def member_deregistered(self, row: CaseRow, user: str, key: str) -> Reply | None:
        """``user`` left the partner registry: off the case (and its room), no roles.

        Returns the note for the case room, or ``None`` when nothing changed (not a
        member, or the case is closed).
        """
        loaded = await self._load(row)
        outcome = domain.member_deregistered(loaded.state, user, self._now)
        if isinstance(outcome, Refusal):
            return None
        return await self.apply(loaded, outcome, row.room_id or "", key)

    async def member_joined(self, room_id: str, user: str) -> Reply | None:
        """Someone joined a case room: welcome them with the case card."""
        loaded = await self.load_for_room(room_id)
        if loaded is None or not loaded.state.is_member(user):
            return None
        card = await self.card(loaded)
        welcome = self.t("case.welcome", reference=loaded.row.reference, name=await self.name(user))
        return _prepend(welcome, card)


def _prepend(first: str, reply: Reply) -> Reply:
    """``first`` as a paragraph before ``reply`` (keeping the reply's HTML)."""
    return Reply(plain=f"{first}\n{reply.plain}", html=f"{escape(first)}<br>{reply.html}")
