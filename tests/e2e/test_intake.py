"""Signals from partner systems (issue 23) through ``avz-bot run`` as a process, its real
HTTP server and a real homeserver: two organisations' systems submit signed signals about
the same person and everyone is told exactly what typed signals tell them
(compare ``test_signals.py``); the raw database holds no identifier; the refusals of
the real server (signature, field, replay, size, rate) store nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from avz_bot.testkit.intake import PartnerSystem, new_secret, signed_headers
from avz_bot.testkit.partner import PartnerClient, PartnerFactory
from avz_bot.testkit.process import (
    BotProcess,
    free_port,
    member_entry,
    new_bot_account,
    operator_overrides,
)
from avz_bot.testkit.synapse import SynapseServer

pytestmark = pytest.mark.e2e

BSN = "123456782"
ORGANISATIONS = (
    ("politie", "Politie Noord-Nederland", "veiligheid"),
    ("ggz", "Lentis GGZ", "zorg"),
    ("avz", "Actiecentrum Veiligheid & Zorg", "veiligheid"),
)


def registry(members: list[dict[str, Any]], intake: dict[str, tuple[str, str]]) -> str:
    """A partner registry whose organisations in ``intake`` submit (professional, room)."""
    chunks = []
    for code, name, domain in ORGANISATIONS:
        row = f'[[organisations]]\ncode = "{code}"\nname = "{name}"\ndomain = "{domain}"\n'
        if code in intake:
            professional, room = intake[code]
            row += f'intake_professional = "{professional}"\nintake_room = "{room}"\n'
        chunks.append(row)
    for member in members:
        body = "\n".join(f"{k} = {json.dumps(v)}" for k, v in member.items())
        chunks.append(f"[[members]]\n{body}\n")
    return "\n".join(chunks)


async def told(who: PartnerClient, room: str, bot_id: str, needle: str) -> str:
    message = await who.wait_for_message(
        room, sender=bot_id, predicate=lambda body: needle in body, timeout=60
    )
    return message.body


def raw_rows(database: Path) -> str:
    """Every row of every table of the bot's SQLite database, as text."""
    with sqlite3.connect(database) as connection:
        tables = [
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        return "\n".join(
            repr(row) for table in tables for row in connection.execute(f'SELECT * FROM "{table}"')
        )


def count(database: Path, table: str) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


async def test_partner_systems_signal_like_typed_signals(
    synapse: SynapseServer, make_partner: PartnerFactory, tmp_path: Path
) -> None:
    bot_id, password = await new_bot_account(synapse)
    pieter = await make_partner("pieter")
    anouk = await make_partner("anouk")
    karin = await make_partner("karin")
    politie_room = await pieter.create_encrypted_room(name="politie-signalen")
    ggz_room = await anouk.create_encrypted_room(name="ggz-signalen")
    tvo = await karin.create_encrypted_room(name="tvo-groningen")
    karin_entry = member_entry(karin.user_id, "avz", "Karin", ("professional", "ketenmanager"))
    karin_entry["tvo"] = ["groningen"]
    members = [
        member_entry(pieter.user_id, "politie", "Pieter"),
        member_entry(anouk.user_id, "ggz", "Anouk"),
        karin_entry,
    ]
    (tmp_path / "partners.toml").write_text(
        registry(
            members,
            {"politie": (pieter.user_id, politie_room), "ggz": (anouk.user_id, ggz_room)},
        ),
        encoding="utf-8",
    )
    secrets = {"politie": new_secret(), "ggz": new_secret()}
    port = free_port()
    overrides = operator_overrides(
        synapse.url,
        synapse.server_name,
        bot_id,
        tmp_path,
        cases={"intake_rooms": [tvo]},
        signals={"tvo_rooms": {"groningen": tvo}},
        intake={"enabled": True, "port": port, "burst": 4, "rate_per_minute": 1},
    )
    env = {
        "AVZ_SIGNALS__KEYS__V1": "s" * 48,
        "AVZ_INTAKE__SECRETS__POLITIE": f"{new_secret()} {secrets['politie']}",
        "AVZ_INTAKE__SECRETS__GGZ": secrets["ggz"],
    }
    bot = BotProcess(tmp_path, overrides, password, env=env)
    database = tmp_path / "data" / "avz-bot.sqlite3"
    base = f"http://127.0.0.1:{port}"
    politie = PartnerSystem(base, "politie", secrets["politie"])
    ggz = PartnerSystem(base, "ggz", secrets["ggz"])
    try:
        await bot.start()
        for owner, room in ((pieter, politie_room), (anouk, ggz_room), (karin, tvo)):
            await owner.invite(room, bot_id)
            await owner.wait_for_join(room, bot_id, timeout=60)
        async with aiohttp.ClientSession() as http:
            fields = {"bsn": BSN, "category": "overlast", "municipality": "groningen"}
            status, first, _ = await politie.submit(http, fields, webhook_id="politie-1")
            assert status == 201 and first["matched"] is False, first
            status, second, _ = await ggz.submit(
                http,
                {"bsn": "1234.56.782", "category": "verslaving", "municipality": "groningen"},
            )
            assert status == 201 and second["matched"] is True, second

            # As for typed signals: the first signaller is told of the match (here in
            # the organisation's room), the second learns whom to contact, the TVO gets
            # the item; nobody sees the BSN.
            notice = await told(pieter, politie_room, bot_id, "Samenloop op jouw signaal")
            assert "Lentis GGZ" in notice and "verslaving" in notice and BSN not in notice
            answer = await told(anouk, ggz_room, bot_id, second["reference"])
            assert pieter.user_id in answer and "Politie" in answer and BSN not in answer
            item = await told(karin, tvo, bot_id, "Nieuwe samenloop")
            assert "Lentis GGZ" in item and BSN not in item
            agenda = await karin.send_and_wait(tvo, "!tvo agenda", reply_from=bot_id, timeout=60)
            assert second["reference"] in agenda.body and "samenloop met" in agenda.body

            # A professional typing !signaal about the same person meets both systems'
            # signals, under their organisations' responsible professionals.
            dm = await karin.create_encrypted_room(name="dm", invite=[bot_id])
            await karin.wait_for_join(dm, bot_id, timeout=60)
            typed = await karin.send_and_wait(
                dm, f"!signaal bsn={BSN} categorie=schulden", reply_from=bot_id, timeout=60
            )
            assert pieter.user_id in typed.body and anouk.user_id in typed.body
            assert BSN not in typed.body
            again_told = await told(pieter, politie_room, bot_id, "schulden")
            assert "Samenloop op jouw signaal" in again_told and karin.user_id in again_told

            # The retry of an accepted delivery: accepted once.
            status, again, _ = await politie.submit(http, fields, webhook_id="politie-1")
            assert (status, again) == (409, {"error": "replay", "reference": first["reference"]})
            await refusals_store_nothing(http, politie, ggz, database)
            served = await http.get(f"{base}/intake/v1/openapi.yaml")
            assert served.status == 200 and "openapi: 3.1.0" in await served.text()
    finally:
        code = await bot.stop()
    log = bot.log_text()
    assert code == 0, log[-3000:]
    assert "Traceback" not in log and BSN not in log and "1234.56.782" not in log
    dump = raw_rows(database)
    assert BSN not in dump and "1234.56.782" not in dump and "politie-1" not in dump
    assert count(database, "signals") == 3


async def refusals_store_nothing(
    http: aiohttp.ClientSession, politie: PartnerSystem, ggz: PartnerSystem, database: Path
) -> None:
    """Each refusal of the running server, with its JSON; the signal count stays put."""
    before = count(database, "signals")
    body = json.dumps({"bsn": BSN, "category": "overlast"}).encode()
    forged = signed_headers(new_secret(), body)
    async with http.post(politie.url, data=body, headers=forged) as response:
        assert (response.status, await response.json()) == (401, {"error": "signature_invalid"})
    status, answer, _ = await politie.submit(http, {"bsn": "123456789", "category": "overlast"})
    assert (status, answer) == (400, {"error": "invalid", "field": "bsn"})
    status, answer, _ = await politie.submit(http, {"bsn": BSN, "category": "overlast", "x": "y"})
    assert (status, answer) == (400, {"error": "unknown_field", "field": "x"})
    large = json.dumps({"bsn": BSN, "category": "overlast", "name": "x" * 5000}).encode()
    async with http.post(ggz.url, data=large, headers=signed_headers(ggz.secret, large)) as big:
        assert (big.status, await big.json()) == (413, {"error": "body_too_large"})
    # ggz has used one of its four at once (rate 1 per minute): three more, then 429.
    statuses = [(await ggz.submit(http, {"bsn": BSN, "category": "onbekend"}))[0] for _ in range(3)]
    assert statuses == [400, 400, 400]
    status, answer, headers = await ggz.submit(http, {"bsn": BSN, "category": "overlast"})
    assert (status, answer) == (429, {"error": "rate_limited"})
    assert int(headers["Retry-After"]) >= 1
    assert count(database, "signals") == before
