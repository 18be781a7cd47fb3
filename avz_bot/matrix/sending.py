"""The outbound gateway: sending one message, attachments, and who gets the room keys.

Part of ``MatrixAdapter`` (``avz_bot.matrix.adapter``), given its ``MatrixSession`` and the
registry check for the key policy. ``send`` never waits on the homeserver's behalf: every
failure is a ``SendError`` classified for the outbox (``avz_bot.runtime.delivery``) as
permanent or transient. ``too_large`` is the size bound checked before sending.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from typing import Any

import aiohttp
from nio import ErrorResponse, LocalProtocolError, RoomSendResponse, SendRetryError, UploadResponse

from avz_bot.domain.inbound import UPLOAD_KEY
from avz_bot.logs import get_logger
from avz_bot.matrix.errors import StartupError
from avz_bot.matrix.session import MatrixSession
from avz_bot.ports import SendError

log = get_logger(__name__)


class MessageSender:
    """``send`` (the ``Gateway``) and the key policy applied before each send."""

    def __init__(self, session: MatrixSession, is_registered: Callable[[str], bool]) -> None:
        self._session = session
        self._is_registered = is_registered
        self._trust = session.trust
        self._metrics = session.metrics
        self._crypto_lock = session.crypto_lock

    async def send(self, room_id: str, content: dict[str, Any], txn_id: str) -> str:
        """Send one message; the homeserver deduplicates on ``txn_id``.

        Never waits on the homeserver's behalf: every failure raises ``SendError`` at
        once, classified for the outbox (``avz_bot.runtime.delivery``), which backs off
        per room. Permanent (a retry cannot help): ``M_TOO_LARGE`` (also found before
        sending, see ``too_large``), ``M_FORBIDDEN``, ``M_NOT_FOUND`` and other
        client errors. Transient: network errors, 5xx, a room not synced yet, and
        ``M_LIMIT_EXCEEDED`` (with the server's ``retry_after``). ``M_UNKNOWN_TOKEN``
        (the login expired or was revoked) leads to one fresh password login keeping
        the device, then one more try.
        """
        if room_id not in self._session.client.rooms:
            # A room the bot has just created is known to nio only after the next sync.
            raise SendError("room not synced yet", permanent=False)
        # Anything the gateway adds to the content (the ``file`` of an attachment it
        # uploads, encrypted, first) is added before the check, so the check sees the
        # event exactly as it will be sent (not the queued bytes of the file).
        if UPLOAD_KEY in content:
            content = await self._upload_attachment(content)
        if too_large(content):
            self._metrics.messages_sent.labels("error").inc()
            raise SendError("M_TOO_LARGE", permanent=True)
        async with self._crypto_lock:
            try:
                return await self._send_locked(room_id, content, txn_id)
            except SendError as exc:
                if exc.reason != "M_UNKNOWN_TOKEN":
                    raise
                await self._login_again()
                return await self._send_locked(room_id, content, txn_id)

    async def _login_again(self) -> None:
        """A fresh password login on the same device after ``M_UNKNOWN_TOKEN``."""
        log.warning("access token rejected while sending; logging in again")
        try:
            await self._session.login_again()
        except (StartupError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise SendError(f"login: {type(exc).__name__}", permanent=False) from None

    async def _send_locked(self, room_id: str, content: dict[str, Any], txn_id: str) -> str:
        client = self._session.client
        try:
            # A member who joined since the last sync has devices nio has not
            # queried yet; without this they could not decrypt the reply.
            if client.should_query_keys:
                await client.keys_query()
            await self._apply_key_policy(room_id)
            response = await client.room_send(
                room_id,
                "m.room.message",
                content,
                tx_id=txn_id,
                # Which devices get the room key is decided by _apply_key_policy
                # (blacklisting); nio's own "verified" flag is not used.
                ignore_unverified_devices=True,
            )
        except LocalProtocolError as exc:
            raise SendError(f"local: {type(exc).__name__}", permanent=True) from None
        except SendRetryError:
            raise SendError("could not share room keys", permanent=False) from None
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise SendError(f"network: {type(exc).__name__}", permanent=False) from None
        if isinstance(response, RoomSendResponse):
            self._metrics.messages_sent.labels("ok").inc()
            return str(response.event_id)
        assert isinstance(response, ErrorResponse)
        code = response.status_code or "unknown"
        if code == "M_LIMIT_EXCEEDED":
            self._metrics.messages_sent.labels("rate_limited").inc()
            wait = (response.retry_after_ms or 1000) / 1000
            raise SendError(code, permanent=False, retry_after=wait)
        self._metrics.messages_sent.labels("error").inc()
        raise SendError(code, permanent=_permanent(code, response))

    async def _upload_attachment(self, content: dict[str, Any]) -> dict[str, Any]:
        """Encrypt and upload a queued attachment; the content with its ``file`` object.

        Encrypted rooms need encrypted media (client-server spec, "Sending encrypted
        attachments"): nio encrypts with AES-CTR and returns the key, IV and hash, which
        go only into the (encrypted) event. A retry uploads again; the event itself is
        still sent once (same transaction id).
        """
        data = base64.b64decode(content[UPLOAD_KEY])
        event = {key: value for key, value in content.items() if key != UPLOAD_KEY}
        info = event.get("info", {})
        response, keys = await self._session.client.upload(
            io.BytesIO(data),
            content_type=str(info.get("mimetype", "application/octet-stream")),
            filename=str(event.get("filename", "bestand")),
            encrypt=True,
            filesize=len(data),
        )
        if not isinstance(response, UploadResponse) or keys is None:
            errcode = getattr(response, "status_code", None) or "unknown"
            raise SendError(f"upload: {errcode}", permanent=errcode == "M_TOO_LARGE")
        event["file"] = {**keys, "url": response.content_uri}
        return event

    # ------------------------------------------------------------ key policy
    async def _device_may_receive_keys(self, user_id: str, device_id: str) -> bool:
        if not self._is_registered(user_id):
            return False
        if self._trust.share_keys_with == "registered":
            return True
        checker = self._session.checker
        return checker is not None and await checker.is_cross_signed(user_id, device_id) is True

    async def _apply_key_policy(self, room_id: str) -> None:
        """Blacklist the devices the trust policy excludes from this room's keys.

        nio shares room keys with every non-blacklisted device when sending; changing a
        device's state makes nio start a new room session, so a device that is excluded
        later cannot read what follows.
        """
        client = self._session.client
        room = client.rooms.get(room_id)
        if room is None or not room.encrypted:
            return
        for user_id in list(room.users):
            for device in client.device_store.active_user_devices(user_id):
                if user_id == client.user_id and device.id == client.device_id:
                    continue
                allowed = await self._device_may_receive_keys(user_id, device.id)
                if allowed and client.olm.is_device_blacklisted(device):
                    client.unblacklist_device(device)
                elif not allowed and not client.olm.is_device_blacklisted(device):
                    client.blacklist_device(device)


#: Error codes after which resending the same message cannot succeed.
PERMANENT_ERRORS = frozenset(
    {
        "M_TOO_LARGE",
        "M_FORBIDDEN",
        "M_NOT_FOUND",
        "M_BAD_JSON",
        "M_NOT_JSON",
        "M_GUEST_ACCESS_FORBIDDEN",
    }
)
#: Megolm ciphertext is base64 (4/3) of the plaintext event (content plus type and
#: room id), wrapped in an envelope with keys and ids: an upper bound of the event size.
ENCRYPTION_OVERHEAD_BYTES = 2_048
#: The homeserver refuses events over 65,536 bytes (spec: "Size limits").
MAX_EVENT_BYTES = 65_536


def too_large(content: dict[str, Any]) -> bool:
    """Whether ``content``, encrypted as sent, could exceed the homeserver's event limit.

    Measured on the content as it is handed to the gateway, i.e. including anything the
    gateway added (an uploaded attachment's URL and keys), so the outbox's size bound
    applies to what is really sent.
    """
    plain = len(json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode())
    return plain * 4 // 3 + ENCRYPTION_OVERHEAD_BYTES > MAX_EVENT_BYTES


def _permanent(code: str, response: ErrorResponse) -> bool:
    """Whether a send error cannot be cured by retrying (see ``MatrixAdapter.send``)."""
    if code in PERMANENT_ERRORS:
        return True
    status = getattr(getattr(response, "transport_response", None), "status", None)
    return isinstance(status, int) and 400 <= status < 500 and code != "M_UNKNOWN_TOKEN"
