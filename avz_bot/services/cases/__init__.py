"""Cases, case rooms and procesregie: one unit of work per command or job.

Every method runs inside the caller's transaction (the command's exactly-once
transaction, or a job's). It loads the case, lets the pure domain
(``avz_bot.domain.cases``) decide, then persists the resulting events: the case
tables, the audit trail (the case timeline is read from it), outgoing messages to
other rooms (outbox) and Matrix side effects such as creating a room or inviting
someone (durable jobs, run after the commit). Nothing here talks to Matrix directly.

:class:`CaseService` (``service``) is composed of its parts, each given what it needs:
``base`` (names, loading a case and its audit trail, the coordination room), ``view``
(every reply: the lines of a transition, the card, regie, roles, timeline),
``persisting`` (``CaseEvents``: one function per event type), ``opening``
(``!casus nieuw``), ``membership`` (people leaving and joining case rooms) and
``sweeps`` (lapsed proposals, cases without regie). The Matrix side (job kinds, the
case room's state) is in ``rooms``.
"""

from __future__ import annotations

from avz_bot.services.cases.base import Enqueue, LoadedCase
from avz_bot.services.cases.rooms import (
    BOT_POWER,
    JOB_CREATE_ROOM,
    JOB_INVITE,
    JOB_KICK,
    MEMBER_TITLE_MAX,
    case_room_state,
)
from avz_bot.services.cases.service import CaseService

__all__ = [
    "BOT_POWER",
    "JOB_CREATE_ROOM",
    "JOB_INVITE",
    "JOB_KICK",
    "MEMBER_TITLE_MAX",
    "CaseService",
    "Enqueue",
    "LoadedCase",
    "case_room_state",
]
