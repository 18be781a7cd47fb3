"""Message catalogue part: Signals, TVO triage and matching (issue 10).

Merged into the one catalogue by ``avz_bot.messages``; keys are unique across parts.
No sentence here ever contains an identifier: only references, categories,
organisations, names of professionals and dates.
"""

from __future__ import annotations

NL: dict[str, str] = {
    # commands and arguments
    "cmd.signaal.summary": (
        "Legt een signaal vast: over een persoon (privégesprek, met bsn= of naam=) of in een casus."
    ),
    "cmd.signaal_intrekken.summary": "Trekt jouw signaal over een persoon in (met reden).",
    "cmd.signalen.summary": "Toont de signalen in deze casus, nieuwste eerst.",
    "cmd.casus_persoon.summary": (
        "Koppelt de casus aan (het pseudoniem van) de centrale persoon (regiehouder, privégesprek)."
    ),
    "cmd.tvo_agenda.summary": "Toont de samenloop en signalen die op triage wachten (TVO-kamer).",
    "cmd.tvo_besluit.summary": "Legt het TVO-besluit over een signaal vast (met reden).",
    "arg.signal_words": (
        "in een casuskamer: eerst de categorie, dan de omschrijving; in een privégesprek: "
        "de categorie (of categorie=)"
    ),
    "arg.bsn": "het BSN (moet de elfproef doorstaan; wordt nooit bewaard, alleen een pseudoniem)",
    "arg.person_name": "naam van de persoon zonder BSN (met geboortedatum=; zwakkere sleutel)",
    "arg.birth_date": "geboortedatum als dd-mm-jjjj (nodig bij naam=)",
    "arg.category": "de categorie (code, zie de lijst bij een fout)",
    "arg.severity": "laag, midden (standaard) of hoog",
    "arg.signal_reference": "de signaalreferentie, bijv. SIG-2026-0007",
    "arg.case_reference": "de casusreferentie, bijv. AVZ-2026-0001",
    "arg.tvo_decision": "casus, monitoren of geen-actie",
    "error.args.bsn": (
        "{field} bevat een nummer dat een geldig BSN kan zijn. Dat sla ik niet op: laat "
        "persoonsnummers weg (gebruik de casus- of signaalreferentie)."
    ),
    # person signals
    "signal.no_municipality": "geen gemeente opgegeven",
    "signal.registered": (
        "Signaal {reference} vastgelegd: {category}, {municipality}. Het telt mee voor "
        "samenloop tot {expires}. Ik heb alleen een pseudoniem bewaard, niet het nummer of de naam."
    ),
    "signal.weak_key": (
        "Let op: zonder BSN is de sleutel zwakker (naam en geboortedatum); een overeenkomst "
        "kan een naamgenoot zijn."
    ),
    "signal.no_match": "Er is (nog) geen signaal van een andere organisatie over deze persoon.",
    "signal.match_line": (
        "Samenloop: ook {name} ({organisation}) heeft een signaal over deze persoon: "
        "{category}, {date} ({reference}). Bereikbaar via {contact}."
    ),
    "signal.case_match_you": (
        "Deze persoon is de centrale persoon in lopende casus {reference}; regiehouder: "
        "{holder} ({contact}). Die is op de hoogte gebracht."
    ),
    "signal.case_match_you_no_holder": (
        "Deze persoon is de centrale persoon in lopende casus {reference}, die geen "
        "regiehouder heeft; de coördinatie is op de hoogte gebracht."
    ),
    "signal.case_match_own": "Deze persoon is de centrale persoon in jouw casus {reference}.",
    "signal.nobody": "niemand",
    "signal.delete_your_message": (
        "Bewaart je app de geschiedenis van dit gesprek en wil je dat niet? Verwijder dan je "
        "bericht met het nummer."
    ),
    "signal.match_notice": (
        "Samenloop op jouw signaal {reference}: een andere organisatie meldt zich bij dezelfde persoon."
    ),
    "signal.case_match_notice": (
        "Nieuw signaal op de centrale persoon van casus {reference}, waarin jij de regie hebt."
    ),
    "signal.case_match_coordination": (
        "Een nieuw signaal ({signal}, {category}) op een persoon in casus {reference}; die "
        "casus heeft geen regiehouder."
    ),
    "signal.agenda_item_title": "Nieuwe samenloop ({reference}) voor de triage",
    "signal.agenda_item_line": "{reference}: {category}, {organisation}, {date}",
    "signal.agenda_item_footer": (
        "Besluit met {prefix}tvo besluit {reference} casus|monitoren|geen-actie reden=…"
    ),
    "signal.withdrawn": (
        "Signaal {reference} is ingetrokken: het telt niet meer mee voor samenloop en wordt "
        "op {delete} verwijderd."
    ),
    "signal.person_linked": (
        "Casus {reference} is gekoppeld aan de centrale persoon (alleen een pseudoniem is "
        "bewaard). Nieuwe signalen over deze persoon komen bij jou."
    ),
    "signal.more": "… en nog {count}",
    "signal.mine_heading": "Jouw signalen (eerst verlopend bovenaan):",
    "signal.mine_line": "{reference} — {category}, {municipality} — telt mee tot {expires}",
    # signals in cases
    "signal.case_recorded": "Signaal {number} vastgelegd in {reference}: {category} (ernst {severity}).",
    "signal.case_recorded_holder": "{holder}: ter informatie, jij hebt de regie.",
    "signal.case_recorded_no_holder": "Deze casus heeft geen regiehouder.",
    "signal.case_high_coordination": (
        "Signaal met ernst hoog ({category}) in casus {reference}, die geen regiehouder heeft."
    ),
    "signal.case_list_title": "Signalen in {reference} ({count}), nieuwste eerst",
    "signal.case_list_line": (
        "{number}. {category} (ernst {severity}): {description} — {name} ({organisation}), {date}"
    ),
    "signal.case_list_empty": "Er zijn nog geen signalen vastgelegd in {reference}.",
    "signal.severity.laag": "laag",
    "signal.severity.midden": "midden",
    "signal.severity.hoog": "hoog",
    "case.event.signal_recorded": "signaal {number} vastgelegd: {category} (ernst {severity})",
    "case.event.person_linked": "centrale persoon gekoppeld (pseudoniem)",
    "case.card.signals": "Signalen: {count} ({prefix}signalen)",
    # refusals
    "signal.actor.partner": "geregistreerde ketenpartners",
    "signal.actor.signaller": "wie het signaal vastlegde",
    "signal.actor.case_member": "leden van de casus",
    "signal.actor.regiehouder": "de regiehouder",
    "signal.actor.ketenmanager": "een ketenmanager",
    "signal.actor.tvo": "een TVO-lid van deze gemeente",
    "signal.place.direct_chat": "een privégesprek met mij (alleen jij en ik, versleuteld)",
    "signal.place.case_room": "de kamer van de casus",
    "signal.place.tvo_room": "de intake/TVO-kamer van de gemeente",
    "signal.place.partner_system": "het ondertekende koppelvlak voor systemen van ketenpartners",
    "signal.status.actief": "actief",
    "signal.status.ingetrokken": "ingetrokken",
    "signal.status.verlopen": "verlopen",
    "signal.refusal.wrong_place": (
        "Dit kan alleen in {place}. Er is niets vastgelegd. Verwijder je bericht als het een "
        "persoonsnummer bevat."
    ),
    "signal.refusal.not_permitted": "Dit mag alleen {allowed}. Er is niets veranderd.",
    "signal.refusal.not_active": "Dit signaal is al {status}.",
    "signal.bad_birth_date": "De geboortedatum is niet te lezen; schrijf hem als dd-mm-jjjj.",
    "signal.identifier.invalid_bsn": (
        "Dit is geen geldig BSN: het doorstaat de elfproef niet (controleer de negen cijfers). "
        "Er is niets vastgelegd."
    ),
    "signal.identifier.name_missing": "De naam ontbreekt.",
    "signal.identifier.birthdate_required": (
        'Zonder BSN heb ik naam én geboortedatum nodig: naam="…" geboortedatum=dd-mm-jjjj.'
    ),
    "signal.identifier.missing": 'Geef bsn=… of naam="…" geboortedatum=dd-mm-jjjj.',
    "signal.restricted": (
        "Over deze persoon kan nu niets worden vastgelegd of gekoppeld. Neem contact op met "
        "het contactpunt privacy van het netwerk."
    ),
    "signal.not_configured": (
        "Signalen over personen zijn nog niet ingericht (er is geen pseudonimiseringssleutel). "
        "Er is niets vastgelegd; vraag de beheerder."
    ),
    "signal.unknown_category": "Onbekende categorie {value}.{suggestion} Kies uit: {choices}.",
    "signal.category_missing": "Geef een categorie (categorie=…). Kies uit: {choices}.",
    "signal.unknown_municipality": "Onbekende gemeente {value}.{suggestion} Kies uit: {choices}.",
    "signal.not_found": "Ik ken geen signaal {reference} van jou.",
    "signal.case_not_found": "Ik ken geen casus {reference}.",
    "signal.case_closed": "Casus {reference} is gesloten.",
    "signal.description_missing": (
        "Geef een omschrijving: {prefix}signaal <categorie> [ernst=hoog] <omschrijving>."
    ),
    # TVO
    "tvo.agenda_title": "TVO-agenda {municipality} ({count}), oudste eerst",
    "tvo.agenda_line": "{reference}: {category}, {organisation}, {date}",
    "tvo.agenda_matched": "— samenloop met {references}",
    "tvo.agenda_relisted": "— terug na monitoren",
    "tvo.agenda_footer": "Besluit met {prefix}tvo besluit <SIG-…> casus|monitoren|geen-actie reden=…",
    "tvo.agenda_empty": "Er wacht niets op triage voor {municipality}.",
    "tvo.not_on_agenda": "{reference} staat niet (meer) op de agenda van deze gemeente.",
    "tvo.decided_casus": "Besluit vastgelegd voor {references}: casus.",
    "tvo.decided_monitoren": (
        "Besluit vastgelegd voor {references}: monitoren; terug op de agenda op {relist}."
    ),
    "tvo.decided_geen_actie": "Besluit vastgelegd voor {references}: geen actie.",
    "tvo.invited": "Uitgenodigd als signalerende professionals: {names}.",
    "tvo.case_title": "Samenloop {reference}",
    "tvo.relisted": (
        "{reference} ({category}) is terug op de agenda na monitoren ({prefix}tvo agenda)."
    ),
    # BSN guard
    "guard.redacted": (
        "{sender}: je bericht bevatte een nummer dat een BSN kan zijn. Ik heb het verwijderd, "
        "want persoonsnummers horen niet in een gedeelde kamer. Gebruik de casusreferentie; "
        "een signaal over een persoon leg je vast in een privégesprek met mij."
    ),
    "guard.remove_please": (
        "{sender}: je bericht bevatte een nummer dat een BSN kan zijn. Verwijder het bericht "
        "alsjeblieft; persoonsnummers horen niet in een gedeelde kamer. Een signaal over een "
        "persoon leg je vast in een privégesprek met mij."
    ),
}

EN: dict[str, str] = {
    "cmd.signaal.summary": (
        "Records a signal: about a person (direct chat, with bsn= or naam=) or inside a case."
    ),
    "cmd.signaal_intrekken.summary": "Withdraws your signal about a person (with a reason).",
    "cmd.signalen.summary": "Shows the signals in this case, newest first.",
    "cmd.casus_persoon.summary": (
        "Links the case to (the pseudonym of) its central person (regiehouder, direct chat)."
    ),
    "cmd.tvo_agenda.summary": "Shows the matches and signals awaiting triage (TVO room).",
    "cmd.tvo_besluit.summary": "Records the TVO decision on a signal (with a reason).",
    "arg.signal_words": (
        "in a case room: first the category, then the description; in a direct chat: the "
        "category (or categorie=)"
    ),
    "arg.bsn": "the BSN (must pass the eleven-test; never stored, only a pseudonym)",
    "arg.person_name": "name of a person without a BSN (with geboortedatum=; a weaker key)",
    "arg.birth_date": "date of birth as dd-mm-yyyy (needed with naam=)",
    "arg.category": "the category (code, listed on an error)",
    "arg.severity": "laag, midden (default) or hoog",
    "arg.signal_reference": "the signal reference, e.g. SIG-2026-0007",
    "arg.case_reference": "the case reference, e.g. AVZ-2026-0001",
    "arg.tvo_decision": "casus, monitoren or geen-actie",
    "error.args.bsn": (
        "{field} contains a number that may be a valid BSN. I do not store that: leave "
        "personal numbers out (use the case or signal reference)."
    ),
    "signal.no_municipality": "no municipality given",
    "signal.registered": (
        "Signal {reference} recorded: {category}, {municipality}. It counts for matching "
        "until {expires}. I kept only a pseudonym, not the number or the name."
    ),
    "signal.weak_key": (
        "Note: without a BSN the key is weaker (name and date of birth); a match may be a namesake."
    ),
    "signal.no_match": "There is no signal from another organisation about this person (yet).",
    "signal.match_line": (
        "Match: {name} ({organisation}) also has a signal about this person: {category}, "
        "{date} ({reference}). Reachable at {contact}."
    ),
    "signal.case_match_you": (
        "This person is the central person of open case {reference}; regiehouder: {holder} "
        "({contact}), who has been informed."
    ),
    "signal.case_match_you_no_holder": (
        "This person is the central person of open case {reference}, which has no "
        "regiehouder; the coordination room has been told."
    ),
    "signal.case_match_own": "This person is the central person of your case {reference}.",
    "signal.nobody": "nobody",
    "signal.delete_your_message": (
        "If your app keeps this conversation's history and you do not want that, delete your "
        "message with the number."
    ),
    "signal.match_notice": (
        "Match on your signal {reference}: another organisation reports the same person."
    ),
    "signal.case_match_notice": (
        "A new signal on the central person of case {reference}, where you hold regie."
    ),
    "signal.case_match_coordination": (
        "A new signal ({signal}, {category}) on a person in case {reference}; that case has "
        "no regiehouder."
    ),
    "signal.agenda_item_title": "New match ({reference}) for triage",
    "signal.agenda_item_line": "{reference}: {category}, {organisation}, {date}",
    "signal.agenda_item_footer": (
        "Decide with {prefix}tvo besluit {reference} casus|monitoren|geen-actie reden=…"
    ),
    "signal.withdrawn": (
        "Signal {reference} is withdrawn: it no longer counts for matching and will be "
        "deleted on {delete}."
    ),
    "signal.person_linked": (
        "Case {reference} is linked to its central person (only a pseudonym is stored). New "
        "signals on this person will reach you."
    ),
    "signal.more": "… and {count} more",
    "signal.mine_heading": "Your signals (expiring first):",
    "signal.mine_line": "{reference} — {category}, {municipality} — counts until {expires}",
    "signal.case_recorded": "Signal {number} recorded in {reference}: {category} (severity {severity}).",
    "signal.case_recorded_holder": "{holder}: for your information, you hold regie.",
    "signal.case_recorded_no_holder": "This case has no regiehouder.",
    "signal.case_high_coordination": (
        "A high-severity signal ({category}) in case {reference}, which has no regiehouder."
    ),
    "signal.case_list_title": "Signals in {reference} ({count}), newest first",
    "signal.case_list_line": (
        "{number}. {category} (severity {severity}): {description} — {name} ({organisation}), {date}"
    ),
    "signal.case_list_empty": "No signals have been recorded in {reference} yet.",
    "signal.severity.laag": "low",
    "signal.severity.midden": "medium",
    "signal.severity.hoog": "high",
    "case.event.signal_recorded": "signal {number} recorded: {category} (severity {severity})",
    "case.event.person_linked": "central person linked (pseudonym)",
    "case.card.signals": "Signals: {count} ({prefix}signalen)",
    "signal.actor.partner": "registered partners",
    "signal.actor.signaller": "whoever recorded the signal",
    "signal.actor.case_member": "members of the case",
    "signal.actor.regiehouder": "the regiehouder",
    "signal.actor.ketenmanager": "a chain manager",
    "signal.actor.tvo": "a TVO member of this municipality",
    "signal.place.direct_chat": "a direct chat with me (only you and me, encrypted)",
    "signal.place.case_room": "the case's room",
    "signal.place.tvo_room": "the municipality's intake/TVO room",
    "signal.place.partner_system": "the signed intake endpoint for partner systems",
    "signal.status.actief": "active",
    "signal.status.ingetrokken": "withdrawn",
    "signal.status.verlopen": "expired",
    "signal.refusal.wrong_place": (
        "This is only possible in {place}. Nothing was recorded. Delete your message if it "
        "contains a personal number."
    ),
    "signal.refusal.not_permitted": "Only {allowed} may do this. Nothing changed.",
    "signal.refusal.not_active": "This signal is already {status}.",
    "signal.bad_birth_date": "The date of birth cannot be read; write it as dd-mm-yyyy.",
    "signal.identifier.invalid_bsn": (
        "This is not a valid BSN: it fails the eleven-test (check the nine digits). Nothing "
        "was recorded."
    ),
    "signal.identifier.name_missing": "The name is missing.",
    "signal.identifier.birthdate_required": (
        'Without a BSN I need both name and date of birth: naam="…" geboortedatum=dd-mm-yyyy.'
    ),
    "signal.identifier.missing": 'Give bsn=… or naam="…" geboortedatum=dd-mm-yyyy.',
    "signal.restricted": (
        "Nothing can be recorded or linked about this person now. Contact the network's "
        "privacy contact point."
    ),
    "signal.not_configured": (
        "Signals about persons are not set up yet (no pseudonym key). Nothing was recorded; "
        "ask the administrator."
    ),
    "signal.unknown_category": "Unknown category {value}.{suggestion} Choose from: {choices}.",
    "signal.category_missing": "Give a category (categorie=…). Choose from: {choices}.",
    "signal.unknown_municipality": (
        "Unknown municipality {value}.{suggestion} Choose from: {choices}."
    ),
    "signal.not_found": "I know no signal {reference} of yours.",
    "signal.case_not_found": "I know no case {reference}.",
    "signal.case_closed": "Case {reference} is closed.",
    "signal.description_missing": (
        "Give a description: {prefix}signaal <categorie> [ernst=hoog] <omschrijving>."
    ),
    "tvo.agenda_title": "TVO agenda {municipality} ({count}), oldest first",
    "tvo.agenda_line": "{reference}: {category}, {organisation}, {date}",
    "tvo.agenda_matched": "— matches {references}",
    "tvo.agenda_relisted": "— back after monitoring",
    "tvo.agenda_footer": "Decide with {prefix}tvo besluit <SIG-…> casus|monitoren|geen-actie reden=…",
    "tvo.agenda_empty": "Nothing awaits triage for {municipality}.",
    "tvo.not_on_agenda": "{reference} is not (or no longer) on this municipality's agenda.",
    "tvo.decided_casus": "Decision recorded for {references}: case.",
    "tvo.decided_monitoren": (
        "Decision recorded for {references}: monitor; back on the agenda on {relist}."
    ),
    "tvo.decided_geen_actie": "Decision recorded for {references}: no action.",
    "tvo.invited": "Invited as signalling professionals: {names}.",
    "tvo.case_title": "Match {reference}",
    "tvo.relisted": "{reference} ({category}) is back on the agenda after monitoring ({prefix}tvo agenda).",
    "guard.redacted": (
        "{sender}: your message contained a number that may be a BSN. I removed it, because "
        "personal numbers do not belong in a shared room. Use the case reference; record a "
        "signal about a person in a direct chat with me."
    ),
    "guard.remove_please": (
        "{sender}: your message contained a number that may be a BSN. Please delete the "
        "message; personal numbers do not belong in a shared room. Record a signal about a "
        "person in a direct chat with me."
    ),
}
