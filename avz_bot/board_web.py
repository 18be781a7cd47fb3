"""The case board on the bot's HTTP server (aiohttp): routes, sign-in and safety headers.

Routes (all under ``/board``; nothing else is served):

- ``GET /board`` the overview; ``GET /board/casus/<reference>`` one case (404 for a
  case the reader may not open, exactly as for one that does not exist);
- ``GET /board/in/<token>`` the sign-in page of a ``!overzicht`` link, ``POST /board/in``
  redeems it (once, before it expires) and sets the session cookie;
- ``GET /board/widget`` the widget's start page, ``POST /board/widget/session`` takes an
  OpenID token from the widget API, verifies it with the user's homeserver
  (``GET /_matrix/federation/v1/openid/userinfo``, Matrix server-server API §
  "OpenID") and sets the session cookie;
- ``GET /board/static/<file>`` the bot's own CSS and scripts.

Every response carries a strict Content Security Policy (only the bot's own files; no
inline script or style), ``no-store`` and ``no-referrer``. URLs hold only filter codes,
page numbers and case references. Only GET pages show data; the two POSTs sign in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from avz_bot.clock import Clock
from avz_bot.domain.partners import Member
from avz_bot.logs import get_logger
from avz_bot.messages import Messages
from avz_bot.services.area import Unit
from avz_bot.services.board.access import ORIGIN_LINK, ORIGIN_WIDGET
from avz_bot.services.board.case_pages import case_page, sign_in_page, widget_page
from avz_bot.services.board.layout import message_page
from avz_bot.services.board.pages import overview_page
from avz_bot.services.board.service import BoardQuery, BoardService
from avz_bot.settings import Settings
from avz_bot.settings_sections.board import BoardSettings
from avz_bot.settings_sections.cases import CasesSettings
from storage.board_repositories import CaseFilter
from storage.db import Database

log = get_logger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "board_static"
STATIC_TYPES = {".css": "text/css", ".js": "text/javascript"}
COOKIE = "avz_board"
#: How long the homeserver may take to confirm an OpenID token.
OPENID_TIMEOUT = aiohttp.ClientTimeout(total=10)


@dataclass(frozen=True)
class BoardWebConfig:
    """What the board's web side needs from the settings (built by the composition root)."""

    board: BoardSettings
    cases: CasesSettings
    #: The homeservers whose users may sign in, and where to verify their OpenID tokens.
    openid_urls: dict[str, str]
    default_locale: str

    @classmethod
    def of(cls, s: Settings) -> BoardWebConfig:
        """From the settings: the bot's own server, and ``board.openid_urls`` of the
        servers in ``matrix.allowed_servers``."""
        own = s.matrix.user_id.split(":", 1)[1]
        urls = {own: s.matrix.homeserver, **s.board.openid_urls}
        allowed = set(s.matrix.allowed_servers) | {own}
        verified = {k: v for k, v in urls.items() if k in allowed}
        return cls(s.board, s.cases, verified, s.bot.locale)


class BoardWeb:
    """The board's request handlers; ``routes`` adds them to an aiohttp application."""

    def __init__(
        self,
        config: BoardWebConfig,
        database: Database,
        bind: Callable[[Any], Unit],
        clock: Clock,
    ) -> None:
        self._config = config
        self._database = database
        self._bind = bind
        self._clock = clock
        self._messages = {loc: Messages(loc, strict=False) for loc in ("nl", "en")}

    def routes(self, app: web.Application) -> None:
        """Add the board's routes and its headers to ``app``."""
        app.middlewares.append(self._headers)
        app.router.add_get("/board", self._overview)
        app.router.add_get("/board/casus/{reference}", self._case)
        app.router.add_get("/board/in/{token}", self._sign_in_page)
        app.router.add_post("/board/in", self._redeem)
        app.router.add_get("/board/widget", self._widget)
        app.router.add_post("/board/widget/session", self._widget_session)
        app.router.add_get("/board/static/{name}", self._static)

    # ----------------------------------------------------------------- plumbing

    def csp(self) -> str:
        """The Content Security Policy of every board response."""
        ancestors = " ".join(self._config.board.frame_ancestors) or "'none'"
        return (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            "connect-src 'self'; form-action 'self'; base-uri 'none'; "
            f"frame-ancestors {ancestors}"
        )

    @web.middleware
    async def _headers(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        response = await handler(request)
        if request.path.startswith("/board"):
            response.headers["Content-Security-Policy"] = self.csp()
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers["Referrer-Policy"] = "no-referrer"
            response.headers["Cache-Control"] = "no-store"
        return response

    def messages(self, request: web.Request) -> Messages:
        """The page language: ``?lang=nl|en``, else the bot's."""
        lang = request.query.get("lang", self._config.default_locale)
        return self._messages.get(lang, self._messages["nl"])

    @staticmethod
    def _html(body: str, status: int = 200) -> web.Response:
        return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")

    def _set_cookie(self, response: web.StreamResponse, session_id: str, widget: bool) -> None:
        """The session cookie: HttpOnly, only for ``/board``, SameSite=Strict. A widget runs
        in Element's frame, another site: over https its cookie is ``SameSite=None;
        Secure; Partitioned`` (CHIPS: kept only for the board inside that top-level site)."""
        secure = self._config.board.public_url.startswith("https://")
        cross_site = widget and secure
        response.set_cookie(
            COOKIE,
            session_id,
            path="/board",
            httponly=True,
            secure=secure,
            samesite="None" if cross_site else "Strict",
            partitioned=cross_site or None,
            max_age=self._config.board.session_minutes * 60,
        )

    async def _in_unit(
        self, work: Callable[[BoardService], Awaitable[web.Response]]
    ) -> web.Response:
        async with self._database.session() as session, session.begin():
            return await work(self._bind(session)[BoardService])

    # ----------------------------------------------------------------- pages

    async def _overview(self, request: web.Request) -> web.Response:
        messages = self.messages(request)

        async def work(service: BoardService) -> web.Response:
            member = await self._reader(service, request)
            if member is None:
                return self._html(
                    message_page(messages, "board.refused.title", "board.refused.session"), 401
                )
            overview = await service.overview(member, parse_query(request.query))
            page = overview_page(messages, overview, self._config.cases, service.now)
            return self._html(page)

        return await self._in_unit(work)

    async def _case(self, request: web.Request) -> web.Response:
        messages = self.messages(request)

        async def work(service: BoardService) -> web.Response:
            member = await self._reader(service, request)
            if member is None:
                return self._html(
                    message_page(messages, "board.refused.title", "board.refused.session"), 401
                )
            data = await service.case(member, request.match_info["reference"][:40])
            if data is None:
                return self._html(
                    message_page(messages, "board.refused.title", "board.case.not_found"), 404
                )
            return self._html(case_page(messages, data, self._config.cases, service.now))

        return await self._in_unit(work)

    async def _reader(self, service: BoardService, request: web.Request) -> Member | None:
        user = await service.access.reader(request.cookies.get(COOKIE))
        return None if user is None else await service.member(user)

    async def _sign_in_page(self, request: web.Request) -> web.Response:
        token = request.match_info["token"][:100]
        return self._html(sign_in_page(self.messages(request), token))

    async def _redeem(self, request: web.Request) -> web.Response:
        messages = self.messages(request)
        form = await request.post()
        token = str(form.get("token", ""))

        async def work(service: BoardService) -> web.Response:
            user = await service.access.redeem(token)
            if user is None or await service.member(user) is None:
                return self._html(
                    message_page(messages, "board.refused.title", "board.refused.link"), 403
                )
            session_id = await service.access.open_session(user, ORIGIN_LINK)
            # Returned, not raised: raising would roll the session back.
            response = web.Response(
                status=303, headers={"Location": f"/board?lang={messages.locale}"}
            )
            self._set_cookie(response, session_id, widget=False)
            return response

        return await self._in_unit(work)

    async def _widget(self, request: web.Request) -> web.Response:
        return self._html(widget_page(self.messages(request)))

    async def _widget_session(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
            token = str(body["access_token"])[:500]
            server = str(body["matrix_server_name"])[:255]
        except (ValueError, KeyError, TypeError):
            return web.json_response({"error": "bad request"}, status=400)
        user = await self.verify_openid(token, server)
        if user is None:
            return web.json_response({"error": "token refused"}, status=403)

        async def work(service: BoardService) -> web.Response:
            if await service.member(user) is None:
                return web.json_response({"error": "not registered"}, status=403)
            session_id = await service.access.open_session(user, ORIGIN_WIDGET)
            response = web.Response(status=204)
            self._set_cookie(response, session_id, widget=True)
            return response

        return await self._in_unit(work)

    async def verify_openid(self, token: str, server: str) -> str | None:
        """The user an OpenID token belongs to, asked of its homeserver; None when the
        server is not one of ours, the homeserver refuses, or its answer names a user of
        another server (the spec's check: the ``sub`` must be on ``matrix_server_name``)."""
        base = self._config.openid_urls.get(server)
        if base is None or not token:
            return None
        url = f"{base.rstrip('/')}/_matrix/federation/v1/openid/userinfo"
        try:
            async with (
                aiohttp.ClientSession(timeout=OPENID_TIMEOUT) as client,
                client.get(url, params={"access_token": token}) as response,
            ):
                if response.status != 200:
                    return None
                data = await response.json()
        except (aiohttp.ClientError, TimeoutError, ValueError):
            log.warning("board: homeserver did not confirm an OpenID token")
            return None
        sub = data.get("sub") if isinstance(data, dict) else None
        if not isinstance(sub, str) or not sub.startswith("@") or sub.split(":", 1)[-1] != server:
            return None
        return sub

    async def _static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        path = STATIC_DIR / name
        kind = STATIC_TYPES.get(path.suffix)
        if kind is None or "/" in name or name.startswith(".") or not path.is_file():
            raise web.HTTPNotFound()
        return web.Response(body=path.read_bytes(), content_type=kind, charset="utf-8")


def _flag(value: str | None) -> bool:
    return value in {"1", "on", "true"}


def parse_query(query: Any) -> BoardQuery:
    """The overview's filters, sort and page from the URL query (unknown values ignored)."""
    try:
        page = max(1, min(int(query.get("pagina", "1")), 100_000))
    except ValueError:
        page = 1
    filters = CaseFilter(
        municipality=(query.get("gemeente") or None),
        case_type=(query.get("type") or None),
        status=(query.get("status") or None),
        no_regie=_flag(query.get("geenregie")),
        overdue=_flag(query.get("verlopen")),
    )
    sort = query.get("sort", "overdue")
    descending = _flag(query.get("af")) if "sort" in query else True
    return BoardQuery(filters, sort, descending, page)
