"""Import the network's member list: `manage.py import_authorities members.csv [--dry-run]`.

The rules (matching, all or nothing) live in registrations.authorities; this prints the report
and fails when a line was rejected, so that a script or CI job notices."""

import argparse
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from registrations.authorities.members import ImportOutcome, authorities_import, member_list_read
from registrations.errors import RegistrationError


class Command(BaseCommand):
    help = (
        "Import the member list from a CSV file with the columns name, country, kind, member, "
        "region_code. Nothing is written if any line is rejected."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("file", type=Path, metavar="FILE", help="The member list (CSV).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, without writing.",
        )

    def handle(self, *args, file: Path, dry_run: bool, **options) -> None:
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(
                gettext("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}
            ) from error
        try:
            report = authorities_import(rows=member_list_read(content), dry_run=dry_run)
        except RegistrationError as error:
            raise CommandError(error.message) from error

        for line in report.lines:
            text = gettext("line %(line)d: %(outcome)s – %(name)s (%(country)s)") % {
                "line": line.line,
                "outcome": line.outcome.label,
                "name": line.name,
                "country": line.country,
            }
            if line.detail:
                text = f"{text}: {line.detail}"
            if line.outcome == ImportOutcome.REJECTED:
                text = self.style.ERROR(text)
            self.stdout.write(text)
        self.stdout.write(report.summary)
        if report.rejected:
            raise CommandError(report.conclusion)
        self.stdout.write(self.style.SUCCESS(report.conclusion))
