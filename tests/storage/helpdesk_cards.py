"""A fixture of 44 Dutch knowledge cards (title, theme, text) and the relevance table.

The texts are written like the cards the network will have: short, practical, full of the
field's abbreviations and compounds. ``RELEVANCE`` states, per query, the card that must
come first (by its position in ``CARDS``, 1-based), and why the query is interesting.
"""

from __future__ import annotations

CARDS: list[tuple[str, str, str]] = [
    # 1
    (
        "Woonoverlast melden bij de gemeente",
        "bestuurlijk",
        "Bij ernstige woonoverlast kan de burgemeester een gedragsaanwijzing geven. Verzamel eerst meldingen van buren en de woningcorporatie.",
    ),
    # 2
    (
        "Partnergeweld: wanneer Veilig Thuis inschakelen",
        "huiselijk-geweld",
        "Bij partnergeweld volg je de meldcode. Twijfel je, vraag dan advies aan Veilig Thuis; een melding kan ook anoniem besproken worden.",
    ),
    # 3
    (
        "Huiselijk geweld en het tijdelijk huisverbod",
        "huiselijk-geweld",
        "De burgemeester kan een tijdelijk huisverbod van tien dagen opleggen. De politie voert de risicotaxatie uit.",
    ),
    # 4
    (
        "Schulden en schuldhulpverlening",
        "schulden",
        "Verwijs naar de gemeentelijke schuldhulpverlening. Bij beslaglegging op het inkomen geldt de beslagvrije voet.",
    ),
    # 5
    (
        "Beschermingsbewind aanvragen",
        "schulden",
        "Beschermingsbewind vraag je aan bij de kantonrechter. Een bewindvoerder beheert dan het inkomen en betaalt de vaste lasten.",
    ),
    # 6
    (
        "Verwarde personen op straat: wie doet wat",
        "verward-gedrag",
        "Bij verward gedrag zonder acuut gevaar bel je het meldpunt niet-acuut. Bij direct gevaar komt de politie met de crisisdienst van de GGZ.",
    ),
    # 7
    (
        "Verplichte zorg onder de Wvggz",
        "verward-gedrag",
        "De Wet verplichte ggz regelt crisismaatregel en zorgmachtiging. De officier van justitie vraagt de zorgmachtiging aan bij de rechter.",
    ),
    # 8
    (
        "Gegevens delen binnen het zorg- en veiligheidshuis",
        "privacy",
        "Deel alleen wat nodig is voor het doel. Het privacyconvenant van het netwerk beschrijft de grondslagen en de bewaartermijnen.",
    ),
    # 9
    (
        "AVG: grondslag voor gegevensdeling met de politie",
        "privacy",
        "Politiegegevens worden gedeeld op grond van de Wet politiegegevens; voor zorgpartners geldt het beroepsgeheim met de meldcode als uitzondering.",
    ),
    # 10
    (
        "Nazorg ex-gedetineerden: de vijf basisvoorwaarden",
        "nazorg",
        "Voor ex-gedetineerden regelt de gemeente identiteitsbewijs, inkomen, huisvesting, schulden en zorg. Start de nazorg al tijdens detentie.",
    ),
    # 11
    (
        "Terugkeer na detentie in de wijk",
        "nazorg",
        "Bij terugkeer van een gedetineerde in de wijk overleggen gemeente, politie en reclassering over risico's en begeleiding.",
    ),
    # 12
    (
        "Radicalisering herkennen en melden",
        "radicalisering",
        "Zorgen over radicalisering bespreek je met de gemeentelijke contactpersoon. Het casusoverleg radicalisering weegt de signalen.",
    ),
    # 13
    (
        "Jihadistische propaganda online",
        "radicalisering",
        "Meld strafbare online propaganda bij de politie. Het OM beoordeelt vervolging; de gemeente kijkt naar preventie.",
    ),
    # 14
    (
        "Bestuurlijke aanpak van ondermijning",
        "bestuurlijk",
        "Met de Wet Bibob toetst de gemeente vergunningaanvragen. Sluiting van een pand op grond van de Opiumwet is een bestuurlijke maatregel.",
    ),
    # 15
    (
        "Jeugdbescherming en de Raad voor de Kinderbescherming",
        "jeugd",
        "De RvdK onderzoekt of een kinderbeschermingsmaatregel nodig is. Een ondertoezichtstelling spreekt de kinderrechter uit.",
    ),
    # 16
    (
        "Jongeren in de criminaliteit: de JCO-aanpak",
        "jeugd",
        "Jongeren die afglijden naar criminaliteit krijgen een persoonsgerichte aanpak met school, jeugdhulp en politie.",
    ),
    # 17
    (
        "PGA-methodiek: de persoonsgerichte aanpak",
        "pga",
        "De persoonsgerichte aanpak brengt zorg en straf samen rond één persoon. De PGA-regisseur stelt een integraal plan op.",
    ),
    # 18
    (
        "Top600-achtige aanpak voor veelplegers",
        "pga",
        "Veelplegers krijgen één regisseur die zorg, straf en bestuurlijke maatregelen coördineert.",
    ),
    # 19
    (
        "Coördinatie tussen ketenpartners",
        "pga",
        "Goede coördinatie betekent één regiehouder per casus, heldere afspraken en een vast moment van evaluatie.",
    ),
    # 20
    (
        "ZSM: snel en selectief afdoen",
        "bestuurlijk",
        "Aan de ZSM-tafel beslissen OM, politie, reclassering en Slachtofferhulp binnen enkele dagen over de afdoening van eenvoudige zaken.",
    ),
    # 21
    (
        "Reclasseringstoezicht en bijzondere voorwaarden",
        "nazorg",
        "De reclassering houdt toezicht op bijzondere voorwaarden zoals een contactverbod of een meldplicht.",
    ),
    # 22
    (
        "Kindermishandeling: signalen en meldcode",
        "huiselijk-geweld",
        "Signalen van kindermishandeling weeg je met de vijf stappen van de meldcode. Overleg met een collega en raadpleeg Veilig Thuis.",
    ),
    # 23
    (
        "Ouderenmishandeling en financieel misbruik",
        "huiselijk-geweld",
        "Financieel misbruik van ouderen blijft vaak verborgen. Let op onverklaarde opnames en een familielid dat alles regelt.",
    ),
    # 24
    (
        "Eergerelateerd geweld",
        "huiselijk-geweld",
        "Bij eergerelateerd geweld schakel je altijd de politie in; het landelijk expertisecentrum adviseert over de aanpak.",
    ),
    # 25
    (
        "Stalking door een ex-partner",
        "huiselijk-geweld",
        "Bij stalking door een ex-partner kan de officier van justitie een gebiedsverbod of contactverbod opleggen.",
    ),
    # 26
    (
        "Zorgmijders met psychische problemen",
        "verward-gedrag",
        "Zorgmijders bereik je met bemoeizorg. De GGZ kan outreachend werken, samen met de wijkagent.",
    ),
    # 27
    (
        "Verslaving en middelengebruik",
        "verward-gedrag",
        "Bij verslavingsproblematiek verwijs je naar de verslavingszorg. Middelengebruik in combinatie met verward gedrag vraagt om overleg met de GGZ.",
    ),
    # 28
    (
        "Dakloosheid en maatschappelijke opvang",
        "nazorg",
        "De centrumgemeente regelt de maatschappelijke opvang. Een briefadres is nodig voor een uitkering.",
    ),
    # 29
    (
        "Tijdelijke verhuizing bij dreiging",
        "bestuurlijk",
        "Bij ernstige dreiging kan de woningcorporatie met voorrang een andere woning aanbieden; de burgemeester kan een urgentie afgeven.",
    ),
    # 30
    (
        "Privacy bij het casusoverleg",
        "privacy",
        "In het casusoverleg bespreek je alleen gegevens die nodig zijn. Notuleer zonder namen en bewaar verslagen niet langer dan nodig.",
    ),
    # 31
    (
        "Het beroepsgeheim van artsen en hulpverleners",
        "privacy",
        "Artsen hebben een beroepsgeheim. Doorbreken mag bij een conflict van plichten of met toestemming van de cliënt.",
    ),
    # 32
    (
        "Escalaties bij vastgelopen casussen",
        "pga",
        "Loopt een casus vast, dan escaleer je naar de ketenmanager; die kan opschalen naar de driehoek of de stuurgroep.",
    ),
    # 33
    (
        "Meldingen van zorgen over een gezin",
        "jeugd",
        "Zorgen over een gezin meld je bij het lokale team. Bij acute onveiligheid van kinderen schakel je direct Veilig Thuis in.",
    ),
    # 34
    (
        "Schoolverzuim en leerplicht",
        "jeugd",
        "De leerplichtambtenaar pakt schoolverzuim op. Bij langdurig verzuim kan de Raad voor de Kinderbescherming een onderzoek doen.",
    ),
    # 35
    (
        "Openbaar Ministerie en strafrechtelijke afdoening",
        "bestuurlijk",
        "Het Openbaar Ministerie beslist over vervolging. De officier van justitie kan een strafbeschikking opleggen.",
    ),
    # 36
    (
        "Tijdelijke opvang na een huisverbod",
        "huiselijk-geweld",
        "Na een huisverbod zoekt de uithuisgeplaatste zelf onderdak; de gemeente kan tijdelijke opvang regelen.",
    ),
    # 37
    (
        "Wapenbezit en dreiging",
        "radicalisering",
        "Bij signalen van wapenbezit deel je de informatie direct met de politie. Het dreigingsmanagement beoordeelt het risico.",
    ),
    # 38
    (
        "Buurtbemiddeling bij burenruzies",
        "bestuurlijk",
        "Buurtbemiddeling helpt bij burenruzies en geluidsoverlast voordat de overlast escaleert.",
    ),
    # 39
    (
        "Kwetsbare personen en mensenhandel",
        "bestuurlijk",
        "Signalen van uitbuiting of mensenhandel meld je bij de politie. Het zorgcoördinatiepunt regelt opvang voor slachtoffers.",
    ),
    # 40
    (
        "TVO: tactisch veiligheidsoverleg",
        "pga",
        "In het TVO bespreken gemeente, politie en zorg wie een casus oppakt. Het TVO leidt tot een besluit over regie.",
    ),
    # 41
    (
        "Gemeenten en de Wet verplichte ggz",
        "verward-gedrag",
        "Gemeenten verkennen na een melding of verplichte zorg nodig is. De verkenning moet binnen veertien dagen klaar zijn.",
    ),
    # 42
    (
        "Informatie delen met Slachtofferhulp",
        "privacy",
        "Slachtofferhulp krijgt gegevens van slachtoffers via de politie, tenzij het slachtoffer bezwaar maakt.",
    ),
    # 43
    (
        "Gevangenis en penitentiair programma",
        "nazorg",
        "In het penitentiair programma bereidt een gedetineerde zich voor op terugkeer. De gevangenis werkt samen met de gemeente.",
    ),
    # 44
    (
        "Jeugdreclassering en taakstraffen",
        "jeugd",
        "De jeugdreclassering begeleidt jongeren met een taakstraf of een voorwaardelijke straf.",
    ),
]

#: (query, expected first card by 1-based position, what the query tests)
RELEVANCE: list[tuple[str, int, str]] = [
    ("overlast", 1, "compound: woonoverlast in the title"),
    ("woonoverlast", 1, "exact compound"),
    ("partnergeweld", 2, "exact word"),
    ("geweld partner", 2, "compound parts in another order"),
    ("coordinatie", 19, "no diacritics finds coördinatie"),
    ("coördinatie ketenpartners", 19, "diacritics in the query"),
    ("schuld", 4, "inflection: schulden"),
    ("schuldhulp", 4, "prefix of a compound"),
    ("bewind", 5, "compound: beschermingsbewind"),
    ("verwarde persoon", 6, "inflection of both words"),
    ("Wvggz", 7, "synonym: Wet verplichte ggz"),
    ("verplichte ggz gemeenten", 41, "several words, title wins"),
    ("RvdK onderzoek", 15, "synonym: Raad voor de Kinderbescherming"),
    ("ex-gedetineerden nazorg", 10, "hyphenated word"),
    ("gedetineerde terugkeer wijk", 11, "inflection: gedetineerde"),
    ("radicalisering melden", 12, "title words"),
    ("Bibob", 14, "rare word"),
    ("ZSM", 20, "abbreviation in a compound (ZSM-tafel)"),
    ("PGA regisseur", 17, "abbreviation"),
    ("persoonsgerichte aanpak", 17, "synonym of PGA, in title"),
    ("veelplegers", 18, "plural in title"),
    ("kindermishandeling meldcode", 22, "compound + word"),
    ("financieel misbruik ouderen", 23, "three words"),
    ("stalking", 25, "single word"),
    ("zorgmijders", 26, "plural"),
    ("verslaving", 27, "compound: verslavingsproblematiek / verslavingszorg"),
    ("middelengebruik", 27, "long compound"),
    ("casusoverleg privacy", 30, "two words"),
    ("beroepsgeheim artsen", 31, "plural"),
    ("escalatie casus", 32, "inflection: escalaties / casussen"),
    ("schoolverzuim", 34, "compound"),
    ("OM vervolging", 35, "synonym: Openbaar Ministerie"),
    ("Veilig Thuis advies", 2, "synonym group VT"),
    ("VT partnergeweld", 2, "abbreviation VT"),
    ("TVO regie", 40, "abbreviation TVO"),
    ("mensenhandel", 39, "single word"),
    ("gevangenis", 43, "word the newer Snowball stems badly"),
    ("jeugdreclassering taakstraf", 44, "compound + inflection"),
]
