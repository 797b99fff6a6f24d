"""The error pages: in the site's look and in the page's language; the favicon; the print
style sheet; the language switch."""

import re

import pytest
from django.test import Client

from tests.factories import ConferenceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.error_urls")]

TITLES = {
    ("en", 400): "Bad request",
    ("fr", 400): "Requête incorrecte",
    ("en", 403): "Access denied",
    ("fr", 403): "Accès refusé",
    ("en", 404): "Page not found",
    ("fr", 404): "Page introuvable",
    ("en", 500): "Server error",
    ("fr", 500): "Erreur du serveur",
}


def error_page(language: str, status: int) -> tuple[int, str]:
    client = Client(raise_request_exception=False)
    path = "no-such-page/" if status == 404 else f"test-errors/{status}/"
    response = client.get(f"/{language}/{path}")
    return response.status_code, response.content.decode()


@pytest.mark.parametrize(("language", "status"), sorted(TITLES))
def test_error_page_is_styled_and_in_the_pages_language(language, status):
    code, page = error_page(language, status)

    assert code == status
    assert re.search(r"<html[^>]*>", page)[0] == f'<html lang="{language}">'
    assert f"<title>{TITLES[language, status]}</title>" in page
    assert f"<h1>{TITLES[language, status]}</h1>" in page
    assert 'href="/static/css/site.css"' in page
    assert 'class="site-header' in page
    assert 'href="/static/favicon.svg"' in page


@pytest.mark.parametrize("status", [400, 403, 404])
def test_error_page_in_french_has_no_english_title(status):
    _code, page = error_page("fr", status)

    assert TITLES["en", status] not in page
    assert 'lang="fr">Français</span>' in page


def test_favicon_ico_redirects_to_the_static_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.ico"


def test_static_favicon_is_an_icon_file():
    with open("static/favicon.ico", "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"


def test_programme_links_the_print_stylesheet(client):
    conference = ConferenceFactory()

    page = client.get(f"/en/{conference.slug}/programme/").content.decode()

    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in page


def test_language_switch_names_each_language_in_itself(client):
    conference = ConferenceFactory()

    page = client.get(f"/fr/{conference.slug}/").content.decode()

    assert (
        '<span class="badge text-bg-secondary" aria-current="true" lang="fr">Français</span>'
        in page
    )
    assert re.search(r'<button [^>]*value="en"[^>]*lang="en">English</button>', page)
    assert f'<link rel="alternate" hreflang="en" href="/en/{conference.slug}/">' in page
    assert f'<link rel="alternate" hreflang="fr" href="/fr/{conference.slug}/">' in page
