"""Message catalogue part: Escalations (opschaling) with acknowledgement (issue 11).

Merged into the one catalogue by ``avz_bot.messages``; keys are unique across parts.
Texts for the coordination room never contain free text from the case (reason, question,
decision): those go only to the case room and to direct chats with one target.
"""

from __future__ import annotations

NL: dict[str, str] = {
    # --- commands ------------------------------------------------------------------------
    "cmd.opschalen.summary": (
        "Schaalt de casus op: inhoudelijk (naar driehoek) of samenwerking (naar bestuurder)."
    ),
    "cmd.ontvangen.summary": "Bevestigt dat je een opschaling hebt ontvangen (of reageer met 👍).",
    "cmd.vrijgeven.summary": "Geeft een ontvangen opschaling terug; de klok start opnieuw.",
    "cmd.besluit.summary": "Legt het besluit over een opschaling vast en sluit haar.",
    "cmd.doorzetten.summary": "Zet een opschaling direct door naar het volgende niveau.",
    "cmd.afschalen.summary": "Schaalt een opschaling af (met reden).",
    "cmd.opschaling_intrekken.summary": "Trekt een opschaling in (aanvrager of regiehouder).",
    "cmd.opschalingen.summary": "Open opschalingen: alle (coördinatieruimte) of van deze casus.",
    "arg.route": "inhoudelijk of samenwerking",
    "arg.urgent": "urgent: de klok loopt ook buiten kantoortijd",
    "arg.escalation_reason": "waarom opschalen (verplicht)",
    "arg.decision_asked": "welk besluit wordt gevraagd (verplicht)",
    "arg.partner": "de organisatie die afspraken niet nakomt (verplicht bij samenwerking)",
    "arg.escalation": "het kenmerk, bv. ESC-2026-3",
    "arg.decision": "het besluit",
    # --- words -----------------------------------------------------------------------------
    "esc.route.inhoudelijk": "inhoudelijk",
    "esc.route.samenwerking": "samenwerking",
    "esc.status.aangevraagd": "aangevraagd",
    "esc.status.ontvangen": "ontvangen",
    "esc.status.besloten": "besloten",
    "esc.status.afgeschaald": "afgeschaald",
    "esc.status.ingetrokken": "ingetrokken",
    "esc.target.ketenmanagers": "ketenmanagers",
    "esc.target.driehoek": "driehoek {scope}",
    "esc.target.driehoek-regio": "regionale driehoek",
    "esc.target.bestuurder": "bestuurder/wethouder ({scope})",
    "esc.actor.requester": "de aanvrager",
    "esc.actor.regiehouder": "de regiehouder",
    "esc.actor.case_member": "leden van de casus",
    "esc.actor.target": "de geadresseerden van het huidige niveau",
    "esc.actor.acknowledger": "wie de opschaling heeft ontvangen",
    "esc.actor.ketenmanager": "een ketenmanager",
    "esc.urgent": "URGENT",
    # --- refusals --------------------------------------------------------------------------
    "esc.refusal.closed": "Deze opschaling is al {status}; er verandert niets.",
    "esc.refusal.not_permitted": "Dat mag alleen {allowed}.",
    "esc.refusal.already_acknowledged": "Deze opschaling is al ontvangen door {by}.",
    "esc.refusal.not_acknowledged": (
        "Deze opschaling is nog niet ontvangen; bevestig haar eerst met ontvangen (of 👍)."
    ),
    "esc.refusal.no_next_level": "Dit is al het laatste niveau; doorzetten kan niet.",
    "esc.refusal.no_targets": (
        "Op deze route is niemand te bereiken (geen ketenmanager, driehoek of bestuurder "
        "geregistreerd). Neem contact op met de beheerder; er is niets opgeschaald."
    ),
    "esc.refusal.partner_required": (
        "Bij samenwerking is partner=<organisatie> verplicht: welke organisatie komt "
        "afspraken niet na?"
    ),
    "esc.refusal.partner_not_allowed": "partner= hoort alleen bij samenwerking.",
    "esc.refusal.reason_required": "Een reden (en bij een besluit: de tekst) is verplicht.",
    "esc.changed_meanwhile": (
        "Deze opschaling is intussen gewijzigd; er is niets veranderd. Kijk met "
        "{prefix}opschalingen hoe ze er nu voor staat."
    ),
    "esc.unknown_route": "Onbekende route {value}.{suggestion} Kies inhoudelijk of samenwerking.",
    "esc.unknown_flag": "Onbekend woord {value}; bedoel je urgent?",
    "esc.unknown_partner": "Onbekende organisatie {value}.",
    "esc.bad_reference": "{value} is geen opschalingskenmerk (zoals ESC-2026-3).",
    "esc.not_found": "Opschaling {reference} bestaat niet.",
    "esc.not_a_case_room": (
        "Opschalen kan alleen in een casusruimte; {prefix}opschalingen werkt ook in de "
        "coördinatieruimte."
    ),
    "esc.not_a_case_member": "Alleen leden van de casus kunnen opschalen.",
    # --- case room -------------------------------------------------------------------------
    "esc.requested": (
        "{reference}{urgent}: opgeschaald ({route}) door {requester}. Niveau {level}: "
        "{target}. Gevraagd besluit: {decision_asked}"
    ),
    "esc.acknowledged": "{reference} is ontvangen door {by} (niveau {level}).",
    "esc.released": "{reference} is vrijgegeven door {by}; niveau {level} wacht weer.",
    "esc.decided": "Besluit over {reference} door {by}: {decision}",
    "esc.forwarded": "{reference} is doorgezet naar niveau {level} ({target}). Reden: {reason}",
    "esc.moved_by_clock": (
        "{reference} is niet op tijd ontvangen en gaat naar niveau {level} ({target}).{late}"
    ),
    "esc.closed.afgeschaald": "{reference} is afgeschaald door {by}. Reden: {reason}",
    "esc.closed.ingetrokken": "{reference} is ingetrokken door {by}. Reden: {reason}",
    "esc.joined_case": "{name} is aan de casus toegevoegd om de opschaling te behandelen.",
    # --- coordination room and pings (no case content) -----------------------------------
    "esc.ping": (
        "Opschaling {reference}{urgent} ({route}), niveau {level}: {municipality}, {case_type}, "
        "aangevraagd door {organisation}. Bevestig met 👍 op dit bericht of "
        "{prefix}ontvangen {reference}."
    ),
    "esc.ack_reminder": (
        "Herinnering: opschaling {reference}{urgent} (niveau {level}) is nog niet ontvangen. "
        "Bevestig met 👍 op het eerdere bericht of {prefix}ontvangen {reference}.{late}"
    ),
    "esc.last_level_unacknowledged": (
        "Opschaling {reference} is op het laatste niveau ({level}) niet ontvangen. "
        "Neem contact op met de geadresseerden.{late}"
    ),
    "esc.decision_reminder": (
        "Herinnering: over opschaling {reference} is nog geen besluit. "
        'Leg het vast met {prefix}besluit {reference} "…".{late}'
    ),
    "esc.decision_overdue": (
        "Over opschaling {reference} (ontvangen door {by}) is na de termijn nog geen "
        "besluit genomen.{late}"
    ),
    "esc.coord.acknowledged": "Opschaling {reference} is ontvangen door {by}.",
    "esc.coord.decided": "Over opschaling {reference} is besloten door {by}.",
    "esc.coord.closed": "Opschaling {reference} is {status}.",
    "esc.late": " (Dit bericht komt later dan gepland: {planned}.)",
    "esc.dm": (
        "Opschaling {reference}{urgent} ({route}) van casus {case} in {municipality}, "
        "niveau {level}.\nReden: {reason}\nGevraagd besluit: {decision_asked}\n"
        "Bevestig met 👍 op dit bericht of {prefix}ontvangen {reference}; je wordt dan aan "
        "de casus toegevoegd."
    ),
    "esc.reaction_refused": (
        "Je 👍 op opschaling {reference} is niet verwerkt: alleen {allowed} kunnen haar "
        "ontvangen. Er is niets veranderd."
    ),
    "esc.reaction_closed": ("Je 👍 op opschaling {reference} is niet verwerkt: ze is al {status}."),
    "reaction.unverifiable": (
        "Je reactie is niet verwerkt: reacties zijn niet versleuteld en niet aan een "
        "geverifieerd apparaat te koppelen, en dit netwerk vraagt dat voor wijzigingen. "
        "Gebruik het commando (bijvoorbeeld !ontvangen ESC-…); er is niets veranderd."
    ),
    # --- lists ---------------------------------------------------------------------------
    "esc.list.title_all": "Open opschalingen (oudste eerst)",
    "esc.list.title_case": "Opschalingen van {reference}",
    "esc.list.line": (
        "{reference}{urgent} · {status} · niveau {level} ({target}) · {route} · "
        "{municipality} · {age} werkuren oud"
    ),
    "esc.list.none": "Geen opschalingen.",
    "esc.list.more": "… en nog {count}",
    "esc.mine.heading": "Opschalingen die op jou wachten:",
    "esc.mine.ack": "{reference}: ontvangen bevestigen ({prefix}ontvangen {reference})",
    "esc.mine.decide": '{reference}: besluit nemen ({prefix}besluit {reference} "…")',
    # --- digest --------------------------------------------------------------------------
    "esc.digest.title": "Dagoverzicht {date}",
    "esc.digest.open": "Open opschalingen (oudste eerst):",
    "esc.digest.overdue": "Niet op tijd ontvangen:",
    "esc.digest.overdue_line": "{reference} · niveau {level} · {hours} werkuren zonder bevestiging",
    "esc.digest.unregie": "Casussen zonder regie:",
    "esc.digest.unregie_line": "{reference} · {municipality} · sinds {since}",
    "esc.digest.agreements": "Verlopen afspraken per gemeente:",
    "esc.digest.agreements_line": "{municipality}: {count}",
    "esc.digest.late": "(Dit overzicht komt later dan gepland: {planned}.)",
    # --- the case timeline (audit actions escalation.*) ----------------------------------
    "case.event.escalation.requested": "schaalde op: {reference}",
    "case.event.escalation.forwarded": "{reference} ging naar niveau {level}",
    "case.event.escalation.acknowledged": "ontving {reference}",
    "case.event.escalation.released": "gaf {reference} vrij",
    "case.event.escalation.decided": "besloot over {reference}: {decision}",
    "case.event.escalation.afgeschaald": "schaalde {reference} af: {reason}",
    "case.event.escalation.ingetrokken": "trok {reference} in: {reason}",
    "case.event.escalation.ack_reminder": "herinnerde aan {reference} (niveau {level})",
    "case.event.escalation.unacknowledged": "{reference} is op het laatste niveau niet ontvangen",
    "case.event.escalation.decision_reminder": "herinnerde aan het besluit over {reference}",
    "case.event.escalation.decision_overdue": "meldde dat het besluit over {reference} uitblijft",
    "esc.who.request": "{members}",
    "esc.who.overview": "{members} (in de coördinatiekamer: iedereen daar)",
}

EN: dict[str, str] = {
    "cmd.opschalen.summary": (
        "Escalates the case: content (to the driehoek) or cooperation (to the board)."
    ),
    "cmd.ontvangen.summary": "Acknowledges an escalation (or react with 👍).",
    "cmd.vrijgeven.summary": "Hands an acknowledged escalation back; its clock restarts.",
    "cmd.besluit.summary": "Records the decision on an escalation and closes it.",
    "cmd.doorzetten.summary": "Moves an escalation to the next level at once.",
    "cmd.afschalen.summary": "De-escalates an escalation (with a reason).",
    "cmd.opschaling_intrekken.summary": "Withdraws an escalation (requester or lead).",
    "cmd.opschalingen.summary": "Open escalations: all (coordination room) or this case's.",
    "arg.route": "inhoudelijk (content) or samenwerking (cooperation)",
    "arg.urgent": "urgent: the clock also runs outside office hours",
    "arg.escalation_reason": "why escalate (required)",
    "arg.decision_asked": "which decision is asked for (required)",
    "arg.partner": "the organisation not keeping agreements (required for samenwerking)",
    "arg.escalation": "the reference, e.g. ESC-2026-3",
    "arg.decision": "the decision",
    "esc.route.inhoudelijk": "content",
    "esc.route.samenwerking": "cooperation",
    "esc.status.aangevraagd": "requested",
    "esc.status.ontvangen": "acknowledged",
    "esc.status.besloten": "decided",
    "esc.status.afgeschaald": "de-escalated",
    "esc.status.ingetrokken": "withdrawn",
    "esc.target.ketenmanagers": "chain managers",
    "esc.target.driehoek": "driehoek {scope}",
    "esc.target.driehoek-regio": "regional driehoek",
    "esc.target.bestuurder": "board member/alderman ({scope})",
    "esc.actor.requester": "the requester",
    "esc.actor.regiehouder": "the case lead",
    "esc.actor.case_member": "members of the case",
    "esc.actor.target": "the addressees of the current level",
    "esc.actor.acknowledger": "whoever acknowledged the escalation",
    "esc.actor.ketenmanager": "a chain manager",
    "esc.urgent": "URGENT",
    "esc.refusal.closed": "This escalation is already {status}; nothing changes.",
    "esc.refusal.not_permitted": "Only {allowed} may do that.",
    "esc.refusal.already_acknowledged": "This escalation was already acknowledged by {by}.",
    "esc.refusal.not_acknowledged": (
        "This escalation has not been acknowledged yet; acknowledge it first (or 👍)."
    ),
    "esc.refusal.no_next_level": "This is the last level; it cannot be moved on.",
    "esc.refusal.no_targets": (
        "Nobody can be reached on this route (no chain manager, driehoek or board member "
        "registered). Contact the administrator; nothing was escalated."
    ),
    "esc.refusal.partner_required": (
        "For samenwerking, partner=<organisation> is required: which organisation does not "
        "keep agreements?"
    ),
    "esc.refusal.partner_not_allowed": "partner= only goes with samenwerking.",
    "esc.refusal.reason_required": "A reason (and for a decision: its text) is required.",
    "esc.changed_meanwhile": (
        "This escalation changed meanwhile; nothing was changed. See {prefix}opschalingen for "
        "where it stands."
    ),
    "esc.unknown_route": "Unknown route {value}.{suggestion} Choose inhoudelijk or samenwerking.",
    "esc.unknown_flag": "Unknown word {value}; did you mean urgent?",
    "esc.unknown_partner": "Unknown organisation {value}.",
    "esc.bad_reference": "{value} is not an escalation reference (like ESC-2026-3).",
    "esc.not_found": "Escalation {reference} does not exist.",
    "esc.not_a_case_room": (
        "Escalating only works in a case room; {prefix}opschalingen also works in the "
        "coordination room."
    ),
    "esc.not_a_case_member": "Only members of the case can escalate.",
    "esc.requested": (
        "{reference}{urgent}: escalated ({route}) by {requester}. Level {level}: "
        "{target}. Decision asked: {decision_asked}"
    ),
    "esc.acknowledged": "{reference} was acknowledged by {by} (level {level}).",
    "esc.released": "{reference} was released by {by}; level {level} waits again.",
    "esc.decided": "Decision on {reference} by {by}: {decision}",
    "esc.forwarded": "{reference} moved to level {level} ({target}). Reason: {reason}",
    "esc.moved_by_clock": (
        "{reference} was not acknowledged in time and moves to level {level} ({target}).{late}"
    ),
    "esc.closed.afgeschaald": "{reference} was de-escalated by {by}. Reason: {reason}",
    "esc.closed.ingetrokken": "{reference} was withdrawn by {by}. Reason: {reason}",
    "esc.joined_case": "{name} was added to the case to handle the escalation.",
    "esc.ping": (
        "Escalation {reference}{urgent} ({route}), level {level}: {municipality}, {case_type}, "
        "requested by {organisation}. Acknowledge with 👍 on this message or "
        "{prefix}ontvangen {reference}."
    ),
    "esc.ack_reminder": (
        "Reminder: escalation {reference}{urgent} (level {level}) has not been acknowledged. "
        "Acknowledge with 👍 on the earlier message or {prefix}ontvangen {reference}.{late}"
    ),
    "esc.last_level_unacknowledged": (
        "Escalation {reference} was not acknowledged at the last level ({level}). "
        "Contact the addressees.{late}"
    ),
    "esc.decision_reminder": (
        "Reminder: there is no decision on escalation {reference} yet. "
        'Record it with {prefix}besluit {reference} "…".{late}'
    ),
    "esc.decision_overdue": (
        "Escalation {reference} (acknowledged by {by}) has no decision after its term.{late}"
    ),
    "esc.coord.acknowledged": "Escalation {reference} was acknowledged by {by}.",
    "esc.coord.decided": "Escalation {reference} was decided by {by}.",
    "esc.coord.closed": "Escalation {reference} is {status}.",
    "esc.late": " (This message comes later than planned: {planned}.)",
    "esc.dm": (
        "Escalation {reference}{urgent} ({route}) of case {case} in {municipality}, "
        "level {level}.\nReason: {reason}\nDecision asked: {decision_asked}\n"
        "Acknowledge with 👍 on this message or {prefix}ontvangen {reference}; you will then "
        "be added to the case."
    ),
    "esc.reaction_refused": (
        "Your 👍 on escalation {reference} was not processed: only {allowed} can "
        "acknowledge it. Nothing changed."
    ),
    "reaction.unverifiable": (
        "Your reaction was not processed: reactions are not encrypted and cannot be tied to "
        "a verified device, which this network requires for changes. Use the command (e.g. "
        "!ontvangen ESC-…); nothing changed."
    ),
    "esc.reaction_closed": (
        "Your 👍 on escalation {reference} was not processed: it is already {status}."
    ),
    "esc.list.title_all": "Open escalations (oldest first)",
    "esc.list.title_case": "Escalations of {reference}",
    "esc.list.line": (
        "{reference}{urgent} · {status} · level {level} ({target}) · {route} · "
        "{municipality} · {age} working hours old"
    ),
    "esc.list.none": "No escalations.",
    "esc.list.more": "… and {count} more",
    "esc.mine.heading": "Escalations waiting for you:",
    "esc.mine.ack": "{reference}: acknowledge ({prefix}ontvangen {reference})",
    "esc.mine.decide": '{reference}: decide ({prefix}besluit {reference} "…")',
    "esc.digest.title": "Daily overview {date}",
    "esc.digest.open": "Open escalations (oldest first):",
    "esc.digest.overdue": "Not acknowledged in time:",
    "esc.digest.overdue_line": "{reference} · level {level} · {hours} working hours unacknowledged",
    "esc.digest.unregie": "Cases without a lead:",
    "esc.digest.unregie_line": "{reference} · {municipality} · since {since}",
    "esc.digest.agreements": "Overdue agreements per municipality:",
    "esc.digest.agreements_line": "{municipality}: {count}",
    "esc.digest.late": "(This overview comes later than planned: {planned}.)",
    "case.event.escalation.requested": "escalated: {reference}",
    "case.event.escalation.forwarded": "{reference} moved to level {level}",
    "case.event.escalation.acknowledged": "acknowledged {reference}",
    "case.event.escalation.released": "released {reference}",
    "case.event.escalation.decided": "decided on {reference}: {decision}",
    "case.event.escalation.afgeschaald": "de-escalated {reference}: {reason}",
    "case.event.escalation.ingetrokken": "withdrew {reference}: {reason}",
    "case.event.escalation.ack_reminder": "reminded of {reference} (level {level})",
    "case.event.escalation.unacknowledged": "{reference} was not acknowledged at the last level",
    "case.event.escalation.decision_reminder": "reminded of the decision on {reference}",
    "case.event.escalation.decision_overdue": "reported the missing decision on {reference}",
    "esc.who.request": "{members}",
    "esc.who.overview": "{members} (in the coordination room: everyone there)",
}
