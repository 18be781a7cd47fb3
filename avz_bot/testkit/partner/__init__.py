"""A scripted human partner: a real, encrypted matrix-nio client for tests, demo and benchmarks.

``PartnerClient`` logs in with a password, keeps its encryption store on disk, syncs in
a background task, joins the rooms it is invited to, and records every message it
receives (decrypted where it can, retried when a room key arrives later) so that tests
can wait for a reply that may already have arrived.

Every operation is bounded by a timeout: a test can fail, but never hang.
Message bodies are never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import os
import secrets
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import aiohttp
from nio import (
    AsyncClient,
    AsyncClientConfig,
    DownloadResponse,
    EncryptionError,
    ErrorResponse,
    GroupEncryptionError,
    InviteMemberEvent,
    JoinError,
    LocalProtocolError,
    LoginResponse,
    MatrixRoom,
    MegolmEvent,
    RoomCreateError,
    RoomEncryptedMedia,
    RoomGetStateResponse,
    RoomInviteError,
    RoomMessageEmote,
    RoomMessageFormatted,
    RoomMessageNotice,
    RoomPreset,
    RoomSendResponse,
    RoomVisibility,
    SendRetryError,
    SyncError,
    SyncResponse,
    WhoamiResponse,
)
from nio.crypto.attachments import decrypt_attachment

from avz_bot.logs import get_logger
from avz_bot.matrix.identity import IdentityManager

__all__ = ["Invitation", "PartnerClient", "PartnerError", "PartnerFactory", "ReceivedMessage"]

log = get_logger(__name__)

_T = TypeVar("_T")

#: Room timeline window per sync: a burst of messages between two syncs must not leave
#: a gap (Synapse's default is only 10 events for an initial sync).
_SYNC_FILTER: dict[str, Any] = {
    "room": {"timeline": {"limit": 200}, "state": {"lazy_load_members": False}},
    "presence": {"types": []},
}

_MEGOLM = "m.megolm.v1.aes-sha2"
_CREDENTIALS_FILE = "credentials.json"
_PICKLE_KEY_FILE = "pickle.key"
_SEND_ATTEMPTS = 5


class PartnerError(RuntimeError):
    """The homeserver refused an operation of a ``PartnerClient``, or its sync loop died."""


@dataclass(frozen=True)
class ReceivedMessage:
    """One ``m.room.message`` with a text body, as this partner received it."""

    event_id: str
    room_id: str
    sender: str
    body: str
    formatted_body: str | None
    origin_server_ts: int
    encrypted: bool
    """True if the event arrived encrypted and was decrypted (False: sent in plaintext)."""
    msgtype: str = "m.text"
    """``m.text``, ``m.notice`` or ``m.emote``."""
    in_reply_to: str | None = None
    """The event this message answers (Matrix rich reply), if any."""
    content: dict[str, Any] | None = None
    """For ``m.file``/``m.image``: the decrypted event content (with its ``file`` object)."""
    thread_root: str | None = None
    """The root of the thread the message is in (``rel_type: m.thread``), if any."""


@dataclass(frozen=True)
class Invitation:
    """An invitation this partner received (``inviter`` is None if Synapse did not say)."""

    room_id: str
    inviter: str | None


@dataclass
class _RoomLog:
    """The order in which timeline events arrived in one room, and its text messages."""

    positions: dict[str, int] = field(default_factory=dict)
    messages: list[tuple[int, ReceivedMessage]] = field(default_factory=list)

    def position(self, event_id: str) -> int:
        """The event's position in arrival order, assigned on first sight."""
        if event_id not in self.positions:
            self.positions[event_id] = len(self.positions)
        return self.positions[event_id]

    def add(self, position: int, message: ReceivedMessage) -> None:
        """Record a message at its timeline position (late decryptions keep theirs)."""
        if any(m.event_id == message.event_id for _, m in self.messages):
            return
        self.messages.append((position, message))
        self.messages.sort(key=lambda item: item[0])


class PartnerFactory(Protocol):
    """Makes a fresh, registered, connected partner (the ``make_partner`` test fixture)."""

    async def __call__(self, name: str = "partner") -> PartnerClient:
        """Register a user whose localpart starts with ``name`` and connect it."""
        ...


def _load_or_create_pickle_key(store_dir: Path) -> str:
    path = store_dir / _PICKLE_KEY_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


class PartnerClient:
    """A logged-in, encrypting Matrix user driven by a test script.

    Create with ``await PartnerClient.create(...)``; always ``await close()``.
    """

    def __init__(
        self,
        client: AsyncClient,
        store_dir: Path,
        *,
        auto_join: bool = True,
        sync_timeout_ms: int = 3_000,
    ) -> None:
        """Wrap a logged-in ``client``; use ``PartnerClient.create`` instead of this."""
        self._client = client
        self._store_dir = store_dir
        self._auto_join = auto_join
        self._sync_timeout_ms = sync_timeout_ms
        self._rooms: dict[str, _RoomLog] = {}
        self._invitations: list[Invitation] = []
        self._undecrypted: dict[str, MegolmEvent] = {}
        self._requested_sessions: set[str] = set()
        self._changed = asyncio.Condition()
        self._crypto_lock = asyncio.Lock()
        self._sync_task: asyncio.Task[None] | None = None
        self._sync_failure: BaseException | None = None
        self._synced_once = asyncio.Event()
        self._closed = False
        #: The account's password (kept for user-interactive auth, e.g. cross-signing).
        self.password: str | None = None

    # ------------------------------------------------------------------ creation
    @classmethod
    async def create(
        cls,
        homeserver_url: str,
        user_id: str,
        password: str,
        store_dir: Path,
        *,
        pickle_key: str | None = None,
        auto_join: bool = True,
        sync_timeout_ms: int = 3_000,
        device_name: str = "avz-testkit-partner",
        timeout: float = 60,
    ) -> PartnerClient:
        """Log in (or restore the device stored in ``store_dir``), upload keys, start syncing.

        ``pickle_key`` encrypts the store; by default a random key is kept in
        ``store_dir/pickle.key``. Returns once the first sync has been processed.
        """
        store_dir = Path(store_dir)
        store_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(store_dir, 0o700)
        config = AsyncClientConfig(
            encryption_enabled=True,
            store_sync_tokens=False,
            pickle_key=pickle_key or _load_or_create_pickle_key(store_dir),
            # Bounded retries inside nio (its defaults retry forever); short back-off so a
            # restarted homeserver is found again quickly.
            max_limit_exceeded=5,
            max_timeouts=3,
            backoff_factor=0.2,
            max_timeout_retry_wait_time=2,
            request_timeout=20,
        )
        client = AsyncClient(homeserver_url, user_id, store_path=str(store_dir), config=config)
        partner = cls(client, store_dir, auto_join=auto_join, sync_timeout_ms=sync_timeout_ms)
        partner.password = password
        try:
            async with asyncio.timeout(timeout):
                await partner._log_in(password, device_name)
                await partner._upload_keys()
                partner._sync_task = asyncio.create_task(
                    partner._sync_loop(), name=f"partner-sync-{user_id}"
                )
                await partner._wait_first_sync()
        except BaseException:
            await partner.close()
            raise
        return partner

    async def _log_in(self, password: str, device_name: str) -> None:
        client = self._client
        creds_path = self._store_dir / _CREDENTIALS_FILE
        creds: dict[str, str] | None = None
        with contextlib.suppress(FileNotFoundError, ValueError):
            creds = json.loads(creds_path.read_text(encoding="utf-8"))
        if (
            creds is not None
            and creds.get("user_id") == client.user
            and creds.get("homeserver") == client.homeserver
        ):
            client.restore_login(creds["user_id"], creds["device_id"], creds["access_token"])
            who = await client.whoami()
            if isinstance(who, WhoamiResponse):
                return
            # Token gone (e.g. logged out): log in again into the same device and keys.
            client.access_token = ""
        response = await client.login(password, device_name=device_name)
        if not isinstance(response, LoginResponse):
            raise PartnerError(
                f"login as {client.user} failed: {getattr(response, 'status_code', None)} "
                f"{getattr(response, 'message', '')}"
            )
        payload = {
            "homeserver": client.homeserver,
            "user_id": response.user_id,
            "device_id": response.device_id,
            "access_token": response.access_token,
        }
        fd = os.open(creds_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle)

    async def _upload_keys(self) -> None:
        if self._client.should_upload_keys:
            response = await self._client.keys_upload()
            if isinstance(response, ErrorResponse):
                raise PartnerError(f"key upload failed: {response.status_code}")

    async def _wait_first_sync(self) -> None:
        sync_task = self._sync_task
        assert sync_task is not None
        first = asyncio.ensure_future(self._synced_once.wait())
        try:
            await asyncio.wait({first, sync_task}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            first.cancel()
        if not self._synced_once.is_set():
            raise PartnerError(
                f"{self.user_id}: the sync loop ended before the first sync"
            ) from self._sync_failure

    # ------------------------------------------------------------------ properties
    @property
    def user_id(self) -> str:
        """This partner's Matrix user id."""
        return str(self._client.user_id)

    @property
    def device_id(self) -> str:
        """This partner's device id."""
        return str(self._client.device_id)

    @property
    def store_dir(self) -> Path:
        """Where the encryption store, pickle key and access token are kept."""
        return self._store_dir

    @property
    def client(self) -> AsyncClient:
        """The underlying nio client, for what this class does not offer."""
        return self._client

    @property
    def invitations(self) -> list[Invitation]:
        """Every invitation received so far, oldest first."""
        return list(self._invitations)

    async def wait_for_invitation(
        self, inviter: str | None = None, *, exclude: Sequence[str] = (), timeout: float = 30
    ) -> Invitation:
        """The first invitation (from ``inviter``, if given) to a room not in ``exclude``."""

        def find() -> Invitation | None:
            for invitation in self._invitations:
                if invitation.room_id in exclude:
                    continue
                if inviter is None or invitation.inviter == inviter:
                    return invitation
            return None

        return await self._wait_until(find, timeout=timeout, what=f"an invitation from {inviter}")

    async def cross_sign_own_device(self) -> str:
        """Give this account cross-signing keys and sign this device with them (as Element
        does when a user sets up "secure backup"); returns the master public key."""
        manager = IdentityManager(
            homeserver=self._client.homeserver,
            user_id=self.user_id,
            device_id=self.device_id,
            access_token=self._client.access_token,
            password=self.password,
            key_path=self._store_dir / "cross-signing.json",
            key_secret="partner-cross-signing-secret",
        )
        async with aiohttp.ClientSession() as http:
            status = await manager.ensure(http)
        return status.master_public

    def messages(self, room_id: str) -> list[ReceivedMessage]:
        """The text messages received in ``room_id`` so far, in timeline order."""
        room = self._rooms.get(room_id)
        return [message for _, message in room.messages] if room else []

    def undecryptable_count(self, room_id: str | None = None) -> int:
        """How many received encrypted events could not be decrypted (yet)."""
        return sum(
            1 for ev in self._undecrypted.values() if room_id is None or ev.room_id == room_id
        )

    # ------------------------------------------------------------------ rooms
    async def create_encrypted_room(
        self, name: str | None = None, invite: Sequence[str] = (), *, timeout: float = 30
    ) -> str:
        """Create a private room with ``m.room.encryption`` in its initial state.

        Returns the room id once this partner's sync knows the room as encrypted.
        """
        initial_state = [
            {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": _MEGOLM}}
        ]
        return await self._create_room(name, invite, initial_state, timeout, encrypted=True)

    async def create_plain_room(
        self, invite: Sequence[str] = (), *, name: str | None = None, timeout: float = 30
    ) -> str:
        """Create a private room WITHOUT encryption; returns its id once synced."""
        return await self._create_room(name, invite, [], timeout, encrypted=False)

    async def _create_room(
        self,
        name: str | None,
        invite: Sequence[str],
        initial_state: list[dict[str, Any]],
        timeout: float,
        *,
        encrypted: bool,
    ) -> str:
        async with asyncio.timeout(timeout):
            response = await self._client.room_create(
                visibility=RoomVisibility.private,
                name=name,
                preset=RoomPreset.private_chat,
                invite=list(invite),
                initial_state=initial_state,
            )
            if isinstance(response, RoomCreateError):
                raise PartnerError(f"creating a room failed: {response.status_code}")
            room_id = str(response.room_id)
            await self._wait_until(
                lambda: self._joined_room(room_id, encrypted=encrypted),
                what=f"room {room_id} to appear in sync",
            )
            return room_id

    def _joined_room(self, room_id: str, *, encrypted: bool | None = None) -> MatrixRoom | None:
        room = self._client.rooms.get(room_id)
        if room is None or self.user_id not in room.users or room.users[self.user_id].invited:
            return None
        if encrypted is not None and bool(room.encrypted) != encrypted:
            return None
        return room

    async def invite(self, room_id: str, user_id: str, *, timeout: float = 30) -> None:
        """Invite ``user_id`` to ``room_id``."""
        async with asyncio.timeout(timeout):
            response = await self._client.room_invite(room_id, user_id)
        if isinstance(response, RoomInviteError):
            raise PartnerError(f"inviting {user_id} to {room_id} failed: {response.status_code}")

    async def join(self, room_id: str, *, timeout: float = 30) -> None:
        """Join ``room_id`` (a no-op if already joined); returns once the sync shows it."""
        async with asyncio.timeout(timeout):
            if self._joined_room(room_id) is None:
                response = await self._client.join(room_id)
                if isinstance(response, JoinError):
                    raise PartnerError(f"joining {room_id} failed: {response.status_code}")
            await self._wait_until(
                lambda: self._joined_room(room_id), what=f"own join of {room_id} in sync"
            )

    async def wait_for_join(self, room_id: str, user_id: str, timeout: float = 30) -> None:
        """Wait until this partner's sync shows ``user_id`` as joined to ``room_id``.

        Waiting on the partner's own view matters for encryption: only once nio has
        seen the join does it share the next room key with the new member.
        """

        def joined() -> bool:
            room = self._client.rooms.get(room_id)
            return bool(room and user_id in room.users and not room.users[user_id].invited)

        await self._wait_until(joined, timeout=timeout, what=f"{user_id} to join {room_id}")

    async def room_state(self, room_id: str, *, timeout: float = 30) -> list[dict[str, Any]]:
        """The room's current state events, raw, as the homeserver returns them."""
        async with asyncio.timeout(timeout):
            response = await self._client.room_get_state(room_id)
        if not isinstance(response, RoomGetStateResponse):
            raise PartnerError(
                f"reading the state of {room_id} failed: {getattr(response, 'status_code', None)}"
            )
        return [dict(event) for event in response.events]

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
    @staticmethod
    def pill(user_id: str, display_name: str) -> tuple[str, str]:
        """A mention pill as Element Web writes it: (plain text, HTML)."""
        return (
            display_name,
            f'<a href="https://matrix.to/#/{user_id}">{html.escape(display_name)}</a>',
        )

    @staticmethod
    def element_content(
        body: str, formatted_body: str | None = None, mentions: Sequence[str] = ()
    ) -> dict[str, Any]:
        """``m.room.message`` content as Element Web sends typed text: ``formatted_body``
        only when there is markup (a pill), ``m.mentions`` always."""
        content: dict[str, Any] = {"msgtype": "m.text", "body": body}
        if formatted_body is not None:
            content["format"] = "org.matrix.custom.html"
            content["formatted_body"] = formatted_body
        content["m.mentions"] = {"user_ids": list(mentions)} if mentions else {}
        return content

    async def send_pill_command(
        self, room_id: str, before: str, user_id: str, display_name: str, after: str = ""
    ) -> str:
        """Send ``before<pill>after`` as Element Web does after picking a person from the
        ``@`` autocomplete (the body has the display name, the HTML the link)."""
        plain, link = self.pill(user_id, display_name)
        content = self.element_content(
            f"{before}{plain}{after}",
            f"{html.escape(before)}{link}{html.escape(after)}",
            [user_id],
        )
        return await self.send_content(room_id, content)

    async def send_reply(
        self, room_id: str, body: str, to: ReceivedMessage, *, legacy_fallback: bool
    ) -> str:
        """A rich reply to ``to`` as Element Web sends it; ``legacy_fallback`` adds the
        quote older Element versions put in ``body`` and ``formatted_body``."""
        content = self.element_content(body, mentions=[to.sender])
        if legacy_fallback:
            quoted = "\n".join(f"> {line}" for line in to.body.splitlines())
            first = f"> <{to.sender}> {quoted[2:]}" if quoted else f"> <{to.sender}>"
            content["body"] = f"{first}\n\n{body}"
            content["format"] = "org.matrix.custom.html"
            content["formatted_body"] = (
                f'<mx-reply><blockquote><a href="https://matrix.to/#/{to.room_id}/'
                f'{to.event_id}">In reply to</a> <a href="https://matrix.to/#/{to.sender}">'
                f"{to.sender}</a><br>{html.escape(to.body)}</blockquote></mx-reply>"
                f"{html.escape(body)}"
            )
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": to.event_id}}
        return await self.send_content(room_id, content)

    async def send_in_thread(
        self, room_id: str, body: str, root: str, *, last_in_thread: str | None = None
    ) -> str:
        """A message in the thread of ``root`` as Element Web sends it (with the reply
        fallback to the thread's latest event for clients without threads)."""
        content = self.element_content(body)
        content["m.relates_to"] = {
            "rel_type": "m.thread",
            "event_id": root,
            "is_falling_back": True,
            "m.in_reply_to": {"event_id": last_in_thread or root},
        }
        return await self.send_content(room_id, content)

    async def send_edit(self, room_id: str, original: str, new_body: str) -> str:
        """An edit (``m.replace``) of ``original`` as Element Web sends it."""
        content = self.element_content(f"* {new_body}")
        content["m.new_content"] = self.element_content(new_body)
        content["m.relates_to"] = {"rel_type": "m.replace", "event_id": original}
        return await self.send_content(room_id, content)

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

    async def send_and_wait(
        self, room_id: str, body: str, *, reply_from: str, timeout: float = 30
    ) -> ReceivedMessage:
        """Send ``body`` and return ``reply_from``'s answer to it (a rich reply to the sent
        event), ignoring anything else ``reply_from`` says meanwhile."""
        deadline = time.monotonic() + timeout
        event_id = await self.send(room_id, body, timeout=timeout)
        return await self.wait_for_message(
            room_id,
            sender=reply_from,
            in_reply_to=event_id,
            timeout=max(0.1, deadline - time.monotonic()),
        )

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

    async def _wait_until(
        self, check: Callable[[], _T | None], *, timeout: float = 30, what: str = ""
    ) -> _T:
        """Wait (bounded) until ``check()`` returns something truthy; return it."""

        def ready() -> _T | None:
            if self._sync_failure is not None:
                raise PartnerError(f"{self.user_id}: sync loop failed") from self._sync_failure
            if self._closed:
                raise PartnerError(f"{self.user_id}: client is closed")
            return check()

        try:
            async with asyncio.timeout(timeout), self._changed:
                while True:
                    result = ready()
                    if result:
                        return result
                    await self._changed.wait()
        except TimeoutError:
            if what:
                raise TimeoutError(f"{self.user_id}: timed out waiting for {what}") from None
            raise

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

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
            room_log = self._rooms.setdefault(room_id, _RoomLog())
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
            room_log = self._rooms.setdefault(event.room_id, _RoomLog())
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

    # ------------------------------------------------------------------ shutdown
    async def close(self) -> None:
        """Stop syncing and close the HTTP session (idempotent)."""
        self._closed = True
        task, self._sync_task = self._sync_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, timeout=10)
        with contextlib.suppress(Exception):
            await self._notify()
        await self._client.close()
