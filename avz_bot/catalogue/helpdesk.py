"""Message catalogue part: Helpdesk (vraagbaak) and knowledge base (issue 12).

Merged into the one catalogue by ``avz_bot.messages``; keys are unique across parts.
"""

from __future__ import annotations

NL: dict[str, str] = {
    # commands
    "cmd.helpdesk.ask": "Stel een vraag aan de experts van een thema (in een vraagbaakkamer).",
    "cmd.helpdesk.claim": "Pak een vraag op (of reageer met 🙋 op de vraag).",
    "cmd.helpdesk.answer": "Geef het antwoord op een vraag die je hebt opgepakt.",
    "cmd.helpdesk.solved": "Bevestig dat je vraag is beantwoord; de vraag wordt gesloten.",
    "cmd.helpdesk.reopen": "Open een beantwoorde of gesloten vraag opnieuw.",
    "cmd.helpdesk.questions": "Open vragen in deze vraagbaakkamer, oudste eerst.",
    "cmd.helpdesk.card_new": (
        "Maak een kenniskaart (concept) van een beantwoorde vraag, of een les van een "
        "gesloten casus (met thema=…)."
    ),
    "arg.helpdesk.source_ref": "een vraag (VR-2026-7) of een gesloten casus (AVZ-2026-0012)",
    "arg.helpdesk.card_theme": "thema van de kaart (alleen bij een casus)",
    "cmd.helpdesk.card_edit": "Wijzig titel en/of tekst van een kenniskaart.",
    "cmd.helpdesk.card_publish": "Publiceer een kenniskaart (geweigerd bij een geldig BSN in de tekst).",
    "cmd.helpdesk.card_confirm": "Bevestig dat een kenniskaart nog klopt; de volgende herziening schuift op.",
    "cmd.helpdesk.card_retire": "Laat een kenniskaart vervallen (niet meer vindbaar).",
    "cmd.helpdesk.search": "Zoek in kenniskaarten en beantwoorde vragen.",
    "arg.helpdesk.theme": "thema-code, bijvoorbeeld jeugd of huiselijk-geweld",
    "arg.helpdesk.question_text": "de vraag, zonder namen of andere gegevens van personen",
    "arg.helpdesk.question_ref": "de vraag, bijvoorbeeld VR-2026-7",
    "arg.helpdesk.answer_text": "het antwoord, zonder namen of andere gegevens van personen",
    "arg.helpdesk.card_ref": "de kenniskaart, bijvoorbeeld K-12",
    "arg.helpdesk.card_title": "nieuwe titel",
    "arg.helpdesk.card_text": "nieuwe tekst",
    "arg.helpdesk.search_words": "zoekwoorden, bijvoorbeeld: overlast jeugd",
    # question life cycle (in the thread)
    "helpdesk.asked": (
        "Vraag {reference} ({theme}) staat klaar voor de experts. We antwoorden in deze thread. "
        "Noem geen namen, BSN's of andere gegevens van personen. "
        "Experts: {prefix}oppakken {reference} of 🙋 op de vraag."
    ),
    "helpdesk.no_experts": "Voor dit thema is nog geen expert aangewezen; de ketenmanager pakt het op.",
    "helpdesk.claimed": "{claimer} heeft {reference} opgepakt.",
    "helpdesk.answered": (
        "Antwoord op {reference} (bevestig met {prefix}opgelost {reference}, "
        "of {prefix}heropen {reference} als het niet klopt):"
    ),
    "helpdesk.confirmed": "{reference} is opgelost en gesloten. Dank je wel!",
    "helpdesk.reopened": "{reference} is opnieuw geopend.",
    "helpdesk.close_reminder": (
        "Is {reference} voldoende beantwoord? Bevestig met {prefix}opgelost {reference}; "
        "zonder reactie sluit de vraag {when}."
    ),
    "helpdesk.auto_closed": "{reference} is automatisch gesloten (geen reactie op het antwoord).",
    "helpdesk.status.open": "open",
    "helpdesk.status.opgepakt": "opgepakt",
    "helpdesk.status.beantwoord": "beantwoord",
    "helpdesk.status.gesloten": "gesloten",
    "helpdesk.status.concept": "concept",
    "helpdesk.status.gepubliceerd": "gepubliceerd",
    "helpdesk.status.herziening": "toe aan herziening",
    "helpdesk.status.vervallen": "vervallen",
    "helpdesk.clock.eerste_reactie": "eerste reactie",
    "helpdesk.clock.oplossing": "oplossing",
    # refusals
    "helpdesk.refused.not_helpdesk_room": (
        "Dit kan alleen in een vraagbaakkamer. Stel je vraag daar met {prefix}vraag <thema> <vraag>."
    ),
    "helpdesk.refused.theme_unknown": "Onbekend thema '{theme}'.{suggestion} Kies uit: {themes}.",
    "helpdesk.refused.bsn_in_question": (
        "Je vraag bevat een nummer dat een BSN kan zijn. Stel de vraag zonder gegevens van "
        "personen; er is niets opgeslagen."
    ),
    "helpdesk.refused.bsn_in_answer": (
        "Het antwoord bevat een nummer dat een BSN kan zijn. Haal het weg; er is niets opgeslagen."
    ),
    "helpdesk.refused.question_unknown": "Vraag {reference} bestaat niet.",
    "helpdesk.refused.card_unknown": "Kenniskaart {reference} bestaat niet.",
    "helpdesk.refused.wrong_status": "Dat kan niet: {reference} is {status}.",
    "helpdesk.refused.not_allowed": (
        "Dat mag je niet bij {reference} ({status}). Experts van het thema pakken vragen op; "
        "wie een vraag heeft opgepakt, antwoordt; de vrager bevestigt."
    ),
    "helpdesk.refused.bsn": (
        "{reference} bevat een nummer dat een geldig BSN kan zijn; niet gepubliceerd. "
        "Haal het weg met {prefix}kennis bewerk {reference} tekst=…"
    ),
    "helpdesk.refused.empty": "{reference} heeft nog geen titel of tekst.",
    "helpdesk.refused.edit_nothing": "Geef titel=… en/of tekst=… op voor {reference}.",
    "helpdesk.refused.changed_meanwhile": (
        "{reference} is net door iemand anders gewijzigd. Bekijk de thread en probeer opnieuw."
    ),
    "helpdesk.refused.search_empty": "Geef een of meer zoekwoorden op, bijvoorbeeld: {prefix}zoek overlast.",
    # lists
    "helpdesk.open.title": "Open vragen ({count}), oudste eerst",
    "helpdesk.open.line": "{reference} · {theme} · {hours} werkuur · {who}",
    "helpdesk.open.none": "Er staan geen open vragen.",
    "helpdesk.open.nobody": "nog niet opgepakt",
    "helpdesk.more_at_least": (
        "… en nog minstens {count}. Meer zien: {command} pagina={page}, "
        "of maak de zoekvraag specifieker"
    ),
    "helpdesk.mine.title": "Vraagbaak en kennis",
    "helpdesk.mine.asked": "{reference} ({theme}) is beantwoord: bevestig met {prefix}opgelost {reference}",
    "helpdesk.mine.claimed": "{reference} ({theme}) wacht op jouw antwoord",
    "helpdesk.mine.review": "{reference} «{title}» is toe aan herziening",
    # breach chain
    "helpdesk.breach.experts": "De termijn voor {clock} op {reference} ({theme}) is verstreken.",
    "helpdesk.breach.backup": (
        "De termijn voor {clock} op {reference} ({theme}) is verstreken; als back-up-expert "
        "vragen we jou mee te kijken."
    ),
    "helpdesk.breach.coordinatie": (
        "Vraagbaak: de termijn voor {clock} op {reference} ({theme}) is verstreken, ook na de "
        "back-up-experts."
    ),
    # direct messages
    "helpdesk.dm.new": "Nieuwe vraag {reference} in thema {theme}: {link}",
    "helpdesk.dm.breach": "Termijn voor {clock} verstreken op {reference} ({theme}): {link}",
    "helpdesk.dm.review": (
        "Kenniskaart {reference} «{title}» is toe aan herziening: {prefix}kennis bevestig "
        "{reference} als hij nog klopt, of {prefix}kennis vervallen {reference}."
    ),
    # cards and search
    "helpdesk.card.created": "Concept {reference} «{title}» ({theme}) gemaakt.",
    "helpdesk.card.draft_hint": (
        "Controleer of er geen gegevens van personen in staan, pas aan met {prefix}kennis bewerk "
        "{reference} titel=… tekst=… en publiceer met {prefix}kennis publiceer {reference}."
    ),
    "helpdesk.card.edited": "{reference} «{title}» is gewijzigd.",
    "helpdesk.card.lesson_title": "Les uit casus {reference}",
    "helpdesk.refused.case_unknown": "Casus {reference} bestaat niet.",
    "helpdesk.refused.lesson_wrong_status": (
        "Een les maak je van een gesloten casus; {reference} is {status}."
    ),
    "helpdesk.refused.lesson_not_allowed": (
        "Alleen de regiehouder van {reference} of een ketenmanager maakt er een les van."
    ),
    "helpdesk.refused.card_not_allowed": (
        "{action} van {reference} ({status}) mag alleen {allowed}; er is niets veranderd."
    ),
    "helpdesk.card_action.edit": "Bewerken",
    "helpdesk.card_action.publish": "Publiceren",
    "helpdesk.card_action.confirm": "Bevestigen",
    "helpdesk.card_action.retire": "Laten vervallen",
    "helpdesk.card_actor.asker": "de vrager",
    "helpdesk.card_actor.claimer": "wie de vraag oppakte",
    "helpdesk.card_actor.theme_expert": "een expert van het thema van de kaart",
    "helpdesk.card_actor.backup_expert": "een reserve-expert van het thema",
    "helpdesk.card_actor.ketenmanager": "een ketenmanager",
    "helpdesk.card_actor.owner": "de eigenaar van de kaart",
    "helpdesk.card_actor.regiehouder": "de regiehouder",
    "helpdesk.or": "{first} of {last}",
    "helpdesk.card.published": "{reference} «{title}» is gepubliceerd; herziening {review}.",
    "helpdesk.card.confirmed": "{reference} is bevestigd; volgende herziening {review}.",
    "helpdesk.card.retired": "{reference} «{title}» is vervallen en niet meer vindbaar.",
    "helpdesk.kind.card": "kaart",
    "helpdesk.kind.question": "vraag",
    "helpdesk.search.title": "Gevonden voor '{query}', beste eerst",
    "helpdesk.search.partial": "Niets met alle woorden van '{query}'; dit heeft er een deel van",
    "helpdesk.search.line": "{reference} ({kind}) {title} — {snippet}",
    "helpdesk.search.none": "Niets gevonden voor '{query}'.",
    "helpdesk.relation.asker": "wie de vraag stelde",
    "helpdesk.relation.claimer": "wie de vraag oppakte",
    "helpdesk.relation.theme_expert": "experts van het thema",
    "helpdesk.relation.backup_expert": "back-up-experts van het thema",
    "helpdesk.relation.ketenmanager": "ketenmanager",
    "helpdesk.relation.owner": "maker van de kaart",
    "helpdesk.relation.regiehouder": "regiehouder van de casus",
}

EN: dict[str, str] = {
    "cmd.helpdesk.ask": "Ask the experts of a theme a question (in a helpdesk room).",
    "cmd.helpdesk.claim": "Take a question (or react with 🙋 on the question).",
    "cmd.helpdesk.answer": "Give the answer to a question you took.",
    "cmd.helpdesk.solved": "Confirm your question was answered; the question is closed.",
    "cmd.helpdesk.reopen": "Re-open an answered or closed question.",
    "cmd.helpdesk.questions": "Open questions in this helpdesk room, oldest first.",
    "cmd.helpdesk.card_new": (
        "Make a knowledge card (draft) from an answered question, or a lesson from a "
        "closed case (with thema=…)."
    ),
    "arg.helpdesk.source_ref": "a question (VR-2026-7) or a closed case (AVZ-2026-0012)",
    "arg.helpdesk.card_theme": "theme of the card (only for a case)",
    "cmd.helpdesk.card_edit": "Change the title and/or text of a knowledge card.",
    "cmd.helpdesk.card_publish": "Publish a knowledge card (refused with a valid BSN in the text).",
    "cmd.helpdesk.card_confirm": "Confirm a knowledge card is still right; the next review moves on.",
    "cmd.helpdesk.card_retire": "Retire a knowledge card (no longer found).",
    "cmd.helpdesk.search": "Search knowledge cards and answered questions.",
    "arg.helpdesk.theme": "theme code, for example jeugd or huiselijk-geweld",
    "arg.helpdesk.question_text": "the question, without names or other personal data",
    "arg.helpdesk.question_ref": "the question, for example VR-2026-7",
    "arg.helpdesk.answer_text": "the answer, without names or other personal data",
    "arg.helpdesk.card_ref": "the knowledge card, for example K-12",
    "arg.helpdesk.card_title": "new title",
    "arg.helpdesk.card_text": "new text",
    "arg.helpdesk.search_words": "search words, for example: overlast jeugd",
    "helpdesk.asked": (
        "Question {reference} ({theme}) is waiting for the experts. We answer in this thread. "
        "Do not mention names, BSNs or other personal data. "
        "Experts: {prefix}oppakken {reference} or 🙋 on the question."
    ),
    "helpdesk.no_experts": "No expert is assigned to this theme yet; the ketenmanager takes it.",
    "helpdesk.claimed": "{claimer} took {reference}.",
    "helpdesk.answered": (
        "Answer to {reference} (confirm with {prefix}opgelost {reference}, "
        "or {prefix}heropen {reference} if it is not right):"
    ),
    "helpdesk.confirmed": "{reference} is solved and closed. Thank you!",
    "helpdesk.reopened": "{reference} is open again.",
    "helpdesk.close_reminder": (
        "Was {reference} answered well enough? Confirm with {prefix}opgelost {reference}; "
        "without a reaction the question closes {when}."
    ),
    "helpdesk.auto_closed": "{reference} was closed automatically (no reaction to the answer).",
    "helpdesk.status.open": "open",
    "helpdesk.status.opgepakt": "taken",
    "helpdesk.status.beantwoord": "answered",
    "helpdesk.status.gesloten": "closed",
    "helpdesk.status.concept": "draft",
    "helpdesk.status.gepubliceerd": "published",
    "helpdesk.status.herziening": "due for review",
    "helpdesk.status.vervallen": "retired",
    "helpdesk.clock.eerste_reactie": "first response",
    "helpdesk.clock.oplossing": "solution",
    "helpdesk.refused.not_helpdesk_room": (
        "This only works in a helpdesk room. Ask your question there with {prefix}vraag <thema> <vraag>."
    ),
    "helpdesk.refused.theme_unknown": (
        "Unknown theme '{theme}'.{suggestion} Choose from: {themes}."
    ),
    "helpdesk.refused.bsn_in_question": (
        "Your question holds a number that may be a BSN. Ask without personal data; "
        "nothing was stored."
    ),
    "helpdesk.refused.bsn_in_answer": (
        "The answer holds a number that may be a BSN. Remove it; nothing was stored."
    ),
    "helpdesk.refused.question_unknown": "Question {reference} does not exist.",
    "helpdesk.refused.card_unknown": "Knowledge card {reference} does not exist.",
    "helpdesk.refused.wrong_status": "Not possible: {reference} is {status}.",
    "helpdesk.refused.not_allowed": (
        "You may not do that to {reference} ({status}). The theme's experts take questions; "
        "who took a question answers it; the asker confirms."
    ),
    "helpdesk.refused.bsn": (
        "{reference} holds a number that may be a valid BSN; not published. "
        "Remove it with {prefix}kennis bewerk {reference} tekst=…"
    ),
    "helpdesk.refused.empty": "{reference} has no title or text yet.",
    "helpdesk.refused.edit_nothing": "Give titel=… and/or tekst=… for {reference}.",
    "helpdesk.refused.changed_meanwhile": (
        "{reference} was just changed by someone else. Look at the thread and try again."
    ),
    "helpdesk.refused.search_empty": "Give one or more search words, for example: {prefix}zoek overlast.",
    "helpdesk.open.title": "Open questions ({count}), oldest first",
    "helpdesk.open.line": "{reference} · {theme} · {hours} working hours · {who}",
    "helpdesk.open.none": "There are no open questions.",
    "helpdesk.open.nobody": "not taken yet",
    "helpdesk.more_at_least": (
        "… and at least {count} more. See them: {command} pagina={page}, "
        "or make the search more specific"
    ),
    "helpdesk.mine.title": "Helpdesk and knowledge",
    "helpdesk.mine.asked": "{reference} ({theme}) was answered: confirm with {prefix}opgelost {reference}",
    "helpdesk.mine.claimed": "{reference} ({theme}) waits for your answer",
    "helpdesk.mine.review": "{reference} «{title}» is due for review",
    "helpdesk.breach.experts": "The {clock} period for {reference} ({theme}) has passed.",
    "helpdesk.breach.backup": (
        "The {clock} period for {reference} ({theme}) has passed; as backup expert we ask "
        "you to help."
    ),
    "helpdesk.breach.coordinatie": (
        "Helpdesk: the {clock} period for {reference} ({theme}) has passed, also after the "
        "backup experts."
    ),
    "helpdesk.dm.new": "New question {reference} in theme {theme}: {link}",
    "helpdesk.dm.breach": "{clock} period passed for {reference} ({theme}): {link}",
    "helpdesk.dm.review": (
        "Knowledge card {reference} «{title}» is due for review: {prefix}kennis bevestig "
        "{reference} if it is still right, or {prefix}kennis vervallen {reference}."
    ),
    "helpdesk.card.created": "Draft {reference} «{title}» ({theme}) made.",
    "helpdesk.card.draft_hint": (
        "Check it holds no personal data, change it with {prefix}kennis bewerk "
        "{reference} titel=… tekst=… and publish with {prefix}kennis publiceer {reference}."
    ),
    "helpdesk.card.edited": "{reference} «{title}» was changed.",
    "helpdesk.card.lesson_title": "Lesson from case {reference}",
    "helpdesk.refused.case_unknown": "Case {reference} does not exist.",
    "helpdesk.refused.lesson_wrong_status": (
        "A lesson is drawn from a closed case; {reference} is {status}."
    ),
    "helpdesk.refused.lesson_not_allowed": (
        "Only the regiehouder of {reference} or a ketenmanager makes a lesson of it."
    ),
    "helpdesk.refused.card_not_allowed": (
        "Only {allowed} may {action} {reference} ({status}); nothing was changed."
    ),
    "helpdesk.card_action.edit": "edit",
    "helpdesk.card_action.publish": "publish",
    "helpdesk.card_action.confirm": "confirm",
    "helpdesk.card_action.retire": "retire",
    "helpdesk.card_actor.asker": "the asker",
    "helpdesk.card_actor.claimer": "whoever took the question",
    "helpdesk.card_actor.theme_expert": "an expert on the card's theme",
    "helpdesk.card_actor.backup_expert": "a backup expert on the theme",
    "helpdesk.card_actor.ketenmanager": "a chain manager",
    "helpdesk.card_actor.owner": "the card's owner",
    "helpdesk.card_actor.regiehouder": "the coordinator",
    "helpdesk.or": "{first} or {last}",
    "helpdesk.card.published": "{reference} «{title}» is published; review {review}.",
    "helpdesk.card.confirmed": "{reference} is confirmed; next review {review}.",
    "helpdesk.card.retired": "{reference} «{title}» is retired and no longer found.",
    "helpdesk.kind.card": "card",
    "helpdesk.kind.question": "question",
    "helpdesk.search.title": "Found for '{query}', best first",
    "helpdesk.search.partial": "Nothing with every word of '{query}'; these have some of them",
    "helpdesk.search.line": "{reference} ({kind}) {title} — {snippet}",
    "helpdesk.search.none": "Nothing found for '{query}'.",
    "helpdesk.relation.asker": "whoever asked the question",
    "helpdesk.relation.claimer": "whoever took the question",
    "helpdesk.relation.theme_expert": "the theme's experts",
    "helpdesk.relation.backup_expert": "the theme's backup experts",
    "helpdesk.relation.ketenmanager": "ketenmanager",
    "helpdesk.relation.owner": "the card's maker",
    "helpdesk.relation.regiehouder": "the case's regiehouder",
}
