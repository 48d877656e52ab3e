"""Drawing a chart: a Vega-Lite spec with its rows as named datasets, rendered to inline SVG offline by vl-convert
(cached by spec) or handed to the browser as an embeddable spec with the house config.

Apart from the chart kinds (charts.py) and the map (maps.py), which both build `Figure`s and draw them here.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any
from urllib.parse import quote

import orjson
import vl_convert as vlc
from markupsafe import Markup, escape

from silkscope.serving.state import LRU

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
# "1": check each chart's spec against the Vega-Lite schema when it is made (tests/conftest.py sets it, for servers
# the tests start too). Off, as on a server: the charts are written the same way each time, and the check is what
# needs Altair (its copy of the schema), which a request never imports.
VALIDATE_ENV = "SILKSCOPE_VALIDATE_CHARTS"
# The Vega-Lite version the specs are written for: the one the Altair release pinned in constraints.txt ships (its
# schema is what VALIDATE_ENV checks against; tests/figures asserts the two agree).
SCHEMA_URL = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
# Altair's default theme put this view config in every spec. Kept so a page ships the spec it shipped when Altair
# wrote it: in `embeddable` a spec's own "view" config replaces the house one (so the browser draws the view's
# frame, which the server's SVG leaves out); dropping it would change how the pages look.
ALTAIR_VIEW = {"continuousWidth": 300, "continuousHeight": 300}
# Fields a chart's rows keep beside those its view reads: they say, in the hover, what the number is. The rest of a
# table's row (its source ids, other columns' definitions) was shipped for nothing: half of an overview's weight.
HOVER_FIELDS = frozenset({"definition", "unit"})
# A field an expression reads: datum.name or datum['name']
_DATUM = re.compile(r"""datum(?:\.([A-Za-z_$][\w$]*)|\[['"]([^'"]+)['"]\])""")

_svgs = LRU(256)
_lock = threading.Lock()
_VL_CONFIG = {
    "font": FONT,
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "titleFontWeight": "normal", "gridColor": "#e6e6e6"},
    "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "bottom", "direction": "horizontal"},
    "title": {"fontSize": 13, "anchor": "start"},
}


SITE_LINK = re.compile(r'xlink:href="[a-z]+://[^"]*?[^:/]/(/[^"]*)"')


class ChartError(RuntimeError):
    pass


def _json(spec: dict[str, Any], *, sort: bool = False) -> str:
    """Compact JSON of a spec, with orjson: a page ships a spec per chart (the map's is 120 kB of coordinates), and
    the standard library took 3 ms to write the map where orjson takes 0.3. Numpy numbers are written as numbers,
    anything else unknown as text, and NaN as null (JSON has no NaN; the browser's parser refuses it)."""
    options = orjson.OPT_SERIALIZE_NUMPY | (orjson.OPT_SORT_KEYS if sort else 0)
    return orjson.dumps(spec, default=str, option=options).decode()


def embeddable(figure: Figure | dict) -> str:
    """The chart's Vega-Lite spec (house config, hover tooltips on) as JSON safe inside <script type=
    "application/json">: the browser draws it interactively with vega-embed; the SVG stays for briefs and for
    pages without JavaScript."""
    spec = dict(figure if isinstance(figure, dict) else figure.spec())
    if isinstance(figure, Figure) and figure.by_url:
        spec = _fetched(spec, figure.by_url)
    # merged a level deep, as vl-convert merges the house config into the SVG's: the spec's view size must not drop
    # the house's frameless view
    config = {**_VL_CONFIG}
    for key, value in spec.get("config", {}).items():
        both = isinstance(value, dict) and isinstance(config.get(key), dict)
        config[key] = {**config[key], **value} if both else value
    config["mark"] = {**config.get("mark", {}), "tooltip": {"content": "data"}}
    spec["config"] = config
    text = _json(spec)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@dataclass
class Figure:
    """A chart: its Vega-Lite view as plain dicts and lists (`chart`: no `$schema`, no config, no rows), and the rows
    it draws as named datasets (`data`), which the view reads with `{"data": named(...)}`. `kind` names the chart in
    errors. Writing the dicts directly took microseconds where building them through Altair's objects took 2-35 ms
    a chart."""

    chart: dict[str, Any]
    data: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    kind: str = "chart"
    # datasets a browser fetches from the server's address instead (the map's shapes: the same on every page, so
    # cached), each a JSON list of its rows. An SVG drawn here still reads them from `data`.
    by_url: dict[str, str] = field(default_factory=dict)
    _spec: dict[str, Any] | None = field(default=None, repr=False)

    def spec(self) -> dict[str, Any]:
        """The top-level spec: the view with its datasets (made once; callers must not change it)."""
        if self._spec is None:
            spec = {"$schema": SCHEMA_URL, "config": {"view": {**ALTAIR_VIEW}}, **self.chart}
            if os.environ.get(VALIDATE_ENV) == "1":
                validate(spec, self.kind)  # before the rows join: the schema says little about them, at length
            fields = read_fields(self.chart)
            data = self.data if fields is None else {k: _keep(rows, fields) for k, rows in self.data.items()}
            spec["datasets"] = {**spec.get("datasets", {}), **data}
            self._spec = spec
        return self._spec


def _fetched(spec: dict[str, Any], urls: dict[str, str]) -> dict[str, Any]:
    """The spec with the datasets in `urls` left out, and each view reading one of them reading its address."""

    def swap(node: Any) -> Any:
        if isinstance(node, dict):
            name = node.get("name")
            if len(node) == 1 and name in urls:
                return {"url": urls[name]}
            return {k: swap(v) for k, v in node.items()}
        if isinstance(node, list):
            return [swap(v) for v in node]
        return node

    view = {k: swap(v) for k, v in spec.items() if k != "datasets"}
    return {**view, "datasets": {k: v for k, v in spec["datasets"].items() if k not in urls}}


def read_fields(view: Any) -> set[str] | None:
    """The row fields a view reads (encodings, sorts, facets, transforms, expressions), by their top-level name; None
    when it draws whole rows (a geoshape draws each row as a GeoJSON feature), so no field may be dropped."""
    fields: set[str] = set(HOVER_FIELDS)

    def walk(node: Any, key: str = "") -> bool:
        if isinstance(node, dict):
            mark = node.get("mark")
            if mark == "geoshape" or (isinstance(mark, dict) and mark.get("type") == "geoshape"):
                return False
            return all(walk(v, k) for k, v in node.items())
        if isinstance(node, list):
            if key in ("groupby", "fold", "fields", "as"):
                fields.update(str(v).split(".")[0] for v in node if isinstance(v, str))
            return all(walk(v, key) for v in node)
        if isinstance(node, str):
            if key in ("field", "as", "lookup", "key", "groupby"):
                fields.add(node.split(".")[0])
            fields.update(a or b for a, b in _DATUM.findall(node))
        return True

    return fields if walk(view) else None


def _keep(rows: list[dict[str, Any]], fields: set[str]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k in fields} for row in rows]


def named(name: str) -> dict[str, str]:
    """A view's data: the dataset of that name in `Figure.data` (`{"data": named("visits")}`)."""
    return {"name": name}


@cache
def _schema() -> dict[str, Any]:
    """The Vega-Lite schema Altair ships. Imported here only: a server that does not validate never loads Altair."""
    from altair.vegalite.v6.schema.core import load_schema

    return load_schema()


def _uri_refs(node: Any) -> Any:
    """The schema with each $ref percent-encoded: Vega-Lite names definitions like `MarkPropDef<(Gradient|string)>`,
    which jsonschema_rs refuses as URI references as written (it decodes them again to look them up)."""
    if isinstance(node, dict):
        return {k: quote(v, safe="#/") if k == "$ref" and isinstance(v, str) else _uri_refs(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_uri_refs(v) for v in node]
    return node


@cache
def _validator() -> Any:
    """The schema compiled once by jsonschema_rs: it checked a page's charts in about a millisecond, where
    jsonschema took hundreds."""
    import jsonschema_rs

    return jsonschema_rs.validator_for(_uri_refs(_schema()))


def validate(spec: dict[str, Any], kind: str = "chart") -> None:
    """ChartError naming the chart and the first way its spec breaks the Vega-Lite schema, if it does."""
    if _validator().is_valid(spec):
        return
    # Explained by jsonschema, on failure only: jsonschema_rs reports a wrong mark as the whole spec failing the
    # top-level anyOf; jsonschema's best match names the property ("'barr' is not valid ... at mark").
    import jsonschema

    error = jsonschema.exceptions.best_match(jsonschema.Draft7Validator(_schema()).iter_errors(spec))
    where = "/".join(str(p) for p in error.absolute_path) if error else ""
    message = error.message if error else "rejected by the schema"
    raise ChartError(f"{kind}: the Vega-Lite spec is invalid at {where or 'the top level'}: {message[:400]}")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return ", ".join(str(_plain(v)) for v in value)
    return value


def records(rows: list[dict[str, Any]], keep: list[str] | None = None) -> list[dict[str, Any]]:
    """JSON-ready rows for a chart's inline data (dates as ISO strings, lists joined)."""
    return [{k: _plain(v) for k, v in r.items() if keep is None or k in keep} for r in rows]


def svg(figure: Figure | dict, *, label: str) -> Markup:
    """Inline SVG for a chart, with an accessible name. Rendered without any network access."""
    spec = figure if isinstance(figure, dict) else figure.spec()
    key = hashlib.sha256(_json(spec, sort=True).encode()).hexdigest()
    text = _svgs.get(key)
    if text is None:
        try:
            with _lock:  # one conversion at a time: vl-convert runs a single JavaScript engine
                text = vlc.vegalite_to_svg(spec, config=_VL_CONFIG, allowed_base_urls=[])
        except Exception as exc:  # vl-convert raises plain ValueErrors with the Vega message
            raise ChartError(f"chart could not be rendered: {exc}") from exc
        # Links in marks (site paths, "/country/KAZ") come back resolved against vl-convert's base URL
        # ("https://…/vega-datasets//country/KAZ"): keep the path. The browser's Vega leaves them as they are.
        text = SITE_LINK.sub(r'xlink:href="\1"', text)
        _svgs.put(key, text)
    attrs = f'<svg role="img" aria-label="{escape(label)}" focusable="false" '
    return Markup(text.replace("<svg ", attrs, 1))
