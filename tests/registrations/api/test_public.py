"""The public part of the API: the conference, its programme, speakers and authorities, in
both languages, with conditional GETs and CORS."""

import datetime as dt

import pytest
from django.urls import reverse

from registrations.models import Authority, Registration
from tests.factories import (
    AuthorityFactory,
    ConferenceFactory,
    RegistrationFactory,
    SessionFactory,
    SiteVisitSessionFactory,
    SpeakerFactory,
    ThemeFactory,
)
from tests.factories.registrations import SessionBookingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(conference):
    speaker = SpeakerFactory(conference=conference, full_name="Élodie Martin", country="BE")
    theme = ThemeFactory(conference=conference, name_en="Nightlife", name_fr="Vie nocturne")
    workshop = SessionFactory(
        conference=conference,
        title_en="Safer nightlife",
        title_fr="Une vie nocturne plus sûre",
        capacity=3,
    )
    workshop.speakers.add(speaker)
    workshop.themes.add(theme)
    SessionBookingFactory(
        registration=RegistrationFactory(conference=conference), session=workshop, status="booked"
    )
    return workshop


def test_programme_gives_times_with_the_conference_offset_and_places_left(client, programme):
    response = client.get(reverse("api:sessions", args=[programme.conference.slug]))

    assert response.status_code == 200
    [session] = response.json()
    local = programme.starts_at.astimezone(programme.conference.tzinfo)
    assert session["starts_at"] == local.isoformat()
    assert dt.datetime.fromisoformat(session["starts_at"]).utcoffset() == local.utcoffset()
    assert session["places_left"] == 2
    assert session["capacity"] == 3
    assert session["speakers"][0]["full_name"] == "Élodie Martin"
    assert session["interpretation_languages"] == ["fr"]
    assert session["room"]["name"] == programme.room.name


def test_programme_in_french_by_query_and_by_accept_language(client, programme):
    url = reverse("api:sessions", args=[programme.conference.slug])

    by_query = client.get(url, {"lang": "fr"}, HTTP_ACCEPT_LANGUAGE="en")
    by_header = client.get(url, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    in_english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")

    assert by_query.json()[0]["title"] == "Une vie nocturne plus sûre"
    assert by_query.json()[0]["themes"] == [
        {"slug": programme.themes.get().slug, "name": "Vie nocturne"}
    ]
    assert by_query["Content-Language"] == "fr"
    assert by_header.json()[0]["title"] == "Une vie nocturne plus sûre"
    assert by_header.json()[0]["kind_label"] == "Atelier"
    assert in_english.json()[0]["title"] == "Safer nightlife"
    assert "Accept-Language" in in_english["Vary"]
    assert by_query["ETag"] != in_english["ETag"]


def test_conditional_get_answers_304_until_the_programme_changes(client, programme):
    url = reverse("api:sessions", args=[programme.conference.slug])
    first = client.get(url)

    by_etag = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    programme.title_en = "Safer nightlife, revised"
    programme.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_date.status_code == 304
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_a_booking_changes_the_etag_through_places_left(client, programme):
    url = reverse("api:sessions", args=[programme.conference.slug])
    first = client.get(url)
    SessionBookingFactory(
        registration=RegistrationFactory(conference=programme.conference),
        session=programme,
        status="booked",
    )

    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_conference_says_where_registration_stands(client):
    conference = ConferenceFactory(capacity=2)
    RegistrationFactory(conference=conference)

    response = client.get(reverse("api:conference", args=[conference.slug]))

    registration = response.json()["registration"]
    assert registration["state"] == "open"
    assert registration["places_left"] == 1
    assert registration["opens_at"].endswith(("+01:00", "+02:00"))
    assert response.json()["venue"]["city"] == "Nice"


def test_unpublished_conference_is_not_found(client):
    conference = ConferenceFactory(is_published=False)

    for name in ("api:conference", "api:sessions", "api:speakers", "api:authorities"):
        response = client.get(reverse(name, args=[conference.slug]))
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 404
    assert client.get(reverse("api:conferences")).json() == []


def test_authorities_lists_members_with_a_confirmed_delegate_only(client, conference):
    listed = AuthorityFactory(name="Liège", country="BE", kind=Authority.Kind.MUNICIPALITY)
    RegistrationFactory(conference=conference, authority=listed)
    not_member = AuthorityFactory(name="Gdańsk", country="PL", is_member=False)
    RegistrationFactory(conference=conference, authority=not_member)
    only_waiting = AuthorityFactory(name="Lyon", country="FR")
    RegistrationFactory(
        conference=conference, authority=only_waiting, status=Registration.Status.WAITLISTED
    )
    AuthorityFactory(name="Nantes", country="FR")  # no delegate

    response = client.get(reverse("api:authorities", args=[conference.slug]), {"lang": "fr"})

    assert response.json() == [
        {
            "name": "Liège",
            "kind": "municipality",
            "kind_label": "Commune",
            "country": "BE",
            "country_name": "Belgique",
        }
    ]


def test_authorities_lists_those_an_organiser_marked_listed_and_never_those_marked_hidden(
    client, conference
):
    hidden_member = AuthorityFactory(
        name="Liège", country="BE", public_listing=Authority.PublicListing.HIDDEN
    )
    RegistrationFactory(conference=conference, authority=hidden_member)
    agreed = AuthorityFactory(
        name="Gdańsk", country="PL", is_member=False, public_listing=Authority.PublicListing.LISTED
    )
    RegistrationFactory(conference=conference, authority=agreed)

    response = client.get(reverse("api:authorities", args=[conference.slug]))

    assert [authority["name"] for authority in response.json()] == ["Gdańsk"]


def test_programme_tells_which_sessions_ask_for_identity_data(client, conference):
    SessionFactory(conference=conference, title_en="Workshop")
    SiteVisitSessionFactory(conference=conference, title_en="Police headquarters")

    response = client.get(reverse("api:sessions", args=[conference.slug]))

    assert {session["title"]: session["requires_identity_data"] for session in response.json()} == {
        "Workshop": False,
        "Police headquarters": True,
    }


def test_speakers_list_their_sessions(client, programme):
    response = client.get(reverse("api:speakers", args=[programme.conference.slug]))

    assert response.json()[0]["sessions"] == [programme.pk]


def test_cors_is_open_on_the_public_part_only(client, programme):
    slug = programme.conference.slug
    origin = {"HTTP_ORIGIN": "https://www.nice.fr"}

    public = client.get(reverse("api:sessions", args=[slug]), **origin)
    registrations = client.get(f"/api/v1/conferences/{slug}/registrations/", **origin)

    assert public["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in registrations


def test_openapi_document_is_3_1_and_the_docs_page_uses_our_static_files(client):
    document = client.get(reverse("api:openapi"))
    page = client.get(reverse("api:docs"))
    script = client.get(reverse("api:docs"), {"script": ""})

    assert document.status_code == 200
    assert document.json()["openapi"] == "3.1.0"
    assert "/api/v1/conferences/{slug}/sessions/" in document.json()["paths"]
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    csp = page["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">' in html
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert client.get(page_asset(html)).status_code == 200


def page_asset(html: str) -> str:
    return html.split('<script src="')[1].split('"')[0]
