"""Benchmark: the dyad-year panel on a synthetic warehouse (5M finance rows, 20M events) — DuckDB via the Ibis
indicators vs a hand-written pandas pipeline (same rules), plus Spark local for the record. `materialise` times
writing out.panel (once per load), `stored` an answer read from it (what every indicator does on a request).

    .venv/bin/python bench/panel.py [--finance 5000000] [--events 20000000] [--dir /tmp/silkscope_bench] [--no-spark]

Each engine runs in its own subprocess, so that its peak RSS (ru_maxrss) is its own. DuckDB reads its warehouse
file; pandas and Spark read the same tables as Parquet (written once, not timed).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

PARTNERS = [
    "JPN", "CHN", "KOR", "RUS", "USA", "TUR", "IND", "DEU", "FRA", "GBR", "ITA", "ESP", "NLD", "SWE", "CHE",
    "AUT", "POL", "CAN", "AUS", "IRN", "PAK", "AFG", "UKR", "BLR", "AZE", "GEO", "ARM", "MNG", "SAU", "ARE",
]  # fmt: skip
C5 = ["KAZ", "KGZ", "TJK", "TKM", "UZB"]
SINCE, UNTIL = 1995, 2024
DATASETS = ["oecd_crs", "aiddata_flows", "aiddata_china"]


def generate(path: Path, n_finance: int, n_events: int) -> None:
    """The reference pack's build (countries, sources), then synthetic core rows written by DuckDB itself."""
    import duckdb

    from silkscope.build import build

    build(path)
    con = duckdb.connect(str(path))
    con.execute("SET preserve_insertion_order = false")
    p, c = "['" + "','".join(PARTNERS) + "']", "['" + "','".join(C5) + "']"
    con.executemany(
        "INSERT INTO core.sources (source_id, kind, publisher, title, citation, loaded_by) "
        "VALUES (?, 'dataset', ?, ?, ?, ?)",
        [(f"bench_{d}", d, d, d, d) for d in DATASETS] + [("bench_events", "bench", "bench", "bench", "x")],
    )
    # Facts: constraint-free copies of the core tables (same columns and types), so 60M rows load in seconds.
    for table in ("finance_flows", "events", "event_participants"):
        cols = con.execute(f"SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'core' "
                           f"AND table_name = '{table}' ORDER BY ordinal_position").fetchall()  # fmt: skip
        con.execute(f"DROP TABLE core.{table}")
        con.execute(f"CREATE TABLE core.{table} ({', '.join(f'{n} {t}' for n, t in cols)})")
    con.execute(f"""INSERT INTO core.finance_flows BY NAME
        SELECT 'f' || i AS fact_id, {p}[1 + (hash(i) % 30)::INT] AS donor_iso3, {c}[1 + (i % 5)::INT] AS country_iso3,
               {SINCE} + (hash(i * 7) % 30)::INT AS year,
               ['oda_grant', 'oda_loan', 'oof', 'oda_total'][1 + (hash(i * 11) % 4)::INT] AS flow_class,
               ['commitment', 'disbursement_gross'][1 + (i % 2)::INT] AS measure,
               ['current', 'constant'][1 + ((i // 2) % 2)::INT] AS price_basis, 2021 AS base_year, 'USD' AS currency,
               random() * 1e7 AS amount_usd, 'p' || (i // 4) AS project_id, 'synthetic' AS definition,
               'bench_' || {DATASETS}[1 + (hash(i * 13) % 3)::INT] AS source_id, [source_id] AS source_ids,
               'cited' AS citation_status, 'bench' AS record
        FROM range({n_finance}) t(i)""")
    con.execute(f"""INSERT INTO core.events BY NAME
        SELECT 'e' || i AS event_id, DATE '{SINCE}-01-01' + (hash(i) % 10950)::INT AS date_start,
               date_start + (hash(i * 3) % 4)::INT AS date_end, 'day' AS date_precision, year(date_start) AS year,
               CASE WHEN i % 20 = 0 THEN 'multilateral_summit' WHEN i % 7 = 0 THEN 'ministerial_mission'
                    ELSE 'official_visit' END AS event_type,
               CASE WHEN i % 40 = 1 THEN 'cancelled' ELSE 'held' END AS status,
               CASE WHEN i % 50 = 3 THEN 'virtual' ELSE 'in_person' END AS mode,
               CASE WHEN i % 7 = 0 THEN 'foreign_minister' ELSE 'head_of_state' END AS level,
               -- the partner visits the C5 country, or (one event in four) the other way round
               CASE WHEN hash('e' || i) % 4 = 0 THEN [{c}[1 + (i % 5)::INT]]
                    ELSE [{p}[1 + (hash(i * 5) % 30)::INT]] END AS visitor_iso3,
               CASE WHEN hash('e' || i) % 4 = 0 THEN [{p}[1 + (hash(i * 5) % 30)::INT]]
                    ELSE [{c}[1 + (i % 5)::INT]] END AS host_iso3,
               CASE WHEN i % 20 = 0 THEN NULL ELSE 't' || (i // 3) END AS trip_id,
               CASE WHEN i % 20 = 0 THEN 'fmt_' || (hash(i * 5) % 30) END AS format_id, 'synthetic' AS title,
               'bench_events' AS source_id, ['bench_events'] AS source_ids, 'cited' AS citation_status,
               'bench' AS record
        FROM range({n_events}) t(i)""")
    # participants derive from the arrays, as the reference pack's build does
    con.execute("""INSERT INTO core.event_participants
        SELECT event_id, visitor_iso3[1], 'visitor', level FROM core.events
        UNION ALL
        SELECT event_id, host_iso3[1], 'host', level FROM core.events""")
    con.execute("DELETE FROM core.dialogue_formats")
    con.execute(f"""INSERT INTO core.dialogue_formats BY NAME
        SELECT 'fmt_' || k AS format_id, 'format ' || k AS name, {p}[1 + k] AS partner_iso3, {c} AS members_iso3,
               DATE '2000-01-01' AS launched, 'day' AS launched_precision, 'foreign_minister' AS launch_level,
               'foreign_minister' AS top_level, 'bench_events' AS source_id, ['bench_events'] AS source_ids,
               'cited' AS citation_status, 'bench' AS record
        FROM range(30) t(k)""")
    con.execute("CHECKPOINT")
    con.close()


def run_duckdb(path: Path) -> dict:
    import ibis

    from silkscope.indicators.panel import dyad_year_panel
    from silkscope.indicators.tables import Tables

    start = time.perf_counter()
    backend = ibis.duckdb.connect(str(path), read_only=True, memory_limit="3GB", threads=2)
    panel = dyad_year_panel(Tables(backend, "duckdb"), PARTNERS, C5, SINCE, UNTIL)
    table = backend.to_pyarrow(panel)
    return {"seconds": time.perf_counter() - start, "rows": table.num_rows, "check": _check(table.to_pandas())}


def run_materialise(path: Path) -> dict:
    """What a load pays once: out.panel written from core.* (the same expression as `duckdb`) in a transaction."""
    import duckdb

    from silkscope.indicators.stored import materialise_panel

    start = time.perf_counter()
    con = duckdb.connect(str(path))
    con.execute("SET memory_limit = '3GB'; SET threads = 2")
    con.execute("BEGIN")
    rows = materialise_panel(con)
    con.execute("COMMIT")
    con.close()
    return {"seconds": time.perf_counter() - start, "rows": rows, "check": {}}


def run_stored(path: Path) -> dict:
    """What an answer pays: the panel of the bench's partners, states and years read from out.panel (run after
    `materialise`), through the same library call the indicators make."""
    import duckdb

    from silkscope.indicators.stored import panel_table
    from silkscope.indicators.tables import duckdb_tables

    start = time.perf_counter()
    con = duckdb.connect(str(path), read_only=True, config={"memory_limit": "3GB", "threads": 2})
    t = duckdb_tables(con=con)
    expr = panel_table(t, PARTNERS, C5, SINCE, UNTIL)
    if '"out"."panel"' not in t.sql(expr):
        raise SystemExit("out.panel was not used: run the materialise engine first")
    frame = t.execute(expr)
    return {"seconds": time.perf_counter() - start, "rows": len(frame), "check": _check(frame)}


def run_spark(parquet: Path) -> dict:
    from silkscope.indicators.panel import dyad_year_panel
    from silkscope.indicators.tables import local_spark, spark_tables

    session = local_spark(cores=2, memory="6g")
    session.sparkContext.setLogLevel("ERROR")
    start = time.perf_counter()
    t = spark_tables(session, parquet_dir=parquet)
    frame = t.execute(dyad_year_panel(t, PARTNERS, C5, SINCE, UNTIL))
    return {"seconds": time.perf_counter() - start, "rows": len(frame), "check": _check(frame)}


def run_pandas(parquet: Path) -> dict:
    """The same rules, written by hand in pandas: dataset choice, ODA total-or-parts, trip-aware visits."""
    import pandas as pd

    start = time.perf_counter()
    read = lambda name, cols: pd.read_parquet(parquet / f"{name}.parquet", columns=cols)  # noqa: E731
    keys = ["partner_iso3", "country_iso3", "year"]
    # finance: the preferred dataset per donor, then one column per family x measure x basis
    f = read("finance_flows", ["donor_iso3", "country_iso3", "year", "flow_class", "measure", "price_basis",
                               "amount_usd", "source_id"])  # fmt: skip
    f = f[f.donor_iso3.isin(PARTNERS) & f.country_iso3.isin(C5)]
    src = read("sources", ["source_id", "loaded_by"])
    f = f.merge(src, on="source_id")
    order = {d: f"{i:02d}" for i, d in enumerate(["oecd_crs", "oecd_dac2a", "aiddata_flows", "aiddata_china"])}
    f["rank"] = f.loaded_by.map(order).fillna("50") + f.loaded_by
    f = f[f["rank"] == f.groupby("donor_iso3")["rank"].transform("min")]
    f = f.rename(columns={"donor_iso3": "partner_iso3"})
    f["kind"] = f.flow_class.where(f.flow_class == "oda_total", f.flow_class.str[:3])
    g = f.pivot_table(index=keys, columns=["kind", "measure", "price_basis"], values="amount_usd", aggfunc="sum")
    fin = pd.DataFrame(index=g.index)
    for m, measure in {"commit": "commitment", "disb_gross": "disbursement_gross"}.items():
        for b in ("current", "constant"):
            col = lambda k: g[(k, measure, b)] if (k, measure, b) in g.columns else pd.Series(index=g.index)  # noqa: E731,B023
            oda = col("oda_total").combine_first(col("oda"))
            fin[f"oda_{m}_{b}_usd"] = oda
            fin[f"oof_{m}_{b}_usd"] = col("oof")
            fin[f"official_{m}_{b}_usd"] = oda.add(col("oof"), fill_value=0)
    # events: visit pairs with inherited trip keys, then counts per dyad-year
    e = read("events", ["event_id", "year", "date_start", "date_end", "event_type", "status", "mode", "level",
                        "trip_id", "format_id"])  # fmt: skip
    p = read("event_participants", ["event_id", "country_iso3", "role"])
    e["date_start"], e["date_end"] = pd.to_datetime(e.date_start), pd.to_datetime(e.date_end)
    held = e[(e.status == "held") & (e.event_type != "finding")]
    vis = p[p.role == "visitor"].rename(columns={"country_iso3": "visitor"})[["event_id", "visitor"]]
    hos = p[p.role == "host"].rename(columns={"country_iso3": "host"})[["event_id", "host"]]
    pairs = held[held["mode"] == "in_person"].merge(vis, on="event_id").merge(hos, on="event_id")
    # same rule as the Ibis code: a row without trip id inherits the smallest overlapping trip id of the same
    # (visitor, host); both sides spread over the weeks they cover (a plain (visitor, host) merge needs 466 GiB)
    epoch = pd.Timestamp("1970-01-01")

    def weeks(df):
        w0 = (df.date_start - epoch).dt.days // 7
        w1 = (df.date_end - epoch).dt.days // 7
        return df.assign(week=[list(range(a, b + 1)) for a, b in zip(w0, w1, strict=True)]).explode("week")

    orphans = weeks(pairs[pairs.trip_id.isna()][["event_id", "visitor", "host", "date_start", "date_end"]])
    trips = pairs[pairs.trip_id.notna()][["visitor", "host", "date_start", "date_end", "trip_id"]]
    trips = weeks(trips.rename(columns={"trip_id": "trip_id_t"}))
    found = []
    for lo in range(0, len(orphans), 100_000):  # in chunks: the candidate pairs alone would not fit in memory
        m = orphans.iloc[lo : lo + 100_000].merge(trips, on=["visitor", "host", "week"], suffixes=("", "_t"))
        m = m[(m.date_start_t <= m.date_end) & (m.date_end_t >= m.date_start)]
        found.append(m.groupby(["event_id", "visitor", "host"])["trip_id_t"].min())
    inherited = pd.concat(found).groupby(level=[0, 1, 2]).min().rename("inherited").reset_index()
    pairs = pairs.merge(inherited, on=["event_id", "visitor", "host"], how="left")
    pairs["trip_key"] = pairs.trip_id.fillna(pairs.inherited).fillna(pairs.event_id)
    lv = pairs[pairs.level.isin(["head_of_state", "head_of_government"])]
    out = lv[lv.visitor.isin(PARTNERS) & lv.host.isin(C5)]
    to_c = out.groupby(["visitor", "host", "year"])["trip_key"].nunique()
    inn = lv[lv.host.isin(PARTNERS) & lv.visitor.isin(C5)]
    to_p = inn.groupby(["host", "visitor", "year"])["trip_key"].nunique()
    pp = p[p.country_iso3.isin(PARTNERS)].rename(columns={"country_iso3": "partner_iso3", "role": "p_role"})
    cc = p[p.country_iso3.isin(C5)].rename(columns={"role": "c_role"})
    dy = held[["event_id", "year", "level", "format_id"]].merge(pp, on="event_id").merge(cc, on="event_id")
    mini = dy[dy.level.str.contains("minister") & dy.format_id.isna() & (dy.p_role != dy.c_role)]
    mini = mini.groupby(keys)["event_id"].nunique()
    fm = read("dialogue_formats", ["format_id", "partner_iso3"]).rename(columns={"partner_iso3": "f_partner"})
    dm = held[held.format_id.notna()][["event_id", "year", "format_id"]].merge(fm, on="format_id")
    dm = dm.merge(cc, on="event_id")
    dm = dm[dm.f_partner.isin(PARTNERS)].groupby(["f_partner", "country_iso3", "year"])["event_id"].nunique()
    idx = pd.MultiIndex.from_product([PARTNERS, C5, range(SINCE, UNTIL + 1)], names=keys)
    panel = pd.DataFrame(index=idx).join(fin)
    for name, s in (("leader_visits_to_country", to_c), ("leader_visits_to_partner", to_p),
                    ("ministerial_meetings", mini), ("dialogue_meetings", dm)):  # fmt: skip
        s.index = s.index.set_names(keys)
        panel[name] = s.reindex(idx).fillna(0).astype("int64")
    panel = panel.reset_index()
    return {"seconds": time.perf_counter() - start, "rows": len(panel), "check": _check(panel)}


def _check(df) -> dict:
    """Column totals that both pipelines must agree on."""
    cols = ["official_commit_constant_usd", "oda_disb_gross_current_usd", "leader_visits_to_country",
            "leader_visits_to_partner", "ministerial_meetings", "dialogue_meetings"]  # fmt: skip
    return {c: float(f"{float(df[c].fillna(0).sum()):.9g}") for c in cols}


def _child(engine: str, target: str, timeout: int) -> dict:
    cmd = [sys.executable, __file__, "--child", engine, "--target", target]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True).stdout
    except subprocess.TimeoutExpired:
        return {"seconds": None, "error": f"timed out after {timeout} s"}
    except subprocess.CalledProcessError as exc:
        if exc.returncode == -9:  # the kernel's OOM killer leaves no traceback
            return {"seconds": None, "error": "killed by SIGKILL (out of memory on this machine)"}
        return {"seconds": None, "error": exc.stderr[-2000:]}
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--finance", type=int, default=5_000_000)
    ap.add_argument("--events", type=int, default=20_000_000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/silkscope_bench"))
    ap.add_argument("--no-spark", action="store_true")
    ap.add_argument("--reuse", action="store_true", help="keep the synthetic warehouse of an earlier run")
    ap.add_argument(
        "--engines",
        default="duckdb,materialise,stored,pandas,spark",
        help="which to run, comma-separated (stored reads what materialise wrote)",
    )
    ap.add_argument("--spark-timeout", type=int, default=1800)
    ap.add_argument("--child", choices=["duckdb", "materialise", "stored", "pandas", "spark"])
    ap.add_argument("--target", type=Path)
    args = ap.parse_args()
    if args.child:
        fn = {
            "duckdb": run_duckdb,
            "materialise": run_materialise,
            "stored": run_stored,
            "pandas": run_pandas,
            "spark": run_spark,
        }[args.child]
        result = fn(args.target)
        result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        result["peak_rss_children_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(json.dumps(result))
        return
    import duckdb

    from silkscope.indicators.tables import export_parquet

    args.dir.mkdir(parents=True, exist_ok=True)
    db, parquet = args.dir / "bench.duckdb", args.dir / "parquet"
    t0 = time.perf_counter()
    if not (args.reuse and db.exists() and (parquet / "events.parquet").exists()):
        for stale in (db, db.with_suffix(".duckdb.wal")):
            stale.unlink(missing_ok=True)
        generate(db, args.finance, args.events)
        with duckdb.connect(str(db), read_only=True) as con:
            export_parquet(con, parquet)
    with duckdb.connect(str(db), read_only=True) as con:
        n_part = con.execute("SELECT count(*) FROM core.event_participants").fetchone()[0]
        args.finance, args.events = (con.execute(f"SELECT count(*) FROM core.{t}").fetchone()[0]
                                     for t in ("finance_flows", "events"))  # fmt: skip
    print(f"synthetic warehouse: {args.finance:,} finance rows, {args.events:,} events, {n_part:,} participant rows "
          f"({time.perf_counter() - t0:.0f} s to write or open)")  # fmt: skip
    engines = {"duckdb": str(db), "materialise": str(db), "stored": str(db), "pandas": str(parquet)}
    engines |= {} if args.no_spark else {"spark": str(parquet)}
    engines = {k: v for k, v in engines.items() if k in args.engines.split(",")}
    results = {}
    for name, target in engines.items():
        r = results[name] = _child(name, target, args.spark_timeout if name == "spark" else 3600)
        if r.get("seconds") is None:
            print(f"{name:>7}: failed: {r.get('error')}", flush=True)
            continue
        # Spark's JVM is a grandchild: its memory is not in these figures (Python side only)
        rss = max(r["peak_rss_mib"], r.get("peak_rss_children_mib", 0))
        print(f"{name:>7}: {r['seconds']:8.1f} s   peak RSS {rss / 1024:5.2f} GiB   rows {r['rows']:,}   {r['check']}",
              flush=True)  # fmt: skip
    d, p = results.get("duckdb", {}), results.get("pandas", {})
    if d.get("seconds") and p.get("seconds"):
        ratio, rss = p["seconds"] / d["seconds"], d["peak_rss_mib"] / 1024
        print(f"pandas / duckdb time ratio: {ratio:.1f}x (the panel compiled from core.* on each call); duckdb peak "
              f"RSS {rss:.2f} GiB; totals agree: {d['check'] == p['check']}")  # fmt: skip
    s_, m = results.get("stored", {}), results.get("materialise", {})
    if s_.get("seconds") and p.get("seconds"):
        ratio, rss = p["seconds"] / s_["seconds"], s_["peak_rss_mib"] / 1024
        print(f"pandas / stored time ratio: {ratio:.1f}x (target >= 10x: an answer reads out.panel); stored peak RSS "
              f"{rss:.2f} GiB (target < 2 GiB); totals agree: {s_['check'] == p['check']}; out.panel written once "
              f"per load in {m.get('seconds') or float('nan'):.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
