"""A TVO morning under Synapse's default rate limits: 15 cases opened in two minutes.

After its burst of ten, Synapse lets an account create one room per 62.5 seconds. The
bot must not hide that: every requester gets the answer that the case is open, those
whose room has to wait are told (once) that it follows and roughly when, and in the end
every case has exactly one room and the GGZ member exactly one invitation to each. The
time until the last room is ready is a benchmark figure (``bench/tvo_morning.py``), not
asserted here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from avz_bot.testkit.synapse import SynapseNotFoundError, SynapseServer, find_synapse_python
from avz_bot.testkit.tvo_morning import CASES, DEFAULT_LIMITS, run_tvo_morning

pytestmark = pytest.mark.e2e

#: Synapse's default burst of room creations (rc_room_creation.burst_count).
BURST = 10


@pytest.fixture
async def limited_synapse(tmp_path: Path) -> AsyncIterator[SynapseServer]:
    """A homeserver with Synapse's default limits for rooms, invitations, messages, joins."""
    try:
        find_synapse_python()
    except SynapseNotFoundError as exc:
        pytest.skip(f"end-to-end tests need Synapse: {exc}")
    server = SynapseServer(tmp_path / "synapse", default_limits=DEFAULT_LIMITS)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_fifteen_cases_in_two_minutes_each_told_each_room_and_invitation_once(
    limited_synapse: SynapseServer, tmp_path: Path
) -> None:
    morning = await run_tvo_morning(limited_synapse, tmp_path)
    log = morning.bot_log
    assert morning.bot_exit_code == 0, log[-3000:]
    assert "Traceback" not in log

    # Every requester was answered at once: the case is open, its room is coming.
    assert len(morning.answers) == CASES
    for answer in morning.answers:
        assert "is geopend" in answer, answer
    references = morning.references
    assert len(set(references)) == CASES and all(references), references

    # Exactly one room per case, and exactly one invitation to each for the GGZ member.
    assert morning.rooms_by_name == dict.fromkeys(references, 1), morning.rooms_by_name
    assert len(morning.invited_rooms) == CASES
    assert len(set(morning.invited_rooms)) == CASES

    # The rooms beyond the burst were throttled, and their requesters told once each,
    # by name, with the expected time.
    told = Counter(reference for reference, _ in morning.notices)
    assert told, "no requester was told that a room follows"
    assert all(count == 1 for count in told.values()), told
    assert set(told) <= set(references[BURST:]), (told, references)
    by_reference = dict(zip(references, morning.requesters, strict=True))
    for reference, text in morning.notices:
        requester_name = by_reference[reference].split("-", 1)[0].removeprefix("@").title()
        assert text.startswith(f"{requester_name}:"), text
        assert "naar verwachting rond" in text, text
    print(
        f"\nTVO morning: {CASES} cases opened in {morning.opening_seconds:.0f}s; last room "
        f"ready after {morning.last_room_seconds:.0f}s; {len(told)} requesters told it follows"
    )
