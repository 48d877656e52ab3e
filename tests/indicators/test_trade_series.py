"""Each state's statistics office publishes its own trade: a partner's series is chosen per reporter and dyad, so
one office never silences another, and the panel for one state equals the five-state panel restricted to it."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from silkscope import observations
from silkscope.analysis.materialise import materialise
from silkscope.indicators import composition, stored
from silkscope.indicators.tables import duckdb_tables

SOURCES = [
    ("src_t_kz", "Bureau of National Statistics (test rows)", "kz_bns"),
    ("src_t_kg", "National Statistical Committee (test rows)", "kg_nsc"),
    ("src_t_ru", "Rosstat (test rows)", "rosstat"),
]
# partner, country, year, direction, reporter, product, value, source
ROWS = [
    # Kazakhstan's and Kyrgyzstan's own reports of their trade with China: two offices, two states
    ("CHN", "KAZ", 1993, "partner_to_country", "KAZ", "TOTAL", 7e9, "src_t_kz"),
    ("CHN", "KAZ", 1993, "country_to_partner", "KAZ", "TOTAL", 5e9, "src_t_kz"),
    ("CHN", "KGZ", 1993, "partner_to_country", "KGZ", "TOTAL", 2e9, "src_t_kg"),
    ("CHN", "KGZ", 1993, "country_to_partner", "KGZ", "TOTAL", 1e8, "src_t_kg"),
    ("CHN", "KAZ", 1993, "partner_to_country", "KAZ", "0", 3e9, "src_t_kz"),
    ("CHN", "KGZ", 1993, "partner_to_country", "KGZ", "0", 4e8, "src_t_kg"),
    # Russia's report and Kazakhstan's of the same dyad: two reporters, both kept (the partner's and the mirror)
    ("RUS", "KAZ", 1993, "partner_to_country", "RUS", "TOTAL", 12e9, "src_t_ru"),
    ("RUS", "KAZ", 1993, "country_to_partner", "RUS", "TOTAL", 6e9, "src_t_ru"),
    ("RUS", "KAZ", 1993, "partner_to_country", "KAZ", "TOTAL", 11e9, "src_t_kz"),
    ("RUS", "KAZ", 1993, "country_to_partner", "KAZ", "TOTAL", 5e9, "src_t_kz"),
    # the same reporter and dyad in a preferred dataset (Comtrade): it alone is counted, never added to the office's
    ("RUS", "KAZ", 1993, "partner_to_country", "KAZ", "TOTAL", 10e9, "src_t_comtrade"),
    ("RUS", "KAZ", 1993, "country_to_partner", "KAZ", "TOTAL", 4e9, "src_t_comtrade"),
]
TRADE = ["exports_usd", "imports_usd", "exports_mirror_usd", "imports_mirror_usd", "trade_total_usd",
         "trade_total_mirror_usd"]  # fmt: skip
STATES = ["KAZ", "KGZ", "UZB"]
PARTNERS = ["CHN", "RUS", "JPN"]


@pytest.fixture(scope="module")
def offices_db(indicator_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("offices") / "silkscope.duckdb"
    shutil.copy(indicator_db, path)
    con = duckdb.connect(str(path))
    try:
        con.execute("BEGIN")
        con.executemany(
            "INSERT INTO core.sources (source_id, kind, publisher, title, citation, loaded_by) "
            "VALUES (?, 'dataset', ?, ?, ?, ?)",
            [(s, p, f"{p}: synthetic rows", f"{p}, synthetic rows for tests", lb) for s, p, lb in SOURCES],
        )
        con.executemany(
            """INSERT INTO core.trade_flows (fact_id, partner_iso3, country_iso3, year, direction, reporter_iso3,
                   classification, product_code, value_usd, price_basis, definition, source_id, source_ids,
                   citation_status, record)
               VALUES (?, ?, ?, ?, ?, ?, 'SITC Rev.4', ?, ?, 'current', 'test', ?, [?], 'cited', 'test')""",
            [(f"t:off:{i}", p, c, y, d, r, code, v, s, s) for i, (p, c, y, d, r, code, v, s) in enumerate(ROWS)],
        )
        materialise(con)
        con.execute("COMMIT")
    finally:
        con.close()
    return path


def _by_dyad(result) -> dict:
    return {(r["partner_iso3"], r["country_iso3"], r["year"]): r for r in result.rows}


def test_every_office_reports_its_own_state(offices_db):
    rows = _by_dyad(stored.panel(PARTNERS, STATES, 1993, 1993, db=offices_db))
    kaz, kgz = rows[("CHN", "KAZ", 1993)], rows[("CHN", "KGZ", 1993)]
    assert (kaz["exports_mirror_usd"], kaz["imports_mirror_usd"], kaz["trade_total_mirror_usd"]) == (7e9, 5e9, 12e9)
    assert (kgz["exports_mirror_usd"], kgz["imports_mirror_usd"], kgz["trade_total_mirror_usd"]) == (2e9, 1e8, 2.1e9)
    assert kaz["trade_dataset"] == "kz_bns" and kgz["trade_dataset"] == "kg_nsc"


def test_two_reporters_of_one_dyad_are_both_kept_and_one_reporter_is_never_counted_twice(offices_db):
    rus = _by_dyad(stored.panel(PARTNERS, STATES, 1993, 1993, db=offices_db))[("RUS", "KAZ", 1993)]
    assert (rus["exports_usd"], rus["imports_usd"], rus["trade_total_usd"]) == (12e9, 6e9, 18e9)  # Rosstat
    # Kazakhstan's own report: Comtrade's copy (preferred), not Comtrade's plus the office's
    assert (rus["exports_mirror_usd"], rus["imports_mirror_usd"]) == (10e9, 4e9)
    assert rus["trade_dataset"] == "comtrade, rosstat"


@pytest.mark.parametrize("use_stored", [True, False], ids=["stored", "computed"])
def test_a_state_alone_gets_what_the_five_state_panel_says_of_it(offices_db, use_stored):
    with duckdb.connect(str(offices_db), read_only=True) as con:
        t = duckdb_tables(con=con)
        assert stored.stored_scope(t) is not None  # the fixture's panel is current: both paths are exercised

        def rows(states):
            table = stored.panel_table(t, PARTNERS, states, 1993, 2023, with_sources=False, stored=use_stored)
            return {(r["partner_iso3"], r["country_iso3"], r["year"]): r for r in t.execute(table).to_dict("records")}

        everyone = rows(STATES)
        for state in STATES:
            alone = rows([state])
            assert alone, state
            for key, row in alone.items():
                assert _values(row) == _values(everyone[key]), key


def _values(row: dict) -> dict:
    return {c: None if row[c] != row[c] else row[c] for c in TRADE}  # NaN (pandas' missing) as None


def test_composition_takes_each_office_for_its_own_state(offices_db):
    with duckdb.connect(str(offices_db), read_only=True) as con:
        t = duckdb_tables(con=con)
        got = t.execute(composition.products(t, "section", "exports").filter(lambda r: r.partner_iso3 == "CHN"))
    food = {r.country_iso3: r.value_usd for r in got.itertuples() if r.year == 1993 and r.code == "0"}
    assert food == {"KAZ": 3e9, "KGZ": 4e8}


def test_explorer_series_are_chosen_per_state(offices_db):
    with duckdb.connect(str(offices_db), read_only=True) as con:
        known = {m for m, *_ in con.execute("SELECT DISTINCT measure FROM out.observations").fetchall()}
    measure = next(m for m in ("exports_usd", "imports_usd") if m in known)
    result = observations.observations(measure, "CHN", "KAZ,KGZ", 1993, 1993, db=offices_db)
    assert {r["country_iso3"] for r in result.rows} == {"KAZ", "KGZ"}
