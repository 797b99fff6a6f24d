"""Renders 500 badges on A4 sheets, with names in many alphabets, and prints how long it took.

    .venv/bin/python bench/badges.py [COUNT]

Rendering needs no database: the registrations are built in memory, unsaved, as the admin
action would load them (conference, venue and authority already joined)."""

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from conference.models import Conference, Venue  # noqa: E402
from registrations.documents.badges import badges_pdf  # noqa: E402
from registrations.models import Authority, Registration  # noqa: E402

# (first name, last name, authority, country): Latin with diacritics, Greek, Cyrillic, and
# names long enough to need shrinking.
PEOPLE = [
    ("Anna", "Nowak", "Gdańsk", "PL"),
    ("Jiří", "Dvořák", "Statutární město Brno", "CZ"),
    ("Γιώργος", "Παπαδόπουλος", "Δήμος Θεσσαλονίκης", "GR"),
    ("Олена", "Шевченко", "Київська міська державна адміністрація", "UA"),
    ("Иван", "Петров", "Столична община", "BG"),
    ("Søren", "Kierkegaard-Østergaard", "Københavns Kommune", "DK"),
    ("Zoë", "Ó Súilleabháin", "Comhairle Cathrach Chorcaí", "IE"),
    ("Đorđe", "Šćepanović", "Glavni grad Podgorica", "ME"),
    ("Maria-Magdalena", "Wojciechowska-Szczepańska", "Urząd Marszałkowski Województwa", "PL"),
    ("Ľubomír", "Kováč", "Bratislavský samosprávny kraj", "SK"),
    ("Ágnes", "Szőke", "Budapest Főváros Önkormányzata", "HU"),
    ("Jean-Baptiste", "de La Tour d'Auvergne", "Métropole Nice Côte d'Azur", "FR"),
]


def registrations(count: int) -> list[Registration]:
    venue = Venue(name="Palais Acropolis", city="Nice", country="FR")
    conference = Conference(
        pk=1,
        name="Security, Democracy and Cities",
        slug="security-democracy-cities",
        start_date=dt.date(2026, 5, 12),
        end_date=dt.date(2026, 5, 14),
        venue=venue,
        reference_prefix="NCE",
    )
    authorities = [Authority(name=name, country=country) for _f, _l, name, country in PEOPLE]
    categories = Registration.Category.values
    return [
        Registration(
            pk=index + 1,
            conference=conference,
            authority=authorities[index % len(PEOPLE)],
            reference=f"NCE-{index:05d}",
            status=Registration.Status.CONFIRMED,
            first_name=PEOPLE[index % len(PEOPLE)][0],
            last_name=PEOPLE[index % len(PEOPLE)][1],
            category=categories[index % len(categories)],
            preferred_language=("en", "fr")[index % 2],
        )
        for index in range(count)
    ]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    badges = registrations(count)
    timings = []
    for _run in range(3):
        started = time.perf_counter()
        pdf = badges_pdf(badges, layout="sheet")
        timings.append(time.perf_counter() - started)
    pages = pdf.count(b"/Type /Page\n")
    print(f"badges: {count}, layout: sheet, pages: {pages}, PDF: {len(pdf) / 1024:.0f} KiB")
    print(
        f"time: first run {timings[0]:.2f} s (includes loading the fonts), "
        f"median of 3 {statistics.median(timings):.2f} s, "
        f"{statistics.median(timings) / count * 1000:.1f} ms a badge"
    )


if __name__ == "__main__":
    main()
