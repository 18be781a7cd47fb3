"""The message catalogue: every sentence a person reads in a room lives here.

Dutch (``nl``) is the default and the reference locale; English (``en``) is the
second locale. A key missing in a locale falls back to Dutch, so adding English
later can never make the bot speechless. Placeholders use ``str.format`` syntax.

A key missing from both is a programming error; see :class:`Messages` for what happens
then (``KeyError`` in tests and tools, a logged error and a neutral text in the bot).
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping

from avz_bot.catalogue import AREAS
from avz_bot.domain.suggestions import closest
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
    "error.args.too_many": (
        "Te veel argumenten. Bestaat een tekst uit meer woorden? Zet die tussen aanhalingstekens."
    ),
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
    "domain.zorg": "zorg",
    "domain.veiligheid": "veiligheid",
    "domain.gemeente": "gemeente",
    "domain.justitie": "justitie",
    "list.none": "geen",
    # --- argument descriptions shared by the areas' commands ---------------
    "arg.title": "de werktitel van de casus (geen persoonsgegevens: die horen in de kamer)",
    "arg.municipality": "de gemeente (code, zie de lijst bij een fout)",
    "arg.case_type": "het casustype (code)",
    "arg.partners": "organisatiecodes en/of @gebruikers, gescheiden door komma's",
    "arg.status": "aangemeld, actief, afgeschaald of gesloten",
    "arg.reason": "waarom (verplicht)",
    "arg.user": "een persoon: noem met @ (kies uit de lijst), de naam of @gebruiker:server",
    "arg.count": "hoeveel regels (standaard 20)",
    # --- dates (every area reads them) --------------------------------------
    "dates.error.empty": "Geef een datum op.",
    "dates.error.unparseable": "Die datum begrijp ik niet: {value}.",
    "dates.error.past": "{value} ligt in het verleden.",
    "dates.error.ambiguous": "{value} kan meerdere dingen betekenen; wees preciezer.",
    "dates.error.too_far": "{value} ligt te ver in de toekomst.",
    "dates.examples": (
        "Voorbeelden: vrijdag, morgen 14:00, 1 december, over 3 werkdagen, "
        "volgende week dinsdag, 2026-12-01."
    ),
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
    "error.args.too_many": (
        "Too many arguments. Is a text more than one word? Put it between quotation marks."
    ),
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
    "domain.zorg": "care",
    "domain.veiligheid": "safety",
    "domain.gemeente": "municipality",
    "domain.justitie": "justice",
    "list.none": "none",
    # --- argument descriptions shared by the areas' commands ---------------
    "arg.title": "the case's working title (no personal data: that belongs in the room)",
    "arg.municipality": "the municipality (code, listed on an error)",
    "arg.case_type": "the case type (code)",
    "arg.partners": "organisation codes and/or @users, separated by commas",
    "arg.status": "aangemeld, actief, afgeschaald or gesloten",
    "arg.reason": "why (required)",
    "arg.user": "a person: mention with @ (pick from the list), the name or @user:server",
    "arg.count": "how many lines (default 20)",
    # --- dates (every area reads them) --------------------------------------
    "dates.error.empty": "Give a date.",
    "dates.error.unparseable": "I do not understand this date: {value}.",
    "dates.error.past": "{value} is in the past.",
    "dates.error.ambiguous": "{value} can mean several things; be more precise.",
    "dates.error.too_far": "{value} is too far in the future.",
    "dates.examples": (
        "Examples (in Dutch): vrijdag, morgen 14:00, 1 december, over 3 werkdagen, "
        "volgende week dinsdag, 2026-12-01."
    ),
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

    def did_you_mean(self, typed: str, choices: Iterable[str]) -> str:
        """`` Bedoel je groningen?`` (with a leading space) when one of ``choices`` is
        close to what was ``typed``, else ``""``: the ``{suggestion}`` of every
        "unknown value" refusal (``avz_bot.domain.suggestions.closest`` decides)."""
        close = closest(typed, choices)
        return "" if close is None else " " + self.t("input.value_suggest", suggestion=close)

    def t_lenient(self, key: str, values: Mapping[str, object]) -> str:
        """Like ``t``, but a placeholder without a value renders as "—" (for texts whose
        values come from stored records that may predate a placeholder)."""
        return string.Formatter().vformat(self._template(key), (), _Lenient(values))


class _Lenient(dict[str, object]):
    """Format values where a missing key renders as a dash."""

    def __missing__(self, key: str) -> object:
        return "—"
