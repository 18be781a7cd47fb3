"""The message catalogue: every sentence a person reads in a room lives here.

Dutch (``nl``) is the default and the reference locale; English (``en``) is the
second locale. A key missing in a locale falls back to Dutch, so adding English
later can never make the bot speechless. Placeholders use ``str.format`` syntax.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

DEFAULT_LOCALE = "nl"

NL: dict[str, str] = {
    # --- generic replies -------------------------------------------------
    "error.internal": (
        "Er ging iets mis bij het verwerken van je commando; er is niets gewijzigd. "
        "Probeer het later opnieuw of neem contact op met de beheerder."
    ),
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
}

EN: dict[str, str] = {
    "error.internal": (
        "Something went wrong while processing your command; nothing was changed. "
        "Please try again later or contact the administrator."
    ),
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
}

CATALOGUES: Mapping[str, Mapping[str, str]] = {"nl": NL, "en": EN}


def placeholders(template: str) -> set[str]:
    """The names of the ``{placeholders}`` in ``template``."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class Messages:
    """Looks up and formats user-facing text for one locale."""

    def __init__(self, locale: str = DEFAULT_LOCALE) -> None:
        if locale not in CATALOGUES:
            raise ValueError(f"unknown locale {locale!r}; known: {', '.join(sorted(CATALOGUES))}")
        self.locale = locale
        self._primary = CATALOGUES[locale]
        self._fallback = CATALOGUES[DEFAULT_LOCALE]

    def has(self, key: str) -> bool:
        """Whether ``key`` exists (in this locale or the Dutch fallback)."""
        return key in self._primary or key in self._fallback

    def t(self, key: str, /, **values: object) -> str:
        """The text for ``key`` with ``values`` filled in.

        An unknown key is a programming error and raises ``KeyError``: it is caught by
        the test that checks every key used in the code exists.
        """
        template = self._primary.get(key)
        if template is None:
            template = self._fallback[key]
        return template.format(**values) if values else template
