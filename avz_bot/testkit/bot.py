"""Running the real bot in-process against a test homeserver (tests, demo, benchmarks)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from avz_bot.app import Application
from avz_bot.clock import Clock, SystemClock
from avz_bot.private_files import make_private_dir
from avz_bot.settings import (
    BotSettings,
    CalendarSettings,
    HttpSettings,
    LoggingSettings,
    MatrixSettings,
    PartnersSettings,
    Settings,
    StorageSettings,
    TrustSettings,
)
from avz_bot.settings_sections.agreements import ReminderSettings
from avz_bot.settings_sections.cases import CasesSettings
from storage.db import Database

TEST_PICKLE_KEY = "avz-test-pickle-key-not-for-production"


def bot_settings(
    *,
    homeserver: str,
    user_id: str,
    password: str,
    data_dir: Path,
    partners_file: Path,
    allowed_servers: list[str],
    database_url: str = "",
    sync_timeout_ms: int = 5_000,
    undecryptable_grace_seconds: float = 20.0,
    pickle_key: str = TEST_PICKLE_KEY,
    cases: CasesSettings | None = None,
    trust: TrustSettings | None = None,
    calendar: CalendarSettings | None = None,
    reminders: ReminderSettings | None = None,
    **sections: Any,
) -> Settings:
    """Settings for a bot on a loopback homeserver, ops endpoint on a free port.

    ``sections`` are further settings sections by field name (``conferences=...``)."""
    return Settings(
        matrix=MatrixSettings(
            homeserver=homeserver,
            user_id=user_id,
            password=SecretStr(password),
            pickle_key=SecretStr(pickle_key),
            allowed_servers=allowed_servers,
            sync_timeout_ms=sync_timeout_ms,
            undecryptable_grace_seconds=undecryptable_grace_seconds,
            max_backoff_seconds=2,
        ),
        storage=StorageSettings(data_dir=data_dir, database_url=database_url),
        http=HttpSettings(port=0),
        partners=PartnersSettings(file=partners_file),
        bot=BotSettings(),
        cases=cases or CasesSettings(),
        trust=trust or TrustSettings(),
        calendar=calendar or CalendarSettings(),
        reminders=reminders or ReminderSettings(),
        logging=LoggingSettings(level="WARNING", format="text"),
        **sections,
    )


@dataclass
class RunningBot:
    """A bot ``Application`` running as a task in the current event loop."""

    app: Application
    task: asyncio.Task[None]

    @property
    def settings(self) -> Settings:
        """The bot's settings."""
        return self.app.settings

    async def stop(self, timeout: float = 30) -> None:
        """Ask the bot to stop and wait until it has cleaned up."""
        self.app.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(self.task, timeout=timeout)

    async def kill(self) -> None:
        """Cancel the bot abruptly (no graceful end of the batch), like a crash."""
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.task


async def upgrade_database(settings: Settings) -> None:
    """Bring the bot's database to the current schema (in a private data directory, as
    ``avz-bot db upgrade`` makes it: the bot refuses one that others can read)."""
    make_private_dir(settings.storage.data_dir)
    database = Database(settings.database_url)
    try:
        await database.upgrade()
    finally:
        await database.dispose()


async def start_bot(
    settings: Settings, *, clock: Clock | None = None, upgrade: bool = True, timeout: float = 60
) -> RunningBot:
    """Start the bot and wait until it has logged in (raises if it fails to start)."""
    if upgrade:
        await upgrade_database(settings)
    app = Application(settings, clock=clock or SystemClock())
    task = asyncio.create_task(app.run())
    started = asyncio.create_task(app.started.wait())
    done, _ = await asyncio.wait(
        {task, started}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
    )
    if started not in done:
        started.cancel()
        if task in done:
            task.result()  # re-raise the start-up error
        task.cancel()
        raise TimeoutError("the bot did not start in time")
    return RunningBot(app, task)
