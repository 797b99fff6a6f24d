"""The registration list as the organisers' cockpit: filters by country, authority, booked or
awaited session, day attended and interpretation language; columns for a 1280 px screen; a
fixed number of queries."""

import datetime as dt

import pytest
from django.urls import reverse

from registrations.models import Registration, SessionBooking
from tests.factories import (
    AuthorityFactory,
    RegistrationFactory,
    SessionFactory,
    SiteVisitSessionFactory,
)
from tests.factories.registrations import SessionBookingFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:registrations_registration_changelist"


def listed(client, **params) -> list[Registration]:
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    return sorted(response.context["cl"].result_list, key=lambda registration: registration.pk)


def book(registration, session, status=SessionBooking.Status.BOOKED) -> SessionBooking:
    return SessionBookingFactory(registration=registration, session=session, status=status)


def filter_spec(response, parameter_name: str):
    return next(
        spec
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "parameter_name", None) == parameter_name
    )


def test_country_filter_lists_each_country_once(admin_client):
    for name in ("Liège", "Gent", "Bruxelles", "Antwerpen"):
        AuthorityFactory(name=name, country="BE")
    AuthorityFactory(name="Nice", country="FR")
    AuthorityFactory(name="Lyon", country="FR")

    response = admin_client.get(reverse(CHANGELIST))

    assert filter_spec(response, "country").lookup_choices == [
        ("BE", "Belgium"),
        ("FR", "France"),
    ]


def test_booked_session_filter_keeps_booked_delegates_only(admin_client, conference):
    visit = SiteVisitSessionFactory(conference=conference, title="Port of Nice")
    other = SessionFactory(conference=conference)
    booked = RegistrationFactory(conference=conference)
    waiting = RegistrationFactory(conference=conference)
    elsewhere = RegistrationFactory(conference=conference)
    book(booked, visit)
    book(booked, other)
    book(waiting, visit, SessionBooking.Status.WAITING)
    book(elsewhere, other)
    RegistrationFactory(conference=conference)

    assert listed(admin_client, booked_session=visit.pk) == [booked]
    assert listed(admin_client, waiting_session=visit.pk) == [waiting]
    assert listed(admin_client, booked_session=other.pk) == [booked, elsewhere]


def test_session_filters_label_sessions_with_time_and_title(admin_client, conference):
    visit = SiteVisitSessionFactory(
        conference=conference,
        title="Port of Nice",
        starts_at=dt.datetime.combine(
            conference.start_date, dt.time(14, 0), tzinfo=conference.tzinfo
        ),
    )
    SessionFactory(conference=conference, kind="plenary", title="Opening plenary")

    response = admin_client.get(reverse(CHANGELIST))

    day = conference.start_date
    expected = [(str(visit.pk), f"{day:%a} {day.day} {day:%b} 14:00 – Port of Nice")]
    assert filter_spec(response, "booked_session").lookup_choices == expected
    assert filter_spec(response, "waiting_session").lookup_choices == expected


def test_session_filter_with_an_unknown_value_lists_nobody(admin_client, conference):
    book(RegistrationFactory(conference=conference), SessionFactory(conference=conference))
    assert listed(admin_client, booked_session="nonsense") == []


def test_authority_filter_keeps_its_delegates(admin_client, conference):
    liege = AuthorityFactory(name="Liège", country="BE")
    first = RegistrationFactory(conference=conference, authority=liege)
    second = RegistrationFactory(conference=conference, authority=liege)
    RegistrationFactory(conference=conference)

    assert listed(admin_client, authority=liege.pk) == [first, second]
    assert listed(admin_client, authority="nonsense") == []
    response = admin_client.get(
        reverse(CHANGELIST), {"authority": liege.pk, "status__exact": "confirmed"}
    )
    spec = filter_spec(response, "authority")
    assert spec.selected == liege
    assert ("status__exact", "confirmed") in spec.kept_parameters
    assert ("authority", str(liege.pk)) not in spec.kept_parameters


def test_authority_filter_is_a_labelled_select_on_the_admin_autocomplete(admin_client):
    liege = AuthorityFactory(name="Liège", country="BE")

    page = admin_client.get(reverse(CHANGELIST), {"authority": liege.pk}).content.decode()

    assert '<label for="id_authority">City or region</label>' in page
    assert 'class="admin-autocomplete' in page
    assert f'data-ajax--url="{reverse("admin:autocomplete")}"' in page
    assert 'data-field-name="authority"' in page
    assert f'<option value="{liege.pk}" selected>Liège (BE)</option>' in page
    assert "admin/js/autocomplete.js" in page
    # The autocomplete view answers for the field the filter names.
    found = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "lie",
            "app_label": "registrations",
            "model_name": "registration",
            "field_name": "authority",
        },
    ).json()
    assert found["results"] == [{"id": str(liege.pk), "text": "Liège (BE)"}]


def test_day_attended_filter_keeps_delegates_booked_that_day(admin_client, conference):
    tz = conference.tzinfo
    first_day, second_day = conference.start_date, conference.start_date + dt.timedelta(days=1)
    # 23:30 in Nice on the first day is the next day in UTC: the day is the conference's.
    late = SessionFactory(
        conference=conference,
        starts_at=dt.datetime.combine(first_day, dt.time(23, 30), tzinfo=tz),
        ends_at=dt.datetime.combine(second_day, dt.time(0, 30), tzinfo=tz),
    )
    morning = SessionFactory(
        conference=conference,
        starts_at=dt.datetime.combine(second_day, dt.time(9, 0), tzinfo=tz),
    )
    on_first = RegistrationFactory(conference=conference)
    on_second = RegistrationFactory(conference=conference)
    on_both = RegistrationFactory(conference=conference)
    only_waiting = RegistrationFactory(conference=conference)
    book(on_first, late)
    book(on_second, morning)
    book(on_both, late)
    book(on_both, morning)
    book(only_waiting, morning, SessionBooking.Status.WAITING)

    assert listed(admin_client, day=first_day.isoformat()) == [on_first, on_both]
    assert listed(admin_client, day=second_day.isoformat()) == [on_second, on_both]
    assert listed(admin_client, day=(second_day + dt.timedelta(days=1)).isoformat()) == []
    assert listed(admin_client, day="not-a-day") == []


def test_day_attended_filter_lists_the_conference_days(admin_client, conference):
    response = admin_client.get(reverse(CHANGELIST))

    values = [value for value, _label in filter_spec(response, "day").lookup_choices]
    assert values == [(conference.start_date + dt.timedelta(days=n)).isoformat() for n in range(3)]


def test_interpretation_filter(admin_client, conference):
    french = RegistrationFactory(conference=conference, interpretation_language="fr")
    none = RegistrationFactory(conference=conference, interpretation_language="")
    RegistrationFactory(conference=conference, interpretation_language="de")

    assert listed(admin_client, interpretation="fr") == [french]
    assert listed(admin_client, interpretation="none") == [none]


def test_filters_combine(admin_client, conference):
    """The French delegates who booked a site visit."""
    visit = SiteVisitSessionFactory(conference=conference)
    nice = AuthorityFactory(name="Nice", country="FR")
    liege = AuthorityFactory(name="Liège", country="BE")
    wanted = RegistrationFactory(conference=conference, authority=nice)
    book(wanted, visit)
    book(RegistrationFactory(conference=conference, authority=liege), visit)
    RegistrationFactory(conference=conference, authority=nice)

    assert listed(admin_client, country="FR", booked_session=visit.pk) == [wanted]


def test_list_columns_fit_a_1280_px_screen(admin_client, conference):
    liege = AuthorityFactory(name="Liège", country="BE")
    RegistrationFactory(
        conference=conference, authority=liege, first_name="Anna", last_name="Nowak"
    )

    response = admin_client.get(reverse(CHANGELIST))

    page = response.content.decode()
    headers = [
        str(header["text"])
        for header in response.context["result_headers"]
        if "action-toggle" not in str(header["text"])
    ]
    # The names of the columns, shown with a capital first letter.
    assert headers == [
        "name and reference",
        "city or region",
        "category",
        "status",
        "registered at",
    ]
    registration = Registration.objects.get()
    assert f'Nowak, Anna<br><span class="quiet">{registration.reference}</span>' in page
    assert "Liège (BE)" in page


def test_list_query_count_does_not_grow_with_rows(admin_client, conference):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    visit = SiteVisitSessionFactory(conference=conference)
    params = {"booked_session": visit.pk, "country": "FR", "interpretation": "fr"}

    def queries_for(count: int) -> int:
        for _n in range(count):
            registration = RegistrationFactory(
                conference=conference,
                authority=AuthorityFactory(country="FR"),
                interpretation_language="fr",
            )
            book(registration, visit)
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(reverse(CHANGELIST), params)
        assert response.status_code == 200
        return len(captured)

    few = queries_for(2)
    assert queries_for(30) == few
