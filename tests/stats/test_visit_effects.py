"""The visit-effect estimators recover a planted effect, keep their size under the null, and run on a warehouse."""

from __future__ import annotations

import math
import re

import pytest

from silkscope.stats.synthetic import planted_panel
from silkscope.stats.visit_effects import event_study, panel_model, visits_model


def test_panel_model_recovers_a_planted_effect_within_its_ci():
    df = planted_panel(effect=0.5, seed=1)
    est = panel_model(df, "outcome", transform="none")
    visits = next(c for c in est.coefficients if c["term"] == "leader_visits_to_country_lag1")
    assert visits["ci_low"] <= 0.5 <= visits["ci_high"]
    assert visits["ci_low"] > 0  # and it is found
    assert est.n_obs == 8 * 5 * 20 and est.n_dyads == 40 and est.n_years == 20
    others = [c for c in est.coefficients if c["term"] != "leader_visits_to_country_lag1"]
    assert all(c["ci_low"] <= 0 <= c["ci_high"] for c in others)
    assert "dyad FE + year FE" in est.specification and "clustered by dyad" in est.specification
    assert any("reverse causality" in c for c in est.caveats)


def test_panel_model_ci_covers_the_truth_at_about_its_level():
    covered = 0
    for seed in range(40):
        est = panel_model(
            planted_panel(effect=0.3, seed=seed), "outcome", ["leader_visits_to_country"], transform="none"
        )
        c = est.coefficients[0]
        covered += c["ci_low"] <= 0.3 <= c["ci_high"]
    assert covered / 40 >= 0.95 - 3 * math.sqrt(0.95 * 0.05 / 40)


def test_null_effect_false_positive_rate_within_size():
    """200 draws with no effect: rejections at 5% must not exceed 0.05 + 3 binomial SDs (= 0.096). Panels of 30
    dyads x 10 years keep the 200 fits fast; 30 clusters is also near the real warehouse's size."""
    draws, rejected = 200, 0
    for seed in range(draws):
        df = planted_panel(effect=0.0, n_partners=6, n_years=10, seed=10_000 + seed)
        est = panel_model(df, "outcome", ["leader_visits_to_country"], transform="none")
        rejected += est.coefficients[0]["p_value"] < 0.05
    assert rejected / draws <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / draws)


def test_event_study_puts_the_effect_after_the_visit_and_none_before():
    df = planted_panel(effect=0.8, seed=3, n_years=25)
    est = event_study(df, "outcome", window=2, transform="none")
    by = {c["term"]: c for c in est.coefficients}
    assert set(by) == {"event_t-2", "event_t+0", "event_t+1", "event_t+2"}
    assert by["event_t+1"]["ci_low"] > 0  # planted at one year after the visit
    assert by["event_t-2"]["ci_low"] <= 0 <= by["event_t-2"]["ci_high"]
    assert any(line.startswith("pre-trend") for line in est.reading)


def test_visits_model_on_the_indicator_warehouse(indicator_db):
    bundle = visits_model("finance", ["JPN", "CHN", "KOR", "RUS", "USA"], since=2000, until=2020, db=indicator_db)
    panel_section, event_section = bundle.sections
    assert panel_section.rows and event_section.rows
    assert "N" in panel_section.definitions and "specification" in panel_section.definitions
    assert any(n.startswith("caveat: reverse causality") for n in panel_section.notes)
    assert panel_section.sources and "SELECT" in panel_section.query
    # what it read: finance and the curated visits, not the trade, FDI or news rows of the same dyad-years
    cited = {s["source_id"] if isinstance(s, dict) else s.source_id for s in panel_section.sources}
    assert {"src_t_aiddata", "src_t_oecd"} & cited
    assert not cited & {"src_t_comtrade", "src_t_unctad", "src_t_gdelt"}


def test_evidence_of_some_columns_is_the_sources_of_their_fact_tables(indicator_db):
    from silkscope.indicators.panel import evidence_sources, fact_tables
    from silkscope.indicators.stored import evidence
    from silkscope.indicators.tables import duckdb_tables

    t = duckdb_tables(indicator_db)
    scope = (["JPN", "CHN", "KOR"], ["UZB", "KAZ"], 2000, 2020)
    everything = evidence(t, *scope)
    trade = evidence(t, *scope, columns=["trade_total_mirror_usd"])
    assert "src_t_comtrade" in trade < everything and not trade & {"src_t_aiddata", "src_t_oecd", "src_t_gdelt"}
    assert evidence_sources(t, *scope, columns=["trade_total_mirror_usd"]) == trade  # the facts' own, not stored
    assert fact_tables(["finance_projects", "leader_visits_to_country"]) == ("finance_flows", "events")
    with pytest.raises(ValueError, match="not columns of the panel: nonsense"):
        fact_tables(["nonsense"])


def test_readings_say_large_changes_as_multiples():
    """The library's own text is readable (issue 15): log-scale effects as formatting.change says them, never
    "+11248%", so no page or CLI has to rewrite it."""
    from silkscope.stats.visit_effects import _read

    big = _read({"term": "event_t+0", "coef": 4.73, "ci_low": -0.51, "ci_high": 5.36}, "log1p", 0.95)
    assert big == (
        "Visit effect, the year of the visit: ×113 (more than 100-fold) in the outcome per unit (CI −40% to ×213); "
        "not distinguishable from zero at 95%"
    )
    small = _read({"term": "dialogue_meetings_lag1", "coef": 0.12, "ci_low": 0.02, "ci_high": 0.22}, "log1p", 0.9)
    # the term in words (labels), as every heading is: no internal name reaches a reader (issue 13)
    assert small.startswith(
        "Dialogue-format meetings, 1 year earlier: +12.7% in the outcome per unit (CI +2% to +24.6%)"
    )
    assert small.endswith("distinguishable from zero at 90%")
    df = planted_panel(effect=0.8, seed=3, n_years=25)
    est = event_study(df, "outcome", window=2)  # log1p: the readings are changes
    assert not any(re.search(r"[+\u2212-]\d{3,}%", line) for line in est.reading), est.reading


def test_a_named_outcome_falls_back_to_the_next_column_with_data_and_says_so(built_db):
    """On a default install (reference pack + snapshot) no project-level commitments exist, but WDI's net ODA
    disbursements do: `finance` is fitted on those, the title names them and a note says why."""
    from silkscope.stats.visit_effects import visits_model

    bundle = visits_model("finance", db=built_db, use_stored=False)
    assert bundle.title.startswith("Leader visits and ODA, net disbursements (current US$)")
    panel = bundle.sections[0]
    assert panel.notes[0].startswith("outcome: ODA, net disbursements (current US$), as Official finance")
    assert "log(1 + oda_disb_net_current_usd)" in panel.definitions["specification"]


def test_an_outcome_the_scope_cannot_estimate_gives_way_to_the_next_and_says_why(built_db, monkeypatch):
    """A candidate outcome may cover two dyads only in a scope (here the partners' report of trade: Russia's and
    Japan's): their visits do not vary apart from the effects. The next candidate is fitted, and the note says why.
    Trade is the states' own report first (every partner of the states that publish), the partners' report next."""
    from silkscope.stats import visit_effects

    assert visit_effects.OUTCOMES["trade"] == ("trade_total_mirror_usd", "trade_total_usd")
    monkeypatch.setitem(visit_effects.OUTCOMES, "trade", ("trade_total_usd", "trade_total_mirror_usd"))
    real = visit_effects.panel_model

    def partners_report_not_identified(df, column, **kwargs):
        if column == "trade_total_usd":
            raise visit_effects.NotIdentifiedError(["leader_visits_to_country_lag1"], ["RUS-KGZ", "JPN-KGZ"], 28)
        return real(df, column, **kwargs)

    monkeypatch.setattr(visit_effects, "MIN_OBSERVED", 1)  # the default install has few partner-reported figures
    monkeypatch.setattr(visit_effects, "panel_model", partners_report_not_identified)
    bundle = visit_effects.visits_model("trade", db=built_db, use_stored=False)
    assert bundle.title.startswith("Leader visits and trade turnover as the state reports it")
    note = bundle.sections[0].notes[0]
    assert note.startswith("outcome: Trade turnover as the state reports it") and "(2 dyads)" in note, note

    def never_identified(df, column, **kwargs):
        raise visit_effects.NotIdentifiedError(["leader_visits_to_country_lag1"], [f"{column}-dyad"], 28)

    monkeypatch.setattr(visit_effects, "panel_model", never_identified)
    first_reason = r"cannot be estimated for partners .*trade_total_usd-dyad"  # the first candidate's reason
    with pytest.raises(visit_effects.NotIdentifiedError, match=first_reason):
        visit_effects.visits_model("trade", db=built_db, use_stored=False)


def test_a_term_the_effects_absorb_is_left_out_said_in_the_reading_and_not_warned_on_the_console():
    import warnings

    df = planted_panel(0.5, seed=3)
    # dialogue meetings the same in every dyad in a year (lagged too): the year effects absorb them
    df["dialogue_meetings"] = df["year"] % 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning (linearmodels' AbsorbingEffectWarning) fails the test
        est = panel_model(df, outcome="outcome", transform="none")
    terms = [c["term"] for c in est.coefficients]
    assert "dialogue_meetings_lag1" not in terms and "leader_visits_to_country_lag1" in terms
    absorbed = [r for r in est.reading if "no estimate" in r]
    assert len(absorbed) == 1 and "left out of the regression" in absorbed[0]
    assert "dialogue_meetings" not in absorbed[0]  # said in words (labels), not as the column name
    clean = panel_model(planted_panel(0.5, seed=3), outcome="outcome", transform="none")
    assert not [r for r in clean.reading if "no estimate" in r]


def test_caveats_name_what_else_moves_the_outcome():
    from silkscope.stats.visit_effects import caveats

    assert any("commodity prices" in c for c in caveats("trade_total_mirror_usd"))
    assert not any("lumpy" in c for c in caveats("trade_total_mirror_usd"))
    assert any("lumpy" in c for c in caveats("official_commit_constant_usd"))
    assert any("lumpy" in c for c in caveats("finance_projects"))
    assert len(caveats("fdi_flow_usd")) == 4  # no kind of its own: the common four
