"""The map's projection, shared by the script that draws the country outlines once
(build_europe_map) and the pages that place authorities on them: a Lambert azimuthal
equal-area projection centred on Europe, then scaled into the SVG's viewBox."""

import math
from dataclasses import dataclass
from typing import Any


def lambert_azimuthal(
    lon: float, lat: float, *, centre_lon: float, centre_lat: float
) -> tuple[float, float]:
    """Spherical Lambert azimuthal equal-area: (x, y) on the unit sphere's plane, y north."""
    phi, lam = math.radians(lat), math.radians(lon - centre_lon)
    phi0 = math.radians(centre_lat)
    denominator = (
        1 + math.sin(phi0) * math.sin(phi) + math.cos(phi0) * math.cos(phi) * math.cos(lam)
    )
    k = math.sqrt(2 / max(denominator, 1e-12))
    x = k * math.cos(phi) * math.sin(lam)
    y = k * (math.cos(phi0) * math.sin(phi) - math.sin(phi0) * math.cos(phi) * math.cos(lam))
    return x, y


@dataclass(frozen=True)
class MapFrame:
    """Where the projected plane lands in the viewBox: x grows east, y grows south."""

    centre_lon: float
    centre_lat: float
    x_min: float
    y_max: float
    scale: float
    width: float
    height: float

    def to_svg(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = lambert_azimuthal(lon, lat, centre_lon=self.centre_lon, centre_lat=self.centre_lat)
        return (x - self.x_min) * self.scale, (self.y_max - y) * self.scale

    def contains(self, x: float, y: float) -> bool:
        return 0 <= x <= self.width and 0 <= y <= self.height

    def as_dict(self) -> dict[str, float]:
        return {
            "centre_lon": self.centre_lon,
            "centre_lat": self.centre_lat,
            "x_min": self.x_min,
            "y_max": self.y_max,
            "scale": self.scale,
            "width": self.width,
            "height": self.height,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "MapFrame":
        return cls(**{name: float(data[name]) for name in cls.__dataclass_fields__})


def frame_for(
    *,
    west: float,
    east: float,
    south: float,
    north: float,
    width: float,
    centre_lon: float | None = None,
    centre_lat: float | None = None,
) -> MapFrame:
    """The frame that shows the box of longitudes and latitudes `width` units wide: its
    centre is the projection's, its top and bottom the box's north and south at the centre's
    longitude, its sides the west and east edges at the centre's latitude."""
    centre_lon = (west + east) / 2 if centre_lon is None else centre_lon
    centre_lat = (south + north) / 2 if centre_lat is None else centre_lat

    def project(lon: float, lat: float) -> tuple[float, float]:
        return lambert_azimuthal(lon, lat, centre_lon=centre_lon, centre_lat=centre_lat)

    x_min = project(west, centre_lat)[0]
    x_max = project(east, centre_lat)[0]
    y_min = project(centre_lon, south)[1]
    y_max = project(centre_lon, north)[1]
    scale = width / (x_max - x_min)
    return MapFrame(
        centre_lon=centre_lon,
        centre_lat=centre_lat,
        x_min=x_min,
        y_max=y_max,
        scale=scale,
        width=round(width, 1),
        height=round((y_max - y_min) * scale, 1),
    )
