"""``avz-bot privacy register``: the register of processing activities (AVG art. 30) and a
data-flow description, generated from the running configuration and the database schema,
as the basis of a DPIA (AVG art. 35). Nothing here is hand-kept: change the configuration
or the schema and the register follows.

Written as Markdown (``verwerkingsregister.md``) and JSON (``verwerkingsregister.json``).
No secret is written: keys appear by version and by where they are kept, never by value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from avz_bot.partners_config import load_partners
from avz_bot.settings import ConfigError, Settings
from storage.base import Base

#: What each table holds, for the register (a table missing here is listed as such, so
#: a new table cannot slip through unnoticed: ``tests/unit/test_privacy_register.py``).
TABLES: dict[str, str] = {
    "access_log": "toegangslog: wie (Matrix-id, organisatie, rol) wat las, wanneer",
    "access_log_shown": "toegangslog: wat getoond werd (referentie of pseudoniem, gezouten digest)",
    "access_log_head": "toegangslog: kop van de hashketen",
    "audit_log": "audittrail: elke wijziging (wie, wat, wanneer; geen berichttekst)",
    "agreements": "afspraken in casussen (omschrijving, eigenaar, deadline)",
    "agreement_postponements": "uitstel van afspraken met reden",
    "bot_rooms": "kamers waarin de bot zit (technisch)",
    "case_members": "deelnemers van casussen (Matrix-id, organisatie)",
    "case_persons": "koppeling casus – pseudoniem van de centrale persoon",
    "case_sequences": "nummering van casussen (technisch)",
    "case_signals": "zorgen die in een casus zijn vastgelegd (categorie, ernst, omschrijving)",
    "cases": "casussen (werktitel, gemeente, type, status, regie)",
    "conference_agreements": "afspraken gekoppeld aan een casusoverleg",
    "conference_entries": "agendapunten en besluiten van casusoverleggen",
    "board_links": "eenmalige aanmeldlinks voor het casusoverzicht (alleen een hash, de gebruiker, tijden)",
    "board_sessions": "sessies van het casusoverzicht (alleen een hash, de gebruiker, tijden)",
    "conference_participants": "deelnemers en aanwezigheid van casusoverleggen",
    "conferences": "casusoverleggen (tijd, plaats, status)",
    "direct_chats": "privégesprekken met de bot (technisch)",
    "direct_pending": "privéberichten die wachten tot de ontvanger meedoet",
    "escalation_levels": "niveaus van een opschaling (bevroren route)",
    "escalation_sequences": "nummering van opschalingen (technisch)",
    "escalation_targets": "wie per niveau een opschaling ontvangt",
    "escalations": "opschalingen (reden, gevraagd besluit, besluit)",
    "helpdesk_questions": "vragen aan de vraagbaak en antwoorden",
    "intake_deliveries": "ontvangen inzendingen van partnersystemen (alleen een hash van organisatie + webhook-id, de signaalreferentie, tijd; na idempotency_days gewist)",
    "helpdesk_search_docs": "zoekindex van kenniskaarten en antwoorden",
    "knowledge_cards": "kenniskaarten",
    "member_roles": "rollen van partners (register)",
    "members": "partners (Matrix-id, naam, organisatie)",
    "organisations": "partnerorganisaties",
    "outbox": "uitgaande berichten tot verzonden (inhoud; na verzending bewaard volgens termijn)",
    "pending_encrypted": "versleutelde berichten die op hun sleutel wachten",
    "privacy_requests": "verzoeken van betrokkenen (soort, termijn, pseudoniemen, geen identificatie)",
    "privacy_restrictions": "pseudoniemen met beperkte verwerking",
    "processed_events": "verwerkte berichten (eenmaligheid; geen inhoud)",
    "reaction_targets": "berichten waarop reacties worden verwerkt (technisch)",
    "regie_proposals": "voorstellen tot overdracht van procesregie",
    "reminders": "herinneringen (tekst, moment)",
    "scheduled_jobs": "geplande taken (technisch; verwijzingen, geen inhoud)",
    "signal_matches": "samenloop van signalen op één persoon",
    "signals": "signalen over personen (pseudoniem, categorie, organisatie; nooit BSN of naam)",
    "sync_state": "synchronisatiestand (technisch)",
}


def register(settings: Settings) -> dict[str, Any]:
    """The register entry and data flows, from ``settings``, the partner registry and
    the schema."""
    try:
        organisations, members = load_partners(settings.partners.file)
    except ConfigError:  # the register is still useful without the registry file
        organisations, members = [], []
    ops, sig = settings.operations, settings.signals
    tables = {
        t.name: {
            "inhoud": TABLES.get(t.name, "NIET BESCHREVEN: vul TABLES aan"),
            "kolommen": [c.name for c in t.columns],
        }
        for t in Base.metadata.sorted_tables
    }
    return {
        "verwerking": "Samenwerking in het Zorg- en Veiligheidshuis (casusoverleg, signalen, opschaling)",
        "grondslag": (
            "Wet gegevensverwerking door samenwerkingsverbanden (Stb. 2024, 198) en het Besluit "
            "gegevensverwerking door samenwerkingsverbanden (Stb. 2024, 380); convenant van de partners"
        ),
        "verwerkingsverantwoordelijken": [
            {"code": o.code, "naam": o.name, "domein": o.domain.value} for o in organisations
        ],
        "contactpunt_privacy": sorted(
            m.organisation.code for m in members if any(r.value == "privacy" for r in m.roles)
        ),
        "betrokkenen": "personen over wie signalen of casussen zijn; professionals van de partners",
        "opslag": {
            "database": settings.database_url.split("://", 1)[0],
            "datamap": str(settings.storage.data_dir),
            "homeserver": settings.matrix.homeserver,
            "versleuteling": "end-to-end (Megolm) in alle kamers; bijlagen versleuteld (AES-CTR)",
        },
        "sleutels": {
            "pseudoniemsleutels (HMAC)": sorted(sig.keys),
            "huidige pseudoniemsleutel": sig.current_key if sig.keys else None,
            "cryptografische opslag van de bot": "pickle_key (instelling of omgeving), datamap",
            "kruisondertekening": "sleutelbestand in de datamap",
        },
        "bewaartermijnen": {
            "signalen": f"{sig.active_years} jaar actief, daarna {sig.archive_years} jaar archief",
            "processed_events": f"{ops.processed_events_days:g} dagen",
            "outbox": f"{ops.sent_outbox_days:g} dagen na verzending",
            "scheduled_jobs en reminders": f"{ops.finished_jobs_days:g} dagen na afronding",
            "audit_log": "bewaard (wettelijke plicht)",
            "access_log": "bewaard (NEN 7513); pseudoniemen gewist bij wissen",
            "wissen op verzoek": dict(settings.privacy.erasure),
        },
        "gegevensstromen": _flows(settings),
        "tabellen": tables,
    }


def _flows(settings: Settings) -> list[dict[str, str]]:
    cases, sig = settings.cases, settings.signals
    return [
        {
            "gegevens": "signaal (BSN of naam + geboortedatum, categorie)",
            "van": "professional, in een privégesprek met de bot",
            "naar": "tabel signals als pseudoniem (HMAC); bij samenloop: de betrokken "
            f"professionals (privégesprek) en {len(sig.tvo_rooms)} TVO-kamer(s) (referenties)",
        },
        {
            "gegevens": "casusgegevens (werktitel, rollen, afspraken, overleggen, opschalingen)",
            "van": "deelnemers van de casus, in de casuskamer",
            "naar": "alleen de leden van de casuskamer; audittrail; ketenmanagers bij opschaling"
            + (" (coördinatiekamer)" if cases.coordination_room else ""),
        },
        {
            "gegevens": "toegangslog (wie las wat)",
            "van": "elke opdracht die casus- of persoonsgegevens toont",
            "naar": "contactpunt privacy; ketenmanager voor de eigen casussen (privégesprek)",
        },
        {
            "gegevens": "inzage-overzicht van een betrokkene",
            "van": "alle gebieden, op pseudoniem",
            "naar": "contactpunt privacy, versleuteld in het privégesprek",
        },
        {
            "gegevens": "trendrapportage (geaggregeerd, kleine aantallen verborgen)",
            "van": "alle casussen",
            "naar": "coördinatiekamer",
        },
    ]


def to_markdown(entry: dict[str, Any]) -> str:
    """The register as Markdown."""
    lines = ["# Verwerkingsregister avz-bot", ""]
    for key, value in entry.items():
        if key == "tabellen":
            continue
        lines.append(f"## {key}")
        lines.append("")
        lines.extend(_md(value))
        lines.append("")
    lines += ["## tabellen", "", "| tabel | inhoud | kolommen |", "|---|---|---|"]
    for name, table in entry["tabellen"].items():
        lines.append(f"| {name} | {table['inhoud']} | {', '.join(table['kolommen'])} |")
    return "\n".join(lines) + "\n"


def _md(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [f"- {k}: {v}" for k, v in value.items()]
    if isinstance(value, list):
        return [
            f"- {json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v}" for v in value
        ] or ["- (geen)"]
    return [str(value)]


def write(settings: Settings, out: Path) -> list[Path]:
    """Write both files into ``out``; returns their paths."""
    entry = register(settings)
    out.mkdir(parents=True, exist_ok=True)
    markdown, data = out / "verwerkingsregister.md", out / "verwerkingsregister.json"
    markdown.write_text(to_markdown(entry), encoding="utf-8")
    data.write_text(json.dumps(entry, ensure_ascii=False, indent=2), encoding="utf-8")
    return [markdown, data]
