"""Which authorities are named as taking part in a conference: their membership, or the
organiser's record of what they agreed to, and a confirmed delegate."""

import pytest

from registrations.authorities.selectors import authorities_listed_publicly
from registrations.models import Authority, Registration
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

Listing = Authority.PublicListing


@pytest.mark.parametrize(
    ("is_member", "public_listing", "listed"),
    [
        (True, Listing.BY_MEMBERSHIP, True),
        (False, Listing.BY_MEMBERSHIP, False),
        (True, Listing.LISTED, True),
        (False, Listing.LISTED, True),
        (True, Listing.HIDDEN, False),
        (False, Listing.HIDDEN, False),
    ],
)
def test_an_authority_with_a_confirmed_delegate_is_listed_as_its_setting_says(
    conference, is_member, public_listing, listed
):
    authority = AuthorityFactory(is_member=is_member, public_listing=public_listing)
    RegistrationFactory(conference=conference, authority=authority)

    assert list(authorities_listed_publicly(conference)) == ([authority] if listed else [])


def test_a_non_member_marked_listed_appears_once_its_delegate_is_confirmed(conference):
    agreed = AuthorityFactory(is_member=False, public_listing=Listing.LISTED)
    waiting = RegistrationFactory(
        conference=conference, authority=agreed, status=Registration.Status.WAITLISTED
    )
    RegistrationFactory(conference=ConferenceFactory(), authority=agreed)  # another conference
    assert list(authorities_listed_publicly(conference)) == []

    waiting.status = Registration.Status.CONFIRMED
    waiting.save()

    assert list(authorities_listed_publicly(conference)) == [agreed]


def test_an_authority_marked_hidden_is_never_listed_however_many_delegates_it_confirms(
    conference,
):
    hidden = AuthorityFactory(is_member=True, public_listing=Listing.HIDDEN)
    RegistrationFactory.create_batch(3, conference=conference, authority=hidden)

    assert hidden not in authorities_listed_publicly(conference)


def test_an_authority_a_delegate_named_is_not_listed_before_an_organiser_reviews_it(conference):
    named = AuthorityFactory(is_member=False, public_listing=Listing.LISTED, needs_review=True)
    RegistrationFactory(conference=conference, authority=named)

    assert list(authorities_listed_publicly(conference)) == []
