"""The place counters on the conference row: right after every change of status, checked by a
recount, and what the lock runs no longer grows with the registrations."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conference.models import Conference
from registrations.authorities.delegations import (
    Coordinator,
    delegation_register,
    delegation_substitute,
)
from registrations.authorities.merge import authority_merge
from registrations.models import Registration
from registrations.places.counters import PlaceCountMismatch, place_counts_check
from registrations.places.imports import ImportedRegistration, registrations_import
from registrations.places.registrations import RegistrationData, registration_create
from registrations.places.status import (
    registration_approve,
    registration_cancel,
    registration_reject,
    waitlist_promote,
)
from tests.concurrency import run_concurrently
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory


def person(index: int) -> RegistrationData:
    return RegistrationData(
        first_name="Delegate",
        last_name=f"Counted{index}",
        email=f"counted{index}@example.org",
        job_title="Adviser",
    )


def counters(conference: Conference) -> tuple[int, int]:
    """What the row holds, and what the registrations say; the test compares both."""
    conference.refresh_from_db()
    registrations = conference.registrations
    return (
        conference.confirmed_count,
        conference.waitlisted_count,
    ), (
        registrations.filter(status=Registration.Status.CONFIRMED).count(),
        registrations.filter(status=Registration.Status.WAITLISTED).count(),
    )


@pytest.mark.django_db
def test_counters_follow_registration_cancellation_and_promotion():
    conference = ConferenceFactory(capacity=2)
    authority = AuthorityFactory()
    first, second, _third, fourth = (
        registration_create(conference=conference, authority=authority, data=person(i))
        for i in range(4)
    )
    assert counters(conference) == ((2, 2), (2, 2))

    registration_cancel(registration=first.registration)
    assert counters(conference) == ((2, 1), (2, 1))
    registration_cancel(registration=fourth.registration)
    assert counters(conference) == ((2, 0), (2, 0))
    registration_cancel(registration=second.registration)
    assert counters(conference) == ((1, 0), (1, 0))
    assert place_counts_check() == []


@pytest.mark.django_db
def test_counters_follow_approval_rejection_and_a_raised_capacity():
    conference = ConferenceFactory(capacity=1, approval_for_non_members=True)
    outsider = AuthorityFactory(is_member=False)
    pending = [
        registration_create(conference=conference, authority=outsider, data=person(i)).registration
        for i in range(3)
    ]
    assert counters(conference) == ((0, 0), (0, 0))

    registration_approve(registration=pending[0])
    registration_approve(registration=pending[1])
    registration_reject(registration=pending[2])
    assert counters(conference) == ((1, 1), (1, 1))

    conference.capacity = 5
    conference.save()
    waitlist_promote(conference=conference)
    assert counters(conference) == ((2, 0), (2, 0))


@pytest.mark.django_db
def test_counters_follow_delegations_substitutes_imports_and_merges():
    conference = ConferenceFactory(capacity=3)
    authority = AuthorityFactory()
    delegation = delegation_register(
        conference=conference,
        authority=authority,
        coordinator=Coordinator(first_name="Marie", last_name="Dupont", email="marie@example.org"),
        members=[person(1), person(2)],
    )
    delegation_substitute(registration=delegation.members.first(), data=person(3))
    assert counters(conference) == ((2, 0), (2, 0))

    added = registrations_import(
        conference=conference,
        entries=[ImportedRegistration(authority=authority, data=person(i)) for i in range(4, 8)],
        registered_at=timezone.now(),
    )
    assert added == 4
    assert counters(conference) == ((3, 3), (3, 3))

    duplicate = AuthorityFactory(name="Ville doublon", country=authority.country)
    RegistrationFactory(conference=conference, authority=duplicate)
    authority_merge(duplicate=duplicate, into=authority)
    assert counters(conference) == ((4, 3), (4, 3))


@pytest.mark.django_db
def test_a_stale_copy_of_the_conference_saved_keeps_the_counters():
    conference = ConferenceFactory(capacity=10)
    stale = Conference.objects.get(pk=conference.pk)
    registration_create(conference=conference, authority=AuthorityFactory(), data=person(1))

    stale.name = "Renamed while someone registered"
    stale.save()

    assert counters(conference) == ((1, 0), (1, 0))
    assert conference.name == "Renamed while someone registered"


@pytest.mark.django_db
def test_check_finds_and_fixes_a_wrong_counter():
    conference = ConferenceFactory(capacity=1)
    RegistrationFactory(conference=conference)
    RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)
    Conference.objects.filter(pk=conference.pk).update(confirmed_count=7)

    assert place_counts_check() == [
        PlaceCountMismatch(
            conference_id=conference.pk, field="confirmed_count", stored=7, counted=1
        )
    ]
    with pytest.raises(CommandError):
        call_command("place_counts_check")

    call_command("place_counts_check", "--fix")

    assert place_counts_check() == []
    assert counters(conference) == ((1, 1), (1, 1))


# PostgreSQL: the lock is found by its FOR NO KEY UPDATE, which SQLite leaves out.
@pytest.mark.postgres
@pytest.mark.django_db
def test_the_locked_section_counts_no_registrations_whatever_their_number():
    conference = ConferenceFactory(capacity=1000)
    authority = AuthorityFactory()
    RegistrationFactory.create_batch(30, conference=conference)
    registration_create(conference=conference, authority=authority, data=person(0))

    def statements(index: int) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            registration_create(conference=conference, authority=authority, data=person(index))
        return [query["sql"] for query in queries.captured_queries]

    few = statements(1)
    RegistrationFactory.create_batch(30, conference=conference)
    many = statements(2)

    assert len(many) == len(few)
    lock = next(i for i, sql in enumerate(few) if "FOR NO KEY UPDATE" in sql)
    locked = few[lock:]
    # Without an allotment, nothing counts the registrations under the lock: the allotment's
    # count is only evaluated (in a CASE) when there is a limit.
    assert not [sql for sql in locked if "COUNT(" in sql.upper() and "CASE WHEN" not in sql]
    selects = [
        statement
        for sql in locked
        for statement in sql.split(";\n")
        if statement.startswith("SELECT")
    ]
    # None of the statements the lock used to run and needs not: a look-up of the reference
    # before inserting it, full_clean's look-ups of the authority and conference and of the
    # agenda token's uniqueness, a look-up of reminders of the row just created, separate
    # queries for the allotment and the authority's registrations.
    assert not [sql for sql in selects if '"registrations_registration"."reference" =' in sql]
    assert not [sql for sql in selects if '"registrations_registration"."agenda_token" =' in sql]
    assert not [sql for sql in selects if 'SELECT 1 AS "a" FROM "registrations_authority"' in sql]
    assert not [sql for sql in selects if 'SELECT 1 AS "a" FROM "conference_conference"' in sql]
    assert not [sql for sql in selects if 'FROM "registrations_outboundemail"' in sql]
    # The allotment, the authority's registrations and the address in one statement; the
    # address through the unique index of active addresses (LOWER(email)), not by reading
    # registrations in id order until one matches.
    [check] = [sql for sql in selects if "registrations_authorityallotment" in sql]
    assert "LOWER(email) =" in check
    assert "ORDER BY" not in check
    # Read before the lock: the retention schedule (the consents' notice version) and the
    # webhook endpoints.
    assert not [sql for sql in selects if "registrations_retentionschedule" in sql]
    assert not [sql for sql in selects if "registrations_webhookendpoint" in sql]
    # What is left: the check, read with the lock in one round trip, the row (without a
    # savepoint: a reference taken inserts nothing, and another is drawn), then in one round
    # trip its history row, the counter, the consents, the status email and the reminder in
    # one statement.
    assert round_trips(locked) == [
        ["SELECT conference_conference", "SELECT registrations_authorityallotment"],
        ["INSERT registrations_registration"],
        [
            "INSERT registrations_historicalregistration",
            "UPDATE conference_conference",
            "INSERT registrations_consentrecord",
            "INSERT registrations_outboundemail",
        ],
        # registration_create's own atomic, a savepoint in the test's transaction: the
        # commit, in production.
        ["RELEASE"],
    ]
    registration = Registration.objects.get(email="counted1@example.org")
    assert sorted(registration.emails.values_list("kind", flat=True)) == ["confirmed", "reminder"]


def round_trips(sqls: list[str]) -> list[list[str]]:
    """The kind of each statement sent, by round trip: a StatementBatch sends several in one
    string."""
    return [[statement_kind(statement) for statement in sql.split(";\n")] for sql in sqls]


def statement_kind(sql: str) -> str:
    """The statement's verb and the table it is about: the locked one for the lock, the
    allotment for the check that reads it first."""
    verb = sql.split()[0].upper()
    if verb in ("SAVEPOINT", "RELEASE"):
        return verb
    for table in (
        # First: the check reads the conference's default allotment too.
        "registrations_authorityallotment",
        "conference_conference",
        "conference_session",
        "registrations_historicalregistration",
        "registrations_sessionbooking",
        "registrations_registration",
        "registrations_consentrecord",
        "registrations_outboundemail",
        "registrations_webhookdelivery",
    ):
        if table in sql:
            return f"{verb} {table}"
    return sql[:60]


@pytest.mark.django_db
def test_allotment_counted_in_one_query_under_the_lock():
    conference = ConferenceFactory(capacity=1000, default_allotment=2)
    authority = AuthorityFactory()
    RegistrationFactory(conference=conference, authority=authority)
    registration_create(conference=conference, authority=authority, data=person(1))

    with pytest.raises(Exception) as refused:
        registration_create(conference=conference, authority=authority, data=person(2))

    assert "has 0 places left" in str(refused.value)
    assert counters(conference) == ((2, 0), (2, 0))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_and_cancellations_keep_the_counters_right():
    conference = ConferenceFactory(
        capacity=10, registration_closes_at=timezone.now() + dt.timedelta(days=5)
    )
    authority = AuthorityFactory()
    early = [
        registration_create(conference=conference, authority=authority, data=person(i))
        for i in range(8)
    ]

    def act(index: int) -> None:
        if index < 8:
            registration_cancel(registration=early[index].registration)
        else:
            registration_create(conference=conference, authority=authority, data=person(index))

    run_concurrently(30, act)

    assert counters(conference) == ((10, 12), (10, 12))
    assert place_counts_check() == []
