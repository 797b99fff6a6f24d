"""Load the demo conference (registrations/demo/seed.py). Run it as often as you like: a second
run changes nothing."""

import argparse

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import models
from django.urls import reverse

from conference.models import Conference
from registrations.demo.seed import (
    ORGANISER_PASSWORD,
    ORGANISER_TOTP_KEY,
    ORGANISER_USERNAME,
    demo_load,
)
from registrations.models import Authority, Registration


class Command(BaseCommand):
    help = "Load the demo conference (Nice 2021) and, optionally, generated registrations."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--open-registration",
            action="store_true",
            help="Move the conference 8 to 9 weeks ahead (whole weeks) so registration is open.",
        )
        parser.add_argument(
            "--registrations",
            type=_non_negative_int,
            default=0,
            metavar="N",
            help="Add N generated registrations (existing generated ones are kept).",
        )
        parser.add_argument(
            "--seed", type=int, default=2021, help="Seed of the generated registrations."
        )
        parser.add_argument(
            "--demo-organiser",
            action="store_true",
            help=f"Create the superuser {ORGANISER_USERNAME!r} (public password; DEBUG only).",
        )

    def handle(self, *args, **options) -> None:
        if options["demo_organiser"] and not settings.DEBUG:
            raise CommandError(
                "--demo-organiser sets a publicly known password; it runs only with DEBUG on."
            )
        conference, added = demo_load(
            open_registration=options["open_registration"],
            registrations=options["registrations"],
            seed=options["seed"],
            organiser=options["demo_organiser"],
        )

        if options["verbosity"] >= 1:
            self.write_summary(conference, added=added, organiser=options["demo_organiser"])

    def write_summary(self, conference: Conference, *, added: int, organiser: bool) -> None:
        state = "open" if conference.registration_is_open() else "closed"
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded “{conference.name}” ({conference.slug}), "
                f"{conference.start_date:%d %b %Y} to {conference.end_date:%d %b %Y}; "
                f"registration is {state}."
            )
        )
        countries = Authority.objects.values("country").distinct().count()
        by_status = dict(
            conference.registrations.values_list("status").annotate(models.Count("pk"))
        )
        self.stdout.write(
            f"  {Authority.objects.count()} authorities from {countries} countries, "
            f"{conference.venue.rooms.count()} rooms, {conference.sessions.count()} sessions, "
            f"{conference.speakers.count()} speakers"
        )
        delegations = conference.delegations.count()
        self.stdout.write(
            f"  {sum(by_status.values())} registrations: "
            f"{by_status.get(Registration.Status.CONFIRMED, 0)} confirmed, "
            f"{by_status.get(Registration.Status.WAITLISTED, 0)} on the waiting list, "
            f"{by_status.get(Registration.Status.CANCELLED, 0)} cancelled "
            f"({added} added now); {delegations} delegations"
        )
        self.stdout.write(f"  Site:  {settings.SITE_URL}/")
        if organiser:
            self.stdout.write(
                f"  Admin: {settings.SITE_URL}{reverse('admin:index')} "
                f"user {ORGANISER_USERNAME}, password {ORGANISER_PASSWORD}"
            )
            self.stdout.write(
                f"  Second factor: authenticator app key {ORGANISER_TOTP_KEY} "
                f"(or the code of `oathtool --totp -b {ORGANISER_TOTP_KEY}`)"
            )


def _non_negative_int(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return number
