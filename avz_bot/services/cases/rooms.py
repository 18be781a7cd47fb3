"""The Matrix side of a case: the job kinds for its room's side effects, and the room itself.

The service never talks to Matrix: it queues durable jobs of these kinds (run by the
scheduler after the commit, see :mod:`avz_bot.services.cases.jobs`), and a case room is
created with :func:`case_room_state`.
"""

from __future__ import annotations

from typing import Any

#: Job kinds for the Matrix side effects of case commands (run by the scheduler).
JOB_CREATE_ROOM = "room.create_case"
JOB_INVITE = "room.invite"
JOB_KICK = "room.kick"

#: Power levels of a case room: only the bot (100) invites, removes and changes state.
BOT_POWER = 100
MEMBER_TITLE_MAX = 120


def case_room_state() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Power levels and initial state of a case room (see README, "Case rooms").

    Presets are not trusted: every security-relevant state event is set explicitly.
    The bot, as the room's creator, is the only one with power: in room version 12 the
    creator's power is implicit (and it may not be listed in ``users``); in older
    versions the homeserver's default ``users`` map gives the creator 100. So
    ``users`` is left to the homeserver and nobody else is ever added to it.
    """
    power_levels = {
        "users_default": 0,
        "events_default": 0,
        "state_default": BOT_POWER,
        "invite": BOT_POWER,
        "kick": BOT_POWER,
        "ban": BOT_POWER,
        "redact": BOT_POWER,
        "events": {
            "m.room.name": BOT_POWER,
            "m.room.topic": BOT_POWER,
            "m.room.avatar": BOT_POWER,
            "m.room.power_levels": BOT_POWER,
            "m.room.history_visibility": BOT_POWER,
            "m.room.join_rules": BOT_POWER,
            "m.room.guest_access": BOT_POWER,
            "m.room.encryption": BOT_POWER,
            "m.room.canonical_alias": BOT_POWER,
            "m.room.server_acl": BOT_POWER,
            "m.room.tombstone": BOT_POWER,
        },
    }
    initial_state = [
        {
            "type": "m.room.encryption",
            "state_key": "",
            "content": {"algorithm": "m.megolm.v1.aes-sha2"},
        },
        {"type": "m.room.join_rules", "state_key": "", "content": {"join_rule": "invite"}},
        {
            "type": "m.room.history_visibility",
            "state_key": "",
            "content": {"history_visibility": "joined"},
        },
        {"type": "m.room.guest_access", "state_key": "", "content": {"guest_access": "forbidden"}},
    ]
    return power_levels, initial_state
