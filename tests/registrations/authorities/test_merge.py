import pytest

from registrations.authorities.merge import authority_merge
from registrations.errors import RegistrationError
from registrations.models import Authority, AuthorityAllotment, Delegation, Registration
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def delegation_of(authority: Authority, conference, **values) -> Delegation:
    return Delegation.objects.create(
        conference=conference,
        authority=authority,
        coordinator_first_name=values.get("first_name", "Sophie"),
        coordinator_last_name=values.get("last_name", "Giordano"),
        coordinator_email=values.get("email", "sophie.giordano@example.org"),
        coordinator_language="fr",
    )


@pytest.fixture
def liege():
    return AuthorityFactory(name="Liège", country="BE")


@pytest.fixture
def typed_liege():
    return Authority.objects.create(name="Liege city", country="BE", needs_review=True)


def test_authority_merge_moves_registrations_delegations_and_places(conference, liege, typed_liege):
    delegation = delegation_of(typed_liege, conference)
    members = RegistrationFactory.create_batch(
        2, conference=conference, authority=typed_liege, delegation=delegation
    )
    cancelled = RegistrationFactory(
        conference=conference, authority=typed_liege, status=Registration.Status.CANCELLED
    )
    AuthorityAllotment.objects.create(conference=conference, authority=typed_liege, places=12)
    untouched = RegistrationFactory(conference=conference, authority=liege)

    moved = authority_merge(duplicate=typed_liege, into=liege)

    assert moved == 3
    assert not Authority.objects.filter(pk=typed_liege.pk).exists()
    assert set(Registration.objects.filter(authority=liege)) == {*members, cancelled, untouched}
    delegation.refresh_from_db()
    assert delegation.authority == liege
    assert set(delegation.members.all()) == set(members)
    assert list(AuthorityAllotment.objects.values_list("authority", "places")) == [(liege.pk, 12)]


def test_authority_merge_keeps_the_places_of_the_authority_kept(conference, liege, typed_liege):
    other_conference = ConferenceFactory(slug="other", reference_prefix="OTH")
    AuthorityAllotment.objects.create(conference=conference, authority=liege, places=5)
    AuthorityAllotment.objects.create(conference=conference, authority=typed_liege, places=12)
    AuthorityAllotment.objects.create(conference=other_conference, authority=typed_liege, places=3)

    assert authority_merge(duplicate=typed_liege, into=liege) == 0

    assert set(AuthorityAllotment.objects.values_list("authority", "conference", "places")) == {
        (liege.pk, conference.pk, 5),
        (liege.pk, other_conference.pk, 3),
    }


def test_authority_merge_keeps_the_details_of_the_authority_kept(liege, typed_liege):
    Authority.objects.filter(pk=typed_liege.pk).update(region_code="BE332", is_member=False)

    authority_merge(duplicate=typed_liege, into=liege)

    liege.refresh_from_db()
    assert (liege.name, liege.is_member, liege.region_code, liege.needs_review) == (
        "Liège",
        True,
        "",
        False,
    )


def test_authority_merge_refuses_two_delegations_at_the_same_conference(liege, typed_liege):
    conference = ConferenceFactory(name="Nice 2021")
    delegation_of(liege, conference)
    delegation_of(typed_liege, conference, email="other@example.org")
    registration = RegistrationFactory(conference=conference, authority=typed_liege)

    with pytest.raises(RegistrationError) as error:
        authority_merge(duplicate=typed_liege, into=liege)

    assert error.value.message == (
        "Both Liege city (BE) and Liège (BE) have a delegation at Nice 2021. Delete one of the "
        "two delegations first (its delegates stay registered), then merge."
    )
    registration.refresh_from_db()
    assert registration.authority == typed_liege
    assert Delegation.objects.filter(authority=typed_liege).count() == 1


def test_authority_merge_allows_delegations_at_different_conferences(
    conference, liege, typed_liege
):
    other_conference = ConferenceFactory(slug="other", reference_prefix="OTH")
    delegation_of(liege, conference)
    delegation_of(typed_liege, other_conference)

    authority_merge(duplicate=typed_liege, into=liege)

    assert set(Delegation.objects.values_list("authority", "conference")) == {
        (liege.pk, conference.pk),
        (liege.pk, other_conference.pk),
    }


def test_authority_merge_refuses_an_authority_into_itself(liege):
    with pytest.raises(RegistrationError) as error:
        authority_merge(duplicate=liege, into=liege)

    assert error.value.message == "An authority cannot be merged into itself."
    assert Authority.objects.filter(pk=liege.pk).exists()


def test_authority_merge_refuses_authorities_of_different_countries(conference, liege):
    luik = AuthorityFactory(name="Luik", country="NL")
    RegistrationFactory(conference=conference, authority=luik)

    with pytest.raises(RegistrationError) as error:
        authority_merge(duplicate=luik, into=liege)

    assert error.value.message == (
        "Luik (NL) and Liège (BE) are in different countries. Correct the country of the "
        "wrong one first, then merge."
    )
    assert Registration.objects.get().authority == luik


def test_authority_merge_refuses_an_authority_deleted_meanwhile(liege, typed_liege):
    Authority.objects.filter(pk=typed_liege.pk).delete()

    with pytest.raises(RegistrationError) as error:
        authority_merge(duplicate=typed_liege, into=liege)

    assert error.value.message == "One of the two authorities no longer exists."


@pytest.mark.parametrize(
    ("duplicate_listing", "into_listing", "kept"),
    [
        (Authority.PublicListing.HIDDEN, Authority.PublicListing.LISTED, "hidden"),
        (Authority.PublicListing.LISTED, Authority.PublicListing.HIDDEN, "hidden"),
        (Authority.PublicListing.LISTED, Authority.PublicListing.BY_MEMBERSHIP, "by_membership"),
    ],
)
def test_merge_keeps_a_refusal_to_be_listed_recorded_on_either(
    liege, typed_liege, duplicate_listing, into_listing, kept
):
    Authority.objects.filter(pk=typed_liege.pk).update(public_listing=duplicate_listing)
    Authority.objects.filter(pk=liege.pk).update(public_listing=into_listing)

    authority_merge(duplicate=typed_liege, into=liege)

    liege.refresh_from_db()
    assert liege.public_listing == kept
