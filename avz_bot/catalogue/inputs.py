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
}
