"""Message catalogue part: Operations: start-up, outages, registry reload, housekeeping (issue 8).

Merged into the one catalogue by ``avz_bot.messages``; keys are unique across parts.
"""

from __future__ import annotations

NL: dict[str, str] = {
    "ops.case.deregistered": (
        "{user} staat niet meer in het partnerregister en is uit de casus en deze kamer "
        "verwijderd; alle rollen in de casus vervallen."
    ),
    "case.cause.deregistered": "niet meer in het partnerregister",
    "ops.coord.deregistered.title": (
        "{name} staat niet meer in het partnerregister: uit {cases} casus(sen) gehaald. "
        "Open afspraken: {count}"
    ),
    "ops.coord.deregistered.item": "{reference} afspraak #{number}: {description} (deadline {deadline})",
    "ops.coord.deregistered.no_agreements": "Geen open afspraken.",
    "ops.coord.deregistered.footer": (
        "Niets is geannuleerd of overgedragen: wijs deze afspraken zelf opnieuw toe."
    ),
    "ops.list.more": "… en nog {count}",
}

EN: dict[str, str] = {
    "ops.case.deregistered": (
        "{user} is no longer in the partner registry and was removed from the case and this "
        "room; every role in the case lapses."
    ),
    "case.cause.deregistered": "no longer in the partner registry",
    "ops.coord.deregistered.title": (
        "{name} is no longer in the partner registry: taken off {cases} case(s). "
        "Open agreements: {count}"
    ),
    "ops.coord.deregistered.item": "{reference} agreement #{number}: {description} (deadline {deadline})",
    "ops.coord.deregistered.no_agreements": "No open agreements.",
    "ops.coord.deregistered.footer": (
        "Nothing was cancelled or reassigned: reassign these agreements yourselves."
    ),
    "ops.list.more": "… and {count} more",
}
