import csv
import io

import pytest
from django.core.management import CommandError, call_command

from registrations.models import ExportRecord, Registration
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory
from tests.registrations.xlsx import read_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference():
    conference = ConferenceFactory(slug="nice-2027")
    liege = AuthorityFactory(name="Liège", country="BE")
    RegistrationFactory(conference=conference, authority=liege, last_name="Dupont")
    RegistrationFactory(
        conference=conference,
        last_name="Martin",
        category=Registration.Category.PRESS,
        dietary_needs="Halal",
    )
    RegistrationFactory(
        conference=conference, last_name="Nowak", status=Registration.Status.WAITLISTED
    )
    RegistrationFactory(last_name="Elsewhere")  # another conference
    return conference


def export(tmp_path, *args, stdout=None, name="attendees") -> str:
    output = tmp_path / name
    call_command(
        "export_registrations", *args, "--output", str(output), stdout=stdout or io.StringIO()
    )
    return str(output)


def read_csv(path: str) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as file:
        text = file.read()
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_command_writes_the_conference_as_csv_and_records_it(conference, tmp_path):
    stdout = io.StringIO()

    path = export(tmp_path, "--conference", "nice-2027", "--format", "csv", stdout=stdout)

    rows = read_csv(path)
    assert [row[3] for row in rows[1:]] == ["Dupont", "Martin", "Nowak"]
    assert "Dietary needs" not in rows[0]
    assert stdout.getvalue() == f"3 registrations written to {path}.\n"
    record = ExportRecord.objects.get()
    assert record.user is None
    assert (record.source, record.kind, record.format, record.rows) == (
        "command",
        "attendees",
        "csv",
        3,
    )
    assert record.filter == "conference=nice-2027"
    assert list(record.conferences.all()) == [conference]


def test_command_writes_xlsx(conference, tmp_path):
    path = export(tmp_path, "--conference", "nice-2027", "--format", "xlsx", name="a.xlsx")

    with open(path, "rb") as file:
        rows = read_xlsx(file.read())
    assert [row[3] for row in rows[1:]] == ["Dupont", "Martin", "Nowak"]
    assert ExportRecord.objects.get().format == "xlsx"


@pytest.mark.parametrize(
    ("options", "expected", "recorded"),
    [
        (["--status", "confirmed"], ["Dupont", "Martin"], "status=confirmed"),
        (["--category", "press"], ["Martin"], "category=press"),
        (["--country", "be"], ["Dupont"], "country=BE"),
        (
            ["--status", "confirmed", "--country", "BE"],
            ["Dupont"],
            "status=confirmed&country=BE",
        ),
    ],
)
def test_command_filters(conference, tmp_path, options, expected, recorded):
    path = export(tmp_path, "--conference", "nice-2027", "--format", "csv", *options)

    assert [row[3] for row in read_csv(path)[1:]] == expected
    assert ExportRecord.objects.get().filter == f"conference=nice-2027&{recorded}"


def test_command_adds_special_needs_when_asked(conference, tmp_path):
    path = export(tmp_path, "--conference", "nice-2027", "--format", "csv", "--special-needs")

    rows = read_csv(path)
    assert rows[0][-2:] == ["Dietary needs", "Accessibility needs"]
    assert rows[2][-2:] == ["Halal", ""]
    assert ExportRecord.objects.get().special_needs is True


def test_command_rejects_an_unknown_conference(conference, tmp_path):
    with pytest.raises(CommandError, match="No conference with the slug “nowhere”"):
        export(tmp_path, "--conference", "nowhere", "--format", "csv")
    assert ExportRecord.objects.count() == 0


def test_command_rejects_an_unknown_status(conference, tmp_path):
    with pytest.raises(CommandError, match="invalid choice: 'lost'"):
        export(tmp_path, "--conference", "nice-2027", "--format", "csv", "--status", "lost")


def test_command_reports_a_file_it_cannot_write(conference, tmp_path):
    with pytest.raises(CommandError, match="No such file or directory"):
        export(tmp_path, "--conference", "nice-2027", "--format", "xlsx", name="missing/a.xlsx")
    assert ExportRecord.objects.count() == 0


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_command_shows_progress_on_a_terminal_only(conference, tmp_path, monkeypatch):
    monkeypatch.setattr("registrations.organiser.exports.writers.CHUNK_SIZE", 2)
    terminal = Terminal()

    export(tmp_path, "--conference", "nice-2027", "--format", "csv", stdout=terminal)

    assert terminal.getvalue().startswith("\r2 / 3\r3 / 3\n3 registrations written")
    piped = io.StringIO()
    export(tmp_path, "--conference", "nice-2027", "--format", "csv", stdout=piped)
    assert "\r" not in piped.getvalue()
