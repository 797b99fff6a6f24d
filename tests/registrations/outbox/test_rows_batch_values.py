"""StatementBatch sends several statements in one string, its values bound by psycopg on the
client: what a delegate types comes back as typed, and a statement that fails stops the batch
with the error Django raises for it, as the statements sent one by one did."""

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.db.backends.postgresql.base import DatabaseWrapper, ServerBindingCursor
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from registrations.models import OutboundEmail, SessionBooking
from registrations.outbox.rows import StatementBatch, rows_insert
from tests.factories import RegistrationFactory, SessionFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="several statements in one string: PostgreSQL's"
)

# Quotes, backslashes, placeholders, a statement's end and a comment, dollar quoting, letters
# outside Latin-1 and outside the BMP: each would break SQL if the values were not bound.
AWKWARD = [
    "O'Brien'); DROP TABLE registrations_outboundemail; --",
    "C:\\temp\\new\\x00 \\' \\\\",
    "100 %s %% %(name)s {0}",
    "$$ $tag$ E'\\n' ;\n; ",
    "Ŝtefan Żółć – 東京 – 🙂",
]


def email_to(registration, text: str) -> OutboundEmail:
    return OutboundEmail(
        registration=registration,
        kind=OutboundEmail.Kind.CONFIRMED,
        recipient=registration.email,
        last_error=text,
        language="fr",
        next_attempt_at=timezone.now(),
    )


@pytest.mark.django_db
def test_batch_values_come_back_as_written_in_one_round_trip():
    registration = RegistrationFactory()
    long_text = "é\\'" * 20_000
    written = [email_to(registration, value) for value in [*AWKWARD, long_text]]
    batch = StatementBatch()

    with CaptureQueriesContext(connection) as queries:
        for email in written:
            rows_insert([email], batch=batch)
        batch.send()

    assert len(queries) == 1
    assert [OutboundEmail.objects.get(pk=email.pk).last_error for email in written] == [
        *AWKWARD,
        long_text,
    ]
    assert OutboundEmail.objects.filter(registration=registration).count() == len(written)


@pytest.mark.django_db
def test_batch_values_come_back_as_written_without_standard_conforming_strings():
    """Backslashes escape in literals when the server is set so: psycopg quotes for it."""
    registration = RegistrationFactory()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL standard_conforming_strings = off")
    written = [email_to(registration, value) for value in AWKWARD]
    batch = StatementBatch()

    for email in written:
        rows_insert([email], batch=batch)
    batch.send()

    assert [OutboundEmail.objects.get(pk=email.pk).last_error for email in written] == AWKWARD


@pytest.mark.django_db
def test_batch_nul_byte_is_refused_as_one_by_one():
    registration = RegistrationFactory()
    with pytest.raises(Exception) as one_by_one, transaction.atomic():
        rows_insert([email_to(registration, "a\x00b")])
    batch = StatementBatch()
    rows_insert([email_to(registration, "before")], batch=batch)
    rows_insert([email_to(registration, "a\x00b")], batch=batch)

    with pytest.raises(Exception) as batched, transaction.atomic():
        batch.send()

    assert type(batched.value) is type(one_by_one.value)
    assert not OutboundEmail.objects.filter(registration=registration).exists()


@pytest.mark.django_db(transaction=True)
def test_batch_failing_statement_raises_integrity_error_and_runs_nothing_after_it():
    registration = RegistrationFactory()
    session = SessionFactory(conference=registration.conference)
    called: list[str] = []

    def booking() -> SessionBooking:
        return SessionBooking(
            registration=registration, session=session, status=SessionBooking.Status.WAITING
        )

    with pytest.raises(IntegrityError), transaction.atomic():
        batch = StatementBatch()
        rows_insert([email_to(registration, "first")], batch=batch)
        rows_insert([booking()], batch=batch, then=lambda: called.append("booking"))
        # The same session twice: the unique index refuses the second.
        rows_insert([booking()], batch=batch, then=lambda: called.append("again"))
        rows_insert([email_to(registration, "after")], batch=batch)
        batch.send()

    # Nothing of the batch is kept, no callback ran for a row that is not there, and the
    # connection is usable again.
    assert called == []
    assert not OutboundEmail.objects.filter(registration=registration).exists()
    assert not SessionBooking.objects.filter(registration=registration).exists()


@pytest.mark.django_db
def test_batch_failing_statement_in_a_savepoint_leaves_the_transaction_usable():
    registration = RegistrationFactory()
    session = SessionFactory(conference=registration.conference)
    SessionBooking.objects.create(
        registration=registration, session=session, status=SessionBooking.Status.WAITING
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        batch = StatementBatch()
        rows_insert([email_to(registration, "first")], batch=batch)
        rows_insert(
            [
                SessionBooking(
                    registration=registration,
                    session=session,
                    status=SessionBooking.Status.WAITING,
                )
            ],
            batch=batch,
        )
        batch.send()

    assert not OutboundEmail.objects.filter(registration=registration).exists()
    assert SessionBooking.objects.filter(registration=registration).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "batching"),
    [
        ({}, True),
        ({"server_side_binding": True}, False),
        # A cursor class given to psycopg directly: Django's option is not set, the server
        # still prepares each string, and refuses several statements in one.
        ({"cursor_factory": ServerBindingCursor}, False),
    ],
    ids=["client-side binding", "server_side_binding", "server-side cursor_factory"],
)
def test_batch_sends_one_by_one_where_the_cursor_binds_server_side(options, batching):
    alias = "batch_binding"
    connections[alias] = DatabaseWrapper({**connection.settings_dict, "OPTIONS": options}, alias)
    answered: list[list[tuple]] = []
    try:
        batch = StatementBatch(using=alias)
        batch.add("SELECT %s::int", [1], lambda cursor: answered.append(cursor.fetchall()))
        last = batch.send("SELECT %s::text", ["two"])
        assert batch.batching is batching
    finally:
        connections[alias].close()
        del connections[alias]

    assert (answered, last) == ([[(1,)]], [("two",)])
