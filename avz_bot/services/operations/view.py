"""Replies of the registry reload: the coordination room's notice about a member who left."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from avz_bot.domain.inbound import Reply
from avz_bot.formatting import listing

Translate = Callable[..., str]


@dataclass(frozen=True, slots=True)
class OpenAgreementLine:
    """One open agreement of a member who left, as listed for the ketenmanagers."""

    reference: str
    number: int
    description: str
    deadline: datetime


def deregistered_notice(
    t: Translate,
    *,
    name: str,
    cases: int,
    agreements: Sequence[OpenAgreementLine],
    max_items: int,
    when: Callable[[datetime | None], str],
) -> Reply:
    """ "<name> left the registry; taken off N cases; open agreements (most urgent first)".

    At most ``max_items`` agreements are shown, earliest deadline first, then how many
    more there are. Nothing was cancelled or reassigned: the footer says so.
    """
    ordered = sorted(agreements, key=lambda a: (a.deadline, a.reference, a.number))
    shown = ordered[:max_items]
    items = [
        t(
            "ops.coord.deregistered.item",
            reference=a.reference,
            number=a.number,
            description=a.description,
            deadline=when(a.deadline),
        )
        for a in shown
    ]
    if len(ordered) > len(shown):
        items.append(t("ops.list.more", count=len(ordered) - len(shown)))
    if not items:
        items = [t("ops.coord.deregistered.no_agreements")]
    return listing(
        t("ops.coord.deregistered.title", name=name, cases=cases, count=len(ordered)),
        items,
        t("ops.coord.deregistered.footer") if ordered else "",
    )
