"""The map of Central Asia: country shapes from npm world-atlas (ISO numeric ids), drawn by Vega offline.

world-atlas is installed with `npm ci` at the project root (package.json pins it); it is never copied into the
repository. $SILKSCOPE_WORLD_ATLAS may point at another folder holding countries-50m.json.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from silkscope.countries import C5, registry
from silkscope.figures.charts import Figure, channel, named
from silkscope.figures.style import partner_name

ATLAS_ENV = "SILKSCOPE_WORLD_ATLAS"
ATLAS_FILE = "countries-50m.json"
# Neighbours drawn in grey for orientation (the frame is fitted to the five states; these are clipped).
NEIGHBOURS = ("RUS", "CHN", "AFG", "IRN", "PAK", "MNG", "IND", "AZE", "ARM", "GEO", "TUR")
# Label anchors (lon, lat): centroids land in awkward places for Kazakhstan and Kyrgyzstan.
LABELS = {
    "KAZ": (67.5, 48.2),
    "UZB": (63.6, 41.9),
    "TKM": (58.8, 39.3),
    "KGZ": (74.6, 41.6),
    "TJK": (71.0, 38.7),
}
CONTEXT_BOX = (40.0, 28.0, 96.0, 60.0)  # lon0, lat0, lon1, lat1: what the frame can show
# The frame: the five states' extent with a margin. Ring drawn clockwise (d3-geo's outside-in convention).
FRAME = [[45.5, 34.6], [45.5, 56.0], [88.2, 56.0], [88.2, 34.6], [45.5, 34.6]]
CONTEXT_LABELS = {"RUS": (66.0, 54.6), "CHN": (83.5, 42.5), "AFG": (66.5, 35.9), "IRN": (55.0, 36.6)}
# Where a page's browser fetches the shapes (web/routes.py serves `geometry()` there): once, then from its cache,
# instead of 55 kB of coordinates inside every page with a map. A server-drawn SVG (briefs) keeps them inline.
GEOMETRY_PATH = "/map/central-asia"
SHAPE_SETS = ("context", "shapes")  # the neighbours drawn in grey; the five states, joined to their values by ISO3


class MapUnavailableError(RuntimeError):
    pass


def atlas_path() -> Path:
    """countries-50m.json from $SILKSCOPE_WORLD_ATLAS, else node_modules/world-atlas above this file or in cwd."""
    candidates = []
    if os.environ.get(ATLAS_ENV):
        candidates.append(Path(os.environ[ATLAS_ENV]) / ATLAS_FILE)
    here = Path(__file__).resolve()
    candidates += [p / "node_modules" / "world-atlas" / ATLAS_FILE for p in here.parents]
    candidates.append(Path.cwd() / "node_modules" / "world-atlas" / ATLAS_FILE)
    for path in candidates:
        if path.is_file():
            return path
    raise MapUnavailableError(
        "map shapes are not installed: run `npm ci` in the project folder (npm package world-atlas), "
        f"or set {ATLAS_ENV} to a folder holding {ATLAS_FILE}"
    )


def _decode_arcs(topo: dict[str, Any]) -> list[list[list[float]]]:
    """Absolute lon/lat points for every arc (TopoJSON quantised, delta-encoded arcs)."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append([x * sx + tx, y * sy + ty])
        arcs.append(points)
    return arcs


def _ring(indices: list[int], arcs: list[list[list[float]]]) -> list[list[float]]:
    ring: list[list[float]] = []
    for i in indices:
        points = arcs[i] if i >= 0 else arcs[~i][::-1]
        ring.extend(points if not ring else points[1:])
    return ring


@cache
def features() -> dict[str, dict[str, Any]]:
    """GeoJSON features of the five states and their neighbours, keyed by ISO3."""
    topo = json.loads(atlas_path().read_text(encoding="utf-8"))
    arcs = _decode_arcs(topo)
    by_numeric = {c.iso_numeric: c.iso3 for c in registry().countries.values() if c.iso_numeric}
    wanted = set(C5) | set(NEIGHBOURS)
    out: dict[str, dict[str, Any]] = {}
    for geom in topo["objects"]["countries"]["geometries"]:
        if not str(geom.get("id", "")).isdigit():
            continue
        iso3 = by_numeric.get(int(geom["id"]))
        if iso3 not in wanted:
            continue
        if geom["type"] == "Polygon":
            polygons = [[_ring(r, arcs) for r in geom["arcs"]]]
        elif geom["type"] == "MultiPolygon":
            polygons = [[_ring(r, arcs) for r in poly] for poly in geom["arcs"]]
        else:
            continue
        if iso3 not in C5:
            # Neighbours are context only: cut them to the frame so Vega projects a tenth of the points.
            polygons = [[_clip_ring(r, CONTEXT_BOX) for r in poly] for poly in polygons]
        coords = [[[[round(x, 3), round(y, 3)] for x, y in r] for r in poly if r] for poly in polygons]
        coords = [poly for poly in coords if poly]
        if not coords:
            continue
        out[iso3] = {
            "type": "Feature",
            "id": iso3,
            "properties": {"iso3": iso3, "name": partner_name(iso3)},
            "geometry": {"type": "MultiPolygon", "coordinates": coords},
        }
    if missing := set(C5) - set(out):
        raise MapUnavailableError(f"{ATLAS_FILE} has no shapes for {', '.join(sorted(missing))}")
    return out


@cache
def geometry(part: str) -> bytes:
    """One of SHAPE_SETS as the browser fetches it: a list of GeoJSON features."""
    shapes = features()
    chosen = NEIGHBOURS if part == "context" else C5 if part == "shapes" else ()
    if not chosen:
        raise KeyError(f"no map shapes called {part!r}: {', '.join(SHAPE_SETS)}")
    return json.dumps([shapes[i] for i in chosen if i in shapes], separators=(",", ":"), ensure_ascii=False).encode()


@cache
def geometry_url(part: str) -> str:
    """Where the browser fetches a set of shapes, with their digest: a new world-atlas is a new address, so browsers
    may cache them for good. (Two addresses, not one file: Vega-Lite reads one address once, whatever part of it
    each layer asks for.)"""
    return f"{GEOMETRY_PATH}/{part}.json?v={hashlib.sha256(geometry(part)).hexdigest()[:12]}"


def central_asia(
    values: dict[str, float | None],
    *,
    measure: str,
    colour: str = "#0072B2",
    width: int = 560,
    height: int = 330,
    link: str | None = "/country/",
    value_format: str = ",d",
) -> Figure:
    """The five states shaded by `values` (ISO3 -> number; None = no data), neighbours in grey, linked pages."""
    shapes = features()
    c5 = []
    for iso3 in C5:
        value = values.get(iso3)
        shown = "no data" if value is None else format(value, value_format)
        label = f"{partner_name(iso3)}: {shown} ({measure})"
        href = f"{link}{iso3}" if link else None
        c5.append(
            {"iso3": iso3, "name": partner_name(iso3), "value": value, "shown": shown, "href": href, "label": label}
        )
    context = [shapes[i] for i in NEIGHBOURS if i in shapes]
    top = max((v for v in values.values() if v is not None), default=0) or 1
    shade = channel(
        "value:Q",
        scale={"domain": [0, top], "range": ["#e3edf6", colour]},
        legend={"title": measure, "orient": "top-right", "format": value_format, "gradientLength": 120},
    )
    states = {
        "data": named("c5"),
        # each state's row takes its shape from `shapes` (features keyed by ISO3), drawn as the `geo` field
        "transform": [{"lookup": "iso3", "from": {"data": named("shapes"), "key": "id"}, "as": "geo"}],
        "mark": {
            "type": "geoshape",
            # drawn with no value too (pale, by the colour's condition): Vega-Lite's default leaves such a state out,
            # a hole in the map
            "invalid": "show",
            "stroke": "#6b6b6b",
            "strokeWidth": 0.7,
            "cursor": "pointer" if link else "default",
        },
        "encoding": {
            # a state without data is pale, not the scale's zero
            "shape": channel("geo:N", type="geojson"),
            "color": {"condition": {"test": "datum.value == null", "value": "#f7f6f2"}, **shade},
            "description": channel("label:N"),
        },
    }
    if link:
        states["encoding"]["href"] = channel("href:N")
    shown = {row["iso3"]: row["shown"] for row in c5}
    points = [{"lon": lon, "lat": lat, "name": partner_name(i), "shown": shown[i]} for i, (lon, lat) in LABELS.items()]
    ctx = [{"lon": lon, "lat": lat, "name": partner_name(i)} for i, (lon, lat) in CONTEXT_LABELS.items()]

    def text(data: str, field: str, **mark: Any) -> dict[str, Any]:
        """A text layer writing `field` at each row's lon/lat."""
        at = {"longitude": channel("lon:Q"), "latitude": channel("lat:Q")}
        return {"data": named(data), "mark": {"type": "text", **mark}, "encoding": {**at, "text": channel(field)}}

    name = {"fontSize": 11, "fontWeight": "bold", "dy": -6, "color": "#1a1a1a"}
    # A white outline drawn under each name (then the name again on top), so it reads on any shade.
    halo = {"stroke": "#ffffff", "strokeWidth": 3, "strokeOpacity": 0.8}
    layers = [
        {
            "data": named("context"),
            "mark": {"type": "geoshape", "fill": "#eceae4", "stroke": "#ffffff", "strokeWidth": 0.8},
        },
        states,
        text("context_labels", "name:N", fontSize=10, fontStyle="italic", color="#8a877f"),
        text("labels", "name:N", **name, **halo),
        text("labels", "name:N", **name),
        text("labels", "shown:N", fontSize=11, dy=8, color="#1a1a1a", **halo),  # the value reads on a dark state too
        text("labels", "shown:N", fontSize=11, dy=8, color="#1a1a1a"),
    ]
    projection = {
        "type": "conicConformal",
        "rotate": [-66, 0, 0],
        "parallels": [38, 46],
        "fit": {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [FRAME]}},
        "clipExtent": [[0, 0], [width, height]],
    }
    chart = {"layer": layers, "projection": projection, "width": width, "height": height}
    data = {"context": context, "shapes": [shapes[i] for i in C5], "c5": c5, "labels": points, "context_labels": ctx}
    return Figure(chart, data, "central_asia", by_url={name: geometry_url(name) for name in SHAPE_SETS})


def _clip_ring(ring: list[list[float]], box: tuple[float, float, float, float]) -> list[list[float]]:
    """Sutherland–Hodgman clipping of one ring to a lon/lat box (good enough for grey context shapes)."""
    x0, y0, x1, y1 = box
    edges = (
        (lambda p: p[0] >= x0, lambda a, b: _cut(a, b, 0, x0)),
        (lambda p: p[0] <= x1, lambda a, b: _cut(a, b, 0, x1)),
        (lambda p: p[1] >= y0, lambda a, b: _cut(a, b, 1, y0)),
        (lambda p: p[1] <= y1, lambda a, b: _cut(a, b, 1, y1)),
    )
    points = ring
    for inside, cut in edges:
        if not points:
            break
        out: list[list[float]] = []
        prev = points[-1]
        for p in points:
            if inside(p):
                if not inside(prev):
                    out.append(cut(prev, p))
                out.append(p)
            elif inside(prev):
                out.append(cut(prev, p))
            prev = p
        points = out
    if points and points[0] != points[-1]:
        points.append(points[0])
    return points if len(points) >= 4 else []


def _cut(a: list[float], b: list[float], axis: int, at: float) -> list[float]:
    t = (at - a[axis]) / (b[axis] - a[axis])
    return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]
