"""Message catalogue part: Agreements (afspraken), reminders and ``!mijn``.

Merged into the one catalogue by ``avz_bot.messages``; keys are unique across parts.
"""

from __future__ import annotations

NL: dict[str, str] = {
    "agreement.end_of_day": "(geen tijd genoemd: einde werkdag)",
    "agreement.created": "Afspraak #{number} vastgelegd: {description}\nEigenaar: {owner}\nDeadline: {deadline}",
    "agreement.owner_unknown": (
        "{value} is geen lid van deze casus en geen organisatie die erin meedoet."
    ),
    "agreement.none": "Er zijn geen open afspraken in {reference}.",
    "agreement.list.title": "Open afspraken in {reference} (verlopen eerst)",
    "agreement.line": "#{number} {reference}{description} — {owner} — {deadline}{overdue}",
    "agreement.overdue": " — VERLOPEN",
    "agreement.not_found": "Er is geen open afspraak #{number} in deze casus.",
    "agreement.done": "Afspraak #{number} is klaar: {description}",
    "agreement.lapsed": "Afspraak #{number} vervalt. Reden: {reason}",
    "agreement.postponed": "Afspraak #{number}: deadline verschoven van {old} naar {new}. Reden: {reason}",
    # Who may, in the agreements' permission table (the case relationships as case.actor.*).
    "agreement.actor.partner": "geregistreerde ketenpartners",
    "agreement.actor.member": "leden van de casus",
    "agreement.actor.regiehouder": "de regiehouder",
    "agreement.actor.ketenmanager": "een ketenmanager",
    "agreement.actor.owner": "de eigenaar van de afspraak",
    "agreement.actor.creator": "wie de herinnering plande",
    "agreement.scope.case": "de kamer van de casus",
    "agreement.scope.room": "elke kamer",
    "agreement.scope.direct_chat": "een privégesprek met mij",
    "reminder.before": "Herinnering: afspraak #{number} in {reference} ({description}) heeft als deadline {deadline}.",
    "reminder.deadline_morning": "Vandaag is de deadline van afspraak #{number} in {reference}: {description} ({deadline}).",
    "reminder.overdue": "Afspraak #{number} in {reference} is {days} werkdag(en) over de deadline ({deadline}): {description}.",
    "reminder.overdue_regie": (
        "Afspraak #{number} in {reference} is {days} werkdagen over de deadline ({deadline}): "
        "{description}. De regiehouder is op de hoogte gebracht."
    ),
    "reminder.overdue_coordination": (
        "Afspraak #{number} in {reference} is {days} werkdagen over de deadline ({deadline}): "
        "{description}. De coördinatie is op de hoogte gebracht."
    ),
    "reminder.no_regie": "Deze casus heeft geen regiehouder.",
    "reminder.coordination": (
        "Afspraak #{number} in {reference} ({municipality}) is {days} werkdagen over de deadline "
        "({deadline}). Eigenaar: {owner}; regie: {holder}."
    ),
    "reminder.late": "(Verlaat: gepland voor {planned}; de bot was toen niet bereikbaar.)",
    "reminder.text_missing": "Waaraan moet ik je herinneren? Zet de tekst na de datum.",
    "reminder.for_room": "voor iedereen in deze kamer",
    "reminder.for_you": "voor jou",
    "reminder.created": "Herinnering #{number} gepland voor {when} ({who}).",
    "reminder.none": "Er staan geen herinneringen gepland in deze kamer.",
    "reminder.list.title": "Geplande herinneringen in deze kamer",
    "reminder.line": "#{number} {when} — {who}: {text}",
    "reminder.not_found": "Er is geen geplande herinnering #{number} in deze kamer.",
    "reminder.not_yours": "Herinnering #{number} is niet van jou; alleen wie hem plande kan hem annuleren.",
    "reminder.cancelled": "Herinnering #{number} is geannuleerd.",
    "reminder.fire": "Herinnering: {text}",
    "mine.dm_only": (
        "{prefix}mijn werkt alleen in een direct gesprek met mij, omdat het gegevens uit al je "
        "casussen toont. Begin een privégesprek met mij en probeer het daar."
    ),
    "mine.title": "Op het bord van {name}",
    "mine.agreements": "Jouw open afspraken (verlopen eerst):",
    "mine.regie": "Casussen waarin jij de regie hebt:",
    "mine.regie_line": "{reference} — {title} ({status})",
    "mine.waiting": "Wacht op jouw antwoord:",
    "mine.waiting_transfer": "{reference}: {other} wil de regie aan jou overdragen ({prefix}regie accepteren of weigeren in die kamer; verloopt {expires})",
    "mine.waiting_request": "{reference}: {other} vraagt jou om de regie ({prefix}regie accepteren of weigeren in die kamer; verloopt {expires})",
    "cmd.actie.summary": "Legt een afspraak vast met eigenaar en deadline; de bot herinnert op tijd.",
    "cmd.acties.summary": "Toont de open afspraken van de casus, verlopen eerst.",
    "cmd.actie_klaar.summary": "Meldt een afspraak als klaar.",
    "cmd.actie_uitstel.summary": "Verschuift de deadline van een afspraak (met reden).",
    "cmd.actie_vervalt.summary": "Laat een afspraak vervallen (met reden).",
    "cmd.herinner.summary": "Plant een herinnering voor jou (of met voor=kamer voor de kamer).",
    "cmd.herinneringen.summary": "Toont de geplande herinneringen in deze kamer.",
    "cmd.herinnering_annuleer.summary": "Annuleert een herinnering die jij plande.",
    "cmd.mijn.summary": "Jouw open afspraken, casussen met regie en wat op jou wacht (privégesprek).",
}

EN: dict[str, str] = {
    "agreement.end_of_day": "(no time given: end of the working day)",
    "agreement.created": "Agreement #{number} recorded: {description}\nOwner: {owner}\nDeadline: {deadline}",
    "agreement.owner_unknown": "{value} is not a member of this case nor an organisation taking part.",
    "agreement.none": "There are no open agreements in {reference}.",
    "agreement.list.title": "Open agreements in {reference} (overdue first)",
    "agreement.line": "#{number} {reference}{description} — {owner} — {deadline}{overdue}",
    "agreement.overdue": " — OVERDUE",
    "agreement.not_found": "There is no open agreement #{number} in this case.",
    "agreement.done": "Agreement #{number} is done: {description}",
    "agreement.lapsed": "Agreement #{number} lapses. Reason: {reason}",
    "agreement.postponed": "Agreement #{number}: deadline moved from {old} to {new}. Reason: {reason}",
    "agreement.actor.partner": "registered partners",
    "agreement.actor.member": "members of the case",
    "agreement.actor.regiehouder": "the process lead",
    "agreement.actor.ketenmanager": "a chain manager",
    "agreement.actor.owner": "the owner of the agreement",
    "agreement.actor.creator": "who planned the reminder",
    "agreement.scope.case": "the case room",
    "agreement.scope.room": "any room",
    "agreement.scope.direct_chat": "a direct chat with me",
    "reminder.before": "Reminder: agreement #{number} in {reference} ({description}) is due {deadline}.",
    "reminder.deadline_morning": "Agreement #{number} in {reference} is due today: {description} ({deadline}).",
    "reminder.overdue": "Agreement #{number} in {reference} is {days} working day(s) overdue ({deadline}): {description}.",
    "reminder.overdue_regie": (
        "Agreement #{number} in {reference} is {days} working days overdue ({deadline}): "
        "{description}. The process lead has been told."
    ),
    "reminder.overdue_coordination": (
        "Agreement #{number} in {reference} is {days} working days overdue ({deadline}): "
        "{description}. Coordination has been told."
    ),
    "reminder.no_regie": "This case has no process lead.",
    "reminder.coordination": (
        "Agreement #{number} in {reference} ({municipality}) is {days} working days overdue "
        "({deadline}). Owner: {owner}; lead: {holder}."
    ),
    "reminder.late": "(Late: planned for {planned}; the bot could not be reached then.)",
    "reminder.text_missing": "What should I remind you of? Put the text after the date.",
    "reminder.for_room": "for everyone in this room",
    "reminder.for_you": "for you",
    "reminder.created": "Reminder #{number} planned for {when} ({who}).",
    "reminder.none": "No reminders are planned in this room.",
    "reminder.list.title": "Planned reminders in this room",
    "reminder.line": "#{number} {when} — {who}: {text}",
    "reminder.not_found": "There is no planned reminder #{number} in this room.",
    "reminder.not_yours": "Reminder #{number} is not yours; only who planned it can cancel it.",
    "reminder.cancelled": "Reminder #{number} was cancelled.",
    "reminder.fire": "Reminder: {text}",
    "mine.dm_only": (
        "{prefix}mijn only works in a direct chat with me, because it shows data from all your "
        "cases. Start a private chat with me and try there."
    ),
    "mine.title": "On {name}'s plate",
    "mine.agreements": "Your open agreements (overdue first):",
    "mine.regie": "Cases you lead:",
    "mine.regie_line": "{reference} — {title} ({status})",
    "mine.waiting": "Waiting for your answer:",
    "mine.waiting_transfer": "{reference}: {other} wants to hand you the lead ({prefix}regie accepteren or weigeren in that room; expires {expires})",
    "mine.waiting_request": "{reference}: {other} asks you for the lead ({prefix}regie accepteren or weigeren in that room; expires {expires})",
    "cmd.actie.summary": "Records an agreement with owner and deadline; the bot reminds in time.",
    "cmd.acties.summary": "Shows the case's open agreements, overdue first.",
    "cmd.actie_klaar.summary": "Marks an agreement as done.",
    "cmd.actie_uitstel.summary": "Moves an agreement's deadline (with a reason).",
    "cmd.actie_vervalt.summary": "Drops an agreement (with a reason).",
    "cmd.herinner.summary": "Plans a reminder for you (or, with voor=kamer, for the room).",
    "cmd.herinneringen.summary": "Shows the reminders planned in this room.",
    "cmd.herinnering_annuleer.summary": "Cancels a reminder you planned.",
    "cmd.mijn.summary": "Your open agreements, cases you lead and what waits for you (direct chat).",
}
