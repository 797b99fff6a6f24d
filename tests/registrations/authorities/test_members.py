from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from registrations.authorities.members import (
    ImportedLine,
    ImportOutcome,
    authorities_import,
    member_list_read,
)
from registrations.errors import RegistrationError
from registrations.models import Authority
from tests.factories import AuthorityFactory

pytestmark = pytest.mark.django_db

DEMO_MEMBER_LIST = Path(settings.BASE_DIR) / "registrations" / "demo" / "member_list.csv"
HEADER = "name,country,kind,member,region_code\n"


def import_text(text: str, **options):
    return authorities_import(rows=member_list_read(text), **options)


def authority_values() -> set[tuple]:
    return set(
        Authority.objects.values_list(
            "name", "country", "kind", "is_member", "region_code", "needs_review"
        )
    )


def run_command(*args) -> str:
    out = StringIO()
    call_command("import_authorities", *args, stdout=out)
    return out.getvalue()


# --- Reading the file -------------------------------------------------------------------------


def test_member_list_read_numbers_rows_by_their_line():
    rows = member_list_read(HEADER + "Nice,FR,,,\n\nLiège,BE,,,\n")

    assert [(row["line"], row["name"], row["country"]) for row in rows] == [
        (2, "Nice", "FR"),
        (4, "Liège", "BE"),
    ]


def test_member_list_read_accepts_semicolons_a_bom_and_capitalised_headers():
    content = (
        "\ufeffName;Country;Kind;Member;Region_code\r\nGénéralité, test;ES;region;yes;ES-CT\r\n"
    )

    rows = member_list_read(content.encode("utf-8"))

    assert rows == [
        {
            "name": "Généralité, test",
            "country": "ES",
            "kind": "region",
            "member": "yes",
            "region_code": "ES-CT",
            "line": 2,
        }
    ]


def test_member_list_read_accepts_only_name_and_country_columns():
    rows = member_list_read(b"country,name\nBE,Leuven\n")

    assert rows == [{"country": "BE", "name": "Leuven", "line": 2}]


def test_member_list_read_refuses_a_file_without_the_columns():
    with pytest.raises(RegistrationError) as error:
        member_list_read(b"city,land\nNice,FR\n")

    assert error.value.message == (
        "The first line must name the columns: name, country, kind, member, region_code."
    )


def test_member_list_read_refuses_text_that_is_not_utf8():
    with pytest.raises(RegistrationError) as error:
        member_list_read((HEADER + "Liège,BE,,,\n").encode("latin-1"))

    assert error.value.message == (
        "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."
    )


def test_member_list_read_refuses_an_empty_file():
    with pytest.raises(RegistrationError) as error:
        member_list_read(b"\xef\xbb\xbf\n")

    assert error.value.message == "The file is empty."


# --- Importing ------------------------------------------------------------------------------


def test_authorities_import_creates_reviewed_authorities_from_codes_names_and_labels():
    report = import_text(
        HEADER
        + "Liège,BE,,,BE332\n"
        + "Generalitat de Catalunya,Spain,Region,yes,es-ct\n"
        + "Sofia,bg,Municipality,no,\n"
        + "Province du Brabant wallon,Belgium,province or departement,TRUE,BE-WBR\n"
    )

    assert report.written is True
    assert report.lines == (
        ImportedLine(line=2, name="Liège", country="BE", outcome=ImportOutcome.CREATED),
        ImportedLine(
            line=3, name="Generalitat de Catalunya", country="ES", outcome=ImportOutcome.CREATED
        ),
        ImportedLine(line=4, name="Sofia", country="BG", outcome=ImportOutcome.CREATED),
        ImportedLine(
            line=5, name="Province du Brabant wallon", country="BE", outcome=ImportOutcome.CREATED
        ),
    )
    assert authority_values() == {
        ("Liège", "BE", "municipality", True, "BE332", False),
        ("Generalitat de Catalunya", "ES", "region", True, "ES-CT", False),
        ("Sofia", "BG", "municipality", False, "", False),
        ("Province du Brabant wallon", "BE", "province", True, "BE-WBR", False),
    }
    assert report.summary == "4 created, 0 updated, 0 unchanged, 0 rejected."
    assert report.conclusion == "The member list was imported."


def test_authorities_import_matches_whatever_the_case_accents_and_spacing():
    liege = AuthorityFactory(name="Liège", country="BE", is_member=False)

    report = import_text(HEADER + "  LIEGE  ,BE,,yes,\n")

    assert report.lines == (
        ImportedLine(
            line=2,
            name="LIEGE",
            country="BE",
            outcome=ImportOutcome.UPDATED,
            detail="Matched “Liège”; changes: member of the network.",
        ),
    )
    liege.refresh_from_db()
    assert (liege.name, liege.is_member) == ("Liège", True)
    assert Authority.objects.count() == 1


def test_authorities_import_updates_kind_member_region_code_and_clears_review():
    berlin = AuthorityFactory(
        name="Berlin", country="DE", kind=Authority.Kind.MUNICIPALITY, is_member=False
    )
    Authority.objects.filter(pk=berlin.pk).update(needs_review=True)

    report = import_text(HEADER + "Berlin,DE,region,yes,DE-BE\n")

    assert report.lines[0].outcome == ImportOutcome.UPDATED
    assert report.lines[0].detail == (
        "Changes: member of the network, needs review, kind, regional code."
    )
    berlin.refresh_from_db()
    assert (berlin.kind, berlin.is_member, berlin.region_code, berlin.needs_review) == (
        Authority.Kind.REGION,
        True,
        "DE-BE",
        False,
    )


def test_authorities_import_takes_the_list_spelling_of_a_name_that_needs_review():
    typed = Authority.objects.create(name="LIEGE", country="BE", needs_review=True)

    report = import_text(HEADER + "Liège,BE,,,\n")

    typed.refresh_from_db()
    assert (typed.name, typed.needs_review, typed.is_member) == ("Liège", False, True)
    assert report.lines[0].detail == ("Changes: member of the network, needs review, name.")


def test_authorities_import_blank_kind_and_region_code_keep_the_existing_ones():
    AuthorityFactory(
        name="Regione Lombardia", country="IT", kind=Authority.Kind.REGION, region_code="IT-25"
    )

    report = import_text(HEADER + "Regione Lombardia,IT,,,\n")

    assert report.lines[0].outcome == ImportOutcome.UNCHANGED
    assert authority_values() == {("Regione Lombardia", "IT", "region", True, "IT-25", False)}


def test_authorities_import_same_name_in_two_countries_gives_two_authorities():
    AuthorityFactory(name="Luxembourg", country="LU")

    report = import_text(HEADER + "Luxembourg,LU,,,\nLuxembourg,BE,province,yes,BE-WLX\n")

    assert [line.outcome for line in report.lines] == [
        ImportOutcome.UNCHANGED,
        ImportOutcome.CREATED,
    ]
    assert Authority.objects.filter(name="Luxembourg").count() == 2


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (",FR,,,", "The name is missing."),
        ("Nice,,,,", "The country is missing."),
        (
            "Nice,Frnace,,,",
            "Unknown country “Frnace”: give its ISO code (e.g. FR) or its English name.",
        ),
        (
            "Nice,FR,city,,",
            "Unknown kind “city”: use one of municipality, intercommunal, province, region, "
            "national, international, other.",
        ),
        ("Nice,FR,,maybe,", "Unknown member value “maybe”: use yes or no."),
        ("Nice,FR,,,ES-CT", "ES-CT is a subdivision of another country."),
        (
            "Nice,FR,,,06",
            "Enter an ISO 3166-2 code (e.g. FR-06) or a NUTS code (e.g. FRL03) of this country.",
        ),
        ("N" * 201 + ",FR,,,", "The name is longer than 200 characters."),
        (
            "Nice,FR,,,,extra",
            "The line has more cells than the header has columns: put a name that contains a "
            "comma or semicolon between double quotes.",
        ),
    ],
)
def test_authorities_import_rejects_an_invalid_row_with_its_reason(row, reason):
    report = import_text(HEADER + row + "\n")

    assert report.lines[0].outcome == ImportOutcome.REJECTED
    assert report.lines[0].detail == reason
    assert report.written is False
    assert not Authority.objects.exists()


def test_authorities_import_any_rejected_row_writes_nothing():
    AuthorityFactory(name="Liège", country="BE", is_member=False)
    before = authority_values()

    report = import_text(HEADER + "Nice,FR,,,FRL03\nLiège,BE,,yes,\nMannheim,XX,,,\n")

    assert [(line.line, line.outcome) for line in report.lines] == [
        (2, ImportOutcome.CREATED),
        (3, ImportOutcome.UPDATED),
        (4, ImportOutcome.REJECTED),
    ]
    assert report.written is False
    assert authority_values() == before
    assert report.summary == "1 created, 1 updated, 0 unchanged, 1 rejected."
    assert report.conclusion == (
        "Nothing was written: 1 line was rejected. Correct it and import the file again."
    )


def test_authorities_import_rejects_a_repeated_authority():
    report = import_text(HEADER + "Liège,BE,,,\nNice,FR,,,\n  LIEGE ,Belgium,,,\n")

    assert report.lines[2] == ImportedLine(
        line=4,
        name="LIEGE",
        country="BE",
        outcome=ImportOutcome.REJECTED,
        detail="The same authority as line 2.",
    )
    assert not Authority.objects.exists()


def test_authorities_import_dry_run_reports_without_writing():
    report = import_text(HEADER + "Nice,FR,,,\n", dry_run=True)

    assert report.lines[0].outcome == ImportOutcome.CREATED
    assert (report.written, report.dry_run) == (False, True)
    assert report.conclusion == "Dry run: the file is valid; nothing was written."
    assert not Authority.objects.exists()


def test_authorities_import_numbers_plain_dicts_from_line_two():
    report = authorities_import(
        rows=[{"name": "Nice", "country": "FR"}, {"name": "", "country": ""}]
    )

    assert [(line.line, line.outcome) for line in report.lines] == [
        (2, ImportOutcome.CREATED),
        (3, ImportOutcome.REJECTED),
    ]


# --- The command ------------------------------------------------------------------------------


def test_import_authorities_command_prints_each_line_and_the_totals(tmp_path):
    AuthorityFactory(name="Liège", country="BE", is_member=False)
    members = tmp_path / "members.csv"
    members.write_text(HEADER + "Nice,FR,,,FRL03\nLiege,BE,,,\n", encoding="utf-8")

    output = run_command(str(members))

    assert output.splitlines() == [
        "line 2: created – Nice (FR)",
        "line 3: updated – Liege (BE): Matched “Liège”; changes: member of the network.",
        "1 created, 1 updated, 0 unchanged, 0 rejected.",
        "The member list was imported.",
    ]
    assert Authority.objects.filter(name="Nice", region_code="FRL03").exists()


def test_import_authorities_command_fails_and_writes_nothing_on_a_rejected_line(tmp_path):
    members = tmp_path / "members.csv"
    members.write_text(HEADER + "Nice,FR,,,\nMannheim,Germany,town,,\n", encoding="utf-8")
    out = StringIO()

    with pytest.raises(CommandError) as error:
        call_command("import_authorities", str(members), stdout=out)

    assert str(error.value) == (
        "Nothing was written: 1 line was rejected. Correct it and import the file again."
    )
    assert out.getvalue().splitlines()[1] == (
        "line 3: rejected – Mannheim (DE): Unknown kind “town”: use one of municipality, "
        "intercommunal, province, region, national, international, other."
    )
    assert not Authority.objects.exists()


def test_import_authorities_command_dry_run_writes_nothing(tmp_path):
    members = tmp_path / "members.csv"
    members.write_text(HEADER + "Nice,FR,,,\n", encoding="utf-8")

    output = run_command(str(members), "--dry-run")

    assert output.splitlines()[-1] == "Dry run: the file is valid; nothing was written."
    assert not Authority.objects.exists()


def test_import_authorities_command_refuses_a_missing_file(tmp_path):
    missing = tmp_path / "missing.csv"

    with pytest.raises(CommandError) as error:
        run_command(str(missing))

    assert str(error.value) == f"Cannot read {missing}: No such file or directory"


def test_import_authorities_command_refuses_a_file_without_the_columns(tmp_path):
    members = tmp_path / "members.csv"
    members.write_text("city\nNice\n", encoding="utf-8")

    with pytest.raises(CommandError) as error:
        run_command(str(members))

    assert str(error.value) == (
        "The first line must name the columns: name, country, kind, member, region_code."
    )


def test_import_authorities_command_demo_member_list_creates_then_leaves_unchanged():
    first = run_command(str(DEMO_MEMBER_LIST))
    created = Authority.objects.count()
    second = run_command(str(DEMO_MEMBER_LIST))

    assert created >= 60
    assert first.splitlines()[-2] == f"{created} created, 0 updated, 0 unchanged, 0 rejected."
    assert second.splitlines()[-2] == f"0 created, 0 updated, {created} unchanged, 0 rejected."
    assert Authority.objects.count() == created
