import csv
import io

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from registrations.models import Registration
from registrations.organiser.exports.columns import spreadsheet_safe, spreadsheet_safe_row
from registrations.organiser.exports.writers import attendee_csv
from tests.factories import AuthorityFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+33 4 93 92 83 00", "'+33 4 93 92 83 00"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Adjointe = maire", "Adjointe = maire"),
        ("Liège", "Liège"),
        (None, ""),
        (42, "42"),
        ("x;=1+2;x", "x;'=1+2;x"),
        ("a,+1\tb\t-2", "a,'+1\tb\t'-2"),
        ("line\n@SUM(A1)", "line\n'@SUM(A1)"),
        ('a;"=1";b', 'a;"\'=1";b'),
        ("a; =1", "a; '=1"),
        ("a;\t=1", "a;'\t'=1"),
        ("e-mail; x@y", "e-mail; x@y"),
    ],
)
def test_spreadsheet_safe(value, expected):
    assert spreadsheet_safe(value) == expected


def read_csv(chunks) -> list[list[str]]:
    text = "".join(chunks)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_attendee_csv_has_header_and_one_row_per_registration():
    authority = AuthorityFactory(name="Gdańsk", country="PL")
    registration = RegistrationFactory(
        authority=authority, first_name="Łucja", last_name="Żak", job_title="=1+2"
    )

    rows = read_csv(attendee_csv(Registration.objects.select_related("authority", "conference")))

    assert rows[0] == [
        "Reference",
        "Status",
        "First name",
        "Last name",
        "Email",
        "Phone",
        "Job title",
        "Department or organisation",
        "City or region",
        "Country",
        "Country code",
        "Category",
        "Language",
        "Interpretation language",
        "Booked sessions",
        "Registered at",
    ]
    assert rows[1][:7] == [
        registration.reference,
        "Confirmed",
        "Łucja",
        "Żak",
        registration.email,
        "",
        "'=1+2",
    ]
    assert rows[1][8:13] == ["Gdańsk", "Poland", "PL", "Delegate", "English"]
    assert len(rows) == 2


def test_attendee_csv_quotes_every_field():
    RegistrationFactory(job_title="x;=1+2;x")

    lines = "".join(attendee_csv(Registration.objects.all())).removeprefix("\ufeff").splitlines()

    assert lines[0].startswith('"Reference","Status","First name",')
    assert '"x;\'=1+2;x"' in lines[1]
    # Sixteen fields, each in quotes, empty ones included.
    assert lines[1].startswith('"') and lines[1].endswith('"')
    assert lines[1].count('","') == 15


def test_attendee_csv_is_utf8_with_bom_when_encoded():
    RegistrationFactory(first_name="Σοφία")
    payload = "".join(attendee_csv(Registration.objects.all())).encode("utf-8")
    assert payload.startswith(b"\xef\xbb\xbf")
    assert "Σοφία".encode() in payload


def test_attendee_csv_names_countries_in_the_active_language():
    RegistrationFactory(authority=AuthorityFactory(name="Gdańsk", country="PL"))

    with translation.override("fr"):
        rows = read_csv(
            attendee_csv(Registration.objects.select_related("authority", "conference"))
        )

    assert rows[0][8:10] == ["Ville ou région", "Pays"]
    assert rows[1][8:11] == ["Gdańsk", "Pologne", "PL"]


# Formula characters, the separators spreadsheet programs split on, quotes and spaces, and a
# little text: every way a formula start can sit in a cell or across cells.
_CELL_TEXT = st.text(alphabet=list("=+-@\t\r\n,; \"'ab_é"), max_size=12)


@settings(max_examples=2000, deadline=None)
@given(cells=st.lists(st.one_of(_CELL_TEXT, st.none(), st.integers()), max_size=8))
def test_spreadsheet_safe_row_is_spreadsheet_safe_of_each_cell(cells):
    assert spreadsheet_safe_row(list(cells)) == [spreadsheet_safe(cell) for cell in cells]
