"""The demo conference read in French: no page and no email shows an English text of the demo
where it has its French (the list is derived from the demo data, so it grows with it)."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from conference.models import Conference, Session
from registrations.demo import data as demo_data
from registrations.models import Authority
from registrations.places.registrations import RegistrationData, registration_create

pytestmark = pytest.mark.django_db

BOOKED = ["Youth, sport and prevention", "Designing safer public spaces"]


def english_and_french_texts() -> list[tuple[str, str]]:
    """Each text of the demo that delegates read, in English and in French (the English again
    where the demo gives no French: a proper name)."""
    pairs = []
    conference = demo_data.CONFERENCE
    for field in ("name", "tagline", "description", "organiser"):
        pairs.append((conference[field], conference[f"{field}_fr"]))
    for session in demo_data.SESSIONS:
        for field in ("title", "description", "location"):
            if field in session:
                english = session[field]
                pairs.append((english, session.get(f"{field}_fr", english)))
    for speaker in demo_data.SPEAKERS:
        for field in ("role", "organisation", "biography"):
            pairs.append((speaker[field], speaker[f"{field}_fr"]))
    pairs.extend(demo_data.THEMES.values())
    return pairs


def english_only_texts() -> set[str]:
    """The English texts whose French differs, paragraph by paragraph (pages print each in its
    own). Authorities' names are left out: the city list shows every authority as it names
    itself, and the Efus and the Council of Europe name themselves in English there."""
    authority_names = {name for name, _country, _kind, _member in demo_data.AUTHORITIES}
    texts = set()
    for english, french in english_and_french_texts():
        if english != french:
            texts.update(paragraph for paragraph in english.split("\n\n"))
    return texts - authority_names


def english_found_in(content: str) -> list[str]:
    return sorted(
        text for text in english_only_texts() if text in content or escape(text) in content
    )


@pytest.fixture(scope="class")
def open_demo(django_db_setup, django_db_blocker):
    """The demo with registration open, loaded once for the class and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", open_registration=True, stdout=StringIO())
        yield
        transaction.set_rollback(True)


def test_the_list_of_english_only_texts_covers_the_demo():
    texts = english_only_texts()
    assert "Security, Democracy and Cities" in texts
    assert {session["title"] for session in demo_data.SESSIONS} <= texts
    assert {english for english, _french in demo_data.THEMES.values()} <= texts
    assert {speaker["biography"] for speaker in demo_data.SPEAKERS} <= texts
    assert "Foyer Apollon" not in texts  # a proper name, the same in French
    assert "European Forum for Urban Security (Efus)" not in texts  # an authority's own name


@pytest.mark.usefixtures("open_demo")
class TestDemoInFrench:
    def french_pages(self) -> list[str]:
        conference = Conference.objects.get(slug="nice-2021")
        slug = {"slug": conference.slug}
        with translation.override("fr"):
            pages = [
                reverse("conference:list"),
                reverse("conference:detail", kwargs=slug),
                reverse("conference:programme", kwargs=slug),
                reverse("conference:programme", kwargs=slug) + "?theme=youth",
                reverse("conference:speakers", kwargs=slug),
                reverse("registrations:register", kwargs=slug),
                reverse("registrations:delegation_register", kwargs=slug),
                reverse("registrations:lost_link", kwargs=slug),
                reverse("registrations:privacy"),
            ]
            pages += [
                reverse("conference:session", kwargs={**slug, "pk": pk})
                for pk in conference.sessions.values_list("pk", flat=True)
            ]
        return pages

    def test_every_public_page_in_french_shows_the_demo_in_french(self, client):
        pages = self.french_pages()
        assert all(page.startswith("/fr/") for page in pages)
        assert len(pages) == 9 + len(demo_data.SESSIONS)
        found = {}
        for page in pages:
            # The list of conferences leads to the only one.
            response = client.get(page, follow=True)
            assert response.status_code == 200, page
            english = english_found_in(response.content.decode())
            if english:
                found[page] = english
        assert found == {}

    def test_the_french_pages_show_the_french_texts(self, client):
        conference = Conference.objects.get(slug="nice-2021")
        with translation.override("fr"):
            programme = reverse("conference:programme", kwargs={"slug": conference.slug})
        content = client.get(programme).content.decode()
        assert escape("Jeunesse, sport et prévention") in content
        assert escape("Drogues et vie nocturne") in content

    def test_the_french_confirmation_email_shows_the_demo_in_french(
        self, django_capture_on_commit_callbacks
    ):
        conference = Conference.objects.get(slug="nice-2021")
        sessions = Session.objects.filter(conference=conference, title_en__in=BOOKED)
        assert sessions.count() == len(BOOKED)
        data = RegistrationData(
            first_name="Élodie",
            last_name="Garnier",
            email="elodie.garnier@ville-nice.fr",
            job_title="Cheffe de projet prévention",
            preferred_language="fr",
        )

        with django_capture_on_commit_callbacks(execute=True):
            registration_create(
                conference=conference,
                data=data,
                authority=Authority.objects.get(name="Nice", country="FR"),
                sessions=sessions,
            )

        (message,) = mail.outbox
        html = message.alternatives[0][0]
        for part in (message.subject, message.body, html):
            assert english_found_in(part) == []
        assert "Sécurité, démocratie et villes" in message.subject
        assert "Jeunesse, sport et prévention" in message.body
        assert escape("Concevoir des espaces publics plus sûrs") in html
