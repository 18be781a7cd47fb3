"""Message catalogue part: Cases, case rooms, roles and procesregie (``!casus``, ``!regie``, ``!rollen``, ``!tijdlijn``).

Merged into the one catalogue by ``avz_bot.messages``; keys are unique across parts.
"""

from __future__ import annotations

NL: dict[str, str] = {
    "role.professional": "professional",
    "role.ketenmanager": "ketenmanager",
    "role.expert": "expert",
    "role.admin": "beheerder",
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
    "case.unknown_municipality": "Onbekende gemeente {value}.{suggestion} Kies uit: {choices}.",
    "case.unknown_type": "Onbekend casustype {value}.{suggestion} Kies uit: {choices}.",
    "case.unknown_partner": (
        "Onbekende partner {value}: geef een organisatiecode ({choices}) of een "
        "geregistreerde @gebruiker."
    ),
    "case.unknown_status": "Onbekende status {value}.{suggestion} Kies uit: {choices}.",
    "case.not_a_user": "{value} is geen Matrix-gebruiker (verwacht: @naam:server).",
    "case.opened": (
        "Casus {reference} is geopend ({municipality}, {case_type}). Ik maak een "
        "beveiligde kamer aan en nodig uit: {invitees}."
    ),
    "case.room_delayed": (
        "{name}: de homeserver remt het aanmaken van kamers af. De kamer van casus "
        "{reference} volgt vanzelf, naar verwachting rond {time}; je hoeft niets opnieuw te doen."
    ),
    "case.invite_delayed": (
        "De homeserver remt uitnodigingen af: de uitnodiging voor {user} volgt vanzelf, "
        "naar verwachting rond {time}."
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
        "gewijzigd (een ketenmanager kan de casus binnen {days} dagen heropenen); de kamer "
        "blijft leesbaar voor de leden."
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
    "case.event.close_requested": (
        "sluiten gevraagd ({agreements} open afspraken, {escalations} open opschalingen, "
        "{conferences} geplande overleggen)"
    ),
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
    "case.refusal.not_closed": "Deze casus is niet gesloten.",
    "case.refusal.reopen_too_late": (
        "Deze casus is gesloten op {closed_at}; heropenen kon tot {until}. Open zo nodig "
        "een nieuwe casus."
    ),
    "case.refusal.not_close_requester": (
        "Alleen wie om het sluiten vroeg, bevestigt het (met de reden die toen is gegeven)."
    ),
    "case.refusal.close_request_expired": (
        "Het verzoek om te sluiten is verlopen; de casus is nog open. Vraag opnieuw met "
        "{prefix}casus sluiten reden=…"
    ),
    "case.close.nothing_to_confirm": (
        "Er staat geen verzoek om deze casus te sluiten open; vraag het met "
        "{prefix}casus sluiten reden=…"
    ),
    "case.close.agreement_one": "{count} open afspraak",
    "case.close.agreement_many": "{count} open afspraken",
    "case.close.escalation_one": "{count} open opschaling",
    "case.close.escalation_many": "{count} open opschalingen",
    "case.close.conference_one": "{count} gepland overleg",
    "case.close.conference_many": "{count} geplande overleggen",
    "case.close.and": "{first} en {last}",
    "case.close.ask": "Casus {reference} heeft nog {items}. Als je sluit:",
    "case.close.effect.agreement": (
        "vervallen de herinneringen van de open afspraken (ze blijven in de tijdlijn staan);"
    ),
    "case.close.effect.escalation": (
        "stoppen de klokken van de open opschalingen: niemand wordt er nog over herinnerd;"
    ),
    "case.close.effect.conference": (
        "gaan de geplande overleggen niet door: geen herinneringen meer en ze starten niet."
    ),
    "case.close.final": (
        "Daarna kan niemand de casus nog wijzigen; een ketenmanager kan hem binnen {days} "
        "dagen heropenen."
    ),
    "case.close.confirm": (
        "Nog niets gesloten. Bevestig vóór {expires} met {prefix}casus sluiten bevestig "
        "of reageer met 👍 op dit bericht."
    ),
    "case.close.done.escalation": "{items}: de klokken zijn gestopt.",
    "case.close.done.conference": "{items}: gaan niet door.",
    "case.close.lapsed": "Het verzoek om {reference} te sluiten is verlopen; de casus blijft open.",
    "case.close.unknown_step": (
        "Gebruik {prefix}casus sluiten reden=… of, om te bevestigen, {prefix}casus sluiten bevestig."
    ),
    "case.reopened": "Casus {reference} is heropend (actief). Reden: {reason}",
    "cmd.casus_heropenen.summary": "Heropent een gesloten casus (ketenmanager, met reden).",
    "arg.close_step": "bevestig: bevestigt een eerder gevraagd sluiten",
    "case.refusal.request_pending": (
        "{requester} heeft om de regie gevraagd (verloopt {expires_at}); er is niets overgedragen. "
        "Beantwoord dat verzoek eerst ({prefix}regie accepteren of {prefix}regie weigeren), "
        "of draag de regie over aan {requester}: dat willigt het verzoek meteen in."
    ),
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
    "case.closed_agreements": "{items}: de herinneringen zijn geannuleerd.",
}

EN: dict[str, str] = {
    "role.professional": "professional",
    "role.ketenmanager": "chain manager",
    "role.expert": "expert",
    "role.admin": "administrator",
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
    "case.unknown_municipality": (
        "Unknown municipality {value}.{suggestion} Choose from: {choices}."
    ),
    "case.unknown_type": "Unknown case type {value}.{suggestion} Choose from: {choices}.",
    "case.unknown_partner": (
        "Unknown partner {value}: give an organisation code ({choices}) or a registered @user."
    ),
    "case.unknown_status": "Unknown status {value}.{suggestion} Choose from: {choices}.",
    "case.not_a_user": "{value} is not a Matrix user (expected: @name:server).",
    "case.opened": (
        "Case {reference} is open ({municipality}, {case_type}). I am creating a secure "
        "room and inviting: {invitees}."
    ),
    "case.room_delayed": (
        "{name}: the homeserver is rate-limiting room creation. The room of case {reference} "
        "follows by itself, expected around {time}; no need to do anything again."
    ),
    "case.invite_delayed": (
        "The homeserver is rate-limiting invitations: the invitation for {user} follows by "
        "itself, expected around {time}."
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
        "Case {reference} is closed. Reason: {reason}. Nothing can be changed any more (a "
        "ketenmanager can reopen it within {days} days); the room stays readable for its "
        "members."
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
    "case.event.close_requested": (
        "asked to close ({agreements} open agreements, {escalations} open escalations, "
        "{conferences} planned conferences)"
    ),
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
    "case.refusal.not_closed": "This case is not closed.",
    "case.refusal.reopen_too_late": (
        "This case was closed on {closed_at}; it could be reopened until {until}. Open a new "
        "case if needed."
    ),
    "case.refusal.not_close_requester": (
        "Only the person who asked to close confirms it (with the reason given then)."
    ),
    "case.refusal.close_request_expired": (
        "The request to close has expired; the case is still open. Ask again with "
        "{prefix}casus sluiten reden=…"
    ),
    "case.close.nothing_to_confirm": (
        "No request to close this case is open; ask with {prefix}casus sluiten reden=…"
    ),
    "case.close.agreement_one": "{count} open agreement",
    "case.close.agreement_many": "{count} open agreements",
    "case.close.escalation_one": "{count} open escalation",
    "case.close.escalation_many": "{count} open escalations",
    "case.close.conference_one": "{count} planned conference",
    "case.close.conference_many": "{count} planned conferences",
    "case.close.and": "{first} and {last}",
    "case.close.ask": "Case {reference} still has {items}. If you close it:",
    "case.close.effect.agreement": (
        "the open agreements' reminders are cancelled (they stay in the timeline);"
    ),
    "case.close.effect.escalation": (
        "the open escalations' clocks stop: nobody is reminded of them any more;"
    ),
    "case.close.effect.conference": (
        "the planned conferences do not take place: no more reminders, they do not start."
    ),
    "case.close.final": (
        "After that nobody can change the case; a ketenmanager can reopen it within {days} days."
    ),
    "case.close.confirm": (
        "Nothing closed yet. Confirm before {expires} with {prefix}casus sluiten bevestig "
        "or react with 👍 to this message."
    ),
    "case.close.done.escalation": "{items}: their clocks stopped.",
    "case.close.done.conference": "{items}: will not take place.",
    "case.close.lapsed": "The request to close {reference} expired; the case stays open.",
    "case.close.unknown_step": (
        "Use {prefix}casus sluiten reden=… or, to confirm, {prefix}casus sluiten bevestig."
    ),
    "case.reopened": "Case {reference} was reopened (active). Reason: {reason}",
    "cmd.casus_heropenen.summary": "Reopens a closed case (ketenmanager, with a reason).",
    "arg.close_step": "bevestig: confirms a close asked for earlier",
    "case.refusal.request_pending": (
        "{requester} has asked for the lead (expires {expires_at}); nothing was handed over. "
        "Answer that request first ({prefix}regie accepteren or {prefix}regie weigeren), "
        "or hand the lead to {requester}: that grants the request at once."
    ),
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
    "case.closed_agreements": "{items}: their reminders were cancelled.",
}
