"""The board's web side without a database: OpenID verification, static files, headers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from avz_bot.board_web import BoardWeb, BoardWebConfig, parse_query
from avz_bot.clock import FakeClock
from avz_bot.settings_sections.board import BoardSettings
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.testkit.process import free_port

SERVER = "avz.test"


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    port = free_port()
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}"


@pytest.fixture
async def homeserver() -> AsyncIterator[str]:
    """A stand-in homeserver: token ``good`` is @anna:avz.test, ``other`` a user of
    another server, anything else is refused (401, as Synapse answers)."""

    async def userinfo(request: web.Request) -> web.Response:
        token = request.query.get("access_token")
        if token == "good":
            return web.json_response({"sub": f"@anna:{SERVER}"})
        if token == "other":
            return web.json_response({"sub": "@mallory:evil.test"})
        return web.json_response({"errcode": "M_UNKNOWN_TOKEN"}, status=401)

    app = web.Application()
    app.router.add_get("/_matrix/federation/v1/openid/userinfo", userinfo)
    runner, url = await _serve(app)
    yield url
    await runner.cleanup()


def _board(homeserver: str, **settings: Any) -> BoardWeb:
    config = BoardWebConfig(BoardSettings(**settings), CasesSettings(), {SERVER: homeserver}, "nl")
    return BoardWeb(
        config, None, lambda session: None, FakeClock(datetime(2026, 12, 8, tzinfo=UTC))
    )  # type: ignore[arg-type]


async def test_only_a_token_its_own_homeserver_confirms_signs_in(homeserver: str) -> None:
    board = _board(homeserver)
    assert await board.verify_openid("good", SERVER) == f"@anna:{SERVER}"
    assert await board.verify_openid("forged", SERVER) is None
    # The homeserver answers for a user of another server: refused (spec: sub must match).
    assert await board.verify_openid("other", SERVER) is None
    # A server the bot does not serve is never asked.
    assert await board.verify_openid("good", "evil.test") is None
    assert await board.verify_openid("", SERVER) is None


async def test_an_unreachable_homeserver_refuses() -> None:
    board = _board(f"http://127.0.0.1:{free_port()}")
    assert await board.verify_openid("good", SERVER) is None


async def test_static_files_and_headers(homeserver: str) -> None:
    board = _board(homeserver, frame_ancestors=["https://app.element.io"])
    app = web.Application()
    board.routes(app)
    runner, base = await _serve(app)
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/board/static/board.css") as response:
                assert response.status == 200
                csp = response.headers["Content-Security-Policy"]
                assert "default-src 'none'" in csp and "script-src 'self'" in csp
                assert "frame-ancestors https://app.element.io" in csp
                assert response.headers["Referrer-Policy"] == "no-referrer"
                assert response.headers["Cache-Control"] == "no-store"
            for name in (
                "..%2Fboard_web.py",
                ".hidden.js",
                "missing.js",
                "matrix-widget-api.LICENSE",
            ):
                async with http.get(f"{base}/board/static/{name}") as response:
                    assert response.status == 404, name
            async with http.post(f"{base}/board/widget/session", data="not json") as response:
                assert response.status == 400
    finally:
        await runner.cleanup()


def test_the_query_is_read_leniently() -> None:
    query = parse_query({"pagina": "x", "gemeente": "oldambt", "geenregie": "1", "sort": "status"})
    assert query.page == 1 and query.filters.municipality == "oldambt"
    assert query.filters.no_regie and not query.filters.overdue
    assert query.sort == "status" and not query.descending
    assert parse_query({}).descending and parse_query({"pagina": "-5"}).page == 1
