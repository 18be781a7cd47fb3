"""The privacy area's service (the one class the unit of work builds): the access log
views and the retention proof (``base.py``), requests of persons concerned, the access
export, restriction and erasure (``requests.py``).

Every command of the area works only in a direct chat with the bot and only for those
the permission table allows (``avz_bot.domain.privacy.permissions``).
"""

from __future__ import annotations

from avz_bot.services.area import SendDirect
from avz_bot.services.privacy.base import Asker, Period, PrivacyCore
from avz_bot.services.privacy.requests import PrivacyRequests

__all__ = ["Asker", "Period", "PrivacyService"]


class PrivacyService:
    """The privacy area inside one transaction: ``core`` (views, retention) and
    ``requests``."""

    def __init__(self, core: PrivacyCore, direct: SendDirect) -> None:
        self.core = core
        self.requests = PrivacyRequests(core, direct)
