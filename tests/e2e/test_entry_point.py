"""The bot as an operator runs it: the ``avz-bot`` console script in a subprocess.

The configuration is the example file with only the deployment-specific values changed
(homeserver, account, data directory, ports); secrets come through the documented
environment variables. At INFO (the example's default) and at DEBUG the bot must start,
answer in an encrypted room, stop on SIGTERM with exit code 0, and its log must hold
neither a traceback nor any of the personal data the test sent or registered.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from avz_bot import __version__
from avz_bot.testkit.partner import PartnerFactory
from avz_bot.testkit.process import (
    BotProcess,
    derive_partners,
    member_entry,
    new_bot_account,
    operator_overrides,
)
from avz_bot.testkit.synapse import SynapseServer

pytestmark = pytest.mark.e2e

#: Personal data that must never reach the log (a name, a work title, a BSN-shaped number
#: that passes the eleven-test).
DISPLAY_NAME = "Hendrika Wolterink-Canary"
WORK_TITLE = "Wijkagent Oosterpark-Canary"
BSN = "111222333"


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
async def test_console_script_answers_stops_cleanly_and_logs_no_personal_data(
    level: str, synapse: SynapseServer, make_partner: PartnerFactory, tmp_path: Path
) -> None:
    assert sum(int(d) * w for d, w in zip(BSN[:8], range(9, 1, -1), strict=True)) % 11 == int(
        BSN[8]
    ), "the canary must look like a real BSN (eleven-test)"
    bot_id, password = await new_bot_account(synapse)
    pieter = await make_partner("pieter")
    await pieter.client.set_displayname(DISPLAY_NAME)
    (tmp_path / "partners.toml").write_text(
        derive_partners([member_entry(pieter.user_id, "politie", DISPLAY_NAME)]),
        encoding="utf-8",
    )
    overrides = operator_overrides(synapse.url, synapse.server_name, bot_id, tmp_path, level)
    bot = BotProcess(tmp_path, overrides, password)
    try:
        await bot.start()
        room = await pieter.create_encrypted_room(name=f"Overleg {WORK_TITLE}", invite=[bot_id])
        await pieter.wait_for_join(room, bot_id, timeout=60)

        ping = await pieter.send_and_wait(room, "!ping", reply_from=bot_id, timeout=60)
        assert ping.encrypted
        assert __version__ in ping.body
        # Personal data in commands, arguments and conversation.
        who = await pieter.send_and_wait(room, "!wie", reply_from=bot_id, timeout=60)
        assert DISPLAY_NAME in who.body
        await pieter.send_and_wait(room, f"!ping {BSN} {WORK_TITLE}", reply_from=bot_id, timeout=60)
        await pieter.send(room, f"{DISPLAY_NAME}, {WORK_TITLE}, BSN {BSN}: zie dossier")
        await pieter.send_and_wait(room, "!ping", reply_from=bot_id, timeout=60)
    finally:
        code = await bot.stop()
    log = bot.log_text()
    assert code == 0, log[-3000:]
    assert "Traceback" not in log
    lines = [json.loads(line) for line in log.splitlines() if line.strip()]
    events = {line["event"] for line in lines}
    assert {"avz-bot started", "avz-bot stopped"} <= events
    assert not [line for line in lines if line["level"] in {"error", "critical"}]
    for canary in (DISPLAY_NAME, WORK_TITLE, BSN, "Wolterink", "Oosterpark"):
        assert canary not in log
