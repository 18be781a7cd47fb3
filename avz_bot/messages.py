"""The message catalogue: every sentence a person reads in a room lives here.

Dutch (``nl``) is the default and the reference locale; English (``en``) is the
second locale. A key missing in a locale falls back to Dutch, so adding English
later can never make the bot speechless. Placeholders use ``str.format`` syntax.

A key missing from both is a programming error; see :class:`Messages` for what happens
then (``KeyError`` in tests and tools, a logged error and a neutral text in the bot).
"""

from __future__ import annotations

import string
from collections.abc import Mapping

from avz_bot.catalogue import AREAS
from avz_bot.logs import get_logger

log = get_logger(__name__)

DEFAULT_LOCALE = "nl"
#: The neutral text a lenient catalogue shows where a text is missing (see ``Messages``).
MISSING_TEXT_KEY = "error.text_missing"

_CORE_NL: dict[str, str] = {
    # --- generic replies -------------------------------------------------
    "error.internal": (
        "Er ging iets mis bij het verwerken van je commando; er is niets gewijzigd. "
        "Probeer het later opnieuw of neem contact op met de beheerder."
    ),
    "error.text_missing": "(tekst ontbreekt)",
    "error.not_registered": (
        "Je bent (nog) niet geregistreerd als ketenpartner, dus ik voer geen commando's "
        "voor je uit. Vraag de beheerder van het AVZ om je aan te melden."
    ),
    "error.permission": "Dit commando is alleen voor: {roles}.",
    "error.unsigned_device": (
        "Dit commando verandert iets, en daarvoor moet je apparaat door jezelf geverifieerd "
        "zijn (cross-signing). Verifieer deze sessie vanuit een andere sessie of met je "
        "herstelsleutel en probeer het opnieuw; er is niets gewijzigd."
    ),
    "error.unknown_command": "Onbekend commando {command}.",
    "error.unknown_command_suggest": "Onbekend commando {command}. Bedoel je {suggestion}?",
    "error.help_hint": "Typ {prefix}help voor een overzicht.",
    "error.usage": "Gebruik: {usage}",
    "error.parse.unclosed_quote": "Er ontbreekt een afsluitend aanhalingsteken.",
    "error.parse.empty": "Er staat geen commando na {prefix}.",
    "error.parse.too_long": "Dit bericht is te lang voor een commando (maximaal {limit} tekens).",
    "error.args.unknown_option": "Onbekende optie {option}.",
    "error.args.duplicate_option": "De optie {option} staat er meer dan één keer in.",
    "error.args.too_many": "Te veel argumenten.",
    "error.args.missing": "{field} ontbreekt.",
    "error.args.invalid": "Ongeldige waarde voor {field}.",
    "error.args.too_long": "{field} is te lang (maximaal {limit} tekens).",
    "error.args.choice": "Ongeldige waarde voor {field}; kies uit: {choices}.",
    "room.unencrypted": (
        "Deze kamer is niet end-to-end versleuteld. Ik werk alleen in versleutelde kamers, "
        "omdat hier vertrouwelijke gegevens over mensen worden besproken. Zet versleuteling "
        "aan of maak een nieuwe, versleutelde kamer en nodig mij daar uit."
    ),
    "room.undecryptable": (
        "{sender}: ik kon een bericht van je niet ontsleutelen (de sleutel is niet bij mij "
        "aangekomen), dus ik heb het niet uitgevoerd. Stuur het commando opnieuw; blijft dit "
        "gebeuren, laat je apparaat dan door de beheerder controleren."
    ),
    # --- help --------------------------------------------------------------
    "help.title": "Beschikbare commando's",
    "help.footer": "Meer over één commando: {prefix}help <commando>.",
    "help.aliases": "Ook: {aliases}",
    "help.usage": "Gebruik",
    "help.who": "Wie",
    "help.arguments": "Argumenten",
    "help.unknown_topic": "Er is geen commando {command}.",
    # --- permissions (names of the audiences) --------------------------------
    "permission.anyone": "iedereen",
    "permission.member": "geregistreerde ketenpartners",
    "permission.ketenmanager": "ketenmanagers",
    "permission.admin": "beheerders",
    # --- commands -------------------------------------------------------------
    "cmd.help.summary": "Toont de commando's, of uitleg over één commando.",
    "cmd.help.arg.command": "het commando waarover je uitleg wilt",
    "cmd.ping.summary": "Controleert of de bot werkt en hoe snel hij reageert.",
    "cmd.ping.reply": "pong — avz-bot {version}, verwerkt in {millis} ms.",
    "cmd.wie.summary": "Toont met welke organisatie en rollen je bij mij bekend bent.",
    "cmd.wie.reply": "Je bent {name} ({user}), namens {organisation} ({domain}). Rollen: {roles}.",
    # --- value names -------------------------------------------------------------
    "role.professional": "professional",
    "role.ketenmanager": "ketenmanager",
    "role.expert": "expert",
    "role.admin": "beheerder",
    "domain.zorg": "zorg",
    "domain.veiligheid": "veiligheid",
    "domain.gemeente": "gemeente",
    "domain.justitie": "justitie",
    "list.none": "geen",
    # --- cases ------------------------------------------------------------
    "case.status.aangemeld": "aangemeld",
    "case.status.actief": "actief",
    "case.status.afgeschaald": "afgeschaald (monitoring)",
    "case.status.gesloten": "gesloten",
    "case.role.regiehouder": "regiehouder",
    "case.role.casemanager": "casemanager",
    "case.role.betrokken": "betrokken partner",
    "case.actor.member": "leden van de casus",
    "case.actor.regiehouder": "de regiehouder",
    "case.actor.ketenmanager": "een ketenmanager",
    "case.actor.proposal_target": "degene aan wie het voorstel is gedaan",
    "case.actor.owner": "de eigenaar van de afspraak",
    "case.not_a_case_room": (
        "Dit is geen casuskamer. Casuscommando's werken in de kamer van een casus; een "
        "nieuwe casus open je in een intakekamer met {prefix}casus nieuw."
    ),
    "case.not_intake_room": ("Een casus open je in een intake- of coördinatiekamer, niet hier."),
    "case.unknown_municipality": "Onbekende gemeente {value}. Kies uit: {choices}.",
    "case.unknown_type": "Onbekend casustype {value}. Kies uit: {choices}.",
    "case.unknown_partner": (
        "Onbekende partner {value}: geef een organisatiecode ({choices}) of een "
        "geregistreerde @gebruiker."
    ),
    "case.unknown_status": "Onbekende status {value}. Kies uit: {choices}.",
    "case.not_a_user": "{value} is geen Matrix-gebruiker (verwacht: @naam:server).",
    "case.opened": (
        "Casus {reference} is geopend ({municipality}, {case_type}). Ik maak een "
        "beveiligde kamer aan en nodig uit: {invitees}."
    ),
    "case.card.title": "Casus {reference}",
    "case.card.title_line": "Werktitel: {title}",
    "case.card.where": "Gemeente: {municipality} · Type: {case_type}",
    "case.card.status": "Status: {status} (sinds {since})",
    "case.card.regie": "Regie: {holder}, {organisation}, sinds {since}",
    "case.card.no_regie": "Regie: niemand (sinds {since}) — neem hem met {prefix}regie claim",
    "case.card.proposal": "Openstaand regievoorstel: {from_user} → {to_user}, verloopt {expires}",
    "case.card.members": "Leden:",
    "case.card.member": "{name} ({organisation}){roles}",
    "case.card.open_items": "Open afspraken: {count}",
    "case.welcome": "Welkom in de kamer van casus {reference}, {name}.",
    "case.status_changed": "Status van {reference}: {old} → {new}. Reden: {reason}",
    "case.closed": (
        "Casus {reference} is gesloten. Reden: {reason}. Er kan niets meer worden "
        "gewijzigd; de kamer blijft leesbaar voor de leden."
    ),
    "case.invited": "{user} is toegevoegd aan de casus en uitgenodigd voor deze kamer.",
    "case.removed": "{user} is uit de casus verwijderd en verliest alle rollen erin.",
    "case.member_left": "{user} heeft de kamer verlaten en heeft geen rol meer in de casus.",
    "case.regie.show": "Regie van {reference}: {holder} ({organisation}), sinds {since}.",
    "case.regie.none": "Casus {reference} heeft geen regiehouder (sinds {since}).",
    "case.regie.taken": "{holder} heeft nu de regie over {reference}.",
    "case.regie.lost_race": "Net te laat: {holder} nam de regie zojuist.",
    "case.regie.requested": (
        "{holder} heeft de regie. Je verzoek is aan {holder} voorgelegd: "
        "{prefix}regie accepteren of {prefix}regie weigeren (verloopt {expires})."
    ),
    "case.regie.proposed": (
        "{holder} stelt voor de regie over te dragen aan {to_user}. {to_user}: "
        "{prefix}regie accepteren of {prefix}regie weigeren (verloopt {expires}). "
        "Tot dan houdt {holder} de regie."
    ),
    "case.regie.transferred": "De regie over {reference} is overgegaan van {previous} naar {holder}.",
    "case.regie.declined": "{user} heeft het regievoorstel geweigerd; de regie blijft bij {holder}.",
    "case.regie.released": "{previous} heeft de regie losgelaten. Casus {reference} heeft nu geen regiehouder.",
    "case.regie.assigned": "Een ketenmanager heeft de regie toegewezen aan {holder}. Reden: {reason}",
    "case.regie.expired": "Het regievoorstel ({from_user} → {to_user}) is verlopen; de regie blijft bij {holder}.",
    "case.coord.released": (
        "Casus {reference} ({municipality}, {case_type}) heeft geen regiehouder meer: "
        "{previous} heeft losgelaten."
    ),
    "case.coord.unregie": (
        "Casus {reference} ({municipality}, {case_type}) is al {days} werkdag(en) zonder "
        "regiehouder (sinds {since})."
    ),
    "case.roles.title": "Rollen in {reference}",
    "case.roles.line": "{name} ({organisation}): {roles}",
    "case.role.taken": "{user} is nu casemanager voor {organisation}.",
    "case.role.taken_from": "{user} is nu casemanager voor {organisation} (was: {previous}).",
    "case.timeline.title": "Tijdlijn van {reference} (laatste {count})",
    "case.timeline.empty": "Nog niets in de tijdlijn.",
    "case.timeline.line": "{when} · {who}: {what}",
    "case.event.case_opened": "casus geopend",
    "case.event.room_created": "beveiligde casuskamer aangemaakt",
    "case.event.agreement.created": "afspraak #{number} vastgelegd",
    "case.event.agreement.postponed": "afspraak #{number} uitgesteld ({reason})",
    "case.event.agreement.done": "afspraak #{number} klaar",
    "case.event.agreement.lapsed": "afspraak #{number} vervallen ({reason})",
    "case.cause.released": "losgelaten",
    "case.cause.assigned": "toegewezen aan een ander",
    "case.cause.closed": "casus gesloten",
    "case.cause.left": "kamer verlaten",
    "case.cause.removed": "verwijderd",
    "case.event.status_changed": "status {old_status} → {new_status} ({reason})",
    "case.event.regie_taken": "regie genomen",
    "case.event.regie_requested": "regie gevraagd aan {holder}",
    "case.event.regie_transfer_proposed": "regie voorgesteld aan {to_user}",
    "case.event.regie_transferred": "regie van {previous} naar {new_holder}",
    "case.event.regie_declined": "regievoorstel geweigerd",
    "case.event.regie_released": "regie losgelaten ({cause})",
    "case.event.regie_assigned": "regie toegewezen aan {new_holder} ({reason})",
    "case.event.proposal_expired": "regievoorstel verlopen",
    "case.event.proposal_cancelled": "regievoorstel vervallen",
    "case.event.member_added": "{user} toegevoegd",
    "case.event.member_removed": "{user} uit de casus ({cause})",
    "case.event.casemanager_taken": "{user} casemanager voor {organisation_code}",
    "case.refusal.not_a_member": "Je bent geen lid van deze casus.",
    "case.refusal.case_closed": "Deze casus is gesloten; er kan niets meer worden gewijzigd.",
    "case.refusal.not_permitted": "Dat mag alleen {allowed}.",
    "case.refusal.no_pending_proposal": "Er staat geen regievoorstel open.",
    "case.refusal.not_proposal_target": "Het openstaande regievoorstel is aan {to_user} gericht, niet aan jou.",
    "case.refusal.already_in_status": "De casus heeft die status al.",
    "case.refusal.transition_not_allowed": "Van {status} kan de casus alleen naar: {allowed}.",
    "case.refusal.reason_required": 'Geef een reden op: reden="…".',
    "case.refusal.already_holder": "{holder} heeft de regie al.",
    "case.refusal.proposal_pending": "Er staat al een regievoorstel open ({from_user} → {to_user}, verloopt {expires_at}).",
    "case.refusal.proposal_expired": "Dat regievoorstel is verlopen.",
    "case.refusal.target_not_member": "{user} is geen lid van deze casus.",
    "case.refusal.target_is_self": "Je kunt de regie niet aan jezelf overdragen.",
    "case.refusal.not_registered": "{user} is geen geregistreerde ketenpartner en kan niet worden uitgenodigd.",
    "case.refusal.already_member": "{user} is al lid van deze casus.",
    "case.refusal.already_casemanager": "Je bent al casemanager voor {organisation}.",
    "cmd.casus_nieuw.summary": "Opent een nieuwe casus met een eigen beveiligde kamer.",
    "cmd.casus.summary": "Toont de casuskaart: status, regie, leden en open punten.",
    "cmd.casus_status.summary": "Wijzigt de status van de casus (met reden).",
    "cmd.casus_sluiten.summary": "Sluit de casus (met reden).",
    "cmd.casus_uitnodigen.summary": "Voegt een geregistreerde ketenpartner toe aan de casus.",
    "cmd.casus_verwijderen.summary": "Verwijdert iemand uit de casus en de kamer.",
    "cmd.regie.summary": "Toont wie de regie heeft, namens wie en sinds wanneer.",
    "cmd.regie_claim.summary": "Neemt vrije regie, of vraagt de regiehouder erom.",
    "cmd.regie_overdragen.summary": "Stelt voor de regie over te dragen aan een ander lid.",
    "cmd.regie_accepteren.summary": "Accepteert het regievoorstel dat aan jou is gedaan.",
    "cmd.regie_weigeren.summary": "Weigert het regievoorstel dat aan jou is gedaan.",
    "cmd.regie_loslaten.summary": "Laat de regie los (met reden); de coördinatie hoort het.",
    "cmd.regie_toewijzen.summary": "Wijst de regie direct toe (ketenmanager, met reden).",
    "cmd.rollen.summary": "Toont ieders organisatie en rol in deze casus.",
    "cmd.rol_casemanager.summary": "Neemt de rol van casemanager voor je eigen organisatie.",
    "cmd.tijdlijn.summary": "Toont de tijdlijn van de casus: status, regie en leden.",
    "arg.title": "de werktitel van de casus (geen persoonsgegevens: die horen in de kamer)",
    "arg.municipality": "de gemeente (code, zie de lijst bij een fout)",
    "arg.case_type": "het casustype (code)",
    "arg.partners": "organisatiecodes en/of @gebruikers, gescheiden door komma's",
    "arg.status": "aangemeld, actief, afgeschaald of gesloten",
    "arg.reason": "waarom (verplicht)",
    "arg.user": "een persoon: noem met @ (kies uit de lijst), de naam of @gebruiker:server",
    "arg.count": "hoeveel regels (standaard 20)",
    # --- agreements, reminders, my plate ------------------------------------
    "case.closed_agreements": "{count} open afspraak/afspraken: de herinneringen zijn geannuleerd.",
    "dates.error.empty": "Geef een datum op.",
    "dates.error.unparseable": "Die datum begrijp ik niet: {value}.",
    "dates.error.past": "{value} ligt in het verleden.",
    "dates.error.ambiguous": "{value} kan meerdere dingen betekenen; wees preciezer.",
    "dates.error.too_far": "{value} ligt te ver in de toekomst.",
    "dates.examples": (
        "Voorbeelden: vrijdag, morgen 14:00, 1 december, over 3 werkdagen, "
        "volgende week dinsdag, 2026-12-01."
    ),
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
    "arg.owner": "een persoon (met @, naam of @gebruiker:server) of organisatiecode (uit deze casus)",
    "arg.description": "wat er moet gebeuren",
    "arg.deadline": "wanneer, bijv. vrijdag, morgen 14:00, 1 december, over 3 werkdagen",
    "arg.number": "het nummer (zie de lijst)",
    "arg.note": "toelichting (optioneel)",
    "arg.remind": "eerst wanneer, dan de tekst, bijv. morgen 9:00 bel Veilig Thuis terug",
    "arg.target": "mij (standaard) of kamer",
}

_CORE_EN: dict[str, str] = {
    "error.internal": (
        "Something went wrong while processing your command; nothing was changed. "
        "Please try again later or contact the administrator."
    ),
    "error.text_missing": "(text missing)",
    "error.not_registered": (
        "You are not registered as a partner, so I do not run commands for you. "
        "Ask the AVZ administrator to register you."
    ),
    "error.permission": "This command is only for: {roles}.",
    "error.unsigned_device": (
        "This command changes something, which requires a device you have verified "
        "yourself (cross-signing). Verify this session from another session or with your "
        "recovery key and try again; nothing was changed."
    ),
    "error.unknown_command": "Unknown command {command}.",
    "error.unknown_command_suggest": "Unknown command {command}. Did you mean {suggestion}?",
    "error.help_hint": "Type {prefix}help for an overview.",
    "error.usage": "Usage: {usage}",
    "error.parse.unclosed_quote": "A closing quotation mark is missing.",
    "error.parse.empty": "There is no command after {prefix}.",
    "error.parse.too_long": "This message is too long for a command (at most {limit} characters).",
    "error.args.unknown_option": "Unknown option {option}.",
    "error.args.duplicate_option": "The option {option} appears more than once.",
    "error.args.too_many": "Too many arguments.",
    "error.args.missing": "{field} is missing.",
    "error.args.invalid": "Invalid value for {field}.",
    "error.args.too_long": "{field} is too long (at most {limit} characters).",
    "error.args.choice": "Invalid value for {field}; choose from: {choices}.",
    "room.unencrypted": (
        "This room is not end-to-end encrypted. I only work in encrypted rooms because "
        "confidential information about people is discussed here. Enable encryption or "
        "create a new encrypted room and invite me there."
    ),
    "room.undecryptable": (
        "{sender}: I could not decrypt a message of yours (its key never reached me), so I "
        "did not run it. Please send the command again; if this keeps happening, ask the "
        "administrator to check your device."
    ),
    "help.title": "Available commands",
    "help.footer": "More about one command: {prefix}help <command>.",
    "help.aliases": "Also: {aliases}",
    "help.usage": "Usage",
    "help.who": "Who",
    "help.arguments": "Arguments",
    "help.unknown_topic": "There is no command {command}.",
    "permission.anyone": "everyone",
    "permission.member": "registered partners",
    "permission.ketenmanager": "chain managers",
    "permission.admin": "administrators",
    "cmd.help.summary": "Shows the commands, or help on one command.",
    "cmd.help.arg.command": "the command you want help on",
    "cmd.ping.summary": "Checks that the bot works and how fast it responds.",
    "cmd.ping.reply": "pong — avz-bot {version}, processed in {millis} ms.",
    "cmd.wie.summary": "Shows the organisation and roles I know you by.",
    "cmd.wie.reply": "You are {name} ({user}), for {organisation} ({domain}). Roles: {roles}.",
    "role.professional": "professional",
    "role.ketenmanager": "chain manager",
    "role.expert": "expert",
    "role.admin": "administrator",
    "domain.zorg": "care",
    "domain.veiligheid": "safety",
    "domain.gemeente": "municipality",
    "domain.justitie": "justice",
    "list.none": "none",
    # --- cases ------------------------------------------------------------
    "case.status.aangemeld": "registered",
    "case.status.actief": "active",
    "case.status.afgeschaald": "scaled down (monitoring)",
    "case.status.gesloten": "closed",
    "case.role.regiehouder": "process lead",
    "case.role.casemanager": "case manager",
    "case.role.betrokken": "involved partner",
    "case.actor.member": "members of the case",
    "case.actor.regiehouder": "the process lead",
    "case.actor.ketenmanager": "a chain manager",
    "case.actor.proposal_target": "the person the proposal is addressed to",
    "case.actor.owner": "the owner of the agreement",
    "case.not_a_case_room": (
        "This is not a case room. Case commands work in a case's room; open a new case "
        "in an intake room with {prefix}casus nieuw."
    ),
    "case.not_intake_room": "Cases are opened in an intake or coordination room, not here.",
    "case.unknown_municipality": "Unknown municipality {value}. Choose from: {choices}.",
    "case.unknown_type": "Unknown case type {value}. Choose from: {choices}.",
    "case.unknown_partner": (
        "Unknown partner {value}: give an organisation code ({choices}) or a registered @user."
    ),
    "case.unknown_status": "Unknown status {value}. Choose from: {choices}.",
    "case.not_a_user": "{value} is not a Matrix user (expected: @name:server).",
    "case.opened": (
        "Case {reference} is open ({municipality}, {case_type}). I am creating a secure "
        "room and inviting: {invitees}."
    ),
    "case.card.title": "Case {reference}",
    "case.card.title_line": "Working title: {title}",
    "case.card.where": "Municipality: {municipality} · Type: {case_type}",
    "case.card.status": "Status: {status} (since {since})",
    "case.card.regie": "Process lead: {holder}, {organisation}, since {since}",
    "case.card.no_regie": "Process lead: nobody (since {since}) — take it with {prefix}regie claim",
    "case.card.proposal": "Open lead proposal: {from_user} → {to_user}, expires {expires}",
    "case.card.members": "Members:",
    "case.card.member": "{name} ({organisation}){roles}",
    "case.card.open_items": "Open agreements: {count}",
    "case.welcome": "Welcome to the room of case {reference}, {name}.",
    "case.status_changed": "Status of {reference}: {old} → {new}. Reason: {reason}",
    "case.closed": (
        "Case {reference} is closed. Reason: {reason}. Nothing can be changed any more; "
        "the room stays readable for its members."
    ),
    "case.invited": "{user} was added to the case and invited to this room.",
    "case.removed": "{user} was removed from the case and loses every role in it.",
    "case.member_left": "{user} left the room and no longer has a role in the case.",
    "case.regie.show": "Process lead of {reference}: {holder} ({organisation}), since {since}.",
    "case.regie.none": "Case {reference} has no process lead (since {since}).",
    "case.regie.taken": "{holder} now leads {reference}.",
    "case.regie.lost_race": "Just too late: {holder} took the lead a moment ago.",
    "case.regie.requested": (
        "{holder} leads this case. Your request was put to {holder}: "
        "{prefix}regie accepteren or {prefix}regie weigeren (expires {expires})."
    ),
    "case.regie.proposed": (
        "{holder} proposes to hand the lead to {to_user}. {to_user}: "
        "{prefix}regie accepteren or {prefix}regie weigeren (expires {expires}). "
        "Until then {holder} keeps the lead."
    ),
    "case.regie.transferred": "The lead of {reference} passed from {previous} to {holder}.",
    "case.regie.declined": "{user} declined the lead proposal; {holder} keeps the lead.",
    "case.regie.released": "{previous} released the lead. Case {reference} has no process lead now.",
    "case.regie.assigned": "A chain manager assigned the lead to {holder}. Reason: {reason}",
    "case.regie.expired": "The lead proposal ({from_user} → {to_user}) expired; {holder} keeps the lead.",
    "case.coord.released": (
        "Case {reference} ({municipality}, {case_type}) has no process lead any more: "
        "{previous} released it."
    ),
    "case.coord.unregie": (
        "Case {reference} ({municipality}, {case_type}) has been without a process lead for "
        "{days} working day(s) (since {since})."
    ),
    "case.roles.title": "Roles in {reference}",
    "case.roles.line": "{name} ({organisation}): {roles}",
    "case.role.taken": "{user} is now case manager for {organisation}.",
    "case.role.taken_from": "{user} is now case manager for {organisation} (was: {previous}).",
    "case.timeline.title": "Timeline of {reference} (last {count})",
    "case.timeline.empty": "Nothing in the timeline yet.",
    "case.timeline.line": "{when} · {who}: {what}",
    "case.event.case_opened": "case opened",
    "case.event.room_created": "secure case room created",
    "case.event.agreement.created": "agreement #{number} recorded",
    "case.event.agreement.postponed": "agreement #{number} postponed ({reason})",
    "case.event.agreement.done": "agreement #{number} done",
    "case.event.agreement.lapsed": "agreement #{number} dropped ({reason})",
    "case.cause.released": "released",
    "case.cause.assigned": "assigned to someone else",
    "case.cause.closed": "case closed",
    "case.cause.left": "left the room",
    "case.cause.removed": "removed",
    "case.event.status_changed": "status {old_status} → {new_status} ({reason})",
    "case.event.regie_taken": "took the lead",
    "case.event.regie_requested": "asked {holder} for the lead",
    "case.event.regie_transfer_proposed": "proposed the lead to {to_user}",
    "case.event.regie_transferred": "lead from {previous} to {new_holder}",
    "case.event.regie_declined": "lead proposal declined",
    "case.event.regie_released": "lead released ({cause})",
    "case.event.regie_assigned": "lead assigned to {new_holder} ({reason})",
    "case.event.proposal_expired": "lead proposal expired",
    "case.event.proposal_cancelled": "lead proposal lapsed",
    "case.event.member_added": "{user} added",
    "case.event.member_removed": "{user} out of the case ({cause})",
    "case.event.casemanager_taken": "{user} case manager for {organisation_code}",
    "case.refusal.not_a_member": "You are not a member of this case.",
    "case.refusal.case_closed": "This case is closed; nothing can be changed any more.",
    "case.refusal.not_permitted": "Only {allowed} may do that.",
    "case.refusal.no_pending_proposal": "There is no open lead proposal.",
    "case.refusal.not_proposal_target": "The open lead proposal is addressed to {to_user}, not to you.",
    "case.refusal.already_in_status": "The case already has that status.",
    "case.refusal.transition_not_allowed": "From {status} the case can only go to: {allowed}.",
    "case.refusal.reason_required": 'Give a reason: reden="…".',
    "case.refusal.already_holder": "{holder} already leads this case.",
    "case.refusal.proposal_pending": "A lead proposal is already open ({from_user} → {to_user}, expires {expires_at}).",
    "case.refusal.proposal_expired": "That lead proposal has expired.",
    "case.refusal.target_not_member": "{user} is not a member of this case.",
    "case.refusal.target_is_self": "You cannot hand the lead to yourself.",
    "case.refusal.not_registered": "{user} is not a registered partner and cannot be invited.",
    "case.refusal.already_member": "{user} is already a member of this case.",
    "case.refusal.already_casemanager": "You already are case manager for {organisation}.",
    "cmd.casus_nieuw.summary": "Opens a new case with its own secure room.",
    "cmd.casus.summary": "Shows the case card: status, lead, members and open items.",
    "cmd.casus_status.summary": "Changes the case status (with a reason).",
    "cmd.casus_sluiten.summary": "Closes the case (with a reason).",
    "cmd.casus_uitnodigen.summary": "Adds a registered partner to the case.",
    "cmd.casus_verwijderen.summary": "Removes someone from the case and its room.",
    "cmd.regie.summary": "Shows who leads the case, for whom and since when.",
    "cmd.regie_claim.summary": "Takes a vacant lead, or asks the lead for it.",
    "cmd.regie_overdragen.summary": "Proposes to hand the lead to another member.",
    "cmd.regie_accepteren.summary": "Accepts the lead proposal addressed to you.",
    "cmd.regie_weigeren.summary": "Declines the lead proposal addressed to you.",
    "cmd.regie_loslaten.summary": "Releases the lead (with a reason); coordination is told.",
    "cmd.regie_toewijzen.summary": "Assigns the lead directly (chain manager, with a reason).",
    "cmd.rollen.summary": "Shows everyone's organisation and role in this case.",
    "cmd.rol_casemanager.summary": "Takes the case manager role for your own organisation.",
    "cmd.tijdlijn.summary": "Shows the case timeline: status, lead and members.",
    "arg.title": "the case's working title (no personal data: that belongs in the room)",
    "arg.municipality": "the municipality (code, listed on an error)",
    "arg.case_type": "the case type (code)",
    "arg.partners": "organisation codes and/or @users, separated by commas",
    "arg.status": "aangemeld, actief, afgeschaald or gesloten",
    "arg.reason": "why (required)",
    "arg.user": "a person: mention with @ (pick from the list), the name or @user:server",
    "arg.count": "how many lines (default 20)",
    # --- agreements, reminders, my plate ------------------------------------
    "case.closed_agreements": "{count} open agreement(s): their reminders were cancelled.",
    "dates.error.empty": "Give a date.",
    "dates.error.unparseable": "I do not understand this date: {value}.",
    "dates.error.past": "{value} is in the past.",
    "dates.error.ambiguous": "{value} can mean several things; be more precise.",
    "dates.error.too_far": "{value} is too far in the future.",
    "dates.examples": (
        "Examples (in Dutch): vrijdag, morgen 14:00, 1 december, over 3 werkdagen, "
        "volgende week dinsdag, 2026-12-01."
    ),
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
    "arg.owner": "a person (with @, name or @user:server) or organisation code (from this case)",
    "arg.description": "what must be done",
    "arg.deadline": "when, e.g. vrijdag, morgen 14:00, 1 december, over 3 werkdagen",
    "arg.number": "the number (see the list)",
    "arg.note": "note (optional)",
    "arg.remind": "first when, then the text, e.g. morgen 9:00 bel Veilig Thuis terug",
    "arg.target": "mij (default) or kamer",
}


def _merge(*parts: Mapping[str, str]) -> dict[str, str]:
    """One catalogue from the core part and the areas' parts; a key defined twice with
    different text is a programming error (an area must not silently reword another's
    sentence). Raises ``ValueError`` naming the keys."""
    merged: dict[str, str] = {}
    for part in parts:
        # The same sentence under the same key (e.g. "het besluit") is harmless.
        twice = {key for key in merged.keys() & part.keys() if merged[key] != part[key]}
        if twice:
            raise ValueError(f"message keys defined twice: {', '.join(sorted(twice))}")
        merged.update(part)
    return merged


#: The whole Dutch catalogue (the reference locale).
NL: dict[str, str] = _merge(_CORE_NL, *(area.NL for area in AREAS))
#: The whole English catalogue.
EN: dict[str, str] = _merge(_CORE_EN, *(area.EN for area in AREAS))

CATALOGUES: Mapping[str, Mapping[str, str]] = {"nl": NL, "en": EN}


def placeholders(template: str) -> set[str]:
    """The names of the ``{placeholders}`` in ``template``."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def key_family(key: str) -> str:
    """``key`` without its last part (``helpdesk.status.gesloten`` → ``helpdesk.status``):
    what a log line names, since the last part of a composed key may be a value."""
    return key.rpartition(".")[0] or key


class Messages:
    """Looks up and formats user-facing text for one locale.

    A key missing from the catalogue (in this locale and in Dutch) is a programming
    error, usually a key composed at run time from a value the catalogue has no text for.
    What happens then depends on ``strict``:

    * ``strict=True`` (the default: tests, documentation, tools): ``KeyError``, so a test
      that reaches the text fails. ``tests/unit/test_catalogue_keys.py`` enumerates every
      key family composed at run time, so CI catches a missing key without reaching it.
    * ``strict=False`` (the running bot, see ``avz_bot.app``): an error is logged naming
      the key's family and the locale (never the values filled in, nor the last part of
      the key, which may be a value), and the neutral :data:`MISSING_TEXT_KEY` text
      ("(tekst ontbreekt)") takes the text's place. A missing sentence then degrades one
      reply instead of failing the whole command ("er ging iets mis", the transaction
      rolled back), and a refusal still refuses.

    Only missing keys are forgiven; a missing placeholder value still raises.
    """

    def __init__(self, locale: str = DEFAULT_LOCALE, *, strict: bool = True) -> None:
        if locale not in CATALOGUES:
            raise ValueError(f"unknown locale {locale!r}; known: {', '.join(sorted(CATALOGUES))}")
        self.locale = locale
        self.strict = strict
        self._primary = CATALOGUES[locale]
        self._fallback = CATALOGUES[DEFAULT_LOCALE]

    def has(self, key: str) -> bool:
        """Whether ``key`` exists (in this locale or the Dutch fallback)."""
        return key in self._primary or key in self._fallback

    def _template(self, key: str) -> str:
        template = self._primary.get(key)
        if template is None:
            template = self._fallback.get(key)
        if template is None:
            if self.strict:
                raise KeyError(key)
            log.error(
                "message key missing",
                extra={"key_family": key_family(key), "locale": self.locale},
            )
            template = self._primary.get(MISSING_TEXT_KEY) or self._fallback[MISSING_TEXT_KEY]
        return template

    def t(self, key: str, /, **values: object) -> str:
        """The text for ``key`` with ``values`` filled in (a missing key: see the class)."""
        template = self._template(key)
        return template.format(**values) if values else template

    def t_lenient(self, key: str, values: Mapping[str, object]) -> str:
        """Like ``t``, but a placeholder without a value renders as "—" (for texts whose
        values come from stored records that may predate a placeholder)."""
        return string.Formatter().vformat(self._template(key), (), _Lenient(values))


class _Lenient(dict[str, object]):
    """Format values where a missing key renders as a dash."""

    def __missing__(self, key: str) -> object:
        return "—"
