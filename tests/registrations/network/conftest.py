import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from conference.models import Session
from registrations.access.links import management_link_issue
from tests.factories import AuthorityFactory, RegistrationFactory, SessionFactory, ThemeFactory


def url(name: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(f"registrations:{name}", kwargs=kwargs)


def sign_in(registration, client: Client | None = None) -> Client:
    """A browser that has followed the delegate's personal link."""
    client = client or Client()
    token = management_link_issue(registration=registration)
    assert client.get(url("manage_enter", token=token)).status_code == 302
    return client


@pytest.fixture
def themes(conference):
    return [
        ThemeFactory(conference=conference, name=name, slug=slug)
        for name, slug in [
            ("Drugs and nightlife", "drugs"),
            ("Radicalisation", "radicalisation"),
            ("Public spaces", "public-spaces"),
            ("Cybersecurity", "cyber"),
        ]
    ]


@pytest.fixture
def coffee_break(conference):
    start = dt.datetime.combine(conference.start_date, dt.time(10, 30), tzinfo=conference.tzinfo)
    return SessionFactory(
        conference=conference,
        kind=Session.Kind.BREAK,
        title="Coffee break",
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=30),
    )


@pytest.fixture
def anna(conference):
    return RegistrationFactory(
        conference=conference,
        authority=AuthorityFactory(name="Gdańsk", country="PL"),
        first_name="Anna",
        last_name="Nowak",
        email="anna.nowak@gdansk.pl",
        phone="+48 58 323 60 00",
        job_title="Head of urban safety",
        preferred_language="en",
    )


@pytest.fixture
def pierre(conference):
    return RegistrationFactory(
        conference=conference,
        authority=AuthorityFactory(name="Lyon", country="FR"),
        first_name="Pierre",
        last_name="Martin",
        email="pierre.martin@lyon.fr",
        job_title="Adjoint à la sécurité",
        preferred_language="fr",
    )


def _staff_client(group: str, username: str) -> Client:
    from django.contrib.auth.models import Group, User

    from tests.staff import staff_login

    user = User.objects.create_user(username, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    staff_login(client, user)
    return client


@pytest.fixture
def organiser_client(db):
    """A member of the Organisers group (the migrations' grants), logged in."""
    return _staff_client("Organisers", "olga")


@pytest.fixture
def viewer_client(db):
    return _staff_client("Viewers", "vera")
