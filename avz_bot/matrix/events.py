"""What each synced event becomes: invitations, timeline events and parked ciphertext.

Part of ``MatrixAdapter`` (``avz_bot.matrix.adapter``), given its ``MatrixSession`` and the
registry check; the sync loop (``avz_bot.matrix.sync``) hands every event of a batch here.
Commands become an ``IncomingCommand`` (sender device, cross-signing verdict, room
members), reactions an ``IncomingReaction``, membership changes go to the core as they
are; an event whose room key has not arrived is parked with the core and decrypted again
after each sync.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import aiohttp
from nio import (
    EncryptionError,
    JoinError,
    LocalProtocolError,
    MegolmEvent,
    ReactionEvent,
    RoomEncryptionEvent,
    RoomMemberEvent,
    RoomMessageText,
)

from avz_bot.domain.inbound import IncomingCommand, IncomingReaction
from avz_bot.domain.mentions import MessageText, Person, message_text
from avz_bot.logs import get_logger
from avz_bot.matrix.session import MatrixSession
from avz_bot.ports import EncryptedEventRef, InboundPort

log = get_logger(__name__)


def _ts(millis: int | None) -> datetime:
    return datetime.fromtimestamp((millis or 0) / 1000, tz=UTC)


def _said(event: RoomMessageText) -> MessageText:
    """The command text of a message as clients send it (pills, replies, edits)."""
    content = event.source.get("content")
    return message_text(content if isinstance(content, dict) else {"body": event.body})


class TimelineEvents:
    """Routes invitations and timeline events to the ``InboundPort``."""

    def __init__(self, session: MatrixSession, is_registered: Callable[[str], bool]) -> None:
        self._session = session
        self._is_registered = is_registered
        self._clock = session.clock
        self._metrics = session.metrics

    async def handle_invite(self, room_id: str, inviter: str | None, port: InboundPort) -> None:
        """Join if the inviter may invite the bot, else refuse (leave)."""
        client = self._session.client
        if inviter is not None and await port.may_invite(inviter):
            result = await client.join(room_id)
            if isinstance(result, JoinError):
                log.warning(
                    "join failed", extra={"room_id": room_id, "errcode": result.status_code}
                )
                return
            log.info("joined room", extra={"room_id": room_id})
            await port.joined(room_id, self._clock.now(), None)
        else:
            log.info("invitation refused", extra={"room_id": room_id})
            await client.room_leave(room_id)

    async def handle_timeline_event(
        self, room_id: str, encrypted: bool, event: object, port: InboundPort
    ) -> None:
        """Hand one timeline event of a joined room to ``port`` as what it is."""
        own = self._session.client.user_id
        if isinstance(event, RoomMemberEvent):
            if event.state_key == own:
                if event.membership == "join":
                    await port.joined(room_id, _ts(event.server_timestamp), encrypted)
                return
            previous = (event.prev_content or {}).get("membership")
            if event.membership != previous:
                await port.member_changed(
                    room_id,
                    event.state_key,
                    event.membership,
                    event.event_id,
                    _ts(event.server_timestamp),
                )
            return
        if isinstance(event, RoomEncryptionEvent):
            await port.joined(room_id, _ts(event.server_timestamp), True)
            return
        if isinstance(event, MegolmEvent):
            await self._undecryptable(room_id, event, port)
            return
        if isinstance(event, ReactionEvent):
            # Reactions are never encrypted (not even in encrypted rooms), so nothing
            # here is decrypted; the core only acts on reactions to its own messages.
            if event.sender != own:
                await port.reaction(
                    IncomingReaction(
                        event_id=event.event_id,
                        room_id=room_id,
                        sender=event.sender,
                        relates_to=event.reacts_to,
                        key=event.key,
                        sent_at=_ts(event.server_timestamp),
                        received_at=self._clock.now(),
                    )
                )
            return
        if not isinstance(event, RoomMessageText) or event.sender == own:
            return
        said = _said(event)
        if not port.is_command(said.body):
            # Conversation between people: none of the bot's business (and no reason to
            # look up the sender's cross-signing keys), unless it holds a personal number.
            if encrypted and event.decrypted and port.may_hold_identifier(said.body):
                await port.screen(await self._incoming(room_id, event, said))
            return
        incoming = await self._incoming(room_id, event, said)
        if encrypted:
            if not event.decrypted:
                # Plaintext injected into an encrypted room: never act on it.
                log.info("ignored unencrypted event in encrypted room", extra={"room_id": room_id})
                return
            await port.message(incoming)
        else:
            await port.message_in_unencrypted_room(incoming)

    def _member_count(self, room_id: str) -> int | None:
        room = self._session.client.rooms.get(room_id)
        return int(room.member_count) if room is not None else None

    def _sender_device(self, event: RoomMessageText) -> str | None:
        """The sending device, found by the Curve25519 key the event was encrypted with."""
        sender_key = getattr(event, "sender_key", None)
        if not event.decrypted or not sender_key:
            return None
        for device in self._session.client.device_store.active_user_devices(event.sender):
            if device.curve25519 == sender_key:
                return str(device.id)
        return None

    def _people(self, room_id: str) -> tuple[Person, ...]:
        """The room's registered members (joined or invited) with their display names."""
        client = self._session.client
        room = client.rooms.get(room_id)
        if room is None:
            return ()
        users = {**room.invited_users, **room.users}
        return tuple(
            Person(user_id, user.display_name if user.display_name != user_id else None)
            for user_id, user in users.items()
            if user_id != client.user_id and self._is_registered(user_id)
        )

    async def _incoming(
        self, room_id: str, event: RoomMessageText, said: MessageText, *, late: bool = False
    ) -> IncomingCommand:
        device = self._sender_device(event)
        checker = self._session.checker
        cross_signed = (
            await checker.is_cross_signed(event.sender, device)
            if checker is not None and device is not None
            else None
        )
        return IncomingCommand(
            event_id=event.event_id,
            room_id=room_id,
            sender=event.sender,
            body=said.body,
            sent_at=_ts(event.server_timestamp),
            received_at=self._clock.now(),
            sender_device=device,
            device_verified=cross_signed,
            late=late,
            room_members=self._member_count(room_id),
            thread_root=said.thread_root,
            edit_of=said.edit_of,
            people=self._people(room_id),
        )

    async def _undecryptable(self, room_id: str, event: MegolmEvent, port: InboundPort) -> None:
        self._metrics.undecryptable.inc()
        source = dict(event.source)
        source.setdefault("room_id", room_id)
        await port.undecryptable(
            EncryptedEventRef(
                event_id=event.event_id,
                room_id=room_id,
                sender=event.sender,
                session_id=event.session_id,
                sender_key=event.sender_key,
                source=source,
                sent_at=_ts(event.server_timestamp),
            )
        )
        try:
            await self._session.client.request_room_key(event)
        except (LocalProtocolError, aiohttp.ClientError, TimeoutError) as exc:
            # A request for this session is already out, or the server is away: the
            # retry after the next sync covers both.
            log.debug("room key request skipped", extra={"error_type": type(exc).__name__})

    async def retry_undecryptable(self, port: InboundPort) -> None:
        """Decrypt the parked events whose room key has arrived and hand them to ``port``."""
        pending = await port.pending_undecryptable()
        if not pending:
            return
        client = self._session.client
        for ref in pending:
            event = MegolmEvent.from_dict(ref.source)
            if not isinstance(event, MegolmEvent):
                await port.decrypted_late(ref.event_id)
                continue
            event.room_id = ref.room_id
            store = client.olm.inbound_group_store if client.olm else None
            if store is None or store.get(ref.room_id, ref.sender_key, ref.session_id) is None:
                continue  # the key has not arrived yet; trying would only log warnings
            try:
                decrypted = client.decrypt_event(event)
            except EncryptionError:
                continue
            room = client.rooms.get(ref.room_id)
            if isinstance(decrypted, RoomMessageText) and decrypted.sender != client.user_id:
                said = _said(decrypted)
                encrypted_room = room is not None and room.encrypted
                if port.is_command(said.body):
                    if encrypted_room:
                        incoming = await self._incoming(ref.room_id, decrypted, said, late=True)
                        await port.message(incoming)
                elif encrypted_room and port.may_hold_identifier(said.body):
                    await port.screen(await self._incoming(ref.room_id, decrypted, said, late=True))
            # Only after the command was handled: if the database fails in between, the
            # parked event is still there when the batch is handled again.
            await port.decrypted_late(ref.event_id)
