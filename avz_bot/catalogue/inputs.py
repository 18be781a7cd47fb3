"""Message catalogue part: Input as people type it: mentions, replies, threads, edits (issue 9).

Merged into the one catalogue by ``avz_bot.messages``; keys are unique across parts.
"""

from __future__ import annotations

NL: dict[str, str] = {
    "input.person_ambiguous": (
        "„{name}” past bij meer deelnemers: {candidates}. Noem de juiste persoon met @ "
        "(kies uit de lijst) of met het volledige Matrix-id. Er is niets gewijzigd."
    ),
    "input.person_unknown": (
        "Ik vind niemand „{name}” onder de deelnemers van deze kamer. Noem de persoon met @ "
        "(kies uit de lijst) of met het volledige Matrix-id, bijvoorbeeld @naam:server."
    ),
    "input.edit_not_rerun": (
        "Een bewerkt commando voer ik niet opnieuw uit. Wil je het aangepaste commando "
        "laten uitvoeren? Stuur het dan als nieuw bericht (begin met {prefix})."
    ),
    "error.args.unknown_option_suggest": "Onbekende optie {option}. Bedoel je {suggestion}?",
    "input.subcommand_suggest": "Bedoel je {suggestion}?",
    "input.value_suggest": "Bedoel je {suggestion}?",
    "guard.command_not_run": (
        "Dit commando is niet uitgevoerd (er is niets vastgelegd of gewijzigd): het bevat "
        "een nummer dat een BSN kan zijn, en persoonsnummers horen niet in een gedeelde "
        "kamer. {removal} Stuur het commando opnieuw zonder het nummer; een signaal over "
        "een persoon leg je vast in een privégesprek met mij."
    ),
    "guard.command_redacted": "Ik heb je bericht verwijderd.",
    "help.title.case": "Commando's in deze casuskamer",
    "help.title.intake": "Commando's in deze intake-/TVO-kamer",
    "help.title.coordination": "Commando's in de coördinatiekamer",
    "help.title.helpdesk": "Commando's in deze vraagbaakkamer",
    "help.title.direct": "Commando's in ons privégesprek",
    "help.title.other": "Commando's hier",
    "help.all_hint": "Alle commando's: {prefix}help alles.",
    "dates.leftover": (
        "Bedoel je {date} ({when})? Dan hoort „{rest}” niet bij de datum: een optie loopt "
        "tot de volgende optie of het einde van het bericht, dus zet andere tekst vóór de "
        "optie. Er is niets gewijzigd."
    ),
    "guard.command_remove_please": "Verwijder je bericht alsjeblieft.",
}

EN: dict[str, str] = {
    "input.person_ambiguous": (
        "“{name}” matches several members: {candidates}. Name the right person with @ "
        "(pick from the list) or with the full Matrix id. Nothing was changed."
    ),
    "input.person_unknown": (
        "I find no one called “{name}” among the members of this room. Name the person "
        "with @ (pick from the list) or with the full Matrix id, e.g. @name:server."
    ),
    "input.edit_not_rerun": (
        "I do not run an edited command again. To run the changed command, send it as a "
        "new message (starting with {prefix})."
    ),
    "error.args.unknown_option_suggest": "Unknown option {option}. Did you mean {suggestion}?",
    "input.subcommand_suggest": "Did you mean {suggestion}?",
    "input.value_suggest": "Did you mean {suggestion}?",
    "guard.command_not_run": (
        "This command was not carried out (nothing was recorded or changed): it contains "
        "a number that may be a BSN, and personal numbers do not belong in a shared room. "
        "{removal} Send the command again without the number; record a signal about a "
        "person in a direct chat with me."
    ),
    "guard.command_redacted": "I removed your message.",
    "help.title.case": "Commands in this case room",
    "help.title.intake": "Commands in this intake/TVO room",
    "help.title.coordination": "Commands in the coordination room",
    "help.title.helpdesk": "Commands in this helpdesk room",
    "help.title.direct": "Commands in our direct chat",
    "help.title.other": "Commands here",
    "help.all_hint": "All commands: {prefix}help all.",
    "dates.leftover": (
        "Did you mean {date} ({when})? Then “{rest}” is not part of the date: an option "
        "runs to the next option or the end of the message, so put other text before the "
        "option. Nothing was changed."
    ),
    "guard.command_remove_please": "Please delete your message.",
}
