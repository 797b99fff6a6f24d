import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from registrations.access.links import (
    MANAGEMENT_LINK_GRACE,
    management_link_issue,
    management_link_resolve,
)
from registrations.access.self_service import management_link_request
from registrations.models import Delegation, ManagementLink
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def test_link_is_valid_thirty_days_from_issue():
    registration = RegistrationFactory()
    now = timezone.now()

    token = management_link_issue(registration=registration, now=now)

    link = ManagementLink.objects.get()
    assert link.expires_at == now + dt.timedelta(days=30)
    assert management_link_resolve(token=token, now=now + dt.timedelta(days=29)) == link
    assert management_link_resolve(token=token, now=now + dt.timedelta(days=30)) is None


def test_link_never_outlives_the_retention_deadline():
    today = timezone.localdate()
    conference = ConferenceFactory(
        start_date=today - dt.timedelta(days=50), end_date=today - dt.timedelta(days=48)
    )
    registration = RegistrationFactory(conference=conference)

    management_link_issue(registration=registration)

    link = ManagementLink.objects.get()
    assert link.expires_at == conference.ends_at + MANAGEMENT_LINK_GRACE
    assert link.expires_at < timezone.now() + dt.timedelta(days=30)


def test_only_the_five_newest_links_live():
    registration = RegistrationFactory()
    other = RegistrationFactory(conference=registration.conference)
    other_token = management_link_issue(registration=other)

    tokens = [management_link_issue(registration=registration) for _index in range(7)]

    assert [management_link_resolve(token=token) is not None for token in tokens] == [
        False,
        False,
        True,
        True,
        True,
        True,
        True,
    ]
    assert registration.management_links.filter(revoked_at=None).count() == 5
    # Another delegate's link is not theirs to retire.
    assert management_link_resolve(token=other_token) is not None


def test_lost_link_asked_many_times_leaves_five_links(django_capture_on_commit_callbacks):
    registration = RegistrationFactory(email="anna@example.org")

    # The links are issued when the emails are composed, as they are sent.
    with django_capture_on_commit_callbacks(execute=True):
        for _index in range(20):
            management_link_request(conference=registration.conference, email="anna@example.org")

    assert len(mail.outbox) == 20
    assert registration.management_links.count() == 20
    assert registration.management_links.filter(revoked_at=None).count() == 5


def test_a_delegations_links_are_capped_too():
    conference = ConferenceFactory()
    delegation = Delegation.objects.create(
        conference=conference,
        authority=AuthorityFactory(),
        coordinator_first_name="Ola",
        coordinator_last_name="Nowak",
        coordinator_email="ola@example.org",
    )

    for _index in range(6):
        management_link_issue(delegation=delegation)

    assert delegation.management_links.filter(revoked_at=None).count() == 5
