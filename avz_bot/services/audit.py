"""The one way product code writes the audit trail.

Every entry goes through :class:`Audit`, which applies the trail's two rules once:

- text details are cut at :data:`MAX_TEXT` characters (the trail keeps identifiers,
  codes and counts, never message text);
- under the default trust policy an entry a person made from a device its owner has not
  cross-signed (or whose state is unknown, ``None``) gets
  ``details["device_cross_signed"] = <False|None>``. The bot's own entries
  (actor :data:`BOT`) are never marked.

The storage side (:class:`storage.audit_repositories.AuditRepository`) only appends and lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit_repositories import AuditRepository, AuditValue

#: The actor of the bot's own entries.
BOT = "bot"

#: Text details are cut at this many characters.
MAX_TEXT = 200


def audit_details(
    details: Mapping[str, AuditValue] | None, actor: str, device_cross_signed: bool | None
) -> dict[str, AuditValue]:
    """``details`` as stored: texts cut, and the device mark when it applies."""
    clean: dict[str, AuditValue] = {
        key: (value[:MAX_TEXT] if isinstance(value, str) else value)
        for key, value in (details or {}).items()
    }
    if actor != BOT and device_cross_signed is not True:
        clean["device_cross_signed"] = device_cross_signed
    return clean


class Audit:
    """Audit entries made in one unit of work, at one moment.

    ``device_cross_signed`` is about the device that sent the command the unit handles
    (True for the bot's own work and when the device is cross-signed)."""

    def __init__(
        self, session: AsyncSession, now: datetime, device_cross_signed: bool | None = True
    ) -> None:
        self._repository = AuditRepository(session)
        self._now = now
        self._device_cross_signed = device_cross_signed

    async def record(
        self,
        action: str,
        *,
        actor: str = BOT,
        actor_org: str | None = None,
        room_id: str | None = None,
        entity_type: str | None = None,
        entity_id: str | None = None,
        details: Mapping[str, AuditValue] | None = None,
    ) -> None:
        """Append one entry (texts cut, the device mark applied)."""
        await self._repository.append(
            occurred_at=self._now,
            actor=actor,
            actor_org=actor_org,
            action=action,
            room_id=room_id,
            entity_type=entity_type,
            entity_id=entity_id,
            details=audit_details(details, actor, self._device_cross_signed),
        )
