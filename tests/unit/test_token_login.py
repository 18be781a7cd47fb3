"""Login with an access token (settings) and the MSC4312 approval of a key reset.

The approval is exercised against a small fake homeserver that answers like Synapse with
MAS (``synapse/rest/client/keys.py``: a 401 with the ``m.oauth`` and
``org.matrix.cross_signing_reset`` stages and the account URL) until a person approves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from avz_bot.cli import approval_waiter
from avz_bot.matrix.identity import IdentityError, IdentityManager, approval_url
from avz_bot.matrix.signing import CrossSigningKeys, load_keys, save_keys
from avz_bot.settings import ConfigError, load_settings

KEY = "k" * 20
USER = "@avz-bot:example.nl"
BASE = f"""
[matrix]
homeserver = "https://matrix.example.nl/"
user_id = "{USER}"
"""


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("AVZ_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AVZ_MATRIX__PICKLE_KEY", KEY)


def _config(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "avz-bot.toml"
    path.write_text(BASE + extra, encoding="utf-8")
    return path


def test_token_file_and_device_id(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("syt_abc\n", encoding="utf-8")
    settings = load_settings(
        _config(tmp_path, f'access_token_file = "{tmp_path / "token"}"\ndevice_id = "AVZ1"\n')
    )
    assert settings.matrix.token_login
    assert settings.matrix.access_token is not None
    assert settings.matrix.access_token.get_secret_value() == "syt_abc"
    assert settings.matrix.password is None


def test_token_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVZ_MATRIX__ACCESS_TOKEN", "mct_xyz")
    settings = load_settings(_config(tmp_path, 'device_id = "AVZ1"\n'))
    assert settings.matrix.token_login


def test_password_login_is_still_the_default(tmp_path: Path) -> None:
    assert not load_settings(_config(tmp_path, "")).matrix.token_login


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('access_token = "syt_abc"\ndevice_id = "AVZ1"\n', "secrets may not be in"),
        ('access_token_file = "/nonexistent/token"\ndevice_id = "AVZ1"\n', "cannot read"),
        ('access_token_file = "{empty}"\ndevice_id = "AVZ1"\n', "is empty"),
        ('access_token_file = "{token}"\n', "device_id is required"),
        ('access_token_file = "{token}"\ndevice_id = "AVZ 1"\n', "device_id"),
    ],
)
def test_bad_token_settings_are_one_line(tmp_path: Path, extra: str, message: str) -> None:
    (tmp_path / "empty").write_text("\n", encoding="utf-8")
    (tmp_path / "token").write_text("syt_abc", encoding="utf-8")
    text = extra.format(empty=tmp_path / "empty", token=tmp_path / "token")
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(_config(tmp_path, text))
    assert "\n" not in str(caught.value)
    assert "syt_abc" not in str(caught.value)


# --------------------------------------------------------------- MSC4312 approval
URL = "https://auth.example.nl/account?action=org.matrix.cross_signing_reset"
CHALLENGE: dict[str, Any] = {
    "session": "dummy",
    "flows": [{"stages": ["m.oauth"]}, {"stages": ["org.matrix.cross_signing_reset"]}],
    "params": {"m.oauth": {"url": URL}, "org.matrix.cross_signing_reset": {"url": URL}},
}


def test_approval_url_of_a_challenge() -> None:
    assert approval_url(CHALLENGE) == URL
    unstable = {
        "flows": [{"stages": ["org.matrix.cross_signing_reset"]}],
        "params": {"org.matrix.cross_signing_reset": {"url": URL}},
    }
    assert approval_url(unstable) == URL
    assert approval_url({"flows": [{"stages": ["m.login.password"]}], "params": {}}) is None
    assert approval_url({"flows": [{"stages": ["m.oauth"]}], "params": {}}) is None


class FakeMasHomeserver:
    """Keys endpoints of a homeserver with MAS: a reset needs ``approved`` first."""

    def __init__(self, existing_master: str) -> None:
        self.master = existing_master
        self.approved = False
        self.attempts = 0
        self.device: dict[str, Any] = {
            "user_id": USER,
            "device_id": "AVZ1",
            "algorithms": [],
            "keys": {"ed25519:AVZ1": "x"},
            "signatures": {},
        }

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/_matrix/client/v3/keys/query", self.query)
        app.router.add_post("/_matrix/client/v3/keys/device_signing/upload", self.upload)
        app.router.add_post("/_matrix/client/v3/keys/signatures/upload", self.signatures)
        return app

    async def query(self, _request: web.Request) -> web.Response:
        return web.json_response(
            {
                "master_keys": {USER: {"keys": {f"ed25519:{self.master}": self.master}}},
                "device_keys": {USER: {"AVZ1": self.device}},
            }
        )

    async def upload(self, request: web.Request) -> web.Response:
        self.attempts += 1
        body = await request.json()
        if not self.approved:
            return web.json_response(CHALLENGE, status=401)
        self.master = next(iter(body["master_key"]["keys"].values()))
        return web.json_response({})

    async def signatures(self, _request: web.Request) -> web.Response:
        return web.json_response({"failures": {}})


def _manager(base: str, key_path: Path, approve: Any = None) -> IdentityManager:
    return IdentityManager(
        homeserver=base,
        user_id=USER,
        device_id="AVZ1",
        access_token="t",
        password=None,
        key_path=key_path,
        key_secret=KEY,
        approve=approve,
    )


async def test_reset_prints_the_url_waits_for_approval_and_retries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = FakeMasHomeserver("old-master")
    key_path = tmp_path / "cross-signing.json"
    waiter = approval_waiter(wait=60, poll=0.01)
    seen: list[str] = []

    async def approve(url: str) -> None:
        seen.append(url)
        await waiter(url)
        if len(seen) == 3:  # the person approves while the bot keeps trying
            server.approved = True

    async with TestServer(server.app()) as test_server:
        base = str(test_server.make_url("")).rstrip("/")
        async with aiohttp.ClientSession() as http:
            status = await _manager(base, key_path, approve).reset(http)
    assert seen == [URL] * 3
    assert server.attempts == 4
    assert server.master == status.master_public
    keys = load_keys(key_path, KEY, USER)
    assert keys is not None and keys.master_public == status.master_public
    out = capsys.readouterr().out
    assert out.count(URL) == 1


async def test_unapproved_reset_gives_up_and_keeps_the_old_keys(tmp_path: Path) -> None:
    server = FakeMasHomeserver("old-master")
    key_path = tmp_path / "cross-signing.json"
    old = CrossSigningKeys.generate(USER)
    save_keys(key_path, old, KEY)
    async with TestServer(server.app()) as test_server:
        base = str(test_server.make_url("")).rstrip("/")
        async with aiohttp.ClientSession() as http:
            with pytest.raises(IdentityError, match="not approved within"):
                await _manager(base, key_path, approval_waiter(wait=0.05, poll=0.01)).reset(http)
            # At start-up (no approver) keys are never replaced: a clear error with the URL.
            with pytest.raises(IdentityError, match="needs approval at"):
                await _manager(base, key_path).reset(http)
    assert server.master == "old-master"
    kept = load_keys(key_path, KEY, USER)
    assert kept is not None and kept.master_public == old.master_public
