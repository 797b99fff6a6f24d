import pytest
from django.core.exceptions import ValidationError

from registrations.errors import RegistrationError
from registrations.models import ConsentRecord, DirectoryListing, Registration
from registrations.network.directory import (
    directory_listing_save,
    directory_listing_withdraw,
    directory_search,
)
from registrations.places.status import registration_cancel
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory, ThemeFactory
from tests.registrations.network.conftest import sign_in, url

pytestmark = pytest.mark.django_db


def listed(conference):
    return [listing.registration for listing in directory_search(conference=conference)]


def test_opting_in_records_the_consent_with_its_time(anna, themes):
    listing = directory_listing_save(registration=anna, languages=["pl", "en"], themes=themes[:2])

    assert listing.languages == ["en", "pl"]
    assert set(listing.themes.all()) == set(themes[:2])
    consent = ConsentRecord.objects.get(registration=anna, kind=ConsentRecord.Kind.DIRECTORY)
    assert consent.given_at == listing.listed_at
    assert listed(anna.conference) == [anna]


def test_at_most_three_themes(anna, themes):
    with pytest.raises(RegistrationError):
        directory_listing_save(registration=anna, languages=[], themes=themes)
    assert not DirectoryListing.objects.exists()


def test_unknown_language_is_refused(anna):
    with pytest.raises(RegistrationError):
        directory_listing_save(registration=anna, languages=["xx"], themes=[])
    listing = DirectoryListing(registration=anna, listed_at=anna.created_at, languages=["xx"])
    with pytest.raises(ValidationError):
        listing.full_clean()


def test_themes_of_another_conference_are_refused(anna):
    other_theme = ThemeFactory(conference=ConferenceFactory())
    with pytest.raises(RegistrationError):
        directory_listing_save(registration=anna, languages=[], themes=[other_theme])


def test_only_confirmed_delegates_can_be_listed(conference):
    waiting = RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)
    with pytest.raises(RegistrationError):
        directory_listing_save(registration=waiting, languages=[], themes=[])


def test_withdrawal_is_effective_at_once_and_drops_the_entry(anna, pierre, themes):
    directory_listing_save(registration=anna, languages=["en"], themes=themes[:1])
    directory_listing_save(registration=pierre, languages=["fr"], themes=[])

    assert directory_listing_withdraw(registration=anna)

    assert listed(anna.conference) == [pierre]
    listing = DirectoryListing.objects.get(registration=anna)
    assert listing.withdrawn_at is not None
    assert listing.languages == []
    assert not listing.themes.exists()
    # Listing again is a new consent.
    directory_listing_save(registration=anna, languages=[], themes=[])
    assert ConsentRecord.objects.filter(registration=anna, kind="directory").count() == 2
    assert set(listed(anna.conference)) == {anna, pierre}


def test_cancelled_and_erased_delegates_disappear_at_once(anna, pierre):
    directory_listing_save(registration=anna, languages=[], themes=[])
    directory_listing_save(registration=pierre, languages=[], themes=[])

    registration_cancel(registration=pierre)
    assert listed(anna.conference) == [anna]

    Registration.objects.filter(pk=anna.pk).update(erased_at=anna.created_at)
    assert listed(anna.conference) == []


def test_search_by_theme_country_and_language(conference, anna, pierre, themes):
    directory_listing_save(registration=anna, languages=["en", "pl"], themes=[themes[0]])
    directory_listing_save(registration=pierre, languages=["fr", "en"], themes=themes[1:3])
    other = RegistrationFactory(
        conference=ConferenceFactory(), authority=AuthorityFactory(name="Kraków", country="PL")
    )
    directory_listing_save(registration=other, languages=["pl"], themes=[])

    def search(**filters):
        return list(directory_search(conference=conference, **filters))

    assert [entry.registration for entry in search(theme=themes[0])] == [anna]
    assert [entry.registration for entry in search(theme=themes[2])] == [pierre]
    assert [entry.registration for entry in search(country="PL")] == [anna]
    assert [entry.registration for entry in search(language="fr")] == [pierre]
    assert {entry.registration for entry in search(language="en")} == {anna, pierre}
    assert search(language="pl", country="FR") == []


# --- Pages -------------------------------------------------------------------------------


def test_opt_in_and_withdraw_from_the_personal_page(anna, themes):
    client = sign_in(anna)
    home = client.get(url("manage")).content.decode()
    assert url("directory_listing") in home
    assert "List me for other delegates" in home

    response = client.post(
        url("directory_listing"),
        {"consent": "on", "languages": ["en", "pl"], "themes": [themes[0].pk, themes[1].pk]},
    )
    assert response.status_code == 302
    assert DirectoryListing.objects.get(registration=anna).is_listed
    assert "You are listed in the delegate directory" in client.get(url("manage")).content.decode()

    response = client.post(url("directory_listing"), {"withdraw": "1"})
    assert response.status_code == 302
    assert not DirectoryListing.objects.get(registration=anna).is_listed
    assert listed(anna.conference) == []


def test_opting_in_needs_the_consent_box_and_at_most_three_themes(anna, themes):
    client = sign_in(anna)
    response = client.post(url("directory_listing"), {"languages": ["en"]})
    assert response.status_code == 400
    response = client.post(
        url("directory_listing"), {"consent": "on", "themes": [t.pk for t in themes]}
    )
    assert response.status_code == 400
    assert not DirectoryListing.objects.exists()


def test_directory_page_lists_opted_in_delegates_without_addresses(anna, pierre, themes):
    directory_listing_save(registration=anna, languages=["en", "pl"], themes=[themes[0]])
    directory_listing_save(registration=pierre, languages=["fr"], themes=[themes[1]])
    silent = RegistrationFactory(
        conference=anna.conference, first_name="Silent", last_name="Bob", job_title="Mayor"
    )

    page = sign_in(anna).get(url("directory"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Pierre Martin" in html
    assert "Adjoint à la sécurité" in html
    assert "Lyon" in html
    assert "France" in html
    assert "French" in html
    assert themes[1].name in html
    # Never an address nor a phone; nothing of those not listed.
    for secret in (pierre.email, anna.email, "+48", "323 60 00", silent.email, "Silent Bob"):
        assert secret not in html


def test_directory_search_form_filters_the_page(anna, pierre, themes):
    directory_listing_save(registration=anna, languages=["en"], themes=[themes[0]])
    directory_listing_save(registration=pierre, languages=["fr"], themes=[themes[1]])
    client = sign_in(anna)

    html = client.get(url("directory"), {"country": "FR"}).content.decode()
    assert "Pierre Martin" in html and "Anna Nowak" not in html
    html = client.get(url("directory"), {"theme": themes[0].pk}).content.decode()
    assert "Anna Nowak" in html and "Pierre Martin" not in html
    html = client.get(url("directory"), {"language": "fr"}).content.decode()
    assert "Pierre Martin" in html and "Anna Nowak" not in html


def test_directory_is_paginated(conference, anna):
    for number in range(25):
        delegate = RegistrationFactory(conference=conference, last_name=f"Delegate{number:02d}")
        directory_listing_save(registration=delegate, languages=[], themes=[])
    client = sign_in(anna)

    first = client.get(url("directory")).content.decode()
    second = client.get(url("directory"), {"page": 2}).content.decode()

    assert "Delegate00" in first and "Delegate24" not in first
    assert "Delegate24" in second and "Delegate00" not in second
    assert "25 delegates" in first


@pytest.mark.parametrize(
    "status", [Registration.Status.WAITLISTED, Registration.Status.PENDING, "cancelled"]
)
def test_only_confirmed_delegates_see_the_directory(conference, pierre, status):
    directory_listing_save(registration=pierre, languages=[], themes=[])
    other = RegistrationFactory(conference=conference, status=status)
    client = sign_in(other)

    response = client.get(url("directory"))

    assert response.status_code == 403
    html = response.content.decode()
    assert "confirmed delegates only" in html
    assert "Pierre Martin" not in html
    assert client.get(url("directory_listing")).status_code == 403
    assert client.post(url("directory_listing"), {"consent": "on"}).status_code == 403
    assert url("directory") not in client.get(url("manage")).content.decode()


def test_directory_needs_the_personal_link(client):
    assert client.get(url("directory")).status_code == 403


def test_a_withdrawn_delegate_disappears_from_the_page_at_once(anna, pierre):
    directory_listing_save(registration=pierre, languages=[], themes=[])
    client = sign_in(anna)
    assert "Pierre Martin" in client.get(url("directory")).content.decode()

    sign_in(pierre).post(url("directory_listing"), {"withdraw": "1"})

    assert "Pierre Martin" not in client.get(url("directory")).content.decode()
