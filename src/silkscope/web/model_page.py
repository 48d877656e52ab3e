"""The model page's data: the visits model (panel model and event study) with a coefficient chart per section."""

from __future__ import annotations

from typing import Any

from silkscope.countries import resolve_list
from silkscope.figures import charts
from silkscope.profiles.common import TIMELINE_PARTNERS, figure, not_drawn
from silkscope.serving.state import ServedWarehouse

# the first column with data is fitted (stats.visit_effects.OUTCOMES); the answer's title names the one used
OUTCOME_LABELS = {
    "finance": "official finance committed (constant US$), else net ODA disbursements",
    "projects": "finance projects",
    "trade": "trade turnover (partner's report, else the state's)",
}


def model(
    served: ServedWarehouse,
    outcome: str,
    scope: str,
    partners: str | None,
    since: int | None,
    until: int | None,
    lag: int,
    window: int,
) -> dict[str, Any]:
    chosen = resolve_list(partners) if partners else list(TIMELINE_PARTNERS)
    key = ("model.visits", outcome, scope, ",".join(chosen), since, until, lag, window)  # the API's key: one cache
    bundle = served.compute(
        "visits_model", key, outcome=outcome, country=scope, partners=",".join(chosen), since=since, until=until,
        lag=lag, window=window,
    )  # fmt: skip
    sections = []
    for result in bundle.sections:
        readings = [n for n in result.notes if not n.startswith("caveat: ")]
        caveats = [n.removeprefix("caveat: ") for n in result.notes if n.startswith("caveat: ")]
        try:
            chart = figure(charts.coefficients(result.rows), f"{result.title}: estimates with confidence intervals")
        except charts.ChartError as exc:
            chart = not_drawn(result.title, str(exc))
        sections.append({"result": result, "chart": chart, "readings": readings, "caveats": caveats})
    query = {"outcome": outcome, "country": scope, "partners": ",".join(chosen), "lag": lag, "window": window}
    query |= {k: v for k, v in (("since", since), ("until", until)) if v is not None}
    return {
        "bundle": bundle,
        "sections": sections,
        "outcome": outcome,
        "outcomes": OUTCOME_LABELS,
        "scope": scope,
        "partners": chosen,
        "since": since,
        "until": until,
        "lag": lag,
        "window": window,
        "api_query": query,
    }
