"""Dyad-year blocks from the money tables: official finance, trade (reporter and mirror), FDI, company presence."""

from __future__ import annotations

from collections.abc import Sequence

import ibis

from silkscope.countries import WORLD_CODE
from silkscope.indicators.tables import Tables

KEYS = ["partner_iso3", "country_iso3", "year"]
# One dataset per series (one_dataset), so that OECD and AidData rows for the same flows are never added. The
# most complete, most official first; a dataset not listed comes after these, by name; the pack's secondary
# figures last. `disagreement` compares datasets instead of choosing.
DATASET_PREFERENCE = (
    "oecd_crs",
    "oecd_dac2a",
    "aiddata_flows",
    "aiddata_china",
    # WDI's DC.DAC.<donor>L.CD: the OECD's DAC2A net ODA disbursements as the World Bank republishes them. After
    # AidData: one dataset serves all of a partner's finance columns, and WDI has only net disbursements, so
    # ahead of AidData it would empty the commitment columns the panel and the visits model read (Japan's
    # model rows vanished when the embedded snapshot put WDI rows beside AidData's). The World Bank's own
    # channels before the Open Numbers copy of them.
    "wdi_api",
    "wdi",
    "wdi_ddf",
    "comtrade",
    "baci",
    "unctad_fdi",
    "imf_cdis",
)
FAMILIES = {"oda": "ODA (flow_class oda_*)", "oof": "other official flows (flow_class oof*)", "official": "all"}
MEASURES = {"commit": "commitment", "disb_gross": "disbursement_gross", "disb_net": "disbursement_net"}
BASES = ("current", "constant")
PRESENCE_KINDS = (
    "companies_operating",
    "enterprises_with_foreign_capital",
    "joint_ventures_operating",
    "representative_offices",
)


def finance_columns() -> list[str]:
    return [f"{fam}_{m}_{b}_usd" for fam in FAMILIES for m in MEASURES for b in BASES]


# The state's turnover with all partners (its statistics' total row): the denominator of shares of STATE_TRADE.
STATE_TOTAL = "state_trade_all_partners_usd"
TRADE_COLUMNS = [
    "exports_usd",
    "imports_usd",
    "trade_total_usd",
    "exports_mirror_usd",
    "imports_mirror_usd",
    "trade_total_mirror_usd",
    "trade_mirror_gap_usd",
    "trade_mirror_gap_pct",
    STATE_TOTAL,
]
FDI_COLUMNS = ["fdi_flow_usd", "fdi_stock_usd", "fdi_stock_mirror_usd"]


def with_dataset(t: Tables, facts: ibis.Table) -> ibis.Table:
    """Attach `dataset`: the loader of each row's source (a connector name, or 'reference_pack')."""
    s = t("sources")
    s = s.select(_sid=s.source_id, dataset=s.loaded_by)
    return facts.join(s, facts.source_id == s._sid).drop("_sid")


def one_dataset(rows: ibis.Table, series: Sequence[str], chosen: str | None = None) -> ibis.Table:
    """Keep, for each series (the rows sharing the `series` columns), the rows of its most preferred dataset (or of
    `chosen` for every series): a series is never spliced from two datasets.

    What a series is depends on the facts. Finance and FDI: a partner (one dataset serves all of a partner's
    columns, so its total over the five states adds like with like). Trade: one side's account of one dyad
    (`one_trade_dataset`)."""
    if chosen:
        return rows.filter(rows.dataset == chosen)
    cases = [(rows.dataset == d, f"{i:02d}") for i, d in enumerate(DATASET_PREFERENCE)]
    rank = ibis.cases((rows.dataset == "reference_pack", "zz"), *cases, else_="50") + rows.dataset
    keys = [f"_s{i}" for i in range(len(series))]
    # keyed as text with '' for a missing value, so that the join below matches it (NULL never equals NULL)
    ranked = rows.mutate(
        _rank=rank, **{k: rows[c].cast("string").fill_null("") for k, c in zip(keys, series, strict=True)}
    )
    best = ranked.group_by(keys).aggregate(_best=ranked._rank.min()).rename({f"_b{k}": k for k in keys})
    joined = ranked.join(best, [*(ranked[k] == best[f"_b{k}"] for k in keys), ranked._rank == best._best])
    return joined.drop(*keys, *(f"_b{k}" for k in keys), "_best", "_rank")


def one_trade_dataset(rows: ibis.Table, chosen: str | None = None) -> ibis.Table:
    """One dataset per side of each dyad: the state's own report (reporter = the state), and the partner's (reporter
    = the partner, or a secondary source that does not say who reported, which fills the same column). Each national
    statistics office publishes its own state's trade only: chosen per partner, Kyrgyzstan's office would silence
    Kazakhstan's and Uzbekistan's, and Russia's report of its trade with them would silence theirs."""
    side = ibis.ifelse(rows.reporter_iso3 == rows.country_iso3, "state", "partner")
    chosen_rows = one_dataset(rows.mutate(_side=side), ["partner_iso3", "country_iso3", "_side"], chosen)
    return chosen_rows.drop("_side")


def finance_block(
    t: Tables, partners: list[str], countries: list[str], dataset: str | None = None
) -> tuple[ibis.Table, ibis.Table]:
    """Official finance per dyad-year: family x measure x price basis, each its own column; never added across."""
    f = t("finance_flows")
    f = f.filter(t.isin(f.donor_iso3, "partners", partners), t.isin(f.country_iso3, "countries", countries))
    f = one_dataset(with_dataset(t, f), ["donor_iso3"], dataset)
    f = f.mutate(partner_iso3=f.donor_iso3, year=f.year.cast("int64"))
    is_oda = f.flow_class.startswith("oda")
    metrics = {}
    for m, measure in MEASURES.items():
        for b in BASES:
            sel = (f.measure == measure) & (f.price_basis == b)
            # A dataset may give ODA as a total and as its grant/loan parts: take the total where there is one.
            oda = ibis.coalesce(
                f.amount_usd.sum(where=sel & (f.flow_class == "oda_total")),
                f.amount_usd.sum(where=sel & is_oda & (f.flow_class != "oda_total")),
            )
            rest = f.amount_usd.sum(where=sel & ~is_oda)
            metrics[f"oda_{m}_{b}_usd"] = oda
            metrics[f"oof_{m}_{b}_usd"] = f.amount_usd.sum(where=sel & f.flow_class.startswith("oof"))
            metrics[f"official_{m}_{b}_usd"] = ibis.ifelse(
                oda.isnull() & rest.isnull(), ibis.null("float64"), ibis.coalesce(oda, 0.0) + ibis.coalesce(rest, 0.0)
            )
    has_commit = f.amount_usd.count(where=f.measure == "commitment") > 0
    metrics["_has_commit"] = has_commit
    for b in BASES:  # aggregate rows (no project id) carry their own project_count
        commit = (f.measure == "commitment") & (f.price_basis == b)
        metrics[f"_agg_projects_{b}"] = ibis.coalesce(f.project_count.sum(where=commit & f.project_id.isnull()), 0)
    metrics["finance_dataset"] = f.dataset.max()
    values = f.group_by(KEYS).aggregate(**metrics)
    # distinct project ids per price basis, counted apart (no COUNT(DISTINCT) inside the wide aggregate)
    ids = f.filter((f.measure == "commitment") & f.project_id.notnull()).select(*KEYS, "price_basis", "project_id")
    ids = ids.distinct()
    ids = ids.group_by(KEYS).aggregate(**{f"_ids_{b}": (ids.price_basis == b).cast("int64").sum() for b in BASES})
    values = attach(values, ids)
    per_basis = [values[f"_agg_projects_{b}"] + values[f"_ids_{b}"].fill_null(0) for b in BASES]
    values = values.mutate(
        finance_projects=ibis.ifelse(values._has_commit, ibis.greatest(*per_basis), ibis.null("int64"))
    )
    values = values.drop("_has_commit", *[f"_agg_projects_{b}" for b in BASES], *[f"_ids_{b}" for b in BASES])
    return values, f.select(*KEYS, "source_id")


def attach(left: ibis.Table, right: ibis.Table, keys: Sequence[str] = KEYS) -> ibis.Table:
    """Left-join `right` on the keys (the dyad-year's by default) without duplicating them."""
    renamed = right.rename({f"_k_{k}": k for k in keys})
    joined = left.left_join(renamed, [left[k] == renamed[f"_k_{k}"] for k in keys])
    return joined.drop(*[f"_k_{k}" for k in keys])


def trade_block(
    t: Tables, partners: list[str], countries: list[str], dataset: str | None = None
) -> tuple[ibis.Table, ibis.Table]:
    """Goods trade totals per dyad-year, as the partner reports them and as the C5 country reports them (mirror),
    and the state's turnover with all partners (`state_totals`) beside them."""
    r = t("trade_flows")
    r = r.filter(t.isin(r.partner_iso3, "partners", partners), t.isin(r.country_iso3, "countries", countries))
    r = _annual_totals(t, r, dataset)
    by_partner = r.reporter_iso3 == r.partner_iso3
    by_country = r.reporter_iso3 == r.country_iso3
    out, back = r.direction == "partner_to_country", r.direction == "country_to_partner"
    agg = r.group_by(KEYS).aggregate(
        exports_usd=r.value_usd.sum(where=out & by_partner),
        imports_usd=r.value_usd.sum(where=back & by_partner),
        exports_mirror_usd=r.value_usd.sum(where=out & by_country),
        imports_mirror_usd=r.value_usd.sum(where=back & by_country),
        # turnover stated as one figure: by the partner, or by a secondary source that does not say who reported
        _stated_total=r.value_usd.sum(where=(r.direction == "total") & (by_partner | r.reporter_iso3.isnull())),
        _stated_mirror=r.value_usd.sum(where=(r.direction == "total") & by_country),
        trade_dataset=r.dataset.collect(distinct=True).sort().join(", "),  # the partner's and the state's
    )
    agg = attach(agg, state_totals(t, countries, dataset), ["country_iso3", "year"])
    exports, imports = agg.exports_mirror_usd, agg.imports_mirror_usd
    # A state that publishes its trade with all partners leaves a cell blank for no trade that way (Kazakhstan's
    # sheets: "-"): its turnover with a partner it only buys from is those imports, not unknown.
    one_way = agg[STATE_TOTAL].notnull() & (exports.notnull() | imports.notnull())
    total = ibis.coalesce(agg.exports_usd + agg.imports_usd, agg._stated_total)
    mirror = ibis.coalesce(
        exports + imports,
        agg._stated_mirror,
        ibis.ifelse(one_way, exports.fill_null(0.0) + imports.fill_null(0.0), ibis.null("float64")),
    )
    values = agg.mutate(trade_total_usd=total, trade_total_mirror_usd=mirror).mutate(
        trade_mirror_gap_usd=ibis._.trade_total_mirror_usd - ibis._.trade_total_usd,
        trade_mirror_gap_pct=100.0
        * (ibis._.trade_total_mirror_usd - ibis._.trade_total_usd)
        / ibis._.trade_total_usd.nullif(0),
    )
    values = values.select(*KEYS, *TRADE_COLUMNS, "trade_dataset")
    return values, r.select(*KEYS, "source_id")


def _annual_totals(t: Tables, r: ibis.Table, dataset: str | None) -> ibis.Table:
    # annual figures only: monthly rows (month set) would count the same trade twice
    r = r.filter(r.product_code == "TOTAL", r.month.isnull())
    return one_trade_dataset(with_dataset(t, r), dataset).mutate(year=ibis._.year.cast("int64"))


def state_totals(t: Tables, countries: list[str], dataset: str | None = None) -> ibis.Table:
    """(country_iso3, year, state_trade_all_partners_usd): each state's goods turnover with all partners as its
    own statistics publish it (their total row, stored with partner WLD), unallocated trade included: the
    denominator of a partner's share of the state's trade (the sum of the partners recorded misses its trade with
    its Central Asian neighbours, which are no partners here, and may count the EU's members twice). Blank unless
    both directions are published."""
    w = t("trade_flows")
    w = w.filter(w.partner_iso3 == WORLD_CODE, t.isin(w.country_iso3, "countries", countries))
    w = _annual_totals(t, w.filter(w.reporter_iso3 == w.country_iso3), dataset)
    exports = w.value_usd.sum(where=w.direction == "country_to_partner")
    imports = w.value_usd.sum(where=w.direction == "partner_to_country")
    stated = w.value_usd.sum(where=w.direction == "total")
    return w.group_by("country_iso3", "year").aggregate(**{STATE_TOTAL: ibis.coalesce(exports + imports, stated)})


def fdi_block(t: Tables, partners: list[str], countries: list[str]) -> tuple[ibis.Table, ibis.Table]:
    """Bilateral FDI per dyad-year (flows and stocks apart); one dataset per partner."""
    v = t("investments")
    v = v.filter(
        t.isin(v.partner_iso3, "partners", partners),
        t.isin(v.country_iso3, "countries", countries),
        v.measure.isin(["fdi_flow", "fdi_stock"]),
    )
    v = one_dataset(with_dataset(t, v), ["partner_iso3"]).mutate(year=ibis._.year.cast("int64"))
    # CDIS gives each stock twice: as reported by the host (inward) and by the investor (mirror). Never add them.
    host_reported = v.reporter_iso3.isnull() | (v.reporter_iso3 == v.country_iso3)
    values = v.group_by(KEYS).aggregate(
        fdi_flow_usd=v.value_usd.sum(where=(v.measure == "fdi_flow") & host_reported),
        fdi_stock_usd=v.value_usd.sum(where=(v.measure == "fdi_stock") & host_reported),
        fdi_stock_mirror_usd=v.value_usd.sum(where=(v.measure == "fdi_stock") & ~host_reported),
    )
    return values, v.select(*KEYS, "source_id")


def presence_block(t: Tables, partners: list[str], countries: list[str]) -> tuple[ibis.Table, ibis.Table]:
    """Company presence per dyad-year: the latest count of each kind within the year (kinds never added)."""
    p = t("presence")
    p = p.filter(t.isin(p.partner_iso3, "partners", partners), t.isin(p.country_iso3, "countries", countries))
    p = p.mutate(year=p.year.cast("int64"))
    metrics = {
        f"presence_{kind}": p["count"].argmax(p.as_of, where=p.presence_kind == kind).cast("int64")
        for kind in PRESENCE_KINDS
    }
    return p.group_by(KEYS).aggregate(**metrics), p.select(*KEYS, "source_id")


# A Central Asian state's trade with a partner, as every comparison across partners reads it (shares, the index,
# balance, who leads where, the visits model): the state's own statistics, which list every partner. Partners'
# reports (trade_total_usd) cover only the partners whose statistics are loaded: Rosstat's alone had made Russia
# "99.6% of Kazakhstan's trade" and scored it 100 on trade in the index beside everyone else's 0.
STATE_TRADE = "trade_total_mirror_usd"
# Panel columns in which the EU's figure is the sum of its members' (trade and investment statistics by partner:
# the EU is EU-27 together), unlike finance (the EU's institutions alone) or visits (its own leaders). A total over
# partners that holds the EU must leave its members out of these (indicators.shares, indicators.index).
MEMBER_SUMS = frozenset({
    "exports_usd", "imports_usd", "trade_total_usd", "exports_mirror_usd", "imports_mirror_usd",
    "trade_total_mirror_usd", "trade_mirror_gap_usd", "fdi_flow_usd", "fdi_stock_usd", "fdi_stock_mirror_usd",
})  # fmt: skip


def definitions() -> dict[str, str]:
    d: dict[str, str] = {}
    measures = {"commit": "commitments", "disb_gross": "gross disbursements", "disb_net": "net disbursements"}
    for fam, label in FAMILIES.items():
        for m, mlabel in measures.items():
            for b in BASES:
                what = "all official finance (ODA + OOF + other official classes)" if fam == "official" else label
                d[f"{fam}_{m}_{b}_usd"] = (
                    f"sum of amount_usd over {what}, {mlabel}, {b} USD, from one dataset per partner "
                    "(finance_dataset); rows for a group (e.g. 'Central Asia, regional') are not allocated"
                )
    d["finance_projects"] = "distinct project ids (plus project_count of aggregate rows) among commitments"
    d["finance_dataset"] = f"dataset chosen for the partner, in this order: {', '.join(DATASET_PREFERENCE)}"
    d["exports_usd"] = "partner's goods exports to the country as the partner reports them (FOB), product TOTAL"
    d["imports_usd"] = "partner's goods imports from the country as the partner reports them (CIF)"
    d["exports_mirror_usd"] = "the same flow as exports_usd, reported by the C5 country as its imports (mirror)"
    d["imports_mirror_usd"] = "the same flow as imports_usd, reported by the C5 country as its exports (mirror)"
    d["trade_total_usd"] = "exports_usd + imports_usd; else a turnover figure stated as one total"
    d["trade_total_mirror_usd"] = "exports_mirror_usd + imports_mirror_usd (the C5 country's view)"
    d["trade_mirror_gap_usd"] = "trade_total_mirror_usd - trade_total_usd (CIF/FOB, timing, re-exports)"
    d["trade_mirror_gap_pct"] = "100 * trade_mirror_gap_usd / trade_total_usd"
    d["trade_total_mirror_usd"] += (
        "; where the state publishes its trade with all partners, a direction it leaves blank counts as none"
    )
    d[STATE_TOTAL] = (
        "the C5 country's goods turnover with all partners as its own statistics publish it (their total row, "
        "unallocated trade and its Central Asian neighbours included; the same on every partner's row): the "
        "denominator of a partner's share of the state's trade"
    )
    d["trade_dataset"] = (
        "datasets the dyad-year's trade comes from: one for each side of the dyad, in this order: "
        f"{', '.join(DATASET_PREFERENCE)}, then national statistics by name"
    )
    d["fdi_flow_usd"] = "bilateral FDI flow (partner into the country) in the year"
    d["fdi_stock_usd"] = "bilateral FDI stock at the end of the year, as reported by the host country"
    d["fdi_stock_mirror_usd"] = "the same stock as reported by the investing partner (mirror; never added)"
    for kind in PRESENCE_KINDS:
        d[f"presence_{kind}"] = f"latest count of {kind.replace('_', ' ')} reported within the year"
    return d
