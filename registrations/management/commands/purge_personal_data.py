"""Apply the retention schedules now, as the daily task does:
`manage.py purge_personal_data [--conference SLUG] [--dry-run]`. With --dry-run nothing is
written and the command prints what would go, per conference and kind."""

import argparse

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from conference.models import Conference
from registrations.models import PurgeRecord
from registrations.privacy.purge import personal_data_purge


class Command(BaseCommand):
    help = "Apply the conferences' retention schedules: delete or anonymise what is due."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--conference", metavar="SLUG", help="Only this conference.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would go; change nothing."
        )

    def handle(self, *args, **options) -> None:
        chosen = Conference.objects.order_by("start_date", "pk")
        if options["conference"]:
            chosen = chosen.filter(slug=options["conference"])
            if not chosen.exists():
                raise CommandError(gettext("No conference “%s”.") % options["conference"])
        conferences = list(chosen)
        dry_run = options["dry_run"]
        outcome = personal_data_purge(conferences=conferences, dry_run=dry_run)
        labels = dict(PurgeRecord.Kind.choices)
        for conference in conferences:
            counts = outcome.counts.get(conference.pk)
            if not counts:
                self.stdout.write(
                    gettext("%(conference)s: nothing due.") % {"conference": conference.slug}
                )
                continue
            for kind, count in sorted(counts.items()):
                line = gettext("would go") if dry_run else gettext("purged")
                self.stdout.write(f"{conference.slug}: {labels[kind]}: {count} ({line})")
