"""The same indicator code on DuckDB and PySpark (local[1]): same inputs, same results.

The panel is built once per engine (and materialised: Spark plans stay small), then every indicator runs on it.
Tolerance: numbers equal to a relative 1e-9 (float sums may be added in another order); everything else exact,
arrays compared as sorted lists, rows compared after sorting on their key columns.
"""

from __future__ import annotations

import math

import pytest

from silkscope.indicators import balance, change, composition, disagreement, index, panel, shares

PARTNERS = ["JPN", "CHN", "KOR", "RUS", "USA"]
UNIVERSE = [*PARTNERS, "DEU"]
COUNTRIES = ["KAZ", "UZB", "KGZ"]
REL_TOL = 1e-9


def _norm(value):
    if isinstance(value, list):
        return sorted(_norm(v) for v in value)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _same(duck_rows, spark_rows, keys):
    assert len(duck_rows) == len(spark_rows)
    order = lambda r: tuple(str(r[k]) for k in keys)  # noqa: E731
    for a, b in zip(sorted(duck_rows, key=order), sorted(spark_rows, key=order), strict=True):
        assert a.keys() == b.keys()
        for col in a:
            x, y = _norm(a[col]), _norm(b[col])
            if isinstance(x, float) or isinstance(y, float):
                assert x is not None and y is not None, (col, a, b)
                assert math.isclose(x, y, rel_tol=REL_TOL, abs_tol=1e-9), (col, x, y)
            else:
                assert x == y, (col, a, b)


ON_PANEL = {
    "shares": lambda p: shares.shares_expr(p, shares.DEFAULT_INSTRUMENTS, PARTNERS),
    "shares_pooled": lambda p: shares.shares_expr(
        p, ["official_commit_constant_usd", "leader_visits_to_partner"], PARTNERS, pooled=True
    ),
    "change": lambda p: change.change_expr(
        p, ["official_commit_constant_usd", "leader_visits_to_country"], (2010, 2011), (2012, 2015)
    )[0],
    "balance": lambda p: balance.balance_expr(p, by_year=False),
    "index": lambda p: index.index_expr(p, PARTNERS, index.parse_weights(None)),
}
ON_CORE = {
    "composition": lambda t: composition.composition_expr(
        t, PARTNERS, COUNTRIES, 2010, 2010, level="division", direction="exports"
    ),
    "rca": lambda t: composition.rca_expr(t, PARTNERS, COUNTRIES, 2010, 2010, level="section"),
    "complementarity": lambda t: composition.complementarity_expr(t, PARTNERS, COUNTRIES, 2010, 2010, level="section"),
    "disagreement_finance": lambda t: disagreement.finance_expr(
        t, PARTNERS, COUNTRIES, 2000, 2020, dataset_a="aiddata_flows", dataset_b="oecd_crs",
        column="official_commit_constant_usd",
    ),
    "disagreement_trade": lambda t: disagreement.trade_expr(t, PARTNERS, COUNTRIES, 2000, 2020),
}  # fmt: skip
KEYS = {
    "shares": ["partner_iso3", "country_iso3", "year", "instrument"],
    "shares_pooled": ["partner_iso3", "country_iso3", "year", "instrument"],
    "change": ["partner_iso3", "instrument"],
    "balance": ["partner_iso3", "country_iso3"],
    "composition": ["partner_iso3", "country_iso3", "year", "code"],
    "rca": ["partner_iso3", "year", "code"],
    "disagreement_trade": ["partner_iso3", "country_iso3", "year", "flow"],
}
DEFAULT_KEYS = ["partner_iso3", "country_iso3", "year"]


@pytest.fixture(scope="module")
def panels(duck, spark):
    built = {}
    for name, t in (("duckdb", duck), ("pyspark", spark)):
        expr = panel.dyad_year_panel(t, UNIVERSE, COUNTRIES, 2000, 2025)
        built[name] = t.materialise(expr, "engine_test_panel")
    return built


def test_panel_is_the_same_on_both_engines(duck, spark, panels):
    duck_rows, spark_rows = duck.rows(panels["duckdb"]), spark.rows(panels["pyspark"])
    assert len(duck_rows) == len(UNIVERSE) * len(COUNTRIES) * 26
    assert any(r["official_commit_constant_usd"] for r in duck_rows)
    assert any(r["leader_visits_to_country"] for r in duck_rows)
    _same(duck_rows, spark_rows, DEFAULT_KEYS)


@pytest.mark.parametrize("name", sorted(ON_PANEL))
def test_indicators_on_the_panel_agree(name, duck, spark, panels):
    duck_rows = duck.rows(ON_PANEL[name](panels["duckdb"]))
    spark_rows = spark.rows(ON_PANEL[name](panels["pyspark"]))
    assert duck_rows, f"{name}: the fixture should give rows"
    _same(duck_rows, spark_rows, KEYS.get(name, DEFAULT_KEYS))


@pytest.mark.parametrize("name", sorted(ON_CORE))
def test_indicators_on_core_tables_agree(name, duck, spark):
    duck_rows = duck.rows(ON_CORE[name](duck))
    spark_rows = spark.rows(ON_CORE[name](spark))
    assert duck_rows, f"{name}: the fixture should give rows"
    _same(duck_rows, spark_rows, KEYS.get(name, DEFAULT_KEYS))


@pytest.mark.parametrize("name", ["panel", "shares", "balance", "index", "change"])
def test_catalogue_indicators_read_the_materialised_panel_on_both_engines(name, duck, spark):
    """The same catalogue call on each engine answers from out.panel (exported to Spark with the core tables)."""
    from silkscope.indicators import registry

    options = {"change": {"measures": ["official_commit_constant_usd"], "start": "2010", "end": "2012"}}.get(name, {})
    answers = {}
    for engine, t in (("duckdb", duck), ("pyspark", spark)):
        result = registry.get(name).run(registry.options(tables=t, partners=PARTNERS, **options))
        main = result.sections[0] if hasattr(result, "sections") else result
        assert "panel" in main.query and "finance_flows" not in main.query, f"{engine}: {name} did not read out.panel"
        answers[engine] = main.rows
    assert answers["duckdb"], name
    _same(answers["duckdb"], answers["pyspark"], KEYS.get(name, DEFAULT_KEYS))
