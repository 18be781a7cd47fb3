"""What a partner receives: the sync loop, decryption, attachments, waiting for a message.

Encrypted events are decrypted when their room key is there, and retried after each sync
until it arrives; invitations are recorded (and joined, unless ``auto_join`` is off). The
sync loop also does what nio's ``sync_forever`` does between syncs (keys up, keys
queried, to-device messages out). Message bodies are never logged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import aiohttp
from nio import (
    DownloadResponse,
    EncryptionError,
    InviteMemberEvent,
    JoinError,
    LocalProtocolError,
    MegolmEvent,
    RoomEncryptedMedia,
    RoomMessageEmote,
    RoomMessageFormatted,
    RoomMessageNotice,
    SyncError,
    SyncResponse,
)
from nio.crypto.attachments import decrypt_attachment

from avz_bot.logs import get_logger
from avz_bot.testkit.partner.base import PartnerBase
from avz_bot.testkit.partner.records import Invitation, PartnerError, ReceivedMessage, RoomLog

log = get_logger(__name__)


#: Room timeline window per sync: a burst of messages between two syncs must not leave
#: a gap (Synapse's default is only 10 events for an initial sync).
_SYNC_FILTER: dict[str, Any] = {
    "room": {"timeline": {"limit": 200}, "state": {"lazy_load_members": False}},
    "presence": {"types": []},
}


class PartnerReceiving(PartnerBase):
    """Syncing, decrypting and recording what arrives."""

    # ------------------------------------------------------------------ receiving
    async def wait_for_message(
        self,
        room_id: str,
        *,
        sender: str | None = None,
        predicate: Callable[[str], bool] | None = None,
        after_event_id: str | None = None,
        since_ts: int | None = None,
        in_reply_to: str | None = None,
        timeout: float = 30,
    ) -> ReceivedMessage:
        """Return the first received message in ``room_id`` that matches; wait if needed.

        Messages that arrived before the call count too. ``sender`` None means anyone
        but this partner; ``predicate`` tests the body; ``after_event_id`` keeps only
        messages later in the timeline than that event (once this partner has seen it);
        ``since_ts`` keeps only messages with ``origin_server_ts >= since_ts`` (ms).
        Raises ``TimeoutError`` naming what was seen (never the bodies).
        """

        def find() -> ReceivedMessage | None:
            room = self._rooms.get(room_id)
            if room is None:
                return None
            floor = -1
            if after_event_id is not None:
                if after_event_id not in room.positions:
                    return None
                floor = room.positions[after_event_id]
            for position, message in room.messages:
                if position <= floor:
                    continue
                if sender is None and message.sender == self.user_id:
                    continue
                if sender is not None and message.sender != sender:
                    continue
                if since_ts is not None and message.origin_server_ts < since_ts:
                    continue
                if predicate is not None and not predicate(message.body):
                    continue
                if in_reply_to is not None and message.in_reply_to != in_reply_to:
                    continue
                return message
            return None

        try:
            return await self._wait_until(find, timeout=timeout, what="")
        except TimeoutError:
            raise TimeoutError(
                f"{self.user_id}: no matching message in {room_id} within {timeout:.0f} s "
                f"(sender={sender}, after_event_id={after_event_id}); "
                f"{self._describe(room_id, after_event_id)}"
            ) from None

    def _describe(self, room_id: str, after_event_id: str | None) -> str:
        room = self._rooms.get(room_id)
        if room is None:
            return "no events received in that room"
        senders: dict[str, int] = {}
        for _, message in room.messages:
            senders[message.sender] = senders.get(message.sender, 0) + 1
        seen_anchor = after_event_id is None or after_event_id in room.positions
        return (
            f"messages received per sender: {senders}; "
            f"undecryptable: {self.undecryptable_count(room_id)}; "
            f"anchor event seen: {seen_anchor}"
        )

    # ------------------------------------------------------------------ sync loop
    async def _sync_loop(self) -> None:
        try:
            await self._sync_forever()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.error("partner sync loop crashed", extra={"error_type": type(exc).__name__})
            self._sync_failure = exc
            await self._notify()

    async def _sync_forever(self) -> None:
        client = self._client
        first = True
        delay = 0.2
        while not self._closed:
            try:
                response = await client.sync(
                    timeout=0 if first else self._sync_timeout_ms, sync_filter=_SYNC_FILTER
                )
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                # The homeserver is restarting or gone: retry with a short back-off.
                log.debug("sync failed", extra={"error_type": type(exc).__name__})
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            if isinstance(response, SyncError):
                if response.status_code == "M_UNKNOWN_TOKEN":
                    self._sync_failure = PartnerError("access token rejected (M_UNKNOWN_TOKEN)")
                    await self._notify()
                    return
                log.warning("sync error", extra={"errcode": response.status_code})
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            delay = 0.2
            first = False
            try:
                await self._process(response)
                await self._crypto_housekeeping()
                self._retry_undecrypted()
            finally:
                self._synced_once.set()
                await self._notify()

    async def _process(self, response: SyncResponse) -> None:
        own = self.user_id
        for room_id, invite in response.rooms.invite.items():
            inviter = next(
                (
                    ev.sender
                    for ev in invite.invite_state
                    if isinstance(ev, InviteMemberEvent)
                    and ev.state_key == own
                    and ev.membership == "invite"
                ),
                None,
            )
            self._invitations.append(Invitation(room_id, inviter))
            if self._auto_join:
                result = await self._client.join(room_id)
                if isinstance(result, JoinError):
                    log.warning(
                        "auto-join failed",
                        extra={"room_id": room_id, "errcode": result.status_code},
                    )
        for room_id, joined in response.rooms.join.items():
            room_log = self._rooms.setdefault(room_id, RoomLog())
            for event in joined.timeline.events:
                event_id = getattr(event, "event_id", None)
                if not isinstance(event_id, str):
                    continue
                if event_id in room_log.positions:
                    continue  # seen before (e.g. a re-delivered batch)
                position = room_log.position(event_id)
                if isinstance(event, MegolmEvent):
                    event.room_id = room_id
                    self._undecrypted[event_id] = event
                    await self._request_key(event)
                elif isinstance(event, RoomMessageFormatted):
                    room_log.add(position, self._message(room_id, event))
                elif isinstance(event, RoomEncryptedMedia):
                    room_log.add(position, self._attachment(room_id, event))

    @staticmethod
    def _message(room_id: str, event: RoomMessageFormatted) -> ReceivedMessage:
        relates = event.source.get("content", {}).get("m.relates_to") or {}
        reply_to = (relates.get("m.in_reply_to") or {}).get("event_id")
        root = relates.get("event_id") if relates.get("rel_type") == "m.thread" else None
        return ReceivedMessage(
            in_reply_to=reply_to if isinstance(reply_to, str) else None,
            thread_root=root if isinstance(root, str) else None,
            event_id=str(event.event_id),
            room_id=room_id,
            sender=str(event.sender),
            body=str(event.body),
            formatted_body=event.formatted_body if event.formatted_body else None,
            origin_server_ts=int(event.server_timestamp),
            encrypted=bool(getattr(event, "decrypted", False)),
            msgtype=(
                "m.notice"
                if isinstance(event, RoomMessageNotice)
                else "m.emote"
                if isinstance(event, RoomMessageEmote)
                else "m.text"
            ),
        )

    @staticmethod
    def _attachment(room_id: str, event: RoomEncryptedMedia) -> ReceivedMessage:
        content = dict(event.source.get("content", {}))
        return ReceivedMessage(
            event_id=str(event.event_id),
            room_id=room_id,
            sender=str(event.sender),
            body=str(event.body),
            formatted_body=None,
            origin_server_ts=int(event.server_timestamp),
            encrypted=bool(getattr(event, "decrypted", False)),
            msgtype=str(content.get("msgtype", "m.file")),
            content=content,
        )

    async def download_attachment(self, message: ReceivedMessage) -> bytes:
        """Download an encrypted attachment and decrypt it, as a client does (the key, IV
        and hash come from the event's ``file`` object). Raises on any mismatch."""
        if message.content is None or "file" not in message.content:
            raise ValueError("not an encrypted attachment")
        file = message.content["file"]
        response = await self._client.download(mxc=str(file["url"]))
        if not isinstance(response, DownloadResponse):
            raise RuntimeError(f"download failed: {getattr(response, 'status_code', '?')}")
        body = response.body if isinstance(response.body, bytes) else bytes(response.body)
        plain: bytes = decrypt_attachment(
            body, file["key"]["k"], file["hashes"]["sha256"], file["iv"]
        )
        return plain

    async def _request_key(self, event: MegolmEvent) -> None:
        """Ask the sender's devices for a missing room key (once per session).

        Note: nio clients never answer key requests from *other* users; this only helps
        with senders whose clients do (Element) — the real cure is correct sharing.
        """
        if event.session_id in self._requested_sessions:
            return
        self._requested_sessions.add(event.session_id)
        try:
            await self._client.request_room_key(event)
        except (LocalProtocolError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            log.debug("room key request skipped", extra={"error_type": type(exc).__name__})

    def _retry_undecrypted(self) -> None:
        olm = self._client.olm
        for event_id, event in list(self._undecrypted.items()):
            # Look before decrypting: nio logs a warning (and runs its "wedged session"
            # check) on every failed attempt, which would repeat after each sync.
            if olm is None or not olm.inbound_group_store.get(
                event.room_id, event.sender_key, event.session_id
            ):
                continue
            try:
                decrypted = self._client.decrypt_event(event)
            except EncryptionError:
                continue
            del self._undecrypted[event_id]
            room_log = self._rooms.setdefault(event.room_id, RoomLog())
            if isinstance(decrypted, RoomMessageFormatted):
                room_log.add(room_log.position(event_id), self._message(event.room_id, decrypted))

    async def _crypto_housekeeping(self) -> None:
        """What ``sync_forever`` does between syncs: keys up, keys queried, to-device out."""
        client = self._client
        async with self._crypto_lock:
            try:
                if client.should_upload_keys:
                    await client.keys_upload()
                if client.should_query_keys:
                    await client.keys_query()
                if client.should_claim_keys:
                    await client.keys_claim(client.get_users_for_key_claiming())
                await client.send_to_device_messages()
            except (LocalProtocolError, aiohttp.ClientError, TimeoutError, OSError) as exc:
                log.warning("key maintenance failed", extra={"error_type": type(exc).__name__})
