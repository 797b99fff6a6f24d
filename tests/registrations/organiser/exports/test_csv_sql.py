"""On PostgreSQL the attendee list's CSV lines are written by the database (exports.csv_sql):
the file must be the Python path's (writers.attendee_csv_in_python) byte for byte, for every
column and question type, unicode, separators, quotes and line breaks, formula starts in every
place spreadsheet_safe() disarms them, empty and missing values, filtered lists, both CSV
flavours, English and French. Elsewhere the export takes the Python path."""

import csv
import datetime as dt
import decimal
import io
import operator
import random
import re
import zoneinfo

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.urls import reverse
from django.utils import translation

from registrations.models import (
    Answer,
    ExportFormat,
    QuestionChoice,
    QuestionType,
    Registration,
    SessionBooking,
)
from registrations.organiser.exports import csv_sql, writers
from registrations.organiser.exports.columns import (
    _FORMULA_AFTER_BREAK,
    _disarmed,
    spreadsheet_safe,
)
from registrations.organiser.exports.questions import number_value
from registrations.organiser.exports.selectors import attendee_list
from registrations.questions.builtin import BUILTIN_DIET, BUILTIN_MEALS
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory
from tests.factories.conference import SessionFactory
from tests.factories.questions import QuestionChoiceFactory, QuestionFactory
from tests.registrations.questions.answering import answer, builtin, choose
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database writes the lines on PostgreSQL only"
)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")

# Texts that put a formula start (or something close to one) in every place the escaping looks
# at: the cell's start, after each separator, behind quotes and spaces, twice in a row, at the
# end; and quotes, separators and line breaks that the quoting must keep.
TRICKY = [
    "=1+2",
    "+33 4 93 92 83 00",
    "-2+3",
    "@SUM(A1:A9)",
    "\tcmd",
    "\rcmd",
    "\r\n=x",
    " =1",
    '"=1"',
    '" =1',
    '""=1',
    "a,=1",
    "a;+1",
    "a\t-1",
    "a\r@1",
    "a\n=1",
    'a, "=1',
    "a;\t=1",
    "\t\t=",
    "\r\r",
    "a,",
    "a;",
    'a,"',
    "a, ",
    "a\t",
    "a\r",
    'Say "hi", then; go\nnow',
    "Liège, Gdańsk; Αθήνα",
    "e-mail; x@y",
    "Adjointe = maire",
    "'=already",
    "",
    " ",
    '"',
    ",",
    ";",
    "\n",
    "ok",
    "C:\\temp\\new, \\n",
    "\b\f\v=x",
]

ALPHABET = "=+-@\t\r\n,; \"'aé"


def random_text(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 9)))


@pytest.fixture
def world():
    """Two conferences in two time zones: every question type (with tricky labels and choice
    labels), built-in ones, sessions (one at the same start as another, one of the other
    conference), and delegates whose cells hold TRICKY texts and random ones."""
    rng = random.Random(17)
    paris = ConferenceFactory(time_zone="Europe/Paris", name='Nice, "=2026"')
    other = ConferenceFactory(time_zone="America/New_York", name="New York")
    questions = {}
    for position, kind in enumerate(QuestionType.values):
        questions[kind] = QuestionFactory(
            conference=paris,
            type=kind,
            position=position,
            label_en=f'=Q {kind}, "en"',
            label_fr=f"Q {kind} fr; é",
        )
    single, multiple = (
        questions[QuestionType.SINGLE_CHOICE],
        questions[QuestionType.MULTIPLE_CHOICE],
    )
    # Positions not in the order of creation: the cell follows the positions.
    QuestionChoiceFactory(question=single, position=2, label_en='Hotel, "Aston"', label_fr="Hôtel")
    QuestionChoiceFactory(question=single, position=1, label_en="=Negresco", label_fr="=Négresco")
    for position, label in enumerate(["Tram tour", "-Harbour walk", " @Museum", "\tBoat", "A;B"]):
        QuestionChoiceFactory(
            question=multiple, position=5 - position, label_en=label, label_fr=f"{label} fr"
        )
    QuestionChoiceFactory(question=multiple, position=9, label_en="Gone", label_fr="Parti")
    other_text = QuestionFactory(conference=other, type=QuestionType.TEXT, label_en="Other")
    other_moment = QuestionFactory(
        conference=other, type=QuestionType.DATETIME, label_en="Arrival (NY)"
    )
    QuestionFactory(conference=paris, type=QuestionType.TEXT, label_en="Nobody answers")
    switched_off = QuestionFactory(conference=paris, type=QuestionType.TEXT, active=False)

    day = dt.datetime.combine(paris.start_date, dt.time(9, 30), tzinfo=PARIS)
    sessions = [
        SessionFactory(
            conference=paris, title_en='=Opening, "plenary"', title_fr="Ouverture", starts_at=day
        ),
        SessionFactory(conference=paris, title_en="Workshop; cities", starts_at=day),
        SessionFactory(
            conference=paris, title_en="Late\nnight", starts_at=day - dt.timedelta(days=1)
        ),
        SessionFactory(conference=other, title_en="Elsewhere"),
    ]
    authorities = [
        AuthorityFactory(name="Gdańsk", country="PL"),
        AuthorityFactory(name='=Evil, "City"', country="BE"),
        AuthorityFactory(name="Nowhere", country=""),
        AuthorityFactory(name="Atlantis", country="XX"),
    ]
    statuses = list(Registration.Status.values)
    numbers = [
        "3.0000",
        "-2.5000",
        "0.0001",
        "-0.0001",
        "9999999999.9999",
        "0",
        "12.3400",
        "-7",
        "1234567.8",
        "0.5",
    ]
    diet, meals = builtin(paris, BUILTIN_DIET), builtin(paris, BUILTIN_MEALS)
    for index in range(60):
        tricky = TRICKY[index % len(TRICKY)]
        conference = paris if index % 7 else other
        registration = RegistrationFactory(
            conference=conference,
            authority=authorities[index % len(authorities)],
            status=statuses[index % len(statuses)],
            first_name=tricky if index % 2 else random_text(rng),
            last_name=f"{random_text(rng)}Ż{index}",
            job_title=TRICKY[(index * 7) % len(TRICKY)],
            organisation=random_text(rng),
            category=Registration.Category.values[index % len(Registration.Category.values)],
            preferred_language=["en", "fr"][index % 2],
            interpretation_language=["", "fr", "de"][index % 3],
            phone=["+33493928300", "", "+4915112345678"][index % 3],
            dietary_needs=TRICKY[(index * 3) % len(TRICKY)],
            accessibility_needs=random_text(rng),
        )
        for session in rng.sample(sessions, rng.randrange(len(sessions) + 1)):
            SessionBooking.objects.create(
                registration=registration,
                session=session,
                status="booked" if rng.random() < 0.8 else "waiting",
            )
        if conference == other:
            if index % 2:
                answer(registration, other_text, value_text=tricky)
            answer(
                registration,
                other_moment,
                value_datetime=dt.datetime(2026, 3, 8, 6 + index % 3, 59, 30, tzinfo=dt.UTC),
            )
            continue
        if index % 5 == 0:
            continue  # no answers at all
        q = questions
        answer(registration, q[QuestionType.TEXT], value_text=tricky)
        answer(registration, q[QuestionType.LONG_TEXT], value_text=f"{random_text(rng)}\n{tricky}")
        if index % 4:
            answer(
                registration,
                q[QuestionType.NUMBER],
                value_number=decimal.Decimal(numbers[index % len(numbers)]),
            )
        answer(registration, q[QuestionType.DATE], value_date=dt.date(2026, 6, 1 + index % 28))
        answer(
            registration,
            q[QuestionType.DATETIME],
            # Either side of the clocks' change in Paris (2026-03-29 01:00 UTC).
            value_datetime=dt.datetime(2026, 3, 29, index % 3, 30, 45, tzinfo=dt.UTC),
        )
        answer(registration, q[QuestionType.YES_NO], value_bool=[True, False, None][index % 3])
        answer(
            registration, q[QuestionType.COUNTRY], value_country=["BE", "", "XX", "GR"][index % 4]
        )
        answer(registration, q[QuestionType.FILE], file_name=tricky, file="answers/1/x.pdf")
        picked = list(single.choices.all())[index % 2]
        choose(registration, single, picked.label)
        chosen = rng.sample(list(multiple.choices.all()), rng.randrange(0, 6))
        choose(registration, multiple, *[choice.label for choice in chosen])
        if index % 3 == 0:
            choose(registration, diet, "vegan")
        if index % 4 == 1:
            choose(registration, meals, *[c.builtin for c in list(meals.choices.all())[:2]])
        answer(registration, switched_off, value_text="never shown")
    # A choice deleted since: its answers keep the labels copied when they were given.
    QuestionChoice.objects.filter(question=multiple, label_en="Gone").delete()
    # An answer without choices whose copied labels say what was chosen, and odd ones.
    registration = Registration.objects.filter(conference=paris).order_by("pk").last()
    Answer.objects.filter(registration=registration, question=multiple).update(
        choice_labels=['=Copied, "one"', "two"]
    )
    Answer.objects.filter(registration=registration, question=multiple).first().choices.clear()
    # A value no label knows is written as it is.
    Registration.objects.filter(pk=registration.pk).update(status="=odd", category="")
    return paris


def _both(queryset, *, special_needs: bool, export_format: str) -> tuple[str, str]:
    built = writers.attendee_csv_in_sql(
        queryset, special_needs=special_needs, export_format=export_format
    )
    assert built is not None, "the export did not take the database's path"
    sql = writers.csv_header(built.columns, export_format=export_format) + "".join(built.chunks)
    python = "".join(
        writers.attendee_csv_in_python(
            queryset, special_needs=special_needs, export_format=export_format
        )
    )
    return sql, python


@on_postgresql
def test_a_download_stopped_halfway_ends_the_copy_and_its_transaction(world, monkeypatch):
    monkeypatch.setattr(writers, "CHUNK_SIZE", 1)
    blocks = len(connection.atomic_blocks)
    text = writers.attendee_csv(attendee_list(Registration.objects.all()))
    next(text)  # the header
    next(text)  # the first line: the COPY is under way, in its transaction
    assert len(connection.atomic_blocks) == blocks + 1

    text.close()  # what the response does when the client goes away

    assert len(connection.atomic_blocks) == blocks
    assert connection.cursor().connection.info.transaction_status != 1  # not in a COPY


# Both ways of writing the booked sessions' and the questions' cells: grouped (an export of
# most of its conferences' registrations) and a subquery a row (a smaller one).
both_ways = pytest.mark.parametrize(
    "grouped_share", [0.0, 2.0], ids=["grouped", "a subquery a row"]
)


@on_postgresql
@both_ways
def test_the_database_writes_the_python_file(world, monkeypatch, grouped_share):
    monkeypatch.setattr(writers, "CHUNK_SIZE", 7)  # lines in several chunks
    monkeypatch.setattr(csv_sql, "_GROUPED_SHARE", grouped_share)
    for language in ("en", "fr"):
        for export_format in (ExportFormat.CSV, ExportFormat.CSV_EXCEL):
            for special_needs in (True, False):
                for queryset in (
                    Registration.objects.all(),
                    Registration.objects.filter(conference=world),
                    Registration.objects.filter(status=Registration.Status.CONFIRMED),
                    Registration.objects.filter(authority__country="BE"),
                    Registration.objects.filter(pk=-1),
                ):
                    with translation.override(language):
                        sql, python = _both(
                            attendee_list(queryset),
                            special_needs=special_needs,
                            export_format=export_format,
                        )
                    assert sql == python, (language, export_format, special_needs, queryset)


@on_postgresql
@both_ways
def test_the_data_set_holds_what_the_comparison_needs(world, monkeypatch, grouped_share):
    monkeypatch.setattr(csv_sql, "_GROUPED_SHARE", grouped_share)
    with translation.override("fr"):
        sql, python = _both(
            attendee_list(Registration.objects.all()),
            special_needs=True,
            export_format=ExportFormat.CSV,
        )
    assert sql == python
    rows = list(csv.reader(io.StringIO(python[1:])))
    assert len(rows) == 61
    text = "\n".join(",".join(row) for row in rows)
    for expected in (
        "Q number fr; é",
        "Hôtel",
        "Belgique",
        "Oui",
        "Non",
        "Gone",
        "Ouverture",
        "=Copied",
        "'=1+2",
        "'-2.5",
        "'-0.0001",
        "9999999999.9999",
        "12.34",
        "(New York)",
        "2026-03-29 04:30",
        "2026-03-29 01:30",
        "=odd",
    ):
        assert expected in text, expected


@on_postgresql
@both_ways
def test_the_comparison_fails_when_the_sql_drifts(world, monkeypatch, grouped_share):
    """A cell written otherwise by the database (numbers as PostgreSQL prints them), or a rule
    of the escaping changed (no quote after a semicolon), shows."""
    monkeypatch.setattr(csv_sql, "_GROUPED_SHARE", grouped_share)

    def compared() -> bool:
        sql, python = _both(
            attendee_list(Registration.objects.all()), special_needs=True, export_format="csv"
        )
        return sql == python

    assert compared()
    answer_cell = csv_sql._answer_cell

    def numbers_as_stored(*args, **kwargs):
        sql, params = answer_cell(*args, **kwargs)
        return sql.replace("trim_scale(a.value_number)", "a.value_number"), params

    with monkeypatch.context() as patched:
        patched.setattr(csv_sql, "_answer_cell", numbers_as_stored)
        assert not compared()
    with monkeypatch.context() as patched:
        patched.setattr(csv_sql, "_FORMULA_REVERSED", re.compile(r'[=+\-@\t\r](?=[" ]*[,\t\r\n])'))
        assert not compared()


@on_postgresql
def test_a_distinct_list_takes_the_python_path(world):
    """DISTINCT selects the ordering's columns too, which COPY would write after each line."""
    listed = attendee_list(Registration.objects.filter(bookings__isnull=False).distinct())
    assert writers.attendee_csv_in_sql(listed) is None
    text = "".join(writers.attendee_csv(listed))
    assert text == "".join(writers.attendee_csv_in_python(listed))
    assert len(list(csv.reader(io.StringIO(text[1:])))) == listed.count() + 1


def test_the_joins_go_after_the_querys_own_from_not_a_subquerys():
    table = ' FROM "registrations_registration"'
    sql = (
        "SELECT concat('(', (SELECT 1 FROM \"registrations_registration\" U0), ')')"
        + table
        + ' WHERE id IN (SELECT id FROM "registrations_registration")'
    )
    assert csv_sql._outer(sql, table) == sql.index(table, sql.index("')')"))
    with pytest.raises(ValueError):
        csv_sql._outer("SELECT (SELECT 1" + table + ")", table)


@on_postgresql
def test_a_large_share_of_the_registrations_is_read_grouped_a_small_one_row_by_row(world):
    """The whole list joins the grouped bookings and answers; a few rows of it look theirs up
    row by row, which costs in the rows listed, not in the conferences' size."""

    def joined(queryset) -> list[str]:
        built = writers.attendee_csv_in_sql(attendee_list(queryset))
        assert built is not None
        sql, _params = built.sql_with_params()
        return [part.alias for part in built.joined if f"{part.alias}.rid" in sql]

    assert joined(Registration.objects.all()) == ["export_booked", "export_answers"]
    few = Registration.objects.order_by("pk")[:2].values("pk")
    assert joined(Registration.objects.filter(pk__in=few)) == []


@on_postgresql
def test_a_list_that_repeats_registrations_counts_each_once_for_its_share(world, monkeypatch):
    """A list joined to the bookings repeats a registration booked twice: its share of the
    conferences' registrations counts each once."""
    repeated = Registration.objects.filter(bookings__isnull=False)
    distinct = repeated.distinct().count()
    assert repeated.count() > distinct  # the data set books some delegates twice
    of_conferences = Registration.objects.filter(
        conference__in=repeated.values("conference")
    ).count()
    conferences = list(world.__class__.objects.filter(registrations__in=repeated).distinct())
    monkeypatch.setattr(csv_sql, "_GROUPED_SHARE", (distinct + 0.5) / of_conferences)
    assert not csv_sql._grouped(repeated, conferences)
    monkeypatch.setattr(csv_sql, "_GROUPED_SHARE", distinct / of_conferences)
    assert csv_sql._grouped(repeated, conferences)


@on_postgresql
@both_ways
def test_a_session_id_past_32_bits_is_labelled_both_ways(world, monkeypatch, grouped_share):
    """Ids are bigints (DEFAULT_AUTO_FIELD): the booked sessions' labels are looked up by one."""
    monkeypatch.setattr(csv_sql, "_GROUPED_SHARE", grouped_share)
    session = SessionFactory(conference=world, id=2**31 + 7, title_en="Past 32 bits")
    registration = Registration.objects.filter(conference=world).order_by("pk").first()
    SessionBooking.objects.create(registration=registration, session=session, status="booked")

    sql, python = _both(
        attendee_list(Registration.objects.all()), special_needs=False, export_format="csv"
    )

    assert sql == python
    assert "Past 32 bits" in sql


@on_postgresql
@both_ways
def test_a_choice_of_another_question_gives_the_copied_labels_both_ways(
    world, monkeypatch, grouped_share
):
    """An answer holding a choice that is not its question's (a bit of another question's
    when packed) is written with the labels copied when it was given, as in Python."""
    monkeypatch.setattr(csv_sql, "_GROUPED_SHARE", grouped_share)
    single = world.questions.get(label_en__startswith="=Q single")
    multiple = world.questions.get(label_en__startswith="=Q multiple")
    given = Answer.objects.filter(question=multiple, choices__isnull=False).first()
    given.choices.add(single.choices.first())
    given.choice_labels = ["=Copied, foreign"]
    given.save(update_fields=["choice_labels"])

    sql, python = _both(
        attendee_list(Registration.objects.all()), special_needs=False, export_format="csv"
    )

    assert sql == python
    assert "'=Copied, foreign" in sql


@on_postgresql
@pytest.mark.parametrize(
    ("packed_bits", "packed_span", "packed"),
    [(62, 10_000, "all"), (3, 10_000, "some"), (0, 10_000, "none"), (62, 1, "none")],
    ids=["all packed", "some packed", "none fits", "ids too far apart"],
)
def test_choices_packed_or_not_give_the_python_file(
    world, monkeypatch, packed_bits, packed_span, packed
):
    """On the grouped path the choice questions that fit in the packed bits have their
    answers' choices read grouped, the others a subquery an answer: the same file."""
    monkeypatch.setattr(csv_sql, "_GROUPED_SHARE", 0.0)
    monkeypatch.setattr(csv_sql, "_PACKED_BITS", packed_bits)
    monkeypatch.setattr(csv_sql, "_PACKED_SPAN", packed_span)
    listed = attendee_list(Registration.objects.all())
    questions = csv_sql.conferences_and_answered_questions(listed, special_needs=True)[1]
    with_choices = [question.pk for _c, question, _l in questions if question.has_choices]
    found = csv_sql._packed(questions)
    offsets = found.offsets if found else {}
    assert len(with_choices) == 4  # single, multiple, diet and meals
    if packed == "all":
        assert sorted(offsets) == sorted(with_choices)
    elif packed == "some":
        assert 0 < len(offsets) < len(with_choices)
    else:
        assert found is None
    built = writers.attendee_csv_in_sql(listed, special_needs=True)
    assert built is not None
    sql, _params = built.sql_with_params()
    assert (csv_sql._Packed.alias in sql) == (found is not None)

    for special_needs in (True, False):
        assert operator.eq(*_both(listed, special_needs=special_needs, export_format="csv"))


def test_the_formula_starts_found_backwards_are_those_found_forwards():
    """csv_text() finds the places of columns._FORMULA_AFTER_BREAK from the end of the text:
    the same places, in texts of separators, quotes, spaces and triggers in any order."""
    rng = random.Random(23)
    texts = [*TRICKY, *(random_text(rng) * 3 for _ in range(20_000))]
    for text in texts:
        expected = _FORMULA_AFTER_BREAK.sub(_disarmed, text)
        assert csv_sql._formula_safe(text) == expected, text
    assert csv_sql._formula_safe('\n"=1",\t"+2"') == '\n"\'=1",\'\t"\'+2"'


@on_postgresql
def test_lines_of_random_cells_are_quoted_copied_and_escaped_as_in_python():
    """Cells quoted by the database as the lines' are, sent by COPY (which escapes line
    breaks, tabs and backslashes), made safe by csv_text(): the csv module's line of
    spreadsheet_safe() cells."""
    rng = random.Random(5)
    alphabet = ALPHABET + "\\\b\f\v"
    rows = [
        ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 9))) for _ in range(5)]
        for _ in range(3000)
    ]
    expected = []
    for cells in rows:
        buffer = io.StringIO()
        csv.writer(buffer, quoting=csv.QUOTE_ALL).writerow([spreadsheet_safe(c) for c in cells])
        expected.append(buffer.getvalue())
    cells_sql = ", '\",\"', ".join(f"replace(c{n}, '\"', '\"\"')" for n in range(5))
    query = (
        f"SELECT concat('\"', {cells_sql}, '\"') FROM unnest(%s::text[], %s::text[],"
        " %s::text[], %s::text[], %s::text[]) WITH ORDINALITY AS u(c0, c1, c2, c3, c4, n)"
        " ORDER BY n"
    )
    written = []
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY ({query}) TO STDOUT", [[cells[n] for cells in rows] for n in range(5)]
        ) as copy,
    ):
        blocks = [bytes(block) for block in copy]
    for start in range(0, len(blocks), 100):
        written.append(csv_sql.csv_text(b"".join(blocks[start : start + 100]).decode()))
    assert "".join(written) == "".join(expected)
    assert sum("\\" in block.decode() for block in blocks) > 100  # escaped by COPY


@on_postgresql
def test_numbers_are_written_as_python_prints_them():
    rng = random.Random(3)
    values = [
        decimal.Decimal(rng.randrange(-(10**14) + 1, 10**14))
        .scaleb(-4)
        .quantize(decimal.Decimal("0.0001"))
        for _ in range(5000)
    ] + [decimal.Decimal(text) for text in ("0", "-0", "1", "-1", "0.0001", "100", "1E+3")]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT trim_scale(v::numeric(14, 4))::text FROM unnest(%s::numeric[])"
            " WITH ORDINALITY AS u(v, n) ORDER BY n",
            [values],
        )
        written = [text for (text,) in cursor.fetchall()]
    stored = [value.quantize(decimal.Decimal("0.0001")) for value in values]
    assert written == [str(number_value(value)) for value in stored]


@on_postgresql
def test_a_time_zone_the_database_does_not_know_takes_the_python_path(world, monkeypatch):
    monkeypatch.setattr(csv_sql, "database_knows_time_zone", lambda name: name != "Europe/Paris")
    assert writers.attendee_csv_in_sql(Registration.objects.all()) is None
    assert "".join(writers.attendee_csv(attendee_list(Registration.objects.all()))) == "".join(
        writers.attendee_csv_in_python(attendee_list(Registration.objects.all()))
    )


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's path")
def test_sqlite_takes_the_python_path(world):
    assert writers.attendee_csv_in_sql(Registration.objects.all()) is None


def test_the_admin_export_is_the_python_file(world, client, django_user_model, monkeypatch):
    """Through the admin, searched and filtered, in French, in both flavours: the bytes of the
    same export made on the Python path (on SQLite, both are)."""
    user = django_user_model.objects.create_user("olga", password="x", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_registration", "export_registrations", "view_special_needs"]
        )
    )
    staff_login(client, django_user_model.objects.get(pk=user.pk))

    def exported(url: str, params: dict) -> bytes:
        response = client.get(url, params, HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 200
        return b"".join(response.streaming_content)

    for name in ("csv", "csv_excel"):
        url = reverse(f"admin:registrations_registration_export_{name}")
        for params in ({}, {"status__exact": "confirmed"}, {"q": "Ż1"}):
            fast = exported(url, params)
            with monkeypatch.context() as patched:
                patched.setattr(writers, "attendee_csv_in_sql", lambda *a, **k: None)
                reference = exported(url, params)
            assert fast == reference, (name, params)
            assert "Confirmé".encode() in fast or params
