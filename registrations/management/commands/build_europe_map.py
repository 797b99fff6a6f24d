"""Draw the map's country outlines once, into registrations/network_map/europe.json (committed).

The outlines are Natural Earth's (public domain), as the npm package world-atlas (ISC) ships
them in TopoJSON; neither the package nor the file is kept in the repository:

    npm pack world-atlas@2 --pack-destination /tmp && tar xzf /tmp/world-atlas-2.*.tgz -C /tmp
    .venv/bin/python manage.py build_europe_map /tmp/package/countries-50m.json

The projection and the frame (Europe and its neighbours, longitudes -25 to 45, latitudes 33
to 72) are written into the asset, and the pages place authorities with them."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from registrations.network_map.build import europe_map_write
from registrations.network_map.outlines import ASSET_PATH


class Command(BaseCommand):
    help = "Draw the map's country outlines from world-atlas's TopoJSON (countries-50m.json)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("topojson", type=Path, help="Path of countries-50m.json")
        parser.add_argument("--output", type=Path, default=ASSET_PATH)

    def handle(self, *args, topojson: Path, output: Path, **options) -> None:
        asset = europe_map_write(topojson, output)
        self.stdout.write(
            f"{len(asset['countries'])} countries, {output.stat().st_size} bytes: {output}"
        )
