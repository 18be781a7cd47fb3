"""Cross-signing keys of the bot account: generation, signing, encrypted storage.

Pure functions plus one small file format; no network. The protocol calls that upload
the keys live in ``avz_bot.matrix.identity``.

Matrix signs JSON objects by signing their canonical JSON (sorted keys, no
insignificant white space, UTF-8) without the ``signatures`` and ``unsigned`` members,
with ed25519; keys and signatures are unpadded base64.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nacl.exceptions import BadSignatureError, CryptoError
from nacl.secret import SecretBox
from nacl.signing import SigningKey, VerifyKey

FILE_VERSION = 1


class KeyFileError(Exception):
    """The key file cannot be read or decrypted (wrong key, corrupted, wrong account)."""


def unpadded_b64(data: bytes) -> str:
    """Unpadded standard base64, as Matrix uses for keys and signatures."""
    return base64.b64encode(data).decode("ascii").rstrip("=")


def canonical_json(value: Any) -> bytes:
    """Matrix canonical JSON (sorted keys, compact, UTF-8, no escaping of non-ASCII)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode(
        "utf-8"
    )


@dataclass(frozen=True)
class CrossSigningKeys:
    """The three private ed25519 seeds of an account's cross-signing identity."""

    user_id: str
    master: bytes
    self_signing: bytes
    user_signing: bytes

    @classmethod
    def generate(cls, user_id: str) -> CrossSigningKeys:
        """Fresh random keys."""
        return cls(user_id, os.urandom(32), os.urandom(32), os.urandom(32))

    @staticmethod
    def public(seed: bytes) -> str:
        """The public key (unpadded base64) of a seed."""
        return unpadded_b64(bytes(SigningKey(seed).verify_key))

    @property
    def master_public(self) -> str:
        """The master key's public part: what administrators compare."""
        return self.public(self.master)

    @property
    def self_signing_public(self) -> str:
        """The self-signing key's public part."""
        return self.public(self.self_signing)

    @property
    def user_signing_public(self) -> str:
        """The user-signing key's public part."""
        return self.public(self.user_signing)


def sign_json(obj: dict[str, Any], seed: bytes, user_id: str, key_id: str) -> dict[str, Any]:
    """A copy of ``obj`` with a signature by ``seed`` added under ``user_id``/``key_id``."""
    to_sign = {k: v for k, v in obj.items() if k not in {"signatures", "unsigned"}}
    signature = SigningKey(seed).sign(canonical_json(to_sign)).signature
    signed = copy.deepcopy(obj)
    signed.setdefault("signatures", {}).setdefault(user_id, {})[key_id] = unpadded_b64(signature)
    return signed


def _b64decode(value: str) -> bytes:
    return base64.b64decode(value + "=" * (-len(value) % 4))


def verify_json(obj: dict[str, Any], user_id: str, key_id: str, public_b64: str) -> bool:
    """Whether ``obj`` carries a valid signature by ``public_b64`` under ``user_id``/``key_id``."""
    signature = obj.get("signatures", {}).get(user_id, {}).get(key_id)
    if not isinstance(signature, str):
        return False
    unsigned = {k: v for k, v in obj.items() if k not in {"signatures", "unsigned"}}
    try:
        VerifyKey(_b64decode(public_b64)).verify(canonical_json(unsigned), _b64decode(signature))
    except (BadSignatureError, ValueError, TypeError):
        return False
    return True


def _single_key(key_object: Any, user_id: str, usage: str) -> str | None:
    """The one ed25519 public key of a cross-signing key object, if it is well formed."""
    if not isinstance(key_object, dict) or key_object.get("user_id") != user_id:
        return None
    if usage not in key_object.get("usage", []):
        return None
    keys = key_object.get("keys", {})
    if not isinstance(keys, dict) or len(keys) != 1:
        return None
    key_id, public = next(iter(keys.items()))
    if key_id != f"ed25519:{public}" or not isinstance(public, str):
        return None
    return public


def device_cross_signed(keys_query: dict[str, Any], user_id: str, device_id: str) -> bool:
    """Whether ``device_id`` is signed by its owner's self-signing key, itself signed by
    the owner's master key, according to a ``/keys/query`` response.

    This checks the owner's own chain (what "cross-signed by its owner" means); whether
    the master key is the right one is a matter of verification between people.
    """
    master = _single_key(keys_query.get("master_keys", {}).get(user_id), user_id, "master")
    ssk_object = keys_query.get("self_signing_keys", {}).get(user_id)
    ssk = _single_key(ssk_object, user_id, "self_signing")
    device = keys_query.get("device_keys", {}).get(user_id, {}).get(device_id)
    if master is None or ssk is None or not isinstance(device, dict):
        return False
    if not verify_json(ssk_object, user_id, f"ed25519:{master}", master):
        return False
    return verify_json(device, user_id, f"ed25519:{ssk}", ssk)


def _key_object(user_id: str, usage: str, public: str) -> dict[str, Any]:
    return {"user_id": user_id, "usage": [usage], "keys": {f"ed25519:{public}": public}}


def upload_body(keys: CrossSigningKeys) -> dict[str, Any]:
    """The body of ``POST /keys/device_signing/upload`` (without ``auth``)."""
    uid = keys.user_id
    master = _key_object(uid, "master", keys.master_public)
    master_key_id = f"ed25519:{keys.master_public}"
    ssk = sign_json(
        _key_object(uid, "self_signing", keys.self_signing_public), keys.master, uid, master_key_id
    )
    usk = sign_json(
        _key_object(uid, "user_signing", keys.user_signing_public), keys.master, uid, master_key_id
    )
    return {"master_key": master, "self_signing_key": ssk, "user_signing_key": usk}


def sign_device(keys: CrossSigningKeys, device_keys: dict[str, Any]) -> dict[str, Any]:
    """The device-keys object signed by the self-signing key (for /keys/signatures/upload)."""
    key_id = f"ed25519:{keys.self_signing_public}"
    return sign_json(device_keys, keys.self_signing, keys.user_id, key_id)


def fingerprint(public_b64: str) -> str:
    """A key formatted for reading aloud / comparing: groups of four characters."""
    return " ".join(public_b64[i : i + 4] for i in range(0, len(public_b64), 4))


def _box(secret: str) -> SecretBox:
    # A slow KDF: the key file may be copied with a backup; the secret is configuration.
    key = hashlib.scrypt(
        secret.encode("utf-8"), salt=b"avz-bot cross-signing v1", n=2**14, r=8, p=1, dklen=32
    )
    return SecretBox(key)


def save_keys(path: Path, keys: CrossSigningKeys, secret: str) -> None:
    """Write the keys encrypted with ``secret`` (XSalsa20-Poly1305), mode 0600, atomically."""
    plain = json.dumps(
        {
            "version": FILE_VERSION,
            "user_id": keys.user_id,
            "master": keys.master.hex(),
            "self_signing": keys.self_signing.hex(),
            "user_signing": keys.user_signing.hex(),
        }
    ).encode()
    blob = _box(secret).encrypt(plain)
    payload = json.dumps(
        {"version": FILE_VERSION, "master_public": keys.master_public, "data": blob.hex()}
    )
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(payload)
    os.replace(tmp, path)


def load_keys(path: Path, secret: str, user_id: str) -> CrossSigningKeys | None:
    """Read the keys; ``None`` when the file does not exist. Raises ``KeyFileError``."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise KeyFileError(f"cannot read {path}: {exc}") from None
    try:
        plain = _box(secret).decrypt(bytes.fromhex(payload["data"]))
        data = json.loads(plain)
    except (CryptoError, KeyError, ValueError):
        raise KeyFileError(f"cannot decrypt {path}: wrong key or damaged file") from None
    if data.get("user_id") != user_id:
        raise KeyFileError(f"{path} holds the keys of {data.get('user_id')}, not {user_id}")
    return CrossSigningKeys(
        user_id,
        bytes.fromhex(data["master"]),
        bytes.fromhex(data["self_signing"]),
        bytes.fromhex(data["user_signing"]),
    )


def read_master_public(path: Path) -> str | None:
    """The master public key stored in clear beside the encrypted keys (for ``identity show``)."""
    try:
        value = json.loads(path.read_text(encoding="utf-8")).get("master_public")
    except (OSError, ValueError):
        return None
    return value if isinstance(value, str) else None
