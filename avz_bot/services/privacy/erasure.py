"""Erasure of a person (AVG art. 17) per the configured rules (``[privacy] erasure``).

- ``signals`` = ``wissen``: the person's signals and their matches are deleted;
- ``case_links`` = ``wissen``: the links of cases to the person's pseudonym are deleted
  (the cases themselves are the partners' dossiers, kept under their own legal duty);
- the access log keeps its entries (NEN 7513) but the person's pseudonym in them is
  crypto-shredded (``AccessLogRepository.erase``), whatever ``access_log`` says;
- a restriction of the person is lifted: there is nothing left to restrict.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.settings_sections.privacy import PrivacySettings
from storage.access_repositories import AccessLogRepository
from storage.privacy_repositories import PersonData, RestrictionRepository


async def erase_person(
    session: AsyncSession, pseudonyms: tuple[str, ...], settings: PrivacySettings
) -> dict[str, int]:
    """Erase per the rules; returns the count per table."""
    data = PersonData(session)
    counts: dict[str, int] = {}
    if settings.erasure["signals"] == "wissen":
        ids = [r["id"] for r in await data.rows("signals", "pseudonym", pseudonyms)]
        counts["signal_matches"] = await data.delete("signal_matches", "signal_id", ids)
        counts["signal_matches"] += await data.delete("signal_matches", "other_signal_id", ids)
        counts["signals"] = await data.delete("signals", "id", ids)
    if settings.erasure["case_links"] == "wissen":
        counts["case_persons"] = await data.delete("case_persons", "pseudonym", pseudonyms)
    counts["access_log_shown"] = await AccessLogRepository(session).erase("person", pseudonyms)
    counts["privacy_restrictions"] = await RestrictionRepository(session).lift(pseudonyms)
    return counts
