"""Message catalogue part: Trend reports (issue 13).

Merged into the one catalogue by ``avz_bot.messages``; keys are unique across parts.
"""

from __future__ import annotations

NL: dict[str, str] = {
    # command
    "cmd.rapport.summary": "Maakt een trendrapportage met grafieken en een CSV-bestand.",
    "arg.report_period": (
        "2026, 2026-Q3, 2026-11, vorige maand, dit kwartaal, vorig jaar … (standaard: vorige maand)"
    ),
    "arg.report_municipality": "alleen deze gemeente (code of naam)",
    "arg.report_from": "eerste dag (samen met tot=), bijvoorbeeld 2026-01-01",
    "arg.report_to": "laatste dag, die meetelt (samen met van=)",
    "report.only_coordination": (
        "Rapportages vraag je op in de coördinatiekamer: ze gaan over alle casussen."
    ),
    "report.no_coordination": "Er is geen coördinatiekamer ingesteld; vraag de beheerder.",
    "report.range_incomplete": "Geef een periode met van= én tot=, of met periode=.",
    "report.period.unknown": "Deze periode ken ik niet: '{period}'.",
    "report.period.bad_date": "In '{period}' staat een datum die niet bestaat.",
    "report.period.empty_range": "In '{period}' ligt het einde vóór het begin.",
    "report.period.too_long": "De periode '{period}' is te lang (hoogstens tien jaar).",
    "report.period.future": "De periode '{period}' is nog niet begonnen.",
    "report.period.forms": (
        "Gebruik bijvoorbeeld periode=2026, periode=2026-Q3, periode=2026-11, "
        'periode="vorige maand", periode="dit kwartaal", periode="vorig jaar" '
        "of van=2026-01-01 tot=2026-03-31."
    ),
    "report.unknown_municipality": "De gemeente '{municipality}' ken ik niet.{suggestion} Kies uit: {choices}.",
    "report.scheduled_intro": "Maandelijkse rapportage (automatisch).",
    "report.scheduled_late": "Later dan gepland: de bot was niet bereikbaar.",
    # summary
    "report.title": "Rapportage {period} – {where} (vergeleken met {previous})",
    "report.all_municipalities": "alle gemeenten",
    "report.range": "{start} t/m {end}",
    "report.footnote": (
        "Aantallen onder de {threshold} staan als <{threshold}; x is een aantal dat verborgen "
        "is zodat je een klein aantal niet kunt terugrekenen; – betekent: te weinig gevallen "
        "om te tonen of niet van toepassing. Medianen in werkdagen/werkuren. Tabellen staan "
        "in het CSV-bestand."
    ),
    "report.section.caseload": "Caseload",
    "report.section.regie": "Procesregie",
    "report.section.agreements": "Afspraken",
    "report.section.escalations": "Opschalingen",
    "report.section.signals": "Signalen",
    "report.section.helpdesk": "Helpdesk",
    "report.line.caseload_totals": (
        "Nieuwe casussen: {opened} ({opened_diff}); actief: {active} ({active_diff}); "
        "gesloten: {closed} ({closed_diff})"
    ),
    "report.line.caseload_city": (
        "Nieuw in de stad Groningen: {city} ({city_diff}); in de andere gemeenten: "
        "{other} ({other_diff})"
    ),
    "report.line.regie_first": (
        "Mediaan tot de eerste regiehouder: {median} werkdagen (vorige periode: {previous})"
    ),
    "report.line.regie_waiting": "Nieuwe casussen nog zonder eerste regiehouder: {count}",
    "report.line.regie_vacant": (
        "Nu zonder regie: {count} casussen, mediaan {median} werkdagen zonder regie"
    ),
    "report.line.regie_changes": (
        "Regiewisselingen: {changes} (vorige periode: {changes_prev}); "
        "{share} van de casussen met regie wisselde van regiehouder"
    ),
    "report.line.agreements_on_time": (
        "Afspraken met deadline in de periode: {due}; op tijd klaar: {share} "
        "(vorige periode: {previous})"
    ),
    "report.line.agreements_overdue": (
        "Te laat: mediaan {median} werkdagen over de deadline (vorige periode: {previous})"
    ),
    "report.line.agreements_postponed": (
        "Uitstel: {count} keer ({diff}); {share} van de afspraken kreeg uitstel"
    ),
    "report.line.escalations": (
        "Opschalingen: {count} ({diff}); mediaan {ack} tot bevestiging, {decision} werkdagen "
        "tot besluit; {share} besloten op ketenmanagerniveau"
    ),
    "report.line.signals": "Signalen: {count} ({diff})",
    "report.line.signals_matches": (
        "Matches: {count} ({diff}); {share} leidde tot een casus (vorige periode: {previous})"
    ),
    "report.line.helpdesk": (
        "Vragen: {count} ({diff}); mediaan {first} tot eerste reactie, {solution} tot "
        "oplossing; {share} binnen de servicenorm"
    ),
    "report.line.helpdesk_cards": (
        "Kennisitems gepubliceerd: {published}; over de herzieningsdatum: {overdue}"
    ),
    "report.label.total": "Totaal",
    "report.label.city": "Stad Groningen",
    "report.label.other": "Overige gemeenten",
    "report.label.now": "Deze periode",
    "report.label.prev": "Vorige periode",
    "report.label.days_0_2": "0 t/m 2",
    "report.label.days_3_5": "3 t/m 5",
    "report.label.days_6_10": "6 t/m 10",
    "report.label.days_11_up": "meer dan 10",
    "report.label.changes_3_up": "3 of meer",
    # tables
    "report.table.caseload_matrix": "Nieuwe casussen per gemeente en type",
    "report.table.caseload_municipality": "Casussen per gemeente",
    "report.table.caseload_type": "Casussen per type",
    "report.table.caseload_city": "Stad en overige gemeenten",
    "report.table.regie_first": "Werkdagen tot de eerste regiehouder (mediaan)",
    "report.table.regie_vacant": "Casussen nu zonder regie",
    "report.table.regie_vacant_days": "Casussen nu zonder regie, naar werkdagen zonder regie",
    "report.table.regie_changes": "Regiewisselingen per casus",
    "report.table.agreements_municipality": "Afspraken per gemeente",
    "report.table.escalations_route": "Opschalingen per route en niveau",
    "report.table.signals_matrix": "Signalen per categorie en gemeente",
    "report.table.helpdesk_theme": "Helpdeskvragen per thema",
    "report.col.municipality": "gemeente",
    "report.col.no_municipality": "geen gemeente",
    "report.col.total": "totaal",
    "report.col.label": "",
    "report.col.area": "",
    "report.col.opened_now": "nieuw",
    "report.col.opened_prev": "nieuw vorige",
    "report.col.opened_diff": "verschil nieuw",
    "report.col.active_now": "actief",
    "report.col.active_prev": "actief vorige",
    "report.col.active_diff": "verschil actief",
    "report.col.closed_now": "gesloten",
    "report.col.closed_prev": "gesloten vorige",
    "report.col.closed_diff": "verschil gesloten",
    "report.col.case_type": "type",
    "report.col.median_now": "mediaan werkdagen",
    "report.col.median_prev": "mediaan vorige",
    "report.col.count": "aantal",
    "report.col.median_days": "mediaan werkdagen",
    "report.col.working_days": "werkdagen zonder regie",
    "report.col.changes": "wisselingen",
    "report.col.now": "deze periode",
    "report.col.prev": "vorige periode",
    "report.col.diff": "verschil",
    "report.col.due": "met deadline",
    "report.col.on_time_now": "op tijd",
    "report.col.on_time_prev": "op tijd vorige",
    "report.col.overdue_now": "mediaan werkdagen te laat",
    "report.col.overdue_prev": "mediaan te laat vorige",
    "report.col.route_level": "route / niveau",
    "report.col.ack_hours": "mediaan werkuren tot bevestiging",
    "report.col.decision_days": "mediaan werkdagen tot besluit",
    "report.col.ketenmanager_share": "besloten door ketenmanager",
    "report.col.category": "categorie",
    "report.col.theme": "thema",
    "report.col.first_response_hours": "mediaan werkuren tot reactie",
    "report.col.solution_hours": "mediaan werkuren tot oplossing",
    "report.col.within_sla": "binnen servicenorm",
    # charts
    "report.chart.caseload_bars": "Nieuwe casussen per gemeente",
    "report.chart.caseload_trend": "Nieuwe casussen per maand en type",
    "report.chart.regie_boxes": "Werkdagen tot de eerste regiehouder, per type",
    "report.chart.agreements_boxes": "Werkdagen te laat (afspraken)",
    "report.chart.escalations_boxes": "Werkuren tot bevestiging (opschalingen)",
    "report.axis.cases": "casussen",
    "report.chart.title": "{chart}, {period}",
    "report.chart.empty": "Te weinig gegevens om te tonen\n(aantallen onder {threshold} worden niet getoond)",
    "report.axis.opened": "nieuwe casussen",
    "report.axis.days": "werkdagen",
    "report.axis.hours": "werkuren",
    "report.axis.share": "aandeel",
}

EN: dict[str, str] = {
    "cmd.rapport.summary": "Builds a trend report with charts and a CSV file.",
    "arg.report_period": (
        "2026, 2026-Q3, 2026-11, vorige maand, dit kwartaal, vorig jaar … (default: last month)"
    ),
    "arg.report_municipality": "only this municipality (code or name)",
    "arg.report_from": "first day (together with tot=), e.g. 2026-01-01",
    "arg.report_to": "last day, included (together with van=)",
    "report.only_coordination": "Ask for reports in the coordination room: they cover all cases.",
    "report.no_coordination": "No coordination room is configured; ask the administrator.",
    "report.range_incomplete": "Give a period with both van= and tot=, or with periode=.",
    "report.period.unknown": "I don't know this period: '{period}'.",
    "report.period.bad_date": "'{period}' contains a date that does not exist.",
    "report.period.empty_range": "In '{period}' the end lies before the start.",
    "report.period.too_long": "The period '{period}' is too long (ten years at most).",
    "report.period.future": "The period '{period}' has not started yet.",
    "report.period.forms": (
        "Use for example periode=2026, periode=2026-Q3, periode=2026-11, "
        'periode="vorige maand", periode="dit kwartaal", periode="vorig jaar" '
        "or van=2026-01-01 tot=2026-03-31."
    ),
    "report.unknown_municipality": "I don't know the municipality '{municipality}'.{suggestion} Choose from: {choices}.",
    "report.scheduled_intro": "Monthly report (automatic).",
    "report.scheduled_late": "Later than planned: the bot was unavailable.",
    "report.title": "Report {period} – {where} (compared with {previous})",
    "report.all_municipalities": "all municipalities",
    "report.range": "{start} to {end}",
    "report.footnote": (
        "Counts below {threshold} read <{threshold}; x is a count hidden so that a small count "
        "cannot be recomputed; – means: too few cases to show, or not applicable. "
        "Medians in working days/hours. The tables are in the CSV file."
    ),
    "report.section.caseload": "Caseload",
    "report.section.regie": "Case coordination",
    "report.section.agreements": "Agreements",
    "report.section.escalations": "Escalations",
    "report.section.signals": "Signals",
    "report.section.helpdesk": "Helpdesk",
    "report.line.caseload_totals": (
        "New cases: {opened} ({opened_diff}); active: {active} ({active_diff}); "
        "closed: {closed} ({closed_diff})"
    ),
    "report.line.caseload_city": (
        "New in the city of Groningen: {city} ({city_diff}); in the other municipalities: "
        "{other} ({other_diff})"
    ),
    "report.line.regie_first": (
        "Median to the first coordinator: {median} working days (previous period: {previous})"
    ),
    "report.line.regie_waiting": "New cases still without a first coordinator: {count}",
    "report.line.regie_vacant": (
        "Without coordinator now: {count} cases, median {median} working days without"
    ),
    "report.line.regie_changes": (
        "Coordinator changes: {changes} (previous period: {changes_prev}); "
        "{share} of the coordinated cases changed coordinator"
    ),
    "report.line.agreements_on_time": (
        "Agreements due in the period: {due}; done on time: {share} (previous period: {previous})"
    ),
    "report.line.agreements_overdue": (
        "Late: median {median} working days past the deadline (previous period: {previous})"
    ),
    "report.line.agreements_postponed": (
        "Postponements: {count} ({diff}); {share} of the agreements were postponed"
    ),
    "report.line.escalations": (
        "Escalations: {count} ({diff}); median {ack} to acknowledgement, {decision} working "
        "days to decision; {share} decided at chain-manager level"
    ),
    "report.line.signals": "Signals: {count} ({diff})",
    "report.line.signals_matches": (
        "Matches: {count} ({diff}); {share} led to a case (previous period: {previous})"
    ),
    "report.line.helpdesk": (
        "Questions: {count} ({diff}); median {first} to first response, {solution} to "
        "solution; {share} within the service level"
    ),
    "report.line.helpdesk_cards": "Knowledge cards published: {published}; overdue for review: {overdue}",
    "report.label.total": "Total",
    "report.label.city": "City of Groningen",
    "report.label.other": "Other municipalities",
    "report.label.now": "This period",
    "report.label.prev": "Previous period",
    "report.label.days_0_2": "0 to 2",
    "report.label.days_3_5": "3 to 5",
    "report.label.days_6_10": "6 to 10",
    "report.label.days_11_up": "more than 10",
    "report.label.changes_3_up": "3 or more",
    "report.table.caseload_matrix": "New cases per municipality and type",
    "report.table.caseload_municipality": "Cases per municipality",
    "report.table.caseload_type": "Cases per type",
    "report.table.caseload_city": "City and other municipalities",
    "report.table.regie_first": "Working days to the first coordinator (median)",
    "report.table.regie_vacant": "Cases without coordinator now",
    "report.table.regie_vacant_days": "Cases without coordinator now, by working days without",
    "report.table.regie_changes": "Coordinator changes per case",
    "report.table.agreements_municipality": "Agreements per municipality",
    "report.table.escalations_route": "Escalations per route and level",
    "report.table.signals_matrix": "Signals per category and municipality",
    "report.table.helpdesk_theme": "Helpdesk questions per theme",
    "report.col.municipality": "municipality",
    "report.col.no_municipality": "no municipality",
    "report.col.total": "total",
    "report.col.label": "",
    "report.col.area": "",
    "report.col.opened_now": "new",
    "report.col.opened_prev": "new previous",
    "report.col.opened_diff": "change new",
    "report.col.active_now": "active",
    "report.col.active_prev": "active previous",
    "report.col.active_diff": "change active",
    "report.col.closed_now": "closed",
    "report.col.closed_prev": "closed previous",
    "report.col.closed_diff": "change closed",
    "report.col.case_type": "type",
    "report.col.median_now": "median working days",
    "report.col.median_prev": "median previous",
    "report.col.count": "count",
    "report.col.median_days": "median working days",
    "report.col.working_days": "working days without coordinator",
    "report.col.changes": "changes",
    "report.col.now": "this period",
    "report.col.prev": "previous period",
    "report.col.diff": "change",
    "report.col.due": "due",
    "report.col.on_time_now": "on time",
    "report.col.on_time_prev": "on time previous",
    "report.col.overdue_now": "median working days late",
    "report.col.overdue_prev": "median late previous",
    "report.col.route_level": "route / level",
    "report.col.ack_hours": "median working hours to acknowledgement",
    "report.col.decision_days": "median working days to decision",
    "report.col.ketenmanager_share": "decided by chain manager",
    "report.col.category": "category",
    "report.col.theme": "theme",
    "report.col.first_response_hours": "median working hours to response",
    "report.col.solution_hours": "median working hours to solution",
    "report.col.within_sla": "within service level",
    "report.chart.caseload_bars": "New cases per municipality",
    "report.chart.caseload_trend": "New cases per month and type",
    "report.chart.regie_boxes": "Working days to the first coordinator, per type",
    "report.chart.agreements_boxes": "Working days late (agreements)",
    "report.chart.escalations_boxes": "Working hours to acknowledgement (escalations)",
    "report.axis.cases": "cases",
    "report.chart.title": "{chart}, {period}",
    "report.chart.empty": "Too little data to show\n(counts below {threshold} are not shown)",
    "report.axis.opened": "new cases",
    "report.axis.days": "working days",
    "report.axis.hours": "working hours",
    "report.axis.share": "share",
}
