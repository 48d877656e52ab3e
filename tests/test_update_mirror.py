"""`silkscope update --mirror ../shared/data` on a fresh install: every publisher file a connector can read is
loaded (none skipped), with a provenance row each; snapshot rows are superseded, never doubled."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from warehouse_helpers import query

pytestmark = pytest.mark.realdata

# Files in the mirror that no connector reads, and why: name lists and samples that the main files supersede,
# and secondary re-exports whose units the data README calls unclear.
NOT_PUBLISHER_DATA = {
    "README.md",
    "aiddata2_country_names.csv",  # the name -> ISO3 list of the AidData 2.x repository, not data
    "aiddata2_flows_with_purpose_sample.csv",  # a sample of the flows file that aiddata_flows reads whole
    "un_votes_agreement_china_dyads.csv",  # a derived dyad table, not an engagement instrument silkscope measures
    "tradhist_via_patentcity_tradeflow_xx.c5.csv",  # secondary re-export; units and direction unclear (README)
}


def test_update_from_the_mirror_loads_every_file(tmp_path, shared_dir):
    db = tmp_path / "w.duckdb"
    exe = Path(sys.executable).parent / "silkscope"
    env = {"SILKSCOPE_DB": str(db), "SILKSCOPE_CACHE": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [str(exe), "update", "--mirror", str(shared_dir / "data")], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # Connectors with no file in the mirror (OECD, Comtrade, IMF, GDELT, the WDI API's JSON pages) are skipped
    # and say so; every file that is in the mirror is loaded (below).
    loaded = {
        title.split(": ")[-1]
        for (title,) in query(db, "SELECT title FROM core.sources WHERE superseded_at IS NULL AND kind = 'dataset'")
    }
    files = {p.name for p in (shared_dir / "data").rglob("*") if p.is_file()} - NOT_PUBLISHER_DATA
    assert files - loaded == set(), sorted(files - loaded)
    # the snapshot's rows gave way to the fresh load: one copy of Japan's 1993 ODA to the five, not two
    (total,) = query(
        db,
        "SELECT sum(amount_usd) FROM core.finance_flows f JOIN core.sources s USING (source_id) "
        "WHERE f.donor_iso3 = 'JPN' AND f.year = 1993 AND s.loaded_by = 'wdi_ddf' "
        "AND f.country_iso3 IN ('KAZ', 'KGZ', 'TJK', 'TKM', 'UZB')",
    )[0]
    assert total == pytest.approx(2_569_999.99, rel=1e-6)
    superseded = query(
        db, "SELECT count(*) FROM core.sources WHERE source_id LIKE '%_snapshot' AND superseded_at IS NOT NULL"
    )
    assert superseded[0][0] > 0
