"""Recount every conference's confirmed and waiting registrations, and every session's bookings
that hold a place, and compare them with the counters the place services keep on the conference
and session rows: `manage.py place_counts_check [--fix]`. Exits with status 1 when a counter is
off (and --fix was not given), so that a scheduled run or a deploy step notices."""

import argparse

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from registrations.places.bookings import sessions_rebalance
from registrations.places.counters import place_counts_check


class Command(BaseCommand):
    help = "Check the place counters of conferences and sessions against the registrations."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--fix", action="store_true", help="Write the counts found where they differ."
        )

    def handle(self, *args, **options) -> None:
        mismatches = place_counts_check(fix=options["fix"])
        if options["fix"]:
            # A counter set lower frees places: they go to the waiting lists, as after every
            # change that frees one (a new registration's bookings rely on that).
            sessions_rebalance(
                session_ids={m.session_id for m in mismatches if m.session_id is not None}
            )
        for mismatch in mismatches:
            figures = {
                "conference": mismatch.conference_id,
                "session": mismatch.session_id,
                "field": mismatch.field,
                "stored": mismatch.stored,
                "counted": mismatch.counted,
            }
            if mismatch.session_id is None:
                message = gettext(
                    "Conference %(conference)d: %(field)s is %(stored)d, the registrations "
                    "count %(counted)d."
                )
            else:
                message = gettext(
                    "Session %(session)d of conference %(conference)d: %(field)s is "
                    "%(stored)d, the bookings count %(counted)d."
                )
            self.stdout.write(message % figures)
        if not mismatches:
            self.stdout.write(self.style.SUCCESS(gettext("The place counters are right.")))
        elif options["fix"]:
            self.stdout.write(self.style.SUCCESS(gettext("The place counters were corrected.")))
        else:
            raise CommandError(gettext("The place counters are wrong; run again with --fix."))
