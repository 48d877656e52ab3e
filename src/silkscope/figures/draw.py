"""Drawing a chart: a Vega-Lite spec with its rows as named datasets, rendered to inline SVG offline by vl-convert
(cached by spec) or handed to the browser as an embeddable spec with the house config.

Apart from the chart kinds (charts.py) and the map (maps.py), which both build `Figure`s and draw them here.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import altair as alt
import vl_convert as vlc
from markupsafe import Markup, escape

from silkscope.serving.state import LRU

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
# "1": validate each chart's spec against the Vega-Lite schema when it is made (tests/conftest.py sets it, for
# servers the tests start too). Off, Altair also skips validating every object it creates (its "debug mode"): the
# two took 0.35-0.5 s of a page that draws several charts, to check specs this code writes the same way each time.
VALIDATE_ENV = "SILKSCOPE_VALIDATE_CHARTS"
if os.environ.get(VALIDATE_ENV) != "1":
    alt.utils.schemapi.disable_debug_mode()

_svgs = LRU(256)
_lock = threading.Lock()
_VL_CONFIG = {
    "font": FONT,
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "titleFontWeight": "normal", "gridColor": "#e6e6e6"},
    "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "bottom", "direction": "horizontal"},
    "title": {"fontSize": 13, "anchor": "start"},
}


class ChartError(RuntimeError):
    pass


def embeddable(figure: Figure | dict) -> str:
    """The chart's Vega-Lite spec (house config, hover tooltips on) as JSON safe inside <script type=
    "application/json">: the browser draws it interactively with vega-embed; the SVG stays for briefs and for
    pages without JavaScript."""
    spec = dict(figure if isinstance(figure, dict) else figure.spec())
    config = {**_VL_CONFIG, **spec.get("config", {})}
    config["mark"] = {**config.get("mark", {}), "tooltip": {"content": "data"}}
    spec["config"] = config
    text = json.dumps(spec, default=str, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@dataclass
class Figure:
    """A chart whose rows travel as named datasets: Altair validates inline rows slowly, names are instant."""

    chart: Any
    data: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _spec: dict[str, Any] | None = field(default=None, repr=False)

    def spec(self) -> dict[str, Any]:
        if self._spec is None:
            # validated against the Vega-Lite schema only when VALIDATE_ENV says so (the test suite does)
            spec = self.chart.to_dict(validate=os.environ.get(VALIDATE_ENV) == "1")
            spec["datasets"] = {**spec.get("datasets", {}), **self.data}
            self._spec = spec
        return self._spec


def named(name: str) -> alt.Data:
    return alt.Data(name=name)


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
    key = hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()
    text = _svgs.get(key)
    if text is None:
        try:
            with _lock:  # one conversion at a time: vl-convert runs a single JavaScript engine
                text = vlc.vegalite_to_svg(spec, config=_VL_CONFIG, allowed_base_urls=[])
        except Exception as exc:  # vl-convert raises plain ValueErrors with the Vega message
            raise ChartError(f"chart could not be rendered: {exc}") from exc
        # Links in marks come back resolved against Vega's default base URL; keep them site-relative.
        text = re.sub(r'xlink:href="[^"]*?/@@', 'xlink:href="', text)
        _svgs.put(key, text)
    attrs = f'<svg role="img" aria-label="{escape(label)}" focusable="false" '
    return Markup(text.replace("<svg ", attrs, 1))
