"""The country outlines drawn once by build_europe_map, read once per process."""

import functools
import json
from pathlib import Path
from typing import Any

from registrations.network_map.projection import MapFrame

ASSET_PATH = Path(__file__).with_name("europe.json")


@functools.cache
def europe_outlines() -> dict[str, Any]:
    return json.loads(ASSET_PATH.read_text(encoding="utf-8"))


def europe_frame() -> MapFrame:
    return MapFrame.from_dict(europe_outlines()["frame"])
