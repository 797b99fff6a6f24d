"""Export a conference's attendee list to a file:
`manage.py export_registrations --conference SLUG --format csv|xlsx --output FILE
[--status S] [--category C] [--country CC] [--special-needs]`.

The columns and writers are those of the admin's export (registrations.organiser.exports);
the export is recorded like any other, with no user and the source "command"."""

import argparse
from urllib.parse import urlencode

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from conference.models import Conference
from registrations.models import ExportFormat, ExportKind, ExportRecord, Registration
from registrations.organiser.exports.records import export_record_create
from registrations.organiser.exports.selectors import registrations_for_export
from registrations.organiser.exports.writers import attendee_export_write


class Command(BaseCommand):
    help = "Export the attendee list of a conference as CSV or XLSX."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--conference", required=True, metavar="SLUG")
        parser.add_argument("--format", required=True, choices=ExportFormat.values)
        parser.add_argument("--output", required=True, metavar="FILE")
        parser.add_argument("--status", choices=Registration.Status.values)
        parser.add_argument("--category", choices=Registration.Category.values)
        parser.add_argument("--country", metavar="CC", help="ISO code of the authority's country.")
        parser.add_argument(
            "--special-needs",
            action="store_true",
            help="Add the dietary and accessibility needs columns.",
        )

    def handle(self, *args, **options) -> None:
        slug = options["conference"]
        conference = Conference.objects.filter(slug=slug).first()
        if conference is None:
            raise CommandError(gettext("No conference with the slug “%(slug)s”.") % {"slug": slug})
        filters = {
            name: options[name]
            for name in ("status", "category", "country")
            if options[name] is not None
        }
        if "country" in filters:
            filters["country"] = filters["country"].upper()
        registrations = registrations_for_export(conference=conference, **filters)
        total = registrations.count()
        show_progress = self.stdout.isatty()

        def progress(done: int) -> None:
            self.stdout.write(f"\r{done:,} / {total:,}", ending="")
            self.stdout.flush()

        try:
            rows = attendee_export_write(
                registrations=registrations,
                export_format=ExportFormat(options["format"]),
                path=options["output"],
                special_needs=options["special_needs"],
                on_progress=progress if show_progress else None,
            )
        except OSError as error:
            raise CommandError(
                gettext("Cannot write %(file)s: %(error)s")
                % {"file": options["output"], "error": error.strerror}
            ) from error
        if show_progress:
            self.stdout.write(f"\r{rows:,} / {total:,}")
        export_record_create(
            user=None,
            source=ExportRecord.Source.COMMAND,
            kind=ExportKind.ATTENDEES,
            export_format=ExportFormat(options["format"]),
            conference_ids=[conference.pk],
            filter=urlencode({"conference": slug, **filters}),
            searched=False,
            special_needs=options["special_needs"],
            rows=rows,
        )
        self.stdout.write(
            self.style.SUCCESS(
                gettext("%(count)d registrations written to %(file)s.")
                % {"count": rows, "file": options["output"]}
            )
        )
