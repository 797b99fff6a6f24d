"""The demo conference: Efus' 7th Security, Democracy and Cities conference, Nice, 20 to 22
October 2021. Plain data, read by `manage.py seed_demo`. Like the 2021 programme, it is in
English and French: each text delegates read has its French beside it (`…_fr`); where none is
given (a room's proper name, the Foyer Apollon) the French pages show the English.

The skeleton of the programme, the venue, the rooms and the authorities are real; session titles
are plausible themes of the network, and every person named here is fictional. Dates and times
are local to the conference (Europe/Paris): the command makes them aware, and shifts them by whole
weeks with --open-registration, so a session keeps its weekday and its wall-clock time.
"""

import datetime as dt
from typing import NotRequired, TypedDict


class ConferenceEntry(TypedDict):
    slug: str
    name: str
    tagline: str
    name_fr: str
    tagline_fr: str
    organiser: str
    organiser_fr: str
    website: str
    start_date: dt.date
    end_date: dt.date
    time_zone: str
    # Naive: local wall-clock times, which the loader makes aware.
    registration_opens_at: dt.datetime
    registration_closes_at: dt.datetime
    capacity: int
    default_allotment: int
    contact_email: str
    letter_signatory_name: str
    letter_signatory_title: str
    letter_signatory_title_fr: str
    reference_prefix: str
    is_published: bool
    description: str
    description_fr: str


class DelegationEntry(TypedDict):
    authority: tuple[str, str]  # (name, country)
    coordinator: tuple[str, str, str, str]  # (first name, last name, email, language)
    members: int


class SessionEntry(TypedDict):
    day: int
    starts: str  # "HH:MM", local
    ends: str
    kind: str
    title: str
    title_fr: str
    description: NotRequired[str]
    description_fr: NotRequired[str]
    room: NotRequired[str]
    location: NotRequired[str]
    location_fr: NotRequired[str]
    capacity: NotRequired[int]
    language: NotRequired[str]
    interpretation: NotRequired[list[str]]
    speakers: NotRequired[list[str]]
    # The identity data a site visit asks for (SiteVisitIdentity's field names).
    identity: NotRequired[list[str]]


CONFERENCE: ConferenceEntry = {
    "slug": "nice-2021",
    "name": "Security, Democracy and Cities",
    "tagline": "Europe's cities and regions co-producing urban security",
    "name_fr": "Sécurité, démocratie et villes",
    "tagline_fr": "Villes et régions d’Europe\u00a0: coproduire la sécurité urbaine",
    "organiser": "European Forum for Urban Security (Efus)",
    "organiser_fr": "Forum européen pour la sécurité urbaine (Efus)",
    "website": "https://efus.eu/",
    "start_date": dt.date(2021, 10, 20),
    "end_date": dt.date(2021, 10, 22),
    "time_zone": "Europe/Paris",
    "registration_opens_at": dt.datetime(2021, 5, 1, 9, 0),
    "registration_closes_at": dt.datetime(2021, 10, 13, 23, 59),
    "capacity": 900,
    "default_allotment": 8,
    "contact_email": "registrations@efus.eu",
    # Fictitious: the demo's visa letters must not carry a real person's name.
    "letter_signatory_name": "Claire Dumont",
    "letter_signatory_title": "Executive Director",
    "letter_signatory_title_fr": "Directrice exécutive",
    "reference_prefix": "NCE",
    "is_published": True,
    "description": (
        "Every three years the European Forum for Urban Security (Efus) brings together the local "
        "and regional authorities of its network and everyone who works with them on urban "
        "security: mayors and elected officials, civil servants, municipal police, magistrates, "
        "social workers, researchers and civil society. Hosted by the City of Nice, this seventh "
        "Security, Democracy and Cities conference asks how cities and regions came through the "
        "crises of recent years (the Covid-19 pandemic, terrorist attacks, floods and wildfires) "
        "and what they need to keep residents safe without giving up on democratic values.\n\n"
        "Over three days, plenary sessions, workshops, focus sessions and site visits give "
        "prevention as much room as response: preventing radicalisation and polarisation, drugs "
        "and nightlife, the ethics of video surveillance and artificial intelligence, support "
        "for victims, violence against women in public spaces, youth, the design of public "
        "spaces and citizen participation. Security is treated as a common good, co-produced by "
        "public authorities, the private sector and citizens, and resting on a balance between "
        "prevention, sanction and social cohesion.\n\n"
        "The conference closes with the signing of the Security, Democracy and Cities "
        "Declaration, the Nice Declaration, in which Efus member authorities set out what they "
        "ask of national governments and European institutions: recognition of the role of "
        "cities, easier access to funding and closer cooperation between the local, national "
        "and European levels. It builds on the network's 2017 manifesto, Security, Democracy "
        "and Cities: Co-producing Urban Security Policies."
    ),
    "description_fr": (
        "Tous les trois ans, le Forum européen pour la sécurité urbaine (Efus) réunit les "
        "collectivités locales et régionales de son réseau et tous ceux qui travaillent avec "
        "elles sur la sécurité urbaine\u00a0: maires et élus, fonctionnaires territoriaux, "
        "polices municipales, magistrats, travailleurs sociaux, chercheurs et société civile. "
        "Accueillie par la Ville de Nice, cette septième conférence Sécurité, démocratie et "
        "villes se demande comment les villes et les régions ont traversé les crises de ces "
        "dernières années (la pandémie de Covid-19, les attentats terroristes, les inondations "
        "et les incendies de forêt) et de quoi elles ont besoin pour protéger leurs habitants "
        "sans renoncer aux valeurs démocratiques.\n\n"
        "Pendant trois jours, séances plénières, ateliers, sessions focus et visites de "
        "terrain font autant de place à la prévention qu’à la réponse\u00a0: prévention de la "
        "radicalisation et de la polarisation, drogues et vie nocturne, éthique de la "
        "vidéoprotection et de l’intelligence artificielle, aide aux victimes, violences "
        "faites aux femmes dans l’espace public, jeunesse, aménagement des espaces publics et "
        "participation citoyenne. La sécurité y est pensée comme un bien commun, coproduit par "
        "les pouvoirs publics, le secteur privé et les citoyens, et fondé sur l’équilibre "
        "entre prévention, sanction et cohésion sociale.\n\n"
        "La conférence se clôt par la signature de la Déclaration Sécurité, démocratie et "
        "villes, dite Déclaration de Nice, dans laquelle les collectivités membres de l’Efus "
        "disent ce qu’elles attendent des gouvernements nationaux et des institutions "
        "européennes\u00a0: la reconnaissance du rôle des villes, un accès facilité aux "
        "financements et une coopération plus étroite entre les échelons local, national et "
        "européen. Elle prolonge le manifeste adopté par le réseau en 2017, Sécurité, "
        "démocratie et villes\u00a0: coproduire les politiques de sécurité urbaine."
    ),
}

VENUE = {
    "name": "Palais Acropolis",
    "street_address": "1 Esplanade Kennedy",
    "postal_code": "06364",
    "city": "Nice",
    "country": "FR",
    "website": "https://www.nice-acropolis.com/",
}

# (name, seats); the order of the list is the order of the rooms in the timetable.
ROOMS = [
    ("Apollon", 1022),
    ("Athéna", 750),
    ("Hermès", 300),
    ("Salle Méditerranée", 250),
    ("Salle Rhodes", 120),
    ("Salle Délos", 80),
    ("Salle Paros", 60),
    ("Salle Naxos", 50),
    ("Salle Cos", 40),
]

# (name, country, kind, is_member). Names are spelt as the authority spells itself when its
# language uses the Latin alphabet (Liège, Malmö, Gdańsk, Rīga, Genève); Greek, Cypriot and
# Bulgarian ones use their usual English form. Berlin is a Land, hence a region.
AUTHORITIES = [
    # France
    ("Nice", "FR", "municipality", True),
    ("Paris", "FR", "municipality", True),
    ("Bordeaux", "FR", "municipality", True),
    ("Strasbourg", "FR", "municipality", True),
    ("Lyon", "FR", "municipality", True),
    ("Aubervilliers", "FR", "municipality", True),
    ("Saint-Denis", "FR", "municipality", True),
    ("Marseille", "FR", "municipality", False),
    ("Toulouse", "FR", "municipality", False),
    ("Métropole Nice Côte d'Azur", "FR", "intercommunal", True),
    ("Département des Alpes-Maritimes", "FR", "province", True),
    ("Région Sud", "FR", "region", True),
    ("Région Île-de-France", "FR", "region", True),
    ("Région Auvergne-Rhône-Alpes", "FR", "region", True),
    ("Forum français pour la sécurité urbaine", "FR", "national", True),
    ("European Forum for Urban Security (Efus)", "FR", "international", False),
    ("Council of Europe", "FR", "international", False),
    # Belgium
    ("Liège", "BE", "municipality", True),
    ("Leuven", "BE", "municipality", True),
    ("Mechelen", "BE", "municipality", True),
    ("Antwerpen", "BE", "municipality", True),
    ("Charleroi", "BE", "municipality", True),
    ("Région de Bruxelles-Capitale", "BE", "region", True),
    ("Province du Brabant wallon", "BE", "province", True),
    ("Forum belge pour la prévention et la sécurité urbaine", "BE", "national", True),
    ("European Commission", "BE", "international", False),
    # Netherlands
    ("Rotterdam", "NL", "municipality", True),
    ("Amsterdam", "NL", "municipality", True),
    ("Utrecht", "NL", "municipality", True),
    ("Den Haag", "NL", "municipality", False),
    # Germany
    ("Mannheim", "DE", "municipality", True),
    ("Düsseldorf", "DE", "municipality", True),
    ("Stuttgart", "DE", "municipality", True),
    ("Augsburg", "DE", "municipality", True),
    ("Hannover", "DE", "municipality", True),
    ("Berlin", "DE", "region", True),
    ("Landespräventionsrat Niedersachsen", "DE", "region", True),
    ("Deutsches Forum für Kriminalprävention", "DE", "national", True),
    # Spain
    ("Generalitat de Catalunya", "ES", "region", True),
    ("Barcelona", "ES", "municipality", True),
    ("Madrid", "ES", "municipality", True),
    ("València", "ES", "municipality", True),
    ("Sabadell", "ES", "municipality", True),
    ("L'Hospitalet de Llobregat", "ES", "municipality", True),
    ("Zaragoza", "ES", "municipality", True),
    # Italy
    ("Regione Emilia-Romagna", "IT", "region", True),
    ("Regione Lombardia", "IT", "region", True),
    ("Regione Piemonte", "IT", "region", False),
    ("Bologna", "IT", "municipality", True),
    ("Torino", "IT", "municipality", True),
    ("Genova", "IT", "municipality", True),
    ("Modena", "IT", "municipality", True),
    ("Prato", "IT", "municipality", True),
    ("Forum Italiano per la Sicurezza Urbana", "IT", "national", True),
    # Portugal
    ("Lisboa", "PT", "municipality", True),
    ("Porto", "PT", "municipality", True),
    ("Setúbal", "PT", "municipality", True),
    ("Amadora", "PT", "municipality", True),
    ("Matosinhos", "PT", "municipality", True),
    # Poland
    ("Gdańsk", "PL", "municipality", True),
    ("Kraków", "PL", "municipality", True),
    ("Białystok", "PL", "municipality", True),
    ("Warszawa", "PL", "municipality", False),
    # Nordic countries
    ("Malmö", "SE", "municipality", True),
    ("Göteborg", "SE", "municipality", True),
    ("Stockholm", "SE", "municipality", False),
    ("Helsinki", "FI", "municipality", True),
    ("Oslo", "NO", "municipality", False),
    ("København", "DK", "municipality", True),
    # Switzerland, Austria, Luxembourg, Ireland
    ("Meyrin", "CH", "municipality", True),
    ("Genève", "CH", "municipality", True),
    ("Lausanne", "CH", "municipality", False),
    ("Wien", "AT", "municipality", True),
    ("United Nations Office on Drugs and Crime (UNODC)", "AT", "international", False),
    ("Luxembourg", "LU", "municipality", True),
    ("Dublin", "IE", "municipality", False),
    # Central, Eastern and South-Eastern Europe
    ("Rīga", "LV", "municipality", True),
    ("Brno", "CZ", "municipality", True),
    ("Praha", "CZ", "municipality", False),
    ("Ljubljana", "SI", "municipality", True),
    ("Zagreb", "HR", "municipality", True),
    ("Athens", "GR", "municipality", True),
    ("Thessaloniki", "GR", "municipality", True),
    ("Larnaca", "CY", "municipality", True),
    ("Sofia", "BG", "municipality", True),
    ("Burgas", "BG", "municipality", False),
]

# Regional codes of some authorities, by (name, country): ISO 3166-2 for regions, provinces and
# départements; the NUTS 3 area for a city or an intercommunal body, which ISO does not cover.

# Where the map draws the authorities the gazetteer cannot place by name (it knows cities, not
# regions or bodies): at the seat of each, latitude and longitude. Regions are drawn at their
# capital, as the map's legend says.
AUTHORITY_COORDINATES: dict[tuple[str, str], tuple[float, float]] = {
    ("United Nations Office on Drugs and Crime (UNODC)", "AT"): (48.2348, 16.4161),  # Vienna
    ("European Commission", "BE"): (50.8436, 4.3826),  # Brussels, Berlaymont
    ("Forum belge pour la prévention et la sécurité urbaine", "BE"): (50.8503, 4.3517),
    ("Province du Brabant wallon", "BE"): (50.6683, 4.6118),  # Wavre
    ("Deutsches Forum für Kriminalprävention", "DE"): (52.5200, 13.4050),  # Berlin
    ("Landespräventionsrat Niedersachsen", "DE"): (52.3759, 9.7320),  # Hanover
    ("Generalitat de Catalunya", "ES"): (41.3874, 2.1686),  # Barcelona
    ("Council of Europe", "FR"): (48.5943, 7.7737),  # Strasbourg
    ("Département des Alpes-Maritimes", "FR"): (43.7102, 7.2620),  # Nice
    ("European Forum for Urban Security (Efus)", "FR"): (48.8566, 2.3522),  # Paris
    ("Forum français pour la sécurité urbaine", "FR"): (48.8566, 2.3522),  # Paris
    ("Métropole Nice Côte d'Azur", "FR"): (43.7102, 7.2620),  # Nice
    ("Région Auvergne-Rhône-Alpes", "FR"): (45.7640, 4.8357),  # Lyon
    ("Région Île-de-France", "FR"): (48.8566, 2.3522),  # Paris
    ("Région Sud", "FR"): (43.2965, 5.3698),  # Marseille
    ("Forum Italiano per la Sicurezza Urbana", "IT"): (44.4949, 11.3426),  # Bologna
    ("Regione Emilia-Romagna", "IT"): (44.4949, 11.3426),  # Bologna
    ("Regione Lombardia", "IT"): (45.4642, 9.1900),  # Milan
    ("Regione Piemonte", "IT"): (45.0703, 7.6869),  # Turin
}

REGION_CODES = {
    ("Nice", "FR"): "FRL03",
    ("Paris", "FR"): "FR101",
    ("Bordeaux", "FR"): "FRI12",
    ("Strasbourg", "FR"): "FRF11",
    ("Lyon", "FR"): "FRK26",
    ("Aubervilliers", "FR"): "FR106",
    ("Saint-Denis", "FR"): "FR106",
    ("Marseille", "FR"): "FRL04",
    ("Métropole Nice Côte d'Azur", "FR"): "FRL03",
    ("Département des Alpes-Maritimes", "FR"): "FR-06",
    ("Région Sud", "FR"): "FR-PAC",
    ("Région Île-de-France", "FR"): "FR-IDF",
    ("Région Auvergne-Rhône-Alpes", "FR"): "FR-ARA",
    ("Liège", "BE"): "BE332",
    ("Antwerpen", "BE"): "BE211",
    ("Région de Bruxelles-Capitale", "BE"): "BE-BRU",
    ("Province du Brabant wallon", "BE"): "BE-WBR",
    ("Mannheim", "DE"): "DE126",
    ("Düsseldorf", "DE"): "DEA11",
    ("Stuttgart", "DE"): "DE111",
    ("Berlin", "DE"): "DE-BE",
    ("Landespräventionsrat Niedersachsen", "DE"): "DE-NI",
    ("Generalitat de Catalunya", "ES"): "ES-CT",
    ("Barcelona", "ES"): "ES511",
    ("Madrid", "ES"): "ES300",
    ("Regione Emilia-Romagna", "IT"): "IT-45",
    ("Regione Lombardia", "IT"): "IT-25",
    ("Regione Piemonte", "IT"): "IT-21",
    ("Bologna", "IT"): "ITH55",
    ("Torino", "IT"): "ITC11",
    ("Lisboa", "PT"): "PT170",
    ("Wien", "AT"): "AT-9",
    ("Helsinki", "FI"): "FI1B1",
}

# Places of authorities that differ from the conference's default of 8: the hosts send more.
ALLOTMENTS = {
    ("Nice", "FR"): 20,
    ("Région Sud", "FR"): 15,
    ("European Forum for Urban Security (Efus)", "FR"): 30,
}

# Delegations at the demo conference and their coordinators (fictional), who may or may not
# attend. `members`: how many of the authority's generated registrations join the delegation,
# when there are that many (there are with the Makefile's 300).
DELEGATIONS: list[DelegationEntry] = [
    {
        "authority": ("Nice", "FR"),
        "coordinator": ("Sophie", "Giordano", "sophie.giordano@example.org", "fr"),
        "members": 4,
    },
    {
        "authority": ("Région Sud", "FR"),
        "coordinator": ("Laure", "Rinaldi", "laure.rinaldi@example.org", "fr"),
        "members": 5,
    },
    {
        "authority": ("Paris", "FR"),
        "coordinator": ("Julien", "Moreau", "julien.moreau@example.org", "fr"),
        "members": 5,
    },
    {
        "authority": ("Strasbourg", "FR"),
        "coordinator": ("Mathieu", "Schneider", "mathieu.schneider@example.org", "fr"),
        "members": 5,
    },
    {
        "authority": ("Mannheim", "DE"),
        "coordinator": ("Jonas", "Weber", "jonas.weber@example.org", "en"),
        "members": 3,
    },
    {
        "authority": ("Berlin", "DE"),
        "coordinator": ("Katrin", "Schulz", "katrin.schulz@example.org", "en"),
        "members": 2,
    },
    {
        "authority": ("Generalitat de Catalunya", "ES"),
        "coordinator": ("Jordi", "Puigvert", "jordi.puigvert@example.org", "en"),
        "members": 2,
    },
    {
        "authority": ("Regione Emilia-Romagna", "IT"),
        "coordinator": ("Giulia", "Ferrari", "giulia.ferrari@example.org", "en"),
        "members": 3,
    },
]

# Fictional people in plausible roles.
SPEAKERS = [
    {
        "full_name": "Claire Fontanel",
        "role": "Deputy Mayor for Security and Prevention",
        "organisation": "City of Nice",
        "country": "FR",
        "biography": "Leads the city's local security and crime prevention council.",
        "role_fr": "Adjointe au maire chargée de la sécurité et de la prévention",
        "organisation_fr": "Ville de Nice",
        "biography_fr": "Pilote le conseil local de sécurité et de prévention de la délinquance.",
    },
    {
        "full_name": "Laurent Dumoulin",
        "role": "Alderman for Public Safety",
        "organisation": "City of Liège",
        "country": "BE",
        "biography": "In charge of the city's integrated prevention plan and its night economy.",
        "role_fr": "Échevin de la Sécurité publique",
        "organisation_fr": "Ville de Liège",
        "biography_fr": (
            "Chargé du plan de prévention intégré de la ville et de son économie de la nuit."
        ),
    },
    {
        "full_name": "Hélène Marchetti",
        "role": "Executive Director",
        "organisation": "European Forum for Urban Security (Efus)",
        "country": "FR",
        "biography": "Runs the network's secretariat and its European projects.",
        "role_fr": "Directrice exécutive",
        "organisation_fr": "Forum européen pour la sécurité urbaine (Efus)",
        "biography_fr": "Dirige le secrétariat du réseau et ses projets européens.",
    },
    {
        "full_name": "Sanne de Vries",
        "role": "Programme Manager, Safe Neighbourhoods",
        "organisation": "City of Rotterdam",
        "country": "NL",
        "biography": "Coordinates the city's neighbourhood safety partnerships.",
        "role_fr": "Responsable du programme Quartiers sûrs",
        "organisation_fr": "Ville de Rotterdam",
        "biography_fr": "Coordonne les partenariats de sécurité de quartier de la ville.",
    },
    {
        "full_name": "Tobias Reinhardt",
        "role": "Head of the Crime Prevention Council",
        "organisation": "City of Mannheim",
        "country": "DE",
        "biography": "Works on hate crime, antisemitism and social cohesion at local level.",
        "role_fr": "Directeur du conseil de prévention de la délinquance",
        "organisation_fr": "Ville de Mannheim",
        "biography_fr": (
            "Travaille sur les crimes de haine, l’antisémitisme et la cohésion sociale à "
            "l’échelle locale."
        ),
    },
    {
        "full_name": "Montserrat Puig Ferrer",
        "role": "Director-General for Security Administration",
        "organisation": "Government of Catalonia (Generalitat de Catalunya)",
        "country": "ES",
        "biography": "Oversees the coordination between regional and local police forces.",
        "role_fr": "Directrice générale de l’administration de la sécurité",
        "organisation_fr": "Gouvernement de Catalogne (Generalitat de Catalunya)",
        "biography_fr": (
            "Supervise la coordination entre la police régionale et les polices locales."
        ),
    },
    {
        "full_name": "Katrin Albers",
        "role": "Head of the Violence Prevention Unit",
        "organisation": "State of Berlin, Senate Department for the Interior",
        "country": "DE",
        "biography": "Responsible for the Land's crisis preparedness and citizen involvement.",
        "role_fr": "Cheffe de l’unité de prévention de la violence",
        "organisation_fr": "Land de Berlin, administration sénatoriale de l’Intérieur",
        "biography_fr": (
            "Responsable de la préparation du Land aux crises et de la mobilisation des citoyens."
        ),
    },
    {
        "full_name": "Giulia Ferraresi",
        "role": "Head of Urban Security Policy",
        "organisation": "Emilia-Romagna Region",
        "country": "IT",
        "biography": "Funds and evaluates the region's municipal prevention projects.",
        "role_fr": "Responsable des politiques de sécurité urbaine",
        "organisation_fr": "Région Émilie-Romagne",
        "biography_fr": "Finance et évalue les projets de prévention des communes de la région.",
    },
    {
        "full_name": "João Carvalho Mendes",
        "role": "Director of the Municipal Police",
        "organisation": "City of Lisbon",
        "country": "PT",
        "biography": "Introduced community policing teams in the city's historic districts.",
        "role_fr": "Directeur de la police municipale",
        "organisation_fr": "Ville de Lisbonne",
        "biography_fr": (
            "A mis en place des équipes de police de proximité dans les quartiers historiques "
            "de la ville."
        ),
    },
    {
        "full_name": "Agnieszka Wróblewska",
        "role": "Deputy Mayor for Social Affairs",
        "organisation": "City of Gdańsk",
        "country": "PL",
        "biography": "Leads the city's model for the integration of newcomers.",
        "role_fr": "Adjointe au maire chargée des affaires sociales",
        "organisation_fr": "Ville de Gdańsk",
        "biography_fr": "Porte le modèle d’intégration des nouveaux arrivants de la ville.",
    },
    {
        "full_name": "Elīna Ozoliņa",
        "role": "Head of the Prevention Division, Municipal Police",
        "organisation": "City of Riga",
        "country": "LV",
        "biography": "Works with schools on youth violence and online risks.",
        "role_fr": "Cheffe de la division de la prévention, police municipale",
        "organisation_fr": "Ville de Riga",
        "biography_fr": (
            "Travaille avec les écoles sur la violence des jeunes et les risques en ligne."
        ),
    },
    {
        "full_name": "Johan Lindqvist",
        "role": "Safety and Security Coordinator",
        "organisation": "City of Malmö",
        "country": "SE",
        "biography": "Runs the city's data-driven violence prevention programme.",
        "role_fr": "Coordinateur sûreté et sécurité",
        "organisation_fr": "Ville de Malmö",
        "biography_fr": (
            "Dirige le programme de prévention de la violence de la ville, fondé sur les données."
        ),
    },
    {
        "full_name": "Nathalie Berset",
        "role": "Administrative Councillor in charge of Security",
        "organisation": "City of Meyrin",
        "country": "CH",
        "biography": "Developed the city's participatory safety walks.",
        "role_fr": "Conseillère administrative chargée de la sécurité",
        "organisation_fr": "Ville de Meyrin",
        "biography_fr": "A lancé les marches exploratoires participatives de la ville.",
    },
    {
        "full_name": "Rafael Moreau",
        "role": "Head of the Prevention Department",
        "organisation": "City of Strasbourg",
        "country": "FR",
        "biography": "Coordinates social mediation and drug prevention teams.",
        "role_fr": "Chef du service de la prévention",
        "organisation_fr": "Ville de Strasbourg",
        "biography_fr": (
            "Coordonne les équipes de médiation sociale et de prévention des addictions."
        ),
    },
    {
        "full_name": "Carmen Ortega Ruiz",
        "role": "Head of Gender-Based Violence Prevention",
        "organisation": "City of Madrid",
        "country": "ES",
        "biography": "Designed the city's safe spaces network for women in nightlife venues.",
        "role_fr": "Responsable de la prévention des violences de genre",
        "organisation_fr": "Ville de Madrid",
        "biography_fr": (
            "A conçu le réseau de lieux sûrs pour les femmes dans les établissements de nuit "
            "de la ville."
        ),
    },
    {
        "full_name": "Andrea Conti",
        "role": "Commander of the Local Police",
        "organisation": "City of Turin",
        "country": "IT",
        "biography": "Leads the local police's work on major events and crowd safety.",
        "role_fr": "Commandant de la police locale",
        "organisation_fr": "Ville de Turin",
        "biography_fr": (
            "Dirige l’action de la police locale lors des grands événements et pour la "
            "sécurité des foules."
        ),
    },
    {
        "full_name": "Pieter Janssens",
        "role": "Head of the Integrated Security Department",
        "organisation": "City of Mechelen",
        "country": "BE",
        "biography": "Known for local work on the prevention of radicalisation.",
        "role_fr": "Chef du service de sécurité intégrale",
        "organisation_fr": "Ville de Malines",
        "biography_fr": "Connu pour son travail local de prévention de la radicalisation.",
    },
    {
        "full_name": "Eva Novotná",
        "role": "Crime Prevention Manager",
        "organisation": "City of Brno",
        "country": "CZ",
        "biography": "Runs programmes on homelessness, public space and mental health.",
        "role_fr": "Responsable de la prévention de la délinquance",
        "organisation_fr": "Ville de Brno",
        "biography_fr": (
            "Mène des programmes sur le sans-abrisme, l’espace public et la santé mentale."
        ),
    },
    {
        "full_name": "Sofia Lindholm",
        "role": "Senior Adviser, Violence Prevention",
        "organisation": "City of Helsinki",
        "country": "FI",
        "biography": "Works on domestic violence and support services for victims.",
        "role_fr": "Conseillère principale, prévention de la violence",
        "organisation_fr": "Ville d’Helsinki",
        "biography_fr": (
            "Travaille sur les violences conjugales et les services d’aide aux victimes."
        ),
    },
    {
        "full_name": "Dimitris Papadakis",
        "role": "Researcher in criminology",
        "organisation": "European Forum for Urban Security (Efus)",
        "country": "GR",
        "biography": "Associate expert on the evaluation of prevention policies.",
        "role_fr": "Chercheur en criminologie",
        "organisation_fr": "Forum européen pour la sécurité urbaine (Efus)",
        "biography_fr": "Expert associé pour l’évaluation des politiques de prévention.",
    },
    {
        "full_name": "Ana Horvat",
        "role": "Head of the Youth and Sport Department",
        "organisation": "City of Zagreb",
        "country": "HR",
        "biography": "Uses sport programmes to reach young people at risk.",
        "role_fr": "Cheffe du service de la jeunesse et des sports",
        "organisation_fr": "Ville de Zagreb",
        "biography_fr": (
            "S’appuie sur des programmes sportifs pour toucher les jeunes en situation de risque."
        ),
    },
    {
        "full_name": "Henrik Dahl",
        "role": "Chief Resilience Officer",
        "organisation": "City of Copenhagen",
        "country": "DK",
        "biography": "Prepares the city for floods and other climate-related emergencies.",
        "role_fr": "Responsable de la résilience",
        "organisation_fr": "Ville de Copenhague",
        "biography_fr": "Prépare la ville aux inondations et aux autres urgences liées au climat.",
    },
]

# Interpretation at plenary sessions, into every language but the one spoken.
_PLENARY_FROM_FRENCH = ["en", "es", "it", "de"]
_PLENARY_FROM_ENGLISH = ["fr", "es", "it", "de"]

# day: 0 for the first day of the conference. Titles are unique: they are the natural key.
# room None means away from the venue (location says where) or anywhere in it (breaks).
SESSIONS: list[SessionEntry] = [
    # --- Day 1: Wednesday 20 October -------------------------------------------------------
    {
        "day": 0,
        "starts": "12:00",
        "ends": "14:00",
        "kind": "break",
        "title": "Arrival and registration",
        "title_fr": "Accueil et enregistrement",
        "description_fr": (
            "Retrait du badge et de la sacoche de la conférence\u00a0; un déjeuner léger est servi."
        ),
        "location_fr": "Hall principal, Palais Acropolis",
        "location": "Main hall, Palais Acropolis",
        "description": "Collect your badge and conference bag; a light lunch is served.",
    },
    {
        "day": 0,
        "starts": "14:00",
        "ends": "14:30",
        "kind": "plenary",
        "title": "Opening ceremony",
        "title_fr": "Cérémonie d’ouverture",
        "description_fr": "Mot d’accueil de la ville hôte et du réseau Efus.",
        "room": "Apollon",
        "language": "fr",
        "interpretation": _PLENARY_FROM_FRENCH,
        "speakers": ["Claire Fontanel", "Laurent Dumoulin", "Hélène Marchetti"],
        "description": "Welcome by the host city and by the Efus network.",
    },
    {
        "day": 0,
        "starts": "14:30",
        "ends": "15:15",
        "kind": "plenary",
        "title": "Opening plenary: cities on the front line of every crisis",
        "title_fr": (
            "Plénière d’ouverture\u00a0: les villes en première ligne face à toutes les crises"
        ),
        "description_fr": (
            "Depuis 2017, villes et régions ont affronté une pandémie, des attentats "
            "terroristes et des catastrophes climatiques. Quelles leçons en ont-elles tirées, "
            "et qu’attendent-elles des échelons national et européen\u00a0?"
        ),
        "room": "Apollon",
        "language": "en",
        "interpretation": _PLENARY_FROM_ENGLISH,
        "speakers": ["Hélène Marchetti", "Montserrat Puig Ferrer", "Tobias Reinhardt"],
        "description": (
            "Since 2017, cities and regions have faced a pandemic, terrorist attacks and "
            "climate disasters. What have they learnt, and what do they need from national "
            "and European levels?"
        ),
    },
    {
        "day": 0,
        "starts": "15:15",
        "ends": "15:30",
        "kind": "break",
        "title": "Coffee break",
        "title_fr": "Pause-café",
        "location": "Foyer Apollon",
    },
    {
        "day": 0,
        "starts": "15:30",
        "ends": "16:00",
        "kind": "focus",
        "title": "Focus: local safety audits, a practical method",
        "title_fr": "Focus\u00a0: le diagnostic local de sécurité, une méthode pratique",
        "description_fr": (
            "Comment établir le diagnostic des problèmes de sécurité d’une ville avant de "
            "choisir les réponses."
        ),
        "room": "Salle Délos",
        "capacity": 70,
        "language": "en",
        "speakers": ["Dimitris Papadakis"],
        "description": "How to diagnose a city's security problems before choosing responses.",
    },
    {
        "day": 0,
        "starts": "15:30",
        "ends": "16:00",
        "kind": "focus",
        "title": "Focus: European funding for urban security projects",
        "title_fr": "Focus\u00a0: les financements européens des projets de sécurité urbaine",
        "description_fr": (
            "Quels programmes européens financent la prévention locale, et comment y répondre."
        ),
        "room": "Salle Paros",
        "capacity": 50,
        "language": "fr",
        "interpretation": ["en"],
        "speakers": ["Giulia Ferraresi"],
        "description": "Which European programmes fund local prevention, and how to apply.",
    },
    {
        "day": 0,
        "starts": "16:00",
        "ends": "17:30",
        "kind": "workshop",
        "title": "Preventing radicalisation leading to violent extremism at local level",
        "title_fr": "Prévenir la radicalisation menant à l’extrémisme violent à l’échelle locale",
        "description_fr": (
            "Réseaux locaux de prévention, repérage précoce et travail avec les familles."
        ),
        "room": "Athéna",
        "capacity": 250,
        "language": "en",
        "interpretation": ["fr"],
        "speakers": ["Pieter Janssens"],
        "description": "Local prevention networks, early warning and working with families.",
    },
    {
        "day": 0,
        "starts": "16:00",
        "ends": "17:30",
        "kind": "workshop",
        "title": "Drugs, alcohol and nightlife: reducing harm in city centres",
        "title_fr": "Drogues, alcool et vie nocturne\u00a0: réduire les risques en centre-ville",
        "description_fr": (
            "Maires de la nuit, réduction des risques et cohabitation entre riverains et "
            "établissements de nuit."
        ),
        "room": "Hermès",
        "capacity": 180,
        "language": "fr",
        "interpretation": ["en"],
        "speakers": ["Laurent Dumoulin", "Rafael Moreau"],
        "description": "Night mayors, harm reduction and the cohabitation of residents and bars.",
    },
    {
        "day": 0,
        "starts": "16:00",
        "ends": "17:30",
        "kind": "workshop",
        "title": "Video surveillance and artificial intelligence: what ethics for cities?",
        "title_fr": (
            "Vidéoprotection et intelligence artificielle\u00a0: quelle éthique pour les "
            "villes\u00a0?"
        ),
        "description_fr": (
            "La technologie dans l’espace public\u00a0: proportionnalité, évaluation, "
            "confiance des habitants."
        ),
        "room": "Salle Méditerranée",
        "capacity": 150,
        "language": "en",
        "interpretation": ["fr"],
        "speakers": ["Johan Lindqvist"],
        "description": "Technology in public space: proportionality, evaluation, public trust.",
    },
    {
        "day": 0,
        "starts": "16:00",
        "ends": "17:30",
        "kind": "workshop",
        "title": "Supporting victims of crime and terrorism",
        "title_fr": "Accompagner les victimes de la délinquance et du terrorisme",
        "description_fr": (
            "Ce qu’une ville peut offrir aux victimes dans les heures, les mois et les années "
            "qui suivent."
        ),
        "room": "Salle Rhodes",
        "capacity": 100,
        "language": "fr",
        "description": "What a city can offer victims in the hours, months and years after.",
    },
    {
        "day": 0,
        "starts": "18:30",
        "ends": "20:30",
        "kind": "social",
        "title": "Welcome reception",
        "title_fr": "Réception de bienvenue",
        "description_fr": (
            "Apéritif et spécialités niçoises avec des délégués venus de toute l’Europe."
        ),
        "location_fr": "Terrasse du Palais Acropolis",
        "location": "Terrace of the Palais Acropolis",
        "description": "Drinks and Niçois specialities with delegates from across Europe.",
    },
    # --- Day 2: Thursday 21 October ----------------------------------------------------------
    {
        "day": 1,
        "starts": "08:30",
        "ends": "09:30",
        "kind": "break",
        "title": "Welcome coffee",
        "title_fr": "Café d’accueil",
        "location": "Foyer Apollon",
    },
    {
        "day": 1,
        "starts": "09:30",
        "ends": "11:00",
        "kind": "workshop",
        "title": "Youth, sport and prevention",
        "title_fr": "Jeunesse, sport et prévention",
        "description_fr": (
            "Le sport et le travail de rue pour aller vers les jeunes en situation de risque."
        ),
        "room": "Athéna",
        "capacity": 250,
        "language": "en",
        "interpretation": ["fr"],
        "speakers": ["Ana Horvat"],
        "description": "Sport and street work as ways to reach young people at risk.",
    },
    {
        "day": 1,
        "starts": "09:30",
        "ends": "11:00",
        "kind": "workshop",
        "title": "Gender-based violence and harassment in public spaces",
        "title_fr": "Violences sexistes et harcèlement dans l’espace public",
        "description_fr": (
            "Marches exploratoires, lieux sûrs et formation des personnels des transports."
        ),
        "room": "Hermès",
        "capacity": 180,
        "language": "fr",
        "interpretation": ["en"],
        "speakers": ["Carmen Ortega Ruiz"],
        "description": "Exploratory walks, safe spaces and training for transport staff.",
    },
    {
        "day": 1,
        "starts": "09:30",
        "ends": "11:00",
        "kind": "workshop",
        "title": "The role of citizens in crisis management",
        "title_fr": "Le rôle des citoyens dans la gestion de crise",
        "description_fr": (
            "Bénévoles, réseaux de voisinage et sécurité civile\u00a0: agir ensemble."
        ),
        "room": "Salle Méditerranée",
        "capacity": 150,
        "language": "en",
        "interpretation": ["fr"],
        "speakers": ["Katrin Albers"],
        "description": "Volunteers, neighbourhood networks and civil protection working together.",
    },
    {
        "day": 1,
        "starts": "09:30",
        "ends": "11:00",
        "kind": "workshop",
        "title": "Citizen participation in local security policies",
        "title_fr": "La participation citoyenne aux politiques locales de sécurité",
        "description_fr": (
            "Diagnostics en marchant, conseils de quartier et panels d’habitants qui orientent "
            "l’action publique."
        ),
        "room": "Salle Rhodes",
        "capacity": 100,
        "language": "fr",
        "speakers": ["Nathalie Berset"],
        "description": "Safety walks, local councils and residents' panels that shape policy.",
    },
    {
        "day": 1,
        "starts": "11:00",
        "ends": "11:30",
        "kind": "break",
        "title": "Morning break",
        "title_fr": "Pause du matin",
        "location": "Foyer Apollon",
    },
    {
        "day": 1,
        "starts": "11:30",
        "ends": "13:00",
        "kind": "workshop",
        "title": "Designing safer public spaces",
        "title_fr": "Concevoir des espaces publics plus sûrs",
        "description_fr": "Protéger les lieux très fréquentés sans en faire des forteresses.",
        "room": "Athéna",
        "capacity": 250,
        "language": "en",
        "interpretation": ["fr"],
        "speakers": ["Claire Fontanel", "Sanne de Vries"],
        "description": "Protecting crowded places without turning them into fortresses.",
    },
    {
        "day": 1,
        "starts": "11:30",
        "ends": "13:00",
        "kind": "workshop",
        "title": "Trafficking in human beings: what cities can do",
        "title_fr": "Traite des êtres humains\u00a0: ce que peuvent faire les villes",
        "description_fr": "Repérer l’exploitation et orienter les victimes vers les bons services.",
        "room": "Hermès",
        "capacity": 180,
        "language": "en",
        "interpretation": ["fr"],
        "description": "Spotting exploitation and referring victims to the right services.",
    },
    {
        "day": 1,
        "starts": "11:30",
        "ends": "13:00",
        "kind": "workshop",
        "title": "Municipal police and community policing",
        "title_fr": "Police municipale et police de proximité",
        "description_fr": "Îlotiers, confiance et relations avec les habitants.",
        "room": "Salle Méditerranée",
        "capacity": 150,
        "language": "fr",
        "interpretation": ["en"],
        "speakers": ["João Carvalho Mendes"],
        "description": "Neighbourhood officers, trust and the relationship with residents.",
    },
    {
        "day": 1,
        "starts": "11:30",
        "ends": "13:00",
        "kind": "workshop",
        "title": "Polarisation and hate crime at local level",
        "title_fr": "Polarisation et crimes de haine à l’échelle locale",
        "description_fr": "Repérer tôt les tensions et y répondre ensemble.",
        "room": "Salle Rhodes",
        "capacity": 100,
        "language": "en",
        "speakers": ["Tobias Reinhardt"],
        "description": "Recognising tensions early and answering them together.",
    },
    {
        "day": 1,
        "starts": "13:00",
        "ends": "14:30",
        "kind": "break",
        "title": "Lunch",
        "title_fr": "Déjeuner",
        "location_fr": "Restaurant du Palais Acropolis",
        "location": "Restaurant of the Palais Acropolis",
    },
    {
        "day": 1,
        "starts": "14:30",
        "ends": "16:00",
        "kind": "workshop",
        "title": "Security of major events and tourist destinations",
        "title_fr": "Sécurité des grands événements et des destinations touristiques",
        "description_fr": (
            "Sécurité des foules, partenariats avec les organisateurs et le secteur privé."
        ),
        "room": "Athéna",
        "capacity": 250,
        "language": "en",
        "interpretation": ["fr"],
        "speakers": ["Andrea Conti"],
        "description": "Crowd safety, partnerships with organisers and the private sector.",
    },
    {
        "day": 1,
        "starts": "14:30",
        "ends": "16:00",
        "kind": "workshop",
        "title": "Restorative justice and alternatives to custody",
        "title_fr": "Justice restaurative et alternatives à l’incarcération",
        "description_fr": (
            "Médiation, réparation et travail d’intérêt général\u00a0: des réponses locales "
            "aux infractions."
        ),
        "room": "Hermès",
        "capacity": 180,
        "language": "fr",
        "interpretation": ["en"],
        "description": "Mediation, reparation and community work as local answers to offences.",
    },
    {
        "day": 1,
        "starts": "14:30",
        "ends": "16:00",
        "kind": "workshop",
        "title": "Data, evaluation and evidence-based prevention",
        "title_fr": "Données, évaluation et prévention fondée sur les preuves",
        "description_fr": (
            "Mesurer ce qui fonctionne et partager les données entre partenaires dans le "
            "respect du droit."
        ),
        "room": "Salle Méditerranée",
        "capacity": 150,
        "language": "en",
        "speakers": ["Dimitris Papadakis", "Johan Lindqvist"],
        "description": "Measuring what works, and sharing data between partners lawfully.",
    },
    {
        "day": 1,
        "starts": "14:30",
        "ends": "18:00",
        "kind": "site_visit",
        "title": "Site visit: the urban supervision centre of the municipal police",
        "title_fr": (
            "Visite de terrain\u00a0: le centre de supervision urbain de la police municipale"
        ),
        "description_fr": (
            "Comment caméras, patrouilles et services de secours sont coordonnés en temps réel."
        ),
        "location_fr": "Centre de supervision urbain de la police municipale de Nice",
        "location": "Nice Police Municipale urban supervision centre",
        "capacity": 25,
        "language": "fr",
        "interpretation": ["en"],
        "description": "How cameras, patrols and emergency services are coordinated in real time.",
        # A police building: its security service clears the visitors beforehand.
        "identity": ["full_name", "nationality", "id_number", "date_of_birth"],
    },
    {
        "day": 1,
        "starts": "14:30",
        "ends": "18:00",
        "kind": "site_visit",
        "title": "Site visit: mediation and prevention in the Les Moulins district",
        "title_fr": "Visite de terrain\u00a0: médiation et prévention dans le quartier des Moulins",
        "description_fr": (
            "Rencontre avec des médiateurs sociaux, des éducateurs et des associations d’habitants."
        ),
        "location_fr": "Quartier des Moulins, Nice (car au départ de l’Acropolis)",
        "location": "Les Moulins district, Nice (coach from the Acropolis)",
        "capacity": 30,
        "language": "fr",
        "description": "Meet social mediators, youth workers and residents' associations.",
    },
    {
        "day": 1,
        "starts": "14:30",
        "ends": "18:00",
        "kind": "site_visit",
        "title": "Site visit: protecting crowded places on the Promenade des Anglais",
        "title_fr": (
            "Visite de terrain\u00a0: protéger les lieux très fréquentés sur la promenade des "
            "Anglais"
        ),
        "description_fr": (
            "Un mobilier urbain de protection conçu pour se fondre dans une promenade publique."
        ),
        "location_fr": "Promenade des Anglais, rendez-vous au jardin Albert-Ier",
        "location": "Promenade des Anglais, meeting point at the Jardin Albert-Ier",
        "capacity": 40,
        "language": "en",
        "description": "Protective street furniture designed to blend into a public promenade.",
    },
    {
        "day": 1,
        "starts": "16:00",
        "ends": "16:30",
        "kind": "break",
        "title": "Afternoon break",
        "title_fr": "Pause de l’après-midi",
        "location": "Foyer Apollon",
    },
    {
        "day": 1,
        "starts": "16:30",
        "ends": "18:00",
        "kind": "workshop",
        "title": "Cybercrime and online hate: the role of local authorities",
        "title_fr": "Cybercriminalité et haine en ligne\u00a0: le rôle des collectivités locales",
        "description_fr": (
            "Protéger les habitants et les services locaux contre les menaces en ligne."
        ),
        "room": "Athéna",
        "capacity": 250,
        "language": "en",
        "interpretation": ["fr"],
        "speakers": ["Elīna Ozoliņa"],
        "description": "Protecting residents and local services against online threats.",
    },
    {
        "day": 1,
        "starts": "16:30",
        "ends": "18:00",
        "kind": "workshop",
        "title": "Mental health, homelessness and public space",
        "title_fr": "Santé mentale, sans-abrisme et espace public",
        "description_fr": (
            "Des équipes mobiles qui apportent l’aide sociale et les soins dans la rue."
        ),
        "room": "Hermès",
        "capacity": 180,
        "language": "en",
        "interpretation": ["fr"],
        "speakers": ["Eva Novotná"],
        "description": "Outreach teams that bring social and health care to the street.",
    },
    {
        "day": 1,
        "starts": "16:30",
        "ends": "18:00",
        "kind": "workshop",
        "title": "Regional security strategies and their cities",
        "title_fr": "Les stratégies régionales de sécurité et leurs villes",
        "description_fr": (
            "Comment les régions soutiennent, financent et coordonnent la prévention municipale."
        ),
        "room": "Salle Méditerranée",
        "capacity": 150,
        "language": "fr",
        "interpretation": ["en"],
        "speakers": ["Giulia Ferraresi", "Montserrat Puig Ferrer"],
        "description": "How regions support, fund and coordinate municipal prevention.",
    },
    # --- Day 3: Friday 22 October ------------------------------------------------------------
    {
        "day": 2,
        "starts": "09:30",
        "ends": "11:00",
        "kind": "workshop",
        "title": "Schools and their surroundings: preventing violence among young people",
        "title_fr": "L’école et ses abords\u00a0: prévenir la violence chez les jeunes",
        "description_fr": "L’école, les familles et la ville ensemble contre la violence.",
        "room": "Athéna",
        "capacity": 250,
        "language": "en",
        "interpretation": ["fr"],
        "speakers": ["Elīna Ozoliņa", "Ana Horvat"],
        "description": "Schools, families and the city working together against violence.",
    },
    {
        "day": 2,
        "starts": "09:30",
        "ends": "11:00",
        "kind": "workshop",
        "title": "Social cohesion and the inclusion of newcomers",
        "title_fr": "Cohésion sociale et inclusion des nouveaux arrivants",
        "description_fr": (
            "Accueillir migrants et réfugiés dans le cadre d’une politique locale de sécurité."
        ),
        "room": "Hermès",
        "capacity": 180,
        "language": "en",
        "interpretation": ["fr"],
        "speakers": ["Agnieszka Wróblewska"],
        "description": "Welcoming migrants and refugees as part of a local security policy.",
    },
    {
        "day": 2,
        "starts": "09:30",
        "ends": "11:00",
        "kind": "workshop",
        "title": "Domestic violence: what the lockdowns taught cities",
        "title_fr": "Violences conjugales\u00a0: ce que les confinements ont appris aux villes",
        "description_fr": (
            "Garder les services d’aide accessibles quand chacun doit rester chez soi."
        ),
        "room": "Salle Méditerranée",
        "capacity": 150,
        "language": "fr",
        "interpretation": ["en"],
        "speakers": ["Sofia Lindholm"],
        "description": "Keeping support services reachable when everyone must stay at home.",
    },
    {
        "day": 2,
        "starts": "09:30",
        "ends": "11:00",
        "kind": "workshop",
        "title": "Floods, wildfires and heatwaves: local security in a changing climate",
        "title_fr": (
            "Inondations, incendies et canicules\u00a0: la sécurité locale face au changement "
            "climatique"
        ),
        "description_fr": "Préparer les habitants et les services aux urgences climatiques.",
        "room": "Salle Rhodes",
        "capacity": 100,
        "language": "en",
        "speakers": ["Henrik Dahl"],
        "description": "Preparing residents and services for climate-related emergencies.",
    },
    {
        "day": 2,
        "starts": "11:00",
        "ends": "11:30",
        "kind": "break",
        "title": "Mid-morning break",
        "title_fr": "Pause de milieu de matinée",
        "location": "Foyer Apollon",
    },
    {
        "day": 2,
        "starts": "11:30",
        "ends": "12:30",
        "kind": "plenary",
        "title": "Closing plenary: co-producing urban security in Europe",
        "title_fr": "Plénière de clôture\u00a0: coproduire la sécurité urbaine en Europe",
        "description_fr": "Maires et responsables régionaux tirent les leçons de ces trois jours.",
        "room": "Apollon",
        "language": "en",
        "interpretation": _PLENARY_FROM_ENGLISH,
        "speakers": ["Sanne de Vries", "Agnieszka Wróblewska", "Tobias Reinhardt"],
        "description": "Mayors and regional leaders draw the lessons of the three days.",
    },
    {
        "day": 2,
        "starts": "12:30",
        "ends": "13:15",
        "kind": "plenary",
        "title": "Closing ceremony and signing of the Nice Declaration",
        "title_fr": "Cérémonie de clôture et signature de la Déclaration de Nice",
        "description_fr": (
            "Les collectivités membres de l’Efus adoptent la Déclaration Sécurité, démocratie "
            "et villes."
        ),
        "room": "Apollon",
        "language": "fr",
        "interpretation": _PLENARY_FROM_FRENCH,
        "speakers": ["Laurent Dumoulin", "Claire Fontanel"],
        "description": (
            "Efus member authorities adopt the Security, Democracy and Cities Declaration."
        ),
    },
    {
        "day": 2,
        "starts": "13:15",
        "ends": "14:30",
        "kind": "social",
        "title": "Farewell lunch",
        "title_fr": "Déjeuner de clôture",
        "location_fr": "Restaurant du Palais Acropolis",
        "location": "Restaurant of the Palais Acropolis",
    },
]

# --- Generated registrations (seed_demo --registrations N) -------------------------------------

# Names by tradition. Where surnames change with gender, "surnames_female"/"surnames_male"
# replace "surnames".
NAMES = {
    "french": {
        "female": [
            "Camille",
            "Élodie",
            "Maëlle",
            "Hélène",
            "Céline",
            "Sophie",
            "Amélie",
            "Inès",
            "Léa",
            "Noémie",
            "Françoise",
            "Agnès",
            "Bérénice",
            "Zoé",
        ],
        "male": [
            "Julien",
            "Mathieu",
            "François",
            "Jérôme",
            "Sébastien",
            "Olivier",
            "Loïc",
            "Benoît",
            "Thierry",
            "Raphaël",
            "Cédric",
            "Étienne",
            "Gaël",
            "Hervé",
        ],
        "surnames": [
            "Martin",
            "Bernard",
            "Lefèvre",
            "Girard",
            "Rousseau",
            "Fontaine",
            "Chevalier",
            "Lemaître",
            "Bérenger",
            "Gauthier",
            "Moreau",
            "Dubois",
            "Faure",
            "Mercier",
            "Aubry",
            "Lacroix",
            "Brémond",
            "Castellan",
            "Pelletier",
        ],
    },
    "dutch": {
        "female": [
            "Sanne",
            "Femke",
            "Lotte",
            "Inge",
            "Marieke",
            "Eline",
            "Annelies",
            "Griet",
            "Noor",
            "Anouk",
        ],
        "male": [
            "Jeroen",
            "Bram",
            "Pieter",
            "Joost",
            "Koen",
            "Wouter",
            "Stijn",
            "Sander",
            "Thijs",
            "Maarten",
        ],
        "surnames": [
            "de Vries",
            "van Dijk",
            "Bakker",
            "Janssens",
            "Peeters",
            "Visser",
            "van den Berg",
            "Maes",
            "de Jong",
            "Willems",
            "Claes",
            "Smits",
            "Verhoeven",
            "Mertens",
            "van 't Hof",
        ],
    },
    "german": {
        "female": [
            "Sabine",
            "Anja",
            "Jana",
            "Lena",
            "Julia",
            "Birgit",
            "Ursula",
            "Miriam",
            "Anke",
            "Jördis",
            "Sünje",
        ],
        "male": [
            "Jürgen",
            "Matthias",
            "Lukas",
            "Stefan",
            "Jörg",
            "Tobias",
            "Florian",
            "Andreas",
            "Günther",
            "Maximilian",
        ],
        "surnames": [
            "Müller",
            "Schäfer",
            "Weiß",
            "Hoffmann",
            "Köhler",
            "Becker",
            "Schröder",
            "Krüger",
            "Zimmermann",
            "Wagner",
            "Fuchs",
            "Groß",
            "Lehmann",
            "Böhm",
            "Schütz",
            "Meißner",
        ],
    },
    "spanish": {
        "female": [
            "María José",
            "Lucía",
            "Núria",
            "Montserrat",
            "Carmen",
            "Begoña",
            "Inés",
            "Pilar",
            "Sofía",
            "Mònica",
            "Aitana",
        ],
        "male": [
            "José Luis",
            "Álvaro",
            "Jordi",
            "Javier",
            "Andrés",
            "Iñaki",
            "Sergio",
            "Raúl",
            "Òscar",
            "Ramón",
        ],
        "surnames": [
            "García",
            "Fernández",
            "López",
            "Martínez",
            "Sánchez",
            "Puig",
            "Ibáñez",
            "Muñoz",
            "Rodríguez",
            "Vidal",
            "Castaño",
            "Peña",
            "Ferrer",
            "Gómez",
        ],
    },
    "italian": {
        "female": [
            "Giulia",
            "Francesca",
            "Chiara",
            "Alessia",
            "Federica",
            "Ilaria",
            "Lucrezia",
            "Benedetta",
            "Caterina",
        ],
        "male": [
            "Niccolò",
            "Lorenzo",
            "Matteo",
            "Davide",
            "Andrea",
            "Gianluca",
            "Raffaele",
            "Tommaso",
            "Nicolò",
        ],
        "surnames": [
            "Rossi",
            "Bianchi",
            "Esposito",
            "Ricci",
            "Lombardi",
            "De Luca",
            "Mancini",
            "Fabbri",
            "Galli",
            "Ferrari",
            "Conti",
            "Marchetti",
            "Cattaneo",
            "D'Angelo",
            "Sanfilippo",
        ],
    },
    "portuguese": {
        "female": [
            "Inês",
            "Joana",
            "Beatriz",
            "Mariana",
            "Conceição",
            "Leonor",
            "Sónia",
            "Mafalda",
        ],
        "male": ["João", "António", "Gonçalo", "Rui", "Tiago", "Sebastião", "Luís", "Vasco"],
        "surnames": [
            "Gonçalves",
            "Magalhães",
            "Simões",
            "Ferreira",
            "Rodrigues",
            "Araújo",
            "Brandão",
            "Lourenço",
            "Assunção",
            "Figueiredo",
            "Estêvão",
        ],
    },
    "polish": {
        "female": [
            "Agnieszka",
            "Małgorzata",
            "Katarzyna",
            "Zofia",
            "Joanna",
            "Żaneta",
            "Jadwiga",
            "Urszula",
        ],
        "male": [
            "Łukasz",
            "Paweł",
            "Grzegorz",
            "Michał",
            "Jędrzej",
            "Wojciech",
            "Przemysław",
            "Maciej",
        ],
        "surnames_female": [
            "Wiśniewska",
            "Kowalczyk",
            "Woźniak",
            "Dąbrowska",
            "Zielińska",
            "Szymańska",
            "Kamińska",
            "Lewandowska",
            "Łuczak",
            "Górska",
        ],
        "surnames_male": [
            "Wiśniewski",
            "Kowalczyk",
            "Woźniak",
            "Dąbrowski",
            "Zieliński",
            "Szymański",
            "Kamiński",
            "Lewandowski",
            "Łuczak",
            "Górski",
        ],
    },
    "czech": {
        "female": ["Tereza", "Kateřina", "Lucie", "Markéta", "Zuzana", "Dagmar"],
        "male": ["Jiří", "Tomáš", "Ondřej", "Petr", "Lukáš", "Radek"],
        "surnames_female": [
            "Nováková",
            "Dvořáková",
            "Černá",
            "Procházková",
            "Kučerová",
            "Svobodová",
            "Růžičková",
        ],
        "surnames_male": ["Novák", "Dvořák", "Černý", "Procházka", "Kučera", "Svoboda", "Růžička"],
    },
    "greek": {
        "female": ["Μαρία", "Ελένη", "Αικατερίνη", "Σοφία", "Δέσποινα", "Ευαγγελία"],
        "male": ["Γιώργος", "Δημήτρης", "Νίκος", "Κωνσταντίνος", "Χρήστος", "Παναγιώτης"],
        "surnames_female": [
            "Παπαδοπούλου",
            "Γεωργίου",
            "Οικονόμου",
            "Καραγιάννη",
            "Νικολάου",
            "Βασιλείου",
        ],
        "surnames_male": [
            "Παπαδόπουλος",
            "Γεωργίου",
            "Οικονόμου",
            "Καραγιάννης",
            "Νικολάου",
            "Βασιλείου",
        ],
    },
    "bulgarian": {
        "female": ["Мария", "Десислава", "Радостина", "Цветелина", "Йорданка", "Елица"],
        "male": ["Георги", "Димитър", "Христо", "Стоян", "Пламен", "Ивайло"],
        "surnames_female": ["Иванова", "Петрова", "Георгиева", "Димитрова", "Стоянова", "Христова"],
        "surnames_male": ["Иванов", "Петров", "Георгиев", "Димитров", "Стоянов", "Христов"],
    },
    "nordic": {
        "female": ["Åsa", "Ingrid", "Sigrid", "Linnéa", "Maja", "Astrid", "Päivi", "Siv", "Sølvi"],
        "male": ["Björn", "Søren", "Øyvind", "Mikael", "Anders", "Jukka", "Håkan", "Ole", "Jyrki"],
        "surnames": [
            "Åberg",
            "Sjöström",
            "Lindqvist",
            "Nyström",
            "Johansson",
            "Sørensen",
            "Kristiansen",
            "Østergaard",
            "Halvorsen",
            "Virtanen",
            "Mäkinen",
            "Korhonen",
            "Ærø",
        ],
    },
    "latvian": {
        "female": ["Elīna", "Ilze", "Dace", "Līga", "Inese"],
        "male": ["Jānis", "Mārtiņš", "Andris", "Edgars", "Kārlis"],
        "surnames_female": ["Bērziņa", "Kalniņa", "Ozoliņa", "Liepiņa", "Krūmiņa"],
        "surnames_male": ["Bērziņš", "Kalniņš", "Ozoliņš", "Liepiņš", "Krūmiņš"],
    },
    "south_slavic": {
        "female": ["Maja", "Ana", "Nina", "Petra", "Špela", "Ivana"],
        "male": ["Luka", "Matej", "Jure", "Ivan", "Đuro", "Tomislav"],
        "surnames": [
            "Horvat",
            "Kovačić",
            "Novak",
            "Krajnc",
            "Babić",
            "Jurić",
            "Đurić",
            "Zupančič",
            "Marić",
        ],
    },
    "irish": {
        "female": ["Siobhán", "Aoife", "Niamh", "Orla", "Sarah", "Gráinne"],
        "male": ["Seán", "Ciarán", "Pádraig", "Declan", "Conor", "Eoin"],
        "surnames": [
            "Murphy",
            "Kelly",
            "O'Sullivan",
            "Byrne",
            "Walsh",
            "Ryan",
            "McCarthy",
            "Ó Conaill",
        ],
    },
}

# Name traditions of a country's delegates, picked uniformly (repeat one to weigh it).
# A country not listed here, or an international organisation, draws from every tradition.
COUNTRY_NAMES = {
    "FR": ["french"],
    "BE": ["french", "dutch"],
    "NL": ["dutch"],
    "LU": ["french", "german"],
    "CH": ["french", "french", "german"],
    "DE": ["german"],
    "AT": ["german"],
    "ES": ["spanish"],
    "IT": ["italian"],
    "PT": ["portuguese"],
    "PL": ["polish"],
    "CZ": ["czech"],
    "GR": ["greek"],
    "CY": ["greek"],
    "BG": ["bulgarian"],
    "SE": ["nordic"],
    "NO": ["nordic"],
    "DK": ["nordic"],
    "FI": ["nordic"],
    "LV": ["latvian"],
    "SI": ["south_slavic"],
    "HR": ["south_slavic"],
    "IE": ["irish"],
}

# Interpretation a delegate of a name tradition may ask for (a session language).
NAMES_INTERPRETATION = {
    "dutch": "nl",
    "german": "de",
    "spanish": "es",
    "italian": "it",
    "portuguese": "pt",
    "polish": "pl",
}

# (category, weight)
CATEGORY_WEIGHTS = [
    ("delegate", 78),
    ("elected", 13),
    ("speaker", 2),
    ("press", 3),
    ("exhibitor", 2),
    ("staff", 2),
]

# Job titles by preferred language and category.
# A (masculine, feminine) pair where the title has both forms.
JOB_TITLES: dict[str, dict[str, list[str | tuple[str, str]]]] = {
    "en": {
        "delegate": [
            "Head of the prevention department",
            "Urban security coordinator",
            "Community safety officer",
            "Crime prevention adviser",
            "Policy officer",
            "Municipal police officer",
            "Chief of the municipal police",
            "Project manager, European affairs",
            "Social mediator",
            "Youth worker",
            "Victim support coordinator",
            "Researcher",
            "Director of public safety",
        ],
        "elected": [
            "Mayor",
            "Deputy mayor for security",
            "Deputy mayor for prevention",
            "City councillor",
            "Regional councillor",
            "Alderman for public safety",
        ],
        "speaker": ["Head of the prevention department", "Researcher", "Deputy mayor"],
        "press": ["Journalist", "Correspondent", "Photographer"],
        "exhibitor": ["Project officer", "Programme manager"],
        "staff": ["Project manager", "Events coordinator", "Communication officer"],
    },
    # (masculine, feminine): the title agrees with the delegate.
    "fr": {
        "delegate": [
            ("Responsable du service prévention", "Responsable du service prévention"),
            ("Coordinateur du CLSPD", "Coordinatrice du CLSPD"),
            ("Chargé de mission sécurité urbaine", "Chargée de mission sécurité urbaine"),
            ("Directeur de la tranquillité publique", "Directrice de la tranquillité publique"),
            ("Directeur de la prévention", "Directrice de la prévention"),
            ("Chef de la police municipale", "Cheffe de la police municipale"),
            ("Médiateur social", "Médiatrice sociale"),
            ("Éducateur spécialisé", "Éducatrice spécialisée"),
            ("Chargé d'études", "Chargée d'études"),
            ("Responsable de l'aide aux victimes", "Responsable de l'aide aux victimes"),
            ("Chercheur", "Chercheuse"),
        ],
        "elected": [
            ("Maire", "Maire"),
            ("Adjoint au maire chargé de la sécurité", "Adjointe au maire chargée de la sécurité"),
            (
                "Adjoint au maire chargé de la prévention",
                "Adjointe au maire chargée de la prévention",
            ),
            ("Conseiller municipal", "Conseillère municipale"),
            ("Conseiller régional", "Conseillère régionale"),
            ("Échevin de la sécurité", "Échevine de la sécurité"),
        ],
        "speaker": [
            ("Directeur de la prévention", "Directrice de la prévention"),
            ("Chercheur", "Chercheuse"),
            ("Adjoint au maire", "Adjointe au maire"),
        ],
        "press": [("Journaliste", "Journaliste"), ("Correspondant", "Correspondante")],
        "exhibitor": [("Chargé de projet", "Chargée de projet")],
        "staff": [
            ("Chef de projet", "Cheffe de projet"),
            ("Chargé de communication", "Chargée de communication"),
        ],
    },
}

# Department or organisation within the authority; often left empty.
DEPARTMENTS = {
    "en": [
        "Prevention department",
        "Municipal police",
        "Mayor's office",
        "Social cohesion department",
        "Urban planning department",
        "Youth services",
        "European affairs",
        "Crisis management unit",
    ],
    "fr": [
        "Direction de la prévention",
        "Police municipale",
        "Cabinet du maire",
        "Direction de la cohésion sociale",
        "Direction de l'urbanisme",
        "Service jeunesse",
        "Affaires européennes",
        "Cellule de crise",
    ],
}

DIETARY_NEEDS = {
    "en": [
        "Vegetarian",
        "Vegan",
        "Gluten-free",
        "Halal",
        "Kosher",
        "No pork",
        "Lactose intolerant",
        "Allergic to nuts",
    ],
    "fr": [
        "Végétarien",
        "Végétalien",
        "Sans gluten",
        "Halal",
        "Casher",
        "Sans porc",
        "Intolérance au lactose",
        "Allergie aux fruits à coque",
    ],
}

ACCESSIBILITY_NEEDS = {
    "en": [
        "Wheelchair user: step-free access, please",
        "Hearing loop in the plenary room",
        "Seat near the front (low vision)",
        "Accompanied by an assistance dog",
    ],
    "fr": [
        "En fauteuil roulant : accès de plain-pied, merci",
        "Boucle magnétique en plénière",
        "Place au premier rang (malvoyance)",
        "Avec un chien d'assistance",
    ],
}


# Threads through the programme, for filtering it: slug → (English name, French name).
THEMES = {
    "prevention": ("Prevention", "Prévention"),
    "radicalisation": ("Radicalisation and polarisation", "Radicalisation et polarisation"),
    "drugs-nightlife": ("Drugs and nightlife", "Drogues et vie nocturne"),
    "technology": ("Technology and ethics", "Technologies et éthique"),
    "victims": ("Victims and justice", "Victimes et justice"),
    "gender": ("Gender and violence", "Genre et violences"),
    "youth": ("Youth", "Jeunesse"),
    "public-space": ("Public space", "Espace public"),
    "participation": ("Citizen participation", "Participation citoyenne"),
    "crisis": ("Crises and resilience", "Crises et résilience"),
    "policing": ("Policing", "Police"),
    "governance": ("Governance and funding", "Gouvernance et financements"),
}

# Session title → theme slugs.
SESSION_THEMES = {
    "Opening plenary: cities on the front line of every crisis": ["crisis", "governance"],
    "Focus: local safety audits, a practical method": ["prevention", "governance"],
    "Focus: European funding for urban security projects": ["governance"],
    "Preventing radicalisation leading to violent extremism at local level": [
        "radicalisation",
        "prevention",
    ],
    "Drugs, alcohol and nightlife: reducing harm in city centres": ["drugs-nightlife"],
    "Video surveillance and artificial intelligence: what ethics for cities?": ["technology"],
    "Supporting victims of crime and terrorism": ["victims"],
    "Youth, sport and prevention": ["youth", "prevention"],
    "Gender-based violence and harassment in public spaces": ["gender", "public-space"],
    "The role of citizens in crisis management": ["crisis", "participation"],
    "Citizen participation in local security policies": ["participation"],
    "Designing safer public spaces": ["public-space", "prevention"],
    "Trafficking in human beings: what cities can do": ["victims"],
    "Municipal police and community policing": ["policing"],
    "Polarisation and hate crime at local level": ["radicalisation"],
    "Security of major events and tourist destinations": ["public-space", "policing"],
    "Restorative justice and alternatives to custody": ["victims"],
    "Data, evaluation and evidence-based prevention": ["prevention", "technology"],
    "Site visit: the urban supervision centre of the municipal police": ["technology", "policing"],
    "Site visit: mediation and prevention in the Les Moulins district": [
        "prevention",
        "participation",
    ],
    "Site visit: protecting crowded places on the Promenade des Anglais": [
        "public-space",
        "crisis",
    ],
    "Cybercrime and online hate: the role of local authorities": ["technology", "radicalisation"],
    "Mental health, homelessness and public space": ["public-space", "prevention"],
    "Regional security strategies and their cities": ["governance"],
    "Schools and their surroundings: preventing violence among young people": [
        "youth",
        "prevention",
    ],
    "Social cohesion and the inclusion of newcomers": ["participation"],
    "Domestic violence: what the lockdowns taught cities": ["gender", "victims"],
    "Floods, wildfires and heatwaves: local security in a changing climate": ["crisis"],
    "Closing plenary: co-producing urban security in Europe": ["governance"],
}
