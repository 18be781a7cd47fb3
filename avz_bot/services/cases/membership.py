"""Membership events of a case room: someone left, was deregistered, or joined."""

from __future__ import annotations

from datetime import datetime

from avz_bot.domain import cases as domain
from avz_bot.domain.cases import Refusal
from avz_bot.domain.inbound import Reply
from avz_bot.services.cases.base import CaseStore
from avz_bot.services.cases.persisting import CaseEvents
from avz_bot.services.cases.view import CaseView
from storage.case_repositories import CaseRow


class CaseMembership:
    """Reacting to people leaving and joining case rooms, inside one transaction."""

    def __init__(
        self, store: CaseStore, *, events: CaseEvents, view: CaseView, now: datetime
    ) -> None:
        self._store = store
        self._events = events
        self._view = view
        self._now = now

    async def member_left(self, room_id: str, user: str, key: str) -> Reply | None:
        """Someone left (or was removed from) a case room: they lose every case role."""
        loaded = await self._store.load_for_room(room_id)
        if loaded is None or not loaded.state.is_member(user):
            return None
        outcome = domain.member_left(loaded.state, user, self._now)
        if isinstance(outcome, Refusal):
            return None  # e.g. a closed case: membership history stays as it was
        return await self._events.apply(loaded, outcome, room_id, key)

    async def member_deregistered(self, row: CaseRow, user: str, key: str) -> Reply | None:
        """``user`` left the partner registry: off the case (and its room), no roles.

        Returns the note for the case room, or ``None`` when nothing changed (not a
        member, or the case is closed).
        """
        loaded = await self._store.load(row)
        outcome = domain.member_deregistered(loaded.state, user, self._now)
        if isinstance(outcome, Refusal):
            return None
        return await self._events.apply(loaded, outcome, row.room_id or "", key)

    async def member_joined(self, room_id: str, user: str) -> Reply | None:
        """Someone joined a case room: welcome them with the case card."""
        loaded = await self._store.load_for_room(room_id)
        if loaded is None or not loaded.state.is_member(user):
            return None
        return await self._view.welcome(loaded, user)
