"""The map's country outlines are drawn from TopoJSON once: decoding (quantized, delta-encoded
arcs, arcs walked backwards), clipping to the frame, simplifying, and the asset's frame placing
points where the outlines are."""

import io
import json

from django.core.management import call_command

from registrations.network_map.build import (
    clip_ring,
    decode_arcs,
    europe_map,
    geometry_rings,
    simplify,
)
from registrations.network_map.outlines import europe_frame, europe_outlines
from registrations.network_map.projection import frame_for

# Two countries sharing an edge (arc 0), in quantized delta-encoded arcs: with the transform,
# quantized (x, y) is longitude x/10 - 10 and latitude y/10 + 40. "Westland" is the square
# lon 0..5, lat 45..50; "Eastland" lon 5..10, lat 45..50; "Farland" is in the Pacific.
TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": [0.1, 0.1], "translate": [-10, 40]},
    "objects": {
        "countries": {
            "type": "GeometryCollection",
            "geometries": [
                {
                    "type": "Polygon",
                    "id": "001",
                    "properties": {"name": "Westland"},
                    "arcs": [[0, 1]],
                },
                {
                    "type": "Polygon",
                    "id": "002",
                    "properties": {"name": "Eastland"},
                    "arcs": [[~0, 2]],
                },
                {"type": "Polygon", "id": "003", "properties": {"name": "Farland"}, "arcs": [[3]]},
                {"type": None, "id": "004"},
            ],
        }
    },
    "arcs": [
        # (5, 45) → (5, 50): quantized (150, 50) then +50 in y.
        [[150, 50], [0, 50]],
        # (5, 50) → (0, 50) → (0, 45) → (5, 45)
        [[150, 100], [-50, 0], [0, -50], [50, 0]],
        # (5, 45) → (10, 45) → (10, 50) → (5, 50)
        [[150, 50], [50, 0], [0, 50], [-50, 0]],
        # A square far away: lon 150..160, lat -10..0.
        [[1600, -500], [100, 0], [0, 100], [-100, 0], [0, -100]],
    ],
}


def test_arcs_are_decoded_from_their_deltas_and_the_transform():
    arcs = decode_arcs(TOPOLOGY)
    assert arcs[0] == [(5.0, 45.0), (5.0, 50.0)]
    assert arcs[1][-1] == (5.0, 45.0)


def test_a_ring_joins_its_arcs_and_walks_a_negative_index_backwards():
    arcs = decode_arcs(TOPOLOGY)
    east = geometry_rings(TOPOLOGY["objects"]["countries"]["geometries"][1], arcs)
    assert east == [[(5.0, 50.0), (5.0, 45.0), (10.0, 45.0), (10.0, 50.0), (5.0, 50.0)]]
    assert geometry_rings({"type": None}, arcs) == []


def test_a_ring_is_clipped_to_a_box():
    square = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)]
    clipped = clip_ring(square, left=5, right=20, bottom=-5, top=5)
    assert set(clipped) == {(5.0, 0.0), (10.0, 0.0), (10.0, 5.0), (5.0, 5.0)}
    assert clipped[0] == clipped[-1]
    assert clip_ring(square, left=50, right=60, bottom=0, top=10) == []


def test_douglas_peucker_drops_the_points_within_tolerance():
    line = [(0.0, 0.0), (1.0, 0.1), (2.0, -0.1), (3.0, 5.0), (4.0, 0.0)]
    assert simplify(line, 0.5) == [(0.0, 0.0), (2.0, -0.1), (3.0, 5.0), (4.0, 0.0)]


def test_the_asset_has_the_countries_in_the_frame_as_paths_and_its_projection():
    asset = europe_map(TOPOLOGY, tolerance=0.1, min_area=0.1)

    names = [country["name"] for country in asset["countries"]]
    assert names == ["Eastland", "Westland"]  # Farland is outside Europe
    frame = frame_for(
        west=-25,
        east=45,
        south=33,
        north=72,
        width=1000,
        centre_lon=10,
        centre_lat=52,
    )
    assert asset["frame"] == frame.as_dict()
    west = next(c for c in asset["countries"] if c["name"] == "Westland")["d"]
    assert west.startswith("M") and west.endswith("Z") and west.count("L") == 3
    # The corner (0, 45) is projected as the frame projects an authority there.
    x, y = frame.to_svg(0, 45)
    assert f"{round(x, 1):g} {round(y, 1):g}" in west
    assert "Natural Earth" in asset["attribution"]


def test_the_command_writes_the_asset(tmp_path):
    source = tmp_path / "countries-test.json"
    source.write_text(json.dumps(TOPOLOGY))
    target = tmp_path / "europe.json"

    call_command("build_europe_map", str(source), output=target, stdout=io.StringIO())

    asset = json.loads(target.read_text())
    assert asset["source"] == "countries-test.json"
    assert len(asset["countries"]) == 2


def test_the_committed_asset_is_small_and_shows_europe():
    outlines = europe_outlines()
    frame = europe_frame()
    names = {country["name"] for country in outlines["countries"]}
    assert {"France", "Belgium", "Germany", "Italy", "Poland", "Cyprus"} <= names
    assert "Brazil" not in names
    assert frame.contains(*frame.to_svg(7.27, 43.70))  # Nice
    assert frame.contains(*frame.to_svg(33.63, 34.92))  # Larnaca
    assert not frame.contains(*frame.to_svg(-74.0, 40.7))  # New York
    from registrations.network_map.outlines import ASSET_PATH

    assert ASSET_PATH.stat().st_size <= 150_000
