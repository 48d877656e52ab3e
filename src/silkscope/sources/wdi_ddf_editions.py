"""Editions of the Open Numbers WDI files (repository commits), and which edition each series is taken from."""

from __future__ import annotations

import itertools

import duckdb

from silkscope.errors import InputError, Problem

REPO = "open-numbers/ddf--world_bank--world_development_indicators"
RAW_URL = "https://raw.githubusercontent.com/" + REPO + "/{commit}/datapoints/{file}"
# For a mirror copy whose bytes match no known file: the file's history, since its commit is unknown.
HISTORY_URL = "https://github.com/" + REPO + "/commits/HEAD/datapoints/{file}"

# Commits named in ../shared/data/README.md, oldest first. The repository's history is not in the mirror, so the
# order is that of the data each commit's files end in (WDI adds a year per edition): USA 2018, JPN/KOR/EU 2019,
# ODA/DEU/DAC total/FRA/GBR 2022, FDI/GDP 2024. 2ba00a5 and 5862f98 both end in 2022 and share a rank: no file
# is known at both, and should two files of theirs give one series differently, the ingest stops (see below).
EDITION_ORDER = {
    "0656517bbd3dfcd9e0d834cb6039de0d64753c61": 1,
    "26d1ca4d41e9e5f6c5f4b3f1bf46ef828edff9c0": 2,
    "2ba00a5a1fa8a67b1b290b130ed538b7db894264": 3,
    "5862f98b51b486b262164f2bb54e2e4ea4e312f6": 3,
    "0f0d0962479dd72d29a3b725072fefa1da633c99": 4,
}
_C0656, _C26D1, _C2BA0, _C5862, _C0F0D = EDITION_ORDER

# An indicator COMMITS does not list is downloaded at the newest commit recorded (data to 2024).
LATEST_COMMIT = _C0F0D
# Online: the commit each indicator is downloaded at, the newest the README names for its file (JPN's and USA's
# newer versions included; PA.NUS.FCRF read at 0f0d096, where the file runs to 2024).
COMMITS = {
    "DC.DAC.JPNL.CD": _C5862,
    "DC.DAC.KORL.CD": _C26D1,
    "DC.DAC.USAL.CD": _C2BA0,
    "DC.DAC.DEUL.CD": _C2BA0,
    "DC.DAC.FRAL.CD": _C5862,
    "DC.DAC.GBRL.CD": _C5862,
    "DC.DAC.CECL.CD": _C26D1,
    "DC.DAC.TOTL.CD": _C5862,
    "DT.ODA.ODAT.CD": _C2BA0,
    "BX.KLT.DINV.CD.WD": _C0F0D,
    "NY.GDP.MKTP.CD": _C0F0D,
    "PA.NUS.FCRF": _C0F0D,
}

# The bytes of the mirror's files (sha256, computed from ../shared/data/wdi) -> (commit, publisher path). Offline
# the commit cannot be read from a file, so this is how a mirror copy gets its edition; a file not listed here
# gets 'sha256:<first 12>' instead. Add a row when a new copy is carried into the mirror.
_P = "datapoints/ddf--datapoints--{}--by--economy--year.csv"
KNOWN_FILES = {
    "2b872ecb4f6bdcdb485e3c541bbd010116ba8cd35c43b62896e324252e0abf42": (_C26D1, _P.format("dc_dac_jpnl_cd")),
    "64b3876eb1d4b19ac76a57c28adc79f5b04e9d15cc278dae3e8a8c86dc9ee4d6": (_C26D1, _P.format("dc_dac_jpnl_cd")),
    "cf1a2a31156631e6aea846fdf93c3f5ecfd1e1774f52f2d9ca5fbe91faa87a3d": (_C26D1, _P.format("dc_dac_korl_cd")),
    "73622126efd231cfd9729d8054eb899d03504135993f9bb846e17fa6d95655f3": (_C26D1, _P.format("dc_dac_cecl_cd")),
    "e8dcc9ba6ac9b59beaad800d2f48b9589789a317c9a90f9a1ee07cf8986cdf4b": (_C0656, _P.format("dc_dac_usal_cd")),
    "606fc4475e1c69c393c18bf1b371aef51912b3a97bc194439a7a913b3e823fdf": (_C2BA0, _P.format("dc_dac_deul_cd")),
    "9ba227fb8706b6f79d72f973d96a64f69d951682ae8b166a01940f373e3b100a": (_C2BA0, _P.format("dt_oda_odat_cd")),
    "37ae0cfb793a5ddc7b2fe9210b8d7d5b718d10157b6684fffdf10f4229f1bbde": (_C5862, _P.format("dc_dac_totl_cd")),
    "29951685f9fd30e877325e57dea43685d1c74cebc8ad9d7448336421c3296f50": (_C5862, _P.format("dc_dac_fral_cd")),
    "2867a29aa81dbdfe78f248e1a653b4d40cf4e05309eaa351d56976407535e9d8": (_C5862, _P.format("dc_dac_gbrl_cd")),
    "8bf88710598c15c9c525698d4d19d5629c4d847c05fad259728e180141bf89a9": (_C0F0D, _P.format("bx_klt_dinv_cd_wd")),
    "c01fcd2809f0ecadfbb60e386d73b99b77ff9dcc942c6156b3d5bb21a67aaa03": (_C0F0D, _P.format("ny_gdp_mktp_cd")),
}


def publisher_name(code: str) -> str:
    return f"ddf--datapoints--{code.lower().replace('.', '_')}--by--economy--year.csv"


def newness(editions: list[tuple[str, int]]) -> list[tuple[tuple, str]]:
    """(edition, last year its files give for the indicator) -> [(key, edition)], oldest first.

    Known commits are ordered by EDITION_ORDER, then by last year. When any edition is a file of unknown origin,
    all are ordered by the last year covered (a later WDI edition adds years), then by EDITION_ORDER.
    """
    known = all(e in EDITION_ORDER for e, _ in editions)
    keys = [((EDITION_ORDER[e], end) if known else (end, EDITION_ORDER.get(e, 0)), e) for e, end in editions]
    return sorted(keys)


def choose_editions(con: duckdb.DuckDBPyConnection, paths: dict[str, str]) -> None:
    """Temp table _wdi_ddf_series(indicator_code, economy, edition, editions): the edition each series is taken
    from (the newest that has it) and every edition that has it. Located errors where editions cannot be told
    apart: copies of one edition that disagree, or two editions of equal rank that give one series differently."""
    clash = con.execute(
        """SELECT b.file_name, b.source_line, b.indicator_code, a.file_name, a.source_line, a.value, b.value
        FROM raw.wdi_ddf_datapoints a JOIN raw.wdi_ddf_files fa ON fa.file_name = a.file_name
        JOIN raw.wdi_ddf_datapoints b ON b.indicator_code = a.indicator_code AND b.economy = a.economy
             AND b.year = a.year AND b.file_name > a.file_name
        JOIN raw.wdi_ddf_files fb ON fb.file_name = b.file_name
        WHERE fa.edition = fb.edition AND a.value::DOUBLE <> b.value::DOUBLE
        ORDER BY 1, 2 LIMIT 10"""
    ).fetchall()
    if clash:
        raise InputError(
            [
                Problem(paths[fb], lb, code.lower().replace(".", "_"), f"{va} as in {fa} line {la} (same edition)", vb)
                for fb, lb, code, fa, la, va, vb in clash
            ]
        )
    ends = con.execute(
        """SELECT d.indicator_code, f.edition, max(d.year::INTEGER), min(f.file_name)
        FROM raw.wdi_ddf_datapoints d JOIN raw.wdi_ddf_files f USING (file_name) GROUP BY 1, 2 ORDER BY 1, 2"""
    ).fetchall()
    by_code: dict[str, list[tuple[str, int]]] = {}
    first_file = {}
    for code, edition, end, file_name in ends:
        by_code.setdefault(code, []).append((edition, end))
        first_file[(code, edition)] = file_name
    rows, problems = [], []
    for code, editions in by_code.items():
        ordered = newness(editions)
        for rank, (_key, edition) in enumerate(ordered):
            rows.append((code, edition, rank))
        for (k1, e1), (k2, e2) in itertools.pairwise(ordered):
            if k1 == k2 and (differ := _differing(con, code, e1, e2)):
                problems.append(
                    Problem(
                        paths[first_file[(code, e2)]],
                        1,
                        code.lower().replace(".", "_"),
                        f"an edition silkscope can order against {e1} ({first_file[(code, e1)]}): they end in the "
                        "same year and give different values; keep one of the two files, or add both commits to "
                        "EDITION_ORDER",
                        f"edition {e2}, series {', '.join(differ)}",
                    )
                )
    if problems:
        raise InputError(problems)
    con.execute("CREATE OR REPLACE TEMP TABLE _wdi_ddf_editions (indicator_code VARCHAR, edition VARCHAR, rank INT)")
    if rows:
        con.executemany("INSERT INTO _wdi_ddf_editions VALUES (?, ?, ?)", rows)
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _wdi_ddf_series AS
        SELECT d.indicator_code, upper(d.economy) AS economy, arg_max(f.edition, e.rank) AS edition,
               list(DISTINCT f.edition) AS editions
        FROM raw.wdi_ddf_datapoints d JOIN raw.wdi_ddf_files f USING (file_name)
        JOIN _wdi_ddf_editions e ON e.indicator_code = d.indicator_code AND e.edition = f.edition
        GROUP BY 1, 2"""
    )


def _differing(con: duckdb.DuckDBPyConnection, code: str, e1: str, e2: str) -> list[str]:
    """Economies whose series (year -> value) differ between two editions of one indicator (both present)."""
    rows = con.execute(
        """WITH s AS (
            SELECT f.edition, d.economy, list_sort(list(DISTINCT (d.year::INTEGER, d.value::DOUBLE))) AS series
            FROM raw.wdi_ddf_datapoints d JOIN raw.wdi_ddf_files f USING (file_name)
            WHERE d.indicator_code = ? AND f.edition IN (?, ?) GROUP BY 1, 2)
        SELECT a.economy FROM s a JOIN s b ON a.economy = b.economy AND a.edition = ? AND b.edition = ?
        WHERE a.series <> b.series ORDER BY 1 LIMIT 5""",
        [code, e1, e2, e1, e2],
    ).fetchall()
    return [r[0] for r in rows]
