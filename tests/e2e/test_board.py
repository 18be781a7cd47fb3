"""The case board in a real headless Chromium, against ``avz-bot run`` and a real Synapse.

The bot runs as an operator runs it (the console script in a subprocess, the example
configuration with the deployment values changed). ``!overzicht`` is sent in the partner's encrypted direct chat; the link in the answer is
opened in Chromium (Debian's, driven by Playwright), signed in with its button, and the
board must show exactly the partner's own cases; filtering and following a case work; a
second partner sees a different set; a reused, expired or forged link is refused; the
widget's way in takes a real OpenID token from Synapse
(``/_matrix/client/v3/user/{userId}/openid/request_token``) handed to the page's
verification endpoint, and a forged token is refused; axe-core (served from this test's
own files) finds no serious or critical violation on any page.

The cases are written straight into the bot's database (SQLite in its data directory,
while it runs): how cases come about is the cases area's business (its own end-to-end
tests); the board only reads them.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import insert, update

from avz_bot.services.board.access import digest
from avz_bot.testkit.partner import PartnerClient, PartnerFactory
from avz_bot.testkit.process import (
    BotProcess,
    derive_partners,
    free_port,
    member_entry,
    new_bot_account,
    operator_overrides,
)
from avz_bot.testkit.synapse import SynapseServer
from storage.board_models import BoardLinkRecord
from storage.case_models import CaseMemberRecord, CaseRecord
from storage.db import Database

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
ASSETS = Path(__file__).parent / "assets"
AXE = ASSETS / "axe.min.js"
#: The widget API library, as the bot serves it (one copy in the repository).
WIDGET_API = Path(__file__).parents[2] / "avz_bot" / "board_static" / "matrix-widget-api.js"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ANNA_CASES = {"AVZ-2026-0001", "AVZ-2026-0002", "AVZ-2026-0004"}
BART_CASES = {"AVZ-2026-0002", "AVZ-2026-0003"}


def _browser_or_skip() -> Any:
    """Playwright's launcher, or a skip (a failure where ``AVZ_REQUIRE_E2E=1``)."""
    try:
        from playwright.async_api import async_playwright
    except ImportError as exc:
        reason = f"playwright is not installed: {exc}"
    else:
        if Path(CHROMIUM).exists():
            return async_playwright
        reason = f"{CHROMIUM} is missing (python3 dev.py setup installs it)"
    if os.environ.get("AVZ_REQUIRE_E2E") == "1":
        pytest.fail(f"AVZ_REQUIRE_E2E=1 but {reason}", pytrace=False)
    pytest.skip(reason)


async def _cases(database_url: str, owners: dict[str, list[str]]) -> None:
    """Open cases (reference → members), straight into the bot's database."""
    now = datetime.now(UTC)
    database = Database(database_url)
    try:
        async with database.session() as session, session.begin():
            for number, (reference, members) in enumerate(owners.items(), start=1):
                await session.execute(
                    insert(CaseRecord).values(
                        id=number,
                        reference=reference,
                        title=f"Werktitel {number}",
                        municipality="groningen" if number % 2 else "het-hogeland",
                        case_type="jeugd",
                        status="actief",
                        room_id=None,
                        created_by=members[0],
                        created_at=now - timedelta(days=number),
                        status_changed_at=now,
                        closed_at=None,
                        regie_holder=members[0] if number % 3 else None,
                        regie_org=None,
                        regie_since=now,
                        regie_vacant_since=None,
                        unregie_reported_on=None,
                        version=1,
                    )
                )
                for user in members:
                    await session.execute(
                        insert(CaseMemberRecord).values(
                            case_id=number,
                            matrix_id=user,
                            organisation_code="politie",
                            joined_at=now,
                            left_at=None,
                            casemanager=False,
                        )
                    )
    finally:
        await database.dispose()


async def _link(bot_id: str, partner: PartnerClient) -> str:
    """``!overzicht`` in the partner's encrypted direct chat with the bot: the token."""
    room = await partner.create_encrypted_room(name="dm", invite=[bot_id])
    await partner.wait_for_join(room, bot_id, timeout=60)
    answer = await partner.send_and_wait(room, "!overzicht", reply_from=bot_id, timeout=60)
    assert answer.encrypted
    found = re.search(r"/board/in/([A-Za-z0-9_-]+)", answer.body)
    assert found, answer.body
    return found.group(1)


async def _no_serious_violations(page: Any) -> None:
    # Evaluated through the DevTools protocol, not as a page script: the CSP stays on.
    await page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = await page.evaluate(
        "axe.run({runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}).then(r => "
        "r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.nodes.length))"
    )
    assert violations == [], violations


async def _sign_in(page: Any, base: str, token: str) -> None:
    await page.goto(f"{base}/board/in/{token}")
    await _no_serious_violations(page)
    async with page.expect_navigation():
        await page.get_by_role("button").click()


async def _rows(frame: Any) -> set[str]:
    cells = await frame.locator(
        "section[aria-labelledby=cases-h] tbody tr td:first-child"
    ).all_inner_texts()
    return set(cells)


async def _host(port: int) -> web.AppRunner:
    """The widget host (Element's side): its page and the widget API library."""
    app = web.Application()
    page = (ASSETS / "widget_host.html").read_text(encoding="utf-8")
    library = WIDGET_API.read_bytes()

    async def index(request: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html")

    async def api(request: web.Request) -> web.Response:
        return web.Response(body=library, content_type="text/javascript")

    app.router.add_get("/", index)
    app.router.add_get("/matrix-widget-api.js", api)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


async def test_board_in_a_real_browser(
    synapse: SynapseServer, make_partner: PartnerFactory, tmp_path: Path
) -> None:
    async_playwright = _browser_or_skip()
    bot_id, password = await new_bot_account(synapse)
    anna, bart = await make_partner("anna"), await make_partner("bart")
    (tmp_path / "partners.toml").write_text(
        derive_partners(
            [
                member_entry(anna.user_id, "politie", "Anna"),
                member_entry(bart.user_id, "ggz", "Bart"),
            ]
        ),
        encoding="utf-8",
    )
    host_port, http_port = free_port(), free_port()
    base = f"http://127.0.0.1:{http_port}"
    board = {"public_url": base, "frame_ancestors": [f"http://127.0.0.1:{host_port}"]}
    overrides = operator_overrides(synapse.url, synapse.server_name, bot_id, tmp_path, board=board)
    bot = BotProcess(tmp_path, overrides, password, http_port=http_port)
    host = await _host(host_port)
    try:
        await bot.start()
        database_url = f"sqlite+aiosqlite:///{(tmp_path / 'data' / 'avz-bot.sqlite3').resolve()}"
        await _cases(
            database_url,
            {
                "AVZ-2026-0001": [anna.user_id],
                "AVZ-2026-0002": [anna.user_id, bart.user_id],
                "AVZ-2026-0003": [bart.user_id],
                "AVZ-2026-0004": [anna.user_id],
            },
        )
        anna_token, bart_token = await _link(bot_id, anna), await _link(bot_id, bart)
        await _not_in_a_shared_room(bot_id, anna, bart)
        late_token = await _link(bot_id, anna)
        await _expire_link(database_url, late_token)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                await _as_anna(browser, base, anna_token)
                await _as_bart(browser, base, bart_token)
                await _expired(browser, base, late_token)
                await _forged_widget_token(browser, base, synapse.server_name)
                token = await _openid_token(synapse, anna)
                await _widget_in_host(browser, base, host_port, token)
            finally:
                await browser.close()
    finally:
        await host.cleanup()
        code = await bot.stop()
    log = bot.log_text()
    assert code == 0, log[-3000:]
    assert "Traceback" not in log
    for secret in (anna_token, bart_token, late_token):
        assert secret not in log


async def _as_anna(browser: Any, base: str, token: str) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    await _sign_in(page, base, token)
    assert await _rows(page) == ANNA_CASES, page.url
    assert "AVZ-2026-0003" not in await page.content()
    await _no_serious_violations(page)

    # Filter: only her cases in Het Hogeland (case 2 and 4).
    await page.select_option("#f-gemeente", "het-hogeland")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Toepassen").click()
    assert await _rows(page) == {"AVZ-2026-0002", "AVZ-2026-0004"}
    assert "anna" not in page.url and "@" not in page.url  # no personal data in the URL
    await _no_serious_violations(page)

    # Follow a case.
    async with page.expect_navigation():
        await page.get_by_role("link", name="AVZ-2026-0002").click()
    assert "Casus AVZ-2026-0002" in await page.locator("h1").inner_text()
    await _no_serious_violations(page)
    # A case she is not a member of: the same answer as a case that does not exist.
    assert (await page.goto(f"{base}/board/casus/AVZ-2026-0003")).status == 404
    assert (await page.goto(f"{base}/board/casus/AVZ-2026-9999")).status == 404
    await _no_serious_violations(page)
    # The English page.
    await page.goto(f"{base}/board?lang=en")
    assert "Open cases" in await page.content()
    await _no_serious_violations(page)
    headers = (await page.goto(f"{base}/board")).headers
    assert "default-src 'none'" in headers["content-security-policy"]

    # The link was used: a second use is refused, in a fresh browser.
    other = await browser.new_context()
    again = await other.new_page()
    await again.goto(f"{base}/board/in/{token}")
    async with again.expect_navigation():
        await again.get_by_role("button").click()
    assert "verlopen of al gebruikt" in await again.content()
    await _no_serious_violations(again)
    assert (await again.goto(f"{base}/board")).status == 401
    await _no_serious_violations(again)
    await other.close()
    await context.close()


async def _not_in_a_shared_room(bot_id: str, anna: PartnerClient, bart: PartnerClient) -> None:
    """A link signs in as its sender: only in the sender's direct chat."""
    room = await anna.create_encrypted_room(name="samen", invite=[bot_id, bart.user_id])
    await anna.wait_for_join(room, bot_id, timeout=60)
    await bart.join(room)
    await anna.wait_for_join(room, bart.user_id, timeout=60)
    answer = await anna.send_and_wait(room, "!overzicht", reply_from=bot_id, timeout=60)
    assert "privégesprek" in answer.body and "/board/in/" not in answer.body


async def _expire_link(database_url: str, token: str) -> None:
    """Let the link of ``token`` expire (as ten minutes would)."""
    database = Database(database_url)
    try:
        async with database.session() as session, session.begin():
            await session.execute(
                update(BoardLinkRecord)
                .where(BoardLinkRecord.token_hash == digest(token))
                .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
            )
    finally:
        await database.dispose()


async def _expired(browser: Any, base: str, token: str) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    await _sign_in(page, base, token)
    assert "verlopen of al gebruikt" in await page.content()
    assert (await page.goto(f"{base}/board")).status == 401
    await context.close()


async def _as_bart(browser: Any, base: str, token: str) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    await _sign_in(page, base, token)
    assert await _rows(page) == BART_CASES
    await context.close()


async def _forged_widget_token(browser: Any, base: str, server: str) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{base}/board/widget")
    await _no_serious_violations(page)
    status = await page.evaluate(
        "server => fetch('/board/widget/session', {method: 'POST', headers: "
        "{'Content-Type': 'application/json'}, body: JSON.stringify({access_token: "
        "'forged-token', matrix_server_name: server})}).then(r => r.status)",
        server,
    )
    assert status == 403
    assert (await page.goto(f"{base}/board")).status == 401
    await context.close()


async def _widget_in_host(browser: Any, base: str, host_port: int, token: dict[str, Any]) -> None:
    """The board as a widget in the host page: the widget API carries the token."""
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"http://127.0.0.1:{host_port}/")
    await page.evaluate(
        "([url, token]) => window.startWidget(url, token)", [f"{base}/board/widget", token]
    )
    frame = page.frame_locator("#widget")
    await frame.locator("section[aria-labelledby=cases-h]").wait_for(timeout=30_000)
    assert await _rows(frame) == ANNA_CASES
    await context.close()


async def _openid_token(synapse: SynapseServer, partner: PartnerClient) -> dict[str, Any]:
    """A real OpenID token for ``partner`` from Synapse (what Element asks for)."""
    url = f"{synapse.url}/_matrix/client/v3/user/{partner.user_id}/openid/request_token"
    headers = {"Authorization": f"Bearer {partner.client.access_token}"}
    async with aiohttp.ClientSession() as http, http.post(url, json={}, headers=headers) as resp:
        assert resp.status == 200, await resp.text()
        token: dict[str, Any] = await resp.json()
        return token
