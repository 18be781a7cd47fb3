"""The operations endpoint: /healthz, /readyz and /metrics (aiohttp)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from avz_bot.metrics import BotMetrics


@dataclass(frozen=True, slots=True)
class Readiness:
    """The outcome of a readiness check."""

    ready: bool
    checks: dict[str, str]


class OpsServer:
    """Serves health, readiness and Prometheus metrics on a configured address."""

    def __init__(
        self,
        host: str,
        port: int,
        metrics: BotMetrics,
        readiness: Callable[[], Awaitable[Readiness]],
        before_scrape: Callable[[], Awaitable[None]] | None = None,
        extra_routes: Sequence[Callable[[web.Application], None]] = (),
    ) -> None:
        self._host = host
        #: Called before /metrics is rendered (refreshes gauges computed from the database).
        self._before_scrape = before_scrape
        self._port = port
        self._metrics = metrics
        self._readiness = readiness
        self._runner: web.AppRunner | None = None
        #: Each adds further routes: the case board (``avz_bot.board_web``), the signed
        #: intake endpoint when it shares this listener (``avz_bot.intake_http``).
        self._extra_routes = tuple(extra_routes)
        self.bound_port: int | None = None

    def build_app(self) -> web.Application:
        """The aiohttp application (exposed for tests)."""
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics_view)
        for add_routes in self._extra_routes:
            add_routes(app)
        return app

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _readyz(self, request: web.Request) -> web.Response:
        result = await self._readiness()
        return web.json_response(
            {"ready": result.ready, "checks": result.checks}, status=200 if result.ready else 503
        )

    async def _metrics_view(self, request: web.Request) -> web.Response:
        if self._before_scrape is not None:
            await self._before_scrape()
        body = generate_latest(self._metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def start(self) -> None:
        """Bind and serve (port 0 picks a free port, see ``bound_port``)."""
        self._runner = web.AppRunner(self.build_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.bound_port = sockets[0].getsockname()[1] if sockets else self._port

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
