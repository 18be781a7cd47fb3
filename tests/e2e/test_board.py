"""The case board in a real headless Chromium, against the bot and a real Synapse.

``!overzicht`` is sent in the partner's encrypted direct chat; the link in the answer is
opened in Chromium (Debian's, driven by Playwright), signed in with its button, and the
board must show exactly the partner's own cases; filtering and following a case work; a
second partner sees a different set; a reused, expired or forged link is refused; the
widget's way in takes a real OpenID token from Synapse
(``/_matrix/client/v3/user/{userId}/openid/request_token``) handed to the page's
verification endpoint, and a forged token is refused; axe-core (served from this test's
own files) finds no serious or critical violation on any page.

The cases are written straight into the bot's database: how cases come about is the
cases area's business (its own end-to-end tests); the board only reads them.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import insert

from avz_bot.testkit.bot import RunningBot
from avz_bot.testkit.world import BotWorld
from storage.case_models import CaseMemberRecord, CaseRecord

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parent / "assets" / "axe.min.js"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _browser_or_skip() -> Any:
    try:
        from playwright.async_api import async_playwright
    except ImportError as exc:
        reason = f"playwright is not installed: {exc}"
    else:
        if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
            return async_playwright
        reason = f"{CHROMIUM} is missing (python3 dev.py setup installs it)"
    if os.environ.get("AVZ_REQUIRE_E2E") == "1":
        pytest.fail(f"AVZ_REQUIRE_E2E=1 but {reason}", pytrace=False)
    pytest.skip(reason)


async def _cases(bot: RunningBot, owners: dict[str, list[str]]) -> None:
    """Open cases (reference → members), straight into the bot's database."""
    now = datetime.now(UTC)
    async with bot.app.database.session() as session, session.begin():
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


async def _link(world: BotWorld, partner: Any) -> str:
    room = await world.room_with_bot(partner)
    answer = await partner.send_and_wait(room, "!overzicht", reply_from=world.bot_id, timeout=60)
    assert answer.encrypted
    found = re.search(r"/board/in/([A-Za-z0-9_-]+)", answer.body)
    assert found, answer.body
    return found.group(1)


async def _no_serious_violations(page: Any) -> None:
    await page.evaluate(AXE.read_text(encoding="utf-8"))  # not a page script: CSP stays on
    violations = await page.evaluate(
        "axe.run({runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}).then(r => "
        "r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.nodes.length))"
    )
    assert violations == [], violations


async def _sign_in(page: Any, base: str, token: str) -> int:
    await page.goto(f"{base}/board/in/{token}")
    await _no_serious_violations(page)
    async with page.expect_navigation():
        await page.get_by_role("button").click()
    return int(await page.evaluate("0") or 0)


def _references(html_rows: list[str]) -> set[str]:
    return {row.split()[0] for row in html_rows if row.startswith("AVZ-")}


async def test_board_in_a_real_browser(world: BotWorld) -> None:
    async_playwright = _browser_or_skip()
    anna = await world.partner("anna", "politie")
    bart = await world.partner("bart", "ggz")
    bot = await world.start()
    await _cases(
        bot,
        {
            "AVZ-2026-0001": [anna.user_id],
            "AVZ-2026-0002": [anna.user_id, bart.user_id],
            "AVZ-2026-0003": [bart.user_id],
            "AVZ-2026-0004": [anna.user_id],
        },
    )
    base = f"http://127.0.0.1:{bot.app.ops.bound_port}"
    anna_token, bart_token = await _link(world, anna), await _link(world, bart)

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            await _as_anna(browser, base, anna_token)
            await _as_bart(browser, base, bart_token)
            await _widget(browser, base, world, anna)
        finally:
            await browser.close()


async def _rows(page: Any) -> set[str]:
    cells = await page.locator(
        "section[aria-labelledby=cases-h] tbody tr td:first-child"
    ).all_inner_texts()
    return set(cells)


async def _as_anna(browser: Any, base: str, token: str) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    await _sign_in(page, base, token)
    assert await _rows(page) == {"AVZ-2026-0001", "AVZ-2026-0002", "AVZ-2026-0004"}, (
        page.url + await page.content()
    )
    assert "AVZ-2026-0003" not in await page.content()
    await _no_serious_violations(page)

    # Filter: only her cases in Het Hogeland (case 2 and 4), by keyboard-reachable controls.
    await page.select_option("#f-gemeente", "het-hogeland")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Toepassen").click()
    assert await _rows(page) == {"AVZ-2026-0002", "AVZ-2026-0004"}
    assert "anna" not in page.url and "@" not in page.url  # no personal data in the URL

    # Follow a case.
    async with page.expect_navigation():
        await page.get_by_role("link", name="AVZ-2026-0002").click()
    assert "Casus AVZ-2026-0002" in await page.locator("h1").inner_text()
    await _no_serious_violations(page)
    # A case she is not a member of: the same answer as a case that does not exist.
    response = await page.goto(f"{base}/board/casus/AVZ-2026-0003")
    assert response.status == 404
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
    await other.close()
    await context.close()


async def _as_bart(browser: Any, base: str, token: str) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    await _sign_in(page, base, token)
    assert await _rows(page) == {"AVZ-2026-0002", "AVZ-2026-0003"}
    await context.close()


async def _widget(browser: Any, base: str, world: BotWorld, anna: Any) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{base}/board/widget")
    await _no_serious_violations(page)
    forged = await page.evaluate(
        "fetch('/board/widget/session', {method: 'POST', headers: {'Content-Type': "
        "'application/json'}, body: JSON.stringify({access_token: 'forged', "
        f"matrix_server_name: '{world.synapse.server_name}'}})}}).then(r => r.status)"
    )
    assert forged == 403
    assert (await page.goto(f"{base}/board")).status == 401

    token = await _openid_token(world, anna)
    await page.goto(f"{base}/board/widget")
    status = await page.evaluate(
        "fetch('/board/widget/session', {method: 'POST', headers: {'Content-Type': "
        "'application/json'}, body: JSON.stringify({access_token: '" + token + "', "
        f"matrix_server_name: '{world.synapse.server_name}'}})}}).then(r => r.status)"
    )
    assert status == 204
    await page.goto(f"{base}/board")
    assert await _rows(page) == {"AVZ-2026-0001", "AVZ-2026-0002", "AVZ-2026-0004"}
    await context.close()


async def _openid_token(world: BotWorld, partner: Any) -> str:
    client = partner.client
    url = f"{world.synapse.url}/_matrix/client/v3/user/{partner.user_id}/openid/request_token"
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            url, json={}, headers={"Authorization": f"Bearer {client.access_token}"}
        ) as response,
    ):
        assert response.status == 200, await response.text()
        return str((await response.json())["access_token"])
