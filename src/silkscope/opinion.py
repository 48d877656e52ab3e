"""Public opinion as an instrument with time: the poll measures (one per question wording) and their series."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from silkscope.result import Result, cited_ids, fetch_rows, sources_for


@dataclass(frozen=True)
class PollMeasure:
    """One question, whatever the pollster phrased it as: shares of different questions are never compared."""

    indicator: str
    label: str
    definition: str
    phrases: tuple[str, ...] = ()  # how a sentence names this measure (the claim checker picks by them)
    favourable: tuple[str, ...] = ()  # answers that count as a positive view of the partner


# Declared once; docs/reference-pack.md lists them and the pack refuses an opinion row with another name.
MEASURES: tuple[PollMeasure, ...] = (
    PollMeasure(
        "opinion_relations_friendly_share",
        "Relations seen as friendly",
        "share answering 'friendly' or 'somewhat friendly' to how they view their country's relations with the "
        "partner (MOFA Japan's polls)",
        ("friendly", "positive", "favourab", "favorab", "warm", "good relations"),
        ("friendly or somewhat friendly",),
    ),
    PollMeasure(
        "opinion_relations_good_share",
        "Current relations assessed as good",
        "share assessing current relations between their country and the partner as good (or very good) (IRI)",
        ("relations are good", "good relations", "assess"),
        ("good", "very good"),
    ),
    PollMeasure(
        "opinion_leadership_approval_share",
        "Approval of the partner's leadership",
        "share approving (or disapproving) of the job performance of the partner's leadership (Gallup World Poll)",
        ("approv", "leadership"),
        ("approve",),
    ),
    PollMeasure(
        "opinion_most_reliable_partner_share",
        "Named the most reliable country",
        "share naming the partner as the single most reliable country (MOFA Japan)",
        ("most reliable", "most trusted"),
    ),
    PollMeasure(
        "opinion_partner_reliable_share",
        "Partner seen as reliable",
        "share calling the partner reliable or somewhat reliable (MOFA Japan)",
        ("reliable", "trust"),
        ("reliable or somewhat reliable",),
    ),
    PollMeasure(
        "opinion_important_partner_share",
        "Named an important partner",
        "share naming the partner among their country's important partners (multiple answers; the answer list "
        "differs between waves)",
        ("important partner",),
    ),
    PollMeasure(
        "opinion_main_economic_partner_share",
        "Named a most important economic partner",
        "share naming the partner among the most important economic partners (multiple answers, IRI)",
        ("economic partner",),
    ),
    PollMeasure(
        "opinion_economic_threat_share",
        "Named an economic threat",
        "share naming the partner as an economic threat (multiple answers, IRI)",
        ("economic threat",),
    ),
    PollMeasure(
        "opinion_biggest_threat_share",
        "Named the biggest threat",
        "share naming the partner as the biggest threat to their country (M-Vector)",
        ("biggest threat", "greatest threat"),
    ),
    PollMeasure(
        "opinion_regional_role_share",
        "Partner's role in the region seen as positive",
        "share saying the partner plays a (very) positive role in the region (M-Vector)",
        ("role",),
        ("positive role", "very positive role"),
    ),
    PollMeasure(
        "opinion_closer_relations_priority_share",
        "Close relations with the partner put first",
        "share saying a close relationship with this partner matters more, even at the cost of relations with the "
        "other (Gallup 2008, Russia or the USA)",
        ("more important",),
    ),
    PollMeasure(
        "opinion_war_side_support_share",
        "Side supported in the Russia-Ukraine war",
        "share supporting the partner's side in the Russia-Ukraine war (answers and subgroups differ by pollster)",
        ("side", "support russia"),
    ),
    PollMeasure(
        "opinion_covid_help_share",
        "Best able to help with COVID-19",
        "share naming the partner the country best able to help with the COVID-19 crisis (Central Asia Barometer)",
        ("covid", "pandemic"),
    ),
    PollMeasure(
        "opinion_attitude_change_share",
        "Attitude changed since the war began",
        "share whose attitude to the partner changed (worse, better) since the start of the war in Ukraine",
        ("attitude",),
    ),
    PollMeasure(
        "opinion_attack_possible_share",
        "Attack by the partner thought possible",
        "share thinking an attack by the partner on their country is possible",
        ("attack",),
    ),
    PollMeasure(
        "opinion_preferred_relations_share",
        "Preferred relations with the partner",
        "share content with relations as they are, or wanting closer relations (openDemocracy survey)",
        ("closer relations", "closer ties"),
    ),
    PollMeasure(
        "opinion_eaeu_support_share",
        "Support for the Eurasian Economic Union",
        "share supporting their country's membership of (or joining) the Russia-led Customs Union / Eurasian "
        "Economic Union: a view of the union, not of Russia as such (EDB Integration Barometer)",
        ("eurasian economic union", "eaeu", "customs union", "eurasian integration"),
        ("support",),
    ),
)
INDICATORS = {m.indicator: m for m in MEASURES}
CONFIDENCE = ("high", "medium", "low")
BASES = ("publisher", "secondary_report")  # the pollster's own release, or a news/analysis report of its figure


def measure(indicator: str) -> PollMeasure | None:
    return INDICATORS.get(indicator)


SERIES_SQL = """SELECT o.fact_id, o.subject_iso3 AS partner_iso3, coalesce(o.country_iso3, o.group_id) AS scope,
       o.group_id IS NOT NULL AS pooled, o.fieldwork_start, o.fieldwork_end, o.fieldwork_precision,
       year(o.fieldwork_end) AS year, year(o.fieldwork_end) - year(o.fieldwork_start) AS span_years,
       o.indicator, o.question, o.answer, o.share_pct, o.sample_n, o.pollster, o.confidence, o.basis,
       o.note, o.source_id, o.source_ids
FROM core.opinion o
WHERE (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], o.subject_iso3))
  AND (list_contains(?::VARCHAR[], o.country_iso3)
       OR o.group_id IN (SELECT group_id FROM core.country_group_members
                         WHERE list_contains(?::VARCHAR[], country_iso3)))
ORDER BY o.indicator, o.pollster, o.answer, o.subject_iso3, o.fieldwork_start"""


def polls(members: list[str], partners: list[str] | None, con: duckdb.DuckDBPyConnection) -> Result:
    """Every poll result about `partners` among respondents in `members` (pooled polls that include them too)."""
    params = [partners, partners, members, members]
    columns, rows = fetch_rows(con, SERIES_SQL, params)
    for r in rows:
        m = measure(r["indicator"])
        r["measure"] = m.label if m else r["indicator"]
    return Result(
        "Public opinion by question",
        [*columns, "measure"],
        rows,
        SERIES_SQL,
        params,
        sources_for(con, cited_ids(rows)),
        {m.indicator: m.definition for m in MEASURES if any(r["indicator"] == m.indicator for r in rows)},
        [
            "Each question is its own measure: shares of different questions or pollsters are never compared. "
            "'secondary_report' rows quote a pollster's figure from another outlet; confidence says how sure the "
            "figure is (low: to be checked against the pollster)."
        ],
    )


def series(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows grouped into charts: one per (question measure, pollster, answer), partners as lines over time.

    Pooled multi-year averages (a span over two years) are left out of the lines; the table keeps them."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in rows:
        if (r.get("span_years") or 0) > 1:
            continue
        groups.setdefault((r["indicator"], r["pollster"] or "", r["answer"] or ""), []).append(r)
    out = []
    for (indicator, pollster, answer), members in sorted(groups.items()):
        m = measure(indicator)
        questions = sorted({r["question"] for r in members})
        out.append(
            {
                "indicator": indicator,
                "label": m.label if m else indicator,
                "pollster": pollster,
                "answer": answer,
                "questions": questions,
                "rows": sorted(members, key=lambda r: (r["partner_iso3"], r["fieldwork_end"])),
                "partners": sorted({r["partner_iso3"] for r in members}),
                "caveats": sorted({f"{r['basis']}, {r['confidence']} confidence" for r in members}),
            }
        )
    return out
