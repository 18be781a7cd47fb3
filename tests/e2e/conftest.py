"""Fixtures for the end-to-end tests: one real Synapse per test session, real partners.

The whole folder is skipped when no Python with Synapse can be found, unless
``AVZ_REQUIRE_E2E=1`` (as in CI): then that is an error.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from avz_bot.testkit.partner import PartnerClient, PartnerFactory
from avz_bot.testkit.synapse import SynapseNotFoundError, SynapseServer, find_synapse_python
from avz_bot.testkit.world import BotWorld


@pytest.fixture(scope="session")
async def synapse(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[SynapseServer]:
    """One Synapse homeserver on loopback for the whole test session."""
    try:
        find_synapse_python()
    except SynapseNotFoundError as exc:
        if os.environ.get("AVZ_REQUIRE_E2E") == "1":
            pytest.fail(f"AVZ_REQUIRE_E2E=1 but {exc}", pytrace=False)
        pytest.skip(f"end-to-end tests need Synapse: {exc}")
    server = SynapseServer(tmp_path_factory.mktemp("synapse"))
    started = time.perf_counter()
    await server.start()
    print(f"\nSynapse ready at {server.url} in {time.perf_counter() - started:.2f} s")
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def make_partner(synapse: SynapseServer, tmp_path: Path) -> AsyncIterator[PartnerFactory]:
    """Factory: register a uniquely named user and return a connected ``PartnerClient``."""
    created: list[PartnerClient] = []

    async def factory(name: str = "partner") -> PartnerClient:
        localpart = f"{name}-{secrets.token_hex(4)}"
        password = secrets.token_urlsafe(16)
        user_id = await synapse.register_user(localpart, password)
        client = await PartnerClient.create(
            synapse.url, user_id, password, tmp_path / "partners" / localpart
        )
        created.append(client)
        return client

    try:
        yield factory
    finally:
        for client in created:
            await client.close()


@pytest.fixture
async def world(
    synapse: SynapseServer, make_partner: PartnerFactory, tmp_path: Path
) -> AsyncIterator[BotWorld]:
    """A fresh bot account and data directory; every started bot is stopped afterwards."""
    password = secrets.token_urlsafe(16)
    bot_id = await synapse.register_user(f"avz-bot-{secrets.token_hex(4)}", password)
    await synapse.override_ratelimit(bot_id)
    env = BotWorld(synapse, tmp_path / "world", make_partner, bot_id, password)
    env.base.mkdir(parents=True)
    try:
        yield env
    finally:
        for bot in env.running:
            if not bot.task.done():
                await bot.stop()
