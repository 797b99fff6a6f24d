"""Give conferences the built-in questions they lack (days attended, meals, diet, arrival and
departure): `manage.py questions_builtin_create [--conference SLUG]`. New conferences get them
when created; this is for those made before, or to bring back one deleted on purpose. The
questions a conference holds are left as its organisers set them."""

import argparse

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from conference.models import Conference
from registrations.questions.builtin import builtin_day_choices_sync, builtin_questions_create


class Command(BaseCommand):
    help = "Create the built-in questions the conferences lack."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--conference", help="Only the conference of this slug.")

    def handle(self, *args, **options) -> None:
        conferences = Conference.objects.order_by("pk")
        if options["conference"]:
            conferences = conferences.filter(slug=options["conference"])
            if not conferences.exists():
                raise CommandError(
                    gettext("No conference has the slug %(slug)s.")
                    % {"slug": options["conference"]}
                )
        for conference in conferences:
            created = builtin_questions_create(conference)
            builtin_day_choices_sync(conference)
            self.stdout.write(
                gettext("%(conference)s: %(count)d built-in questions created.")
                % {"conference": conference.slug, "count": len(created)}
            )
