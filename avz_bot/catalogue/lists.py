"""Message catalogue part: bounded lists, paging and undeliverable replies.

Merged into the one catalogue by ``avz_bot.messages``; keys are unique across parts.
"""

from __future__ import annotations

NL: dict[str, str] = {
    "list.more": "… en nog {count}. Meer zien: {command} pagina={page}",
    "list.cut": "… (ingekort: dit antwoord werd te lang)",
    "list.beyond": (
        "Pagina {page} bestaat niet: deze lijst loopt tot pagina {last}. "
        "Typ {command} voor de eerste pagina."
    ),
    "arg.page": "welke pagina van de lijst (1 = de meest dringende)",
    "outbox.undeliverable": (
        "Mijn antwoord kon niet worden verstuurd ({reason}). Probeer een kortere lijst, "
        "bijvoorbeeld met pagina=2, of vraag het later opnieuw."
    ),
    "outbox.reason.M_TOO_LARGE": "te groot voor de server",
    "outbox.reason.other": "de server weigerde het",
    "case.card.members_more": "… en nog {count} leden: {prefix}rollen pagina=2",
}

EN: dict[str, str] = {
    "list.more": "… and {count} more. See them: {command} pagina={page}",
    "list.cut": "… (shortened: this reply became too long)",
    "list.beyond": (
        "There is no page {page}: this list ends at page {last}. Type {command} for the first page."
    ),
    "arg.page": "which page of the list (1 = the most urgent)",
    "outbox.undeliverable": (
        "My reply could not be sent ({reason}). Try a shorter list, for example with "
        "pagina=2, or ask again later."
    ),
    "outbox.reason.M_TOO_LARGE": "too large for the server",
    "outbox.reason.other": "the server refused it",
    "case.card.members_more": "… and {count} more members: {prefix}rollen pagina=2",
}
