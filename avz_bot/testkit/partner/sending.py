"""What a partner sends: text, Element Web's exact content, reactions; retried, encrypted.

Before encrypting, the device keys of every member are brought up to date so that
someone who has just joined gets the room key for the very next message.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import aiohttp
from nio import (
    EncryptionError,
    GroupEncryptionError,
    LocalProtocolError,
    RoomSendResponse,
    SendRetryError,
)

from avz_bot.logs import get_logger
from avz_bot.testkit.partner import element
from avz_bot.testkit.partner.base import PartnerBase
from avz_bot.testkit.partner.records import PartnerError, ReceivedMessage

log = get_logger(__name__)

_SEND_ATTEMPTS = 5


class PartnerSending(PartnerBase):
    """Sending messages and reactions."""

    # ------------------------------------------------------------------ sending
    async def send(
        self,
        room_id: str,
        body: str,
        *,
        formatted_body: str | None = None,
        msgtype: str = "m.text",
        in_reply_to: str | None = None,
        timeout: float = 30,
    ) -> str:
        """Send a text message (encrypted if the room is); return its event id.

        Before encrypting, the device keys of every member are brought up to date so
        that someone who has just joined gets the room key for this very message.
        """
        content: dict[str, Any] = {"msgtype": msgtype, "body": body}
        if formatted_body is not None:
            content["format"] = "org.matrix.custom.html"
            content["formatted_body"] = formatted_body
        if in_reply_to is not None:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": in_reply_to}}
        return await self.send_content(room_id, content, timeout=timeout)

    # --------------------------------------------- what Element Web sends, exactly
    pill = staticmethod(element.pill)
    element_content = staticmethod(element.element_content)

    async def send_pill_command(
        self, room_id: str, before: str, user_id: str, display_name: str, after: str = ""
    ) -> str:
        """Send ``before<pill>after`` as Element Web does after picking a person from the
        ``@`` autocomplete (see :func:`.element.pill_command_content`)."""
        content = element.pill_command_content(before, user_id, display_name, after)
        return await self.send_content(room_id, content)

    async def send_reply(
        self, room_id: str, body: str, to: ReceivedMessage, *, legacy_fallback: bool
    ) -> str:
        """A rich reply to ``to`` as Element Web sends it; ``legacy_fallback`` adds the
        quote older Element versions put in ``body`` and ``formatted_body``."""
        content = element.reply_content(body, to, legacy_fallback=legacy_fallback)
        return await self.send_content(room_id, content)

    async def send_in_thread(
        self, room_id: str, body: str, root: str, *, last_in_thread: str | None = None
    ) -> str:
        """A message in the thread of ``root`` as Element Web sends it (with the reply
        fallback to the thread's latest event for clients without threads)."""
        content = element.thread_content(body, root, last_in_thread)
        return await self.send_content(room_id, content)

    async def send_edit(self, room_id: str, original: str, new_body: str) -> str:
        """An edit (``m.replace``) of ``original`` as Element Web sends it."""
        return await self.send_content(room_id, element.edit_content(original, new_body))

    async def send_content(
        self, room_id: str, content: dict[str, Any], *, timeout: float = 30
    ) -> str:
        """Send an ``m.room.message`` with exactly ``content``; return its event id."""
        txn_id = str(uuid.uuid4())
        async with asyncio.timeout(timeout):
            room = await self._wait_until(
                lambda: self._joined_room(room_id), what=f"own join of {room_id} in sync"
            )
            last_error = "no attempt"
            for attempt in range(_SEND_ATTEMPTS):
                if attempt:
                    await asyncio.sleep(0.2 * attempt)
                async with self._crypto_lock:
                    try:
                        if room.encrypted:
                            await self._prepare_encrypted_send(room_id)
                        response = await self._client.room_send(
                            room_id,
                            "m.room.message",
                            content,
                            tx_id=txn_id,
                            ignore_unverified_devices=True,
                        )
                    except (LocalProtocolError, GroupEncryptionError, EncryptionError) as exc:
                        # E.g. a group session shared concurrently or invalidated by a
                        # membership change between sharing and encrypting: try afresh.
                        last_error = type(exc).__name__
                        log.warning(
                            "send: local encryption error, retrying",
                            extra={"room_id": room_id, "error_type": last_error},
                        )
                        continue
                    except (SendRetryError, aiohttp.ClientError, TimeoutError, OSError) as exc:
                        last_error = type(exc).__name__
                        log.warning(
                            "send failed, retrying",
                            extra={"room_id": room_id, "error_type": last_error},
                        )
                        continue
                if isinstance(response, RoomSendResponse):
                    return str(response.event_id)
                last_error = str(response.status_code)
                if response.status_code in {"M_FORBIDDEN", "M_NOT_FOUND", "M_UNKNOWN_TOKEN"}:
                    break
            raise PartnerError(f"sending to {room_id} failed: {last_error}")

    async def react(self, room_id: str, event_id: str, key: str = "👍") -> str:
        """React to ``event_id`` as Element does: an unencrypted ``m.reaction`` annotation
        (even in an encrypted room); returns the reaction's event id."""
        content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}
        async with self._crypto_lock:
            # nio never encrypts m.reaction, like Element; the flag only concerns the room
            # key nio shares on the way (not used by the reaction itself).
            response = await self._client.room_send(
                room_id,
                "m.reaction",
                content,
                tx_id=str(uuid.uuid4()),
                ignore_unverified_devices=True,
            )
        if not isinstance(response, RoomSendResponse):
            raise PartnerError(f"reacting in {room_id} failed: {response.status_code}")
        return str(response.event_id)

    async def _prepare_encrypted_send(self, room_id: str) -> None:
        """Make sure nio knows every member's devices and has Olm sessions to them.

        nio's ``room_send`` queries keys only the first time (while the member list is
        not yet synced); members who join later would silently be left out of the next
        room key unless someone queries their devices first.
        """
        client = self._client
        room = client.rooms[room_id]
        if not room.members_synced:
            await client.joined_members(room_id)
        if client.should_query_keys:
            await client.keys_query()
