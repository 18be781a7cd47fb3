"""Message catalogue part: the privacy officer's toolkit (issue 22).

Merged into the one catalogue by ``avz_bot.messages``; keys are unique across parts.
"""

from __future__ import annotations

NL: dict[str, str] = {
    # commands
    "cmd.gelezen_casus.summary": "Wie heeft een casus gelezen, en wanneer (privacy, ketenmanager).",
    "cmd.gelezen_persoon.summary": "Wie heeft gegevens over een persoon gelezen (privacy).",
    "cmd.verzoek_nieuw.summary": "Registreert een verzoek van een betrokkene (privacy).",
    "cmd.verzoeken.summary": "Toont de open verzoeken van betrokkenen met hun termijn.",
    "cmd.verzoek_verlengen.summary": "Verlengt de termijn van een verzoek, met reden.",
    "cmd.verzoek_afronden.summary": "Rondt een verzoek af.",
    "cmd.verzoek_inzage.summary": "Stelt het inzage-overzicht van de persoon op (versleuteld).",
    "cmd.verzoek_beperken.summary": "Beperkt de verwerking van de persoon (geen matching).",
    "cmd.verzoek_opheffen.summary": "Heft de beperking van de verwerking op.",
    "cmd.verzoek_wissen.summary": "Wist de gegevens van de persoon volgens de regels.",
    "cmd.bewaartermijnen.summary": "Toont bewaartermijnen, wat binnenkort en wat al is gewist.",
    "arg.privacy_from": "eerste dag, bijvoorbeeld 2026-01-01 (standaard: vanaf het begin)",
    "arg.privacy_to": "laatste dag, die meetelt (standaard: tot nu)",
    "arg.request_kind": "inzage, correctie, wissen, beperking of bezwaar",
    "arg.received": "datum van ontvangst, bijvoorbeeld 2026-12-01 (standaard: vandaag)",
    "arg.request_reference": "de referentie van het verzoek, bijv. PV-2026-0001",
    "arg.extend_to": "nieuwe uiterste datum (standaard: het uiterste, drie maanden na ontvangst)",
    "arg.days": "hoeveel dagen vooruit (standaard 30)",
    # checks
    "privacy.direct_only": "Dit kan alleen in een privégesprek met mij.",
    "privacy.not_allowed": "Dit is voorbehouden aan het contactpunt privacy.",
    "privacy.bad_period": "Geef van= en tot= als datum (jjjj-mm-dd), het einde niet vóór het begin.",
    "privacy.bad_date": "'{value}' is geen datum; gebruik jjjj-mm-dd.",
    "privacy.case_unknown": "Casus {reference} ken ik niet.",
    "role.privacy": "contactpunt privacy",
    "privacy.actor.privacy": "contactpunt privacy",
    "privacy.actor.ketenmanager_in_case": "ketenmanager die lid is van de casus",
    # who read
    "privacy.readers.case_title": "Gelezen: casus {reference}",
    "privacy.readers.person_title": "Gelezen: gegevens over deze persoon",
    "privacy.readers.none": "{title}: niemand in deze periode.",
    "privacy.readers.line": (
        "{moment} — {reader} ({organisation}, {role}) met !{command}: {shown}"
    ),
    "privacy.kind.case": "casus {reference}",
    "privacy.kind.signal": "signaal {reference}",
    "privacy.kind.person": "de persoon",
    "privacy.kind.conference": "overleg {reference}",
    "privacy.kind.escalation": "opschaling {reference}",
    "privacy.kind.question": "kenniskaart {reference}",
    "privacy.kind.report": "rapportage {reference}",
    "privacy.kind.request": "verzoek {reference}",
    "privacy.kind.other": "{reference}",
    # requests
    "privacy.request.kind.inzage": "inzage",
    "privacy.request.kind.correctie": "correctie",
    "privacy.request.kind.wissen": "wissen",
    "privacy.request.kind.beperking": "beperking",
    "privacy.request.kind.bezwaar": "bezwaar",
    "privacy.request.registered": (
        "Verzoek {reference} ({kind}) is geregistreerd. Uiterlijk {due} beantwoorden "
        "(één maand, AVG art. 12 lid 3)."
    ),
    "privacy.request.told": "Op de hoogte gebracht (alleen de referentie): {organisations}.",
    "privacy.request.none_involved": "Er zijn geen gegevens van partners over deze persoon.",
    "privacy.request.untold": (
        "Zonder contactpunt privacy in de bot, licht deze zelf in: {organisations}."
    ),
    "privacy.request.next": (
        "Verder: {prefix}verzoek inzage {reference}, {prefix}verzoek verlengen {reference} "
        "reden=…, {prefix}verzoek afronden {reference}."
    ),
    "privacy.request.partner_notice": (
        "Het contactpunt privacy heeft verzoek {reference} ({kind}) van een betrokkene "
        "ontvangen. {organisation} heeft gegevens over deze persoon; beantwoorden uiterlijk "
        "{due}. Vraag het contactpunt om de details."
    ),
    "privacy.request.reminder": "Herinnering: verzoek {reference} moet uiterlijk {due} beantwoord zijn.",
    "privacy.request.lapsed": (
        "Verzoek {reference} is niet op tijd beantwoord (termijn {due} verstreken)."
    ),
    "privacy.request.unknown": "Verzoek {reference} ken ik niet.",
    "privacy.request.future": "De datum van ontvangst ligt in de toekomst.",
    "privacy.request.none": "Er zijn geen open verzoeken.",
    "privacy.request.list_title": "Open verzoeken (eerste termijn eerst)",
    "privacy.request.line": "{reference} {kind} — ontvangen {received}, uiterlijk {due}{extended}",
    "privacy.request.extended": " (verlengd)",
    "privacy.request.extended_to": "Verzoek {reference}: termijn verlengd tot {due}.",
    "privacy.request.closed": "Verzoek {reference} is al afgerond.",
    "privacy.request.closed_now": "Verzoek {reference} is afgerond; er komen geen herinneringen meer.",
    "privacy.request.erased": "Van verzoek {reference} zijn de gegevens van de persoon al gewist.",
    "privacy.extension.closed": "Verzoek {reference} is al afgerond.",
    "privacy.extension.lapsed": (
        "Verlengen kan alleen binnen de eerste maand (AVG art. 12 lid 3); die is voorbij."
    ),
    "privacy.extension.not_later": "De nieuwe datum moet na de huidige termijn liggen.",
    "privacy.extension.too_late": "Verlengen kan tot uiterlijk {latest} (twee maanden extra).",
    # export, restriction, erasure
    "privacy.export.title": "Inzage in gegevens — verzoek {reference}",
    "privacy.export.counts": "{signals} signalen, {cases} casussen, {reads} keer gelezen",
    "privacy.export.done": (
        "Inzage-overzicht voor verzoek {reference}: {counts}. Twee bestanden volgen "
        "(leesbaar en JSON), versleuteld. Stuur ze alleen via een beveiligde weg door."
    ),
    "privacy.restriction.set": (
        "Verwerking beperkt voor verzoek {reference}: geen nieuwe signalen, matches of "
        "koppelingen voor deze persoon tot {reference} wordt opgeheven."
    ),
    "privacy.restriction.lifted": "De beperking van verzoek {reference} is opgeheven.",
    "privacy.erasure.wrong_kind": "Verzoek {reference} is geen verzoek om te wissen.",
    "privacy.erasure.done": "Gewist voor verzoek {reference}: {counts}.",
    "privacy.erasure.notice": (
        "Op verzoek {reference} van een betrokkene is de koppeling van casus {case} aan een "
        "persoon gewist (contactpunt privacy)."
    ),
    # retention
    "privacy.retention.title": "Bewaartermijnen",
    "privacy.retention.rules": "Regels",
    "privacy.retention.rule": "{what}: {period}",
    "privacy.retention.what.signals": "signalen",
    "privacy.retention.what.processed_events": "verwerkte berichten (eenmaligheid)",
    "privacy.retention.what.outbox": "verzonden berichten (outbox)",
    "privacy.retention.what.jobs": "afgeronde taken en herinneringen",
    "privacy.retention.what.audit": "audittrail",
    "privacy.retention.what.access_log": "toegangslog",
    "privacy.retention.signals": "{active} jaar actief, daarna {archive} jaar archief",
    "privacy.retention.days": "{days:g} dagen",
    "privacy.retention.kept": "bewaard (wettelijke plicht; niet automatisch gewist)",
    "privacy.retention.upcoming": "Gewist tot {until} (aantal rijen)",
    "privacy.retention.upcoming_line": "{table}: {count}",
    "privacy.retention.deleted": "Gewist (per dag en tabel, nieuwste eerst)",
    "privacy.retention.deleted_line": "{day} {table}: {count}",
    "privacy.retention.more": "… en nog {count} regels (kies een kortere periode)",
}

EN: dict[str, str] = {
    "cmd.gelezen_casus.summary": "Who read a case, and when (privacy, ketenmanager).",
    "cmd.gelezen_persoon.summary": "Who read data about a person (privacy).",
    "cmd.verzoek_nieuw.summary": "Registers a request of a person concerned (privacy).",
    "cmd.verzoeken.summary": "Shows the open requests of persons concerned with their deadline.",
    "cmd.verzoek_verlengen.summary": "Extends a request's deadline, with a reason.",
    "cmd.verzoek_afronden.summary": "Closes a request.",
    "cmd.verzoek_inzage.summary": "Makes the person's access export (encrypted).",
    "cmd.verzoek_beperken.summary": "Restricts processing of the person (no matching).",
    "cmd.verzoek_opheffen.summary": "Lifts the restriction of processing.",
    "cmd.verzoek_wissen.summary": "Erases the person's data according to the rules.",
    "cmd.bewaartermijnen.summary": "Shows retention periods, what is deleted soon and what was.",
    "arg.privacy_from": "first day, e.g. 2026-01-01 (default: from the start)",
    "arg.privacy_to": "last day, included (default: until now)",
    "arg.request_kind": "inzage, correctie, wissen, beperking or bezwaar",
    "arg.received": "date of receipt, e.g. 2026-12-01 (default: today)",
    "arg.request_reference": "the request's reference, e.g. PV-2026-0001",
    "arg.extend_to": "new last day (default: the latest, three months after receipt)",
    "arg.days": "how many days ahead (default 30)",
    "privacy.direct_only": "This works only in a direct chat with me.",
    "privacy.not_allowed": "This is reserved for the privacy contact point.",
    "privacy.bad_period": "Give van= and tot= as dates (yyyy-mm-dd), the end not before the start.",
    "privacy.bad_date": "'{value}' is not a date; use yyyy-mm-dd.",
    "privacy.case_unknown": "I do not know case {reference}.",
    "role.privacy": "privacy contact point",
    "privacy.actor.privacy": "privacy contact point",
    "privacy.actor.ketenmanager_in_case": "ketenmanager who is a member of the case",
    "privacy.readers.case_title": "Read: case {reference}",
    "privacy.readers.person_title": "Read: data about this person",
    "privacy.readers.none": "{title}: nobody in this period.",
    "privacy.readers.line": "{moment} — {reader} ({organisation}, {role}) with !{command}: {shown}",
    "privacy.kind.case": "case {reference}",
    "privacy.kind.signal": "signal {reference}",
    "privacy.kind.person": "the person",
    "privacy.kind.conference": "conference {reference}",
    "privacy.kind.escalation": "escalation {reference}",
    "privacy.kind.question": "knowledge card {reference}",
    "privacy.kind.report": "report {reference}",
    "privacy.kind.request": "request {reference}",
    "privacy.kind.other": "{reference}",
    "privacy.request.kind.inzage": "access",
    "privacy.request.kind.correctie": "correction",
    "privacy.request.kind.wissen": "erasure",
    "privacy.request.kind.beperking": "restriction",
    "privacy.request.kind.bezwaar": "objection",
    "privacy.request.registered": (
        "Request {reference} ({kind}) is registered. Answer by {due} (one month, GDPR art. 12(3))."
    ),
    "privacy.request.told": "Informed (reference only): {organisations}.",
    "privacy.request.none_involved": "No partner holds data about this person.",
    "privacy.request.untold": "No privacy contact in the bot, inform them yourself: {organisations}.",
    "privacy.request.next": (
        "Next: {prefix}verzoek inzage {reference}, {prefix}verzoek verlengen {reference} "
        "reden=…, {prefix}verzoek afronden {reference}."
    ),
    "privacy.request.partner_notice": (
        "The privacy contact point received request {reference} ({kind}) of a person "
        "concerned. {organisation} holds data about this person; answer by {due}. Ask the "
        "contact point for the details."
    ),
    "privacy.request.reminder": "Reminder: request {reference} must be answered by {due}.",
    "privacy.request.lapsed": "Request {reference} was not answered in time (deadline {due} passed).",
    "privacy.request.unknown": "I do not know request {reference}.",
    "privacy.request.future": "The date of receipt lies in the future.",
    "privacy.request.none": "There are no open requests.",
    "privacy.request.list_title": "Open requests (earliest deadline first)",
    "privacy.request.line": "{reference} {kind} — received {received}, due {due}{extended}",
    "privacy.request.extended": " (extended)",
    "privacy.request.extended_to": "Request {reference}: deadline extended to {due}.",
    "privacy.request.closed": "Request {reference} is already closed.",
    "privacy.request.closed_now": "Request {reference} is closed; no more reminders.",
    "privacy.request.erased": "The person's data of request {reference} was already erased.",
    "privacy.extension.closed": "Request {reference} is already closed.",
    "privacy.extension.lapsed": "Extending is possible only within the first month (GDPR art. 12(3)).",
    "privacy.extension.not_later": "The new date must be after the current deadline.",
    "privacy.extension.too_late": "The deadline can be extended to {latest} at most (two more months).",
    "privacy.export.title": "Access to data — request {reference}",
    "privacy.export.counts": "{signals} signals, {cases} cases, read {reads} times",
    "privacy.export.done": (
        "Access export for request {reference}: {counts}. Two files follow (readable and "
        "JSON), encrypted. Pass them on only through a secure channel."
    ),
    "privacy.restriction.set": (
        "Processing restricted for request {reference}: no new signals, matches or links "
        "for this person until {reference} is lifted."
    ),
    "privacy.restriction.lifted": "The restriction of request {reference} is lifted.",
    "privacy.erasure.wrong_kind": "Request {reference} is not a request for erasure.",
    "privacy.erasure.done": "Erased for request {reference}: {counts}.",
    "privacy.erasure.notice": (
        "At request {reference} of a person concerned, the link of case {case} to a person "
        "was erased (privacy contact point)."
    ),
    "privacy.retention.title": "Retention",
    "privacy.retention.rules": "Rules",
    "privacy.retention.rule": "{what}: {period}",
    "privacy.retention.what.signals": "signals",
    "privacy.retention.what.processed_events": "processed messages (exactly once)",
    "privacy.retention.what.outbox": "sent messages (outbox)",
    "privacy.retention.what.jobs": "finished jobs and reminders",
    "privacy.retention.what.audit": "audit trail",
    "privacy.retention.what.access_log": "access log",
    "privacy.retention.signals": "{active} years active, then {archive} years archived",
    "privacy.retention.days": "{days:g} days",
    "privacy.retention.kept": "kept (legal duty; not deleted automatically)",
    "privacy.retention.upcoming": "Deleted by {until} (rows)",
    "privacy.retention.upcoming_line": "{table}: {count}",
    "privacy.retention.deleted": "Deleted (per day and table, newest first)",
    "privacy.retention.deleted_line": "{day} {table}: {count}",
    "privacy.retention.more": "… and {count} more lines (choose a shorter period)",
}
