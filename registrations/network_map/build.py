"""Country outlines for the map, drawn once from Natural Earth's TopoJSON (the npm package
`world-atlas`, countries-50m.json or countries-110m.json) into the small asset the pages read,
europe.json. Run by `manage.py build_europe_map <path to the TopoJSON>`, whose docstring says
where to get the file; nothing here runs on a request.

TopoJSON is decoded here (no dependency): arcs are quantized and delta-encoded, geometries name
arcs by index, ~index for an arc walked backwards. Each ring is clipped to a box of longitudes
and latitudes around Europe (so that nothing far away is projected), projected as
projection.MapFrame says, clipped to the frame, simplified (Douglas–Peucker) and rounded."""

import itertools
import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from registrations.network_map.projection import frame_for

Point = tuple[float, float]
Ring = list[Point]

# Europe and its neighbours, and the map's width in viewBox units.
BOX = {"west": -25.0, "east": 45.0, "south": 33.0, "north": 72.0}
CENTRE = {"centre_lon": 10.0, "centre_lat": 52.0}
WIDTH = 1000.0
# Simplification tolerance and smallest ring kept, in viewBox units (and units squared).
TOLERANCE = 0.8
MIN_AREA = 2.0
# How far outside the frame clipped edges run, so that they are never seen.
MARGIN = 5.0

ATTRIBUTION = (
    "Country outlines: Natural Earth (public domain), through the world-atlas package (ISC)."
)


def decode_arcs(topology: dict[str, Any]) -> list[Ring]:
    """The topology's arcs as lists of (longitude, latitude)."""
    transform = topology.get("transform")
    arcs: list[Ring] = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([(float(p[0]), float(p[1])) for p in arc])
            continue
        (scale_x, scale_y), (shift_x, shift_y) = transform["scale"], transform["translate"]
        x = y = 0
        points: Ring = []
        for position in arc:
            x += position[0]
            y += position[1]
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def ring_from_arcs(indexes: Sequence[int], arcs: list[Ring]) -> Ring:
    """A closed ring from arc indexes; ~i walks arc i backwards; each arc after the first
    starts where the last ended, so its first point is dropped."""
    ring: Ring = []
    for index in indexes:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points if not ring else points[1:])
    return ring


def geometry_rings(geometry: dict[str, Any], arcs: list[Ring]) -> list[Ring]:
    """Every ring (outer and holes alike: drawn with the even-odd rule) of a geometry."""
    kind = geometry.get("type")
    if kind == "Polygon":
        polygons = [geometry["arcs"]]
    elif kind == "MultiPolygon":
        polygons = geometry["arcs"]
    else:
        return []
    return [ring_from_arcs(ring, arcs) for polygon in polygons for ring in polygon]


def clip_ring(ring: Ring, *, left: float, right: float, bottom: float, top: float) -> Ring:
    """Sutherland–Hodgman: the part of a closed ring inside an axis-aligned box (bottom < top
    in the ring's own coordinates)."""
    edges = [
        (lambda p: p[0] >= left, 0, left),
        (lambda p: p[0] <= right, 0, right),
        (lambda p: p[1] >= bottom, 1, bottom),
        (lambda p: p[1] <= top, 1, top),
    ]
    output = ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else list(ring)
    for inside, axis, value in edges:
        source, output = output, []
        if not source:
            break
        previous = source[-1]
        for current in source:
            if inside(current):
                if not inside(previous):
                    output.append(_crossing(previous, current, axis, value))
                output.append(current)
            elif inside(previous):
                output.append(_crossing(previous, current, axis, value))
            previous = current
    return output + output[:1] if output else []


def _crossing(a: Point, b: Point, axis: int, value: float) -> Point:
    t = (value - a[axis]) / (b[axis] - a[axis])
    crossing = (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))
    return (value, crossing[1]) if axis == 0 else (crossing[0], value)


def simplify(points: Ring, tolerance: float) -> Ring:
    """Douglas–Peucker, iterative: the points that stray more than `tolerance` from the line
    through those kept around them."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, distance = 0, 0.0
        for index in range(first + 1, last):
            d = _distance_to_segment(points[index], points[first], points[last])
            if d > distance:
                farthest, distance = index, d
        if distance > tolerance:
            keep[farthest] = True
            stack.extend([(first, farthest), (farthest, last)])
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _distance_to_segment(p: Point, a: Point, b: Point) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    if dx == 0 and dy == 0:
        return math.hypot(p[0] - a[0], p[1] - a[1])
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def ring_area(ring: Ring) -> float:
    return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(ring)) / 2)


def svg_path(rings: Iterable[Ring]) -> str:
    """Rings as path data, rounded to a tenth of a unit, without repeated points."""
    parts = []
    for ring in rings:
        rounded: list[tuple[float, float]] = []
        for x, y in ring[:-1]:
            point = (round(x, 1), round(y, 1))
            if not rounded or rounded[-1] != point:
                rounded.append(point)
        if len(rounded) >= 3:
            parts.append("M" + "L".join(f"{_number(x)} {_number(y)}" for x, y in rounded) + "Z")
    return "".join(parts)


def _number(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def europe_map(
    topology: dict[str, Any],
    *,
    object_name: str = "countries",
    box: dict[str, float] = BOX,
    centre: dict[str, float] = CENTRE,
    width: float = WIDTH,
    tolerance: float = TOLERANCE,
    min_area: float = MIN_AREA,
) -> dict[str, Any]:
    """The asset: the frame (projection and viewBox) and each country's outline as SVG path
    data, countries with nothing in the frame left out."""
    frame = frame_for(**box, width=width, **centre)
    arcs = decode_arcs(topology)
    # The box widened by half its size on every side: rings are cut there before projecting,
    # and the frame then shows only the box.
    half_width, half_height = (box["east"] - box["west"]) / 2, (box["north"] - box["south"]) / 2
    wide = {
        "left": box["west"] - half_width,
        "right": box["east"] + half_width,
        "bottom": max(-89.0, box["south"] - half_height),
        "top": min(89.0, box["north"] + half_height),
    }
    countries = []
    for geometry in topology["objects"][object_name]["geometries"]:
        rings = []
        for ring in geometry_rings(geometry, arcs):
            ring = clip_ring(ring, **wide)
            if len(ring) < 4:
                continue
            projected = clip_ring(
                [frame.to_svg(lon, lat) for lon, lat in ring],
                left=-MARGIN,
                right=frame.width + MARGIN,
                bottom=-MARGIN,
                top=frame.height + MARGIN,
            )
            if len(projected) < 4 or ring_area(projected) < min_area:
                continue
            simplified = simplify(projected, tolerance)
            if len(simplified) >= 4:
                rings.append(simplified)
        path = svg_path(rings)
        if path:
            properties = geometry.get("properties") or {}
            countries.append(
                {"id": str(geometry.get("id", "")), "name": properties.get("name", ""), "d": path}
            )
    countries.sort(key=lambda country: (country["name"], country["id"]))
    return {"attribution": ATTRIBUTION, "frame": frame.as_dict(), "countries": countries}


def europe_map_write(source: Path, target: Path, **options: Any) -> dict[str, Any]:
    """Read the TopoJSON at `source`, write the asset to `target`, compactly."""
    topology = json.loads(source.read_text(encoding="utf-8"))
    asset = europe_map(topology, **options)
    asset["source"] = source.name
    target.write_text(
        json.dumps(asset, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n",
        encoding="utf-8",
    )
    return asset
