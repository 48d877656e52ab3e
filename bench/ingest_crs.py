"""Time silkscope's CRS ingest of a synthetic CRS year against a bare DuckDB load of the same text file.

    .venv/bin/python bench/ingest_crs.py [--rows 5000000] [--zip PATH] [--repeat 1]

Both run in a fresh subprocess each, writing to a fresh database file on disk:
- silkscope: silkscope.ingest.ingest("oecd_crs", ...) of the zip: stream the member to a temporary file, read it
  into raw (typed amounts and codes, text as published), validate, harmonise the Central Asian rows into
  core.finance_flows, record provenance, commit, checkpoint;
- bare: CREATE TABLE AS SELECT * FROM read_csv(<the extracted .txt>, delim = '|') with DuckDB's type detection,
  then CHECKPOINT (the text file is extracted beforehand, outside the timing).
Each child reports its wall time and its own peak RSS (VmHWM from /proc/self/status, else getrusage RUSAGE_SELF);
the parent, kept small (the generator runs in its own subprocess too), also prints RUSAGE_CHILDREN's peak.
Targets: silkscope within 2x of bare, peak RSS under 2 GiB. Not a test: figures depend on the machine (and on what
else it is running: use --repeat and read the medians).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

GIB = 1 << 30


def child_silkscope(zip_path: Path, db: Path) -> dict:
    from silkscope.fetch import FetchedFile, RemoteFile
    from silkscope.ingest import ingest
    from silkscope.warehouse import file_sha256

    remote = RemoteFile(f"https://webfs-dcd.oecd.org/files/dotStat/DSD_CRS/{zip_path.name}", zip_path.name)
    file = FetchedFile(remote, zip_path, file_sha256(zip_path), zip_path.stat().st_size, datetime.now(UTC), "bench")
    start = time.perf_counter()
    report = ingest("oecd_crs", [file], db)
    return {"seconds": time.perf_counter() - start, "core_rows": report.row_counts["core.finance_flows"]}


def child_bare(txt: Path, db: Path) -> dict:
    import duckdb

    start = time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE crs AS SELECT * FROM read_csv(?, delim = '|')", [str(txt)])
    con.execute("CHECKPOINT")
    rows = con.execute("SELECT count(*) FROM crs").fetchone()[0]
    con.close()
    return {"seconds": time.perf_counter() - start, "rows": rows}


def peak_rss_kib() -> int:
    """This process's peak RSS. VmHWM is per address space; ru_maxrss would also count the forked parent's."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(status.split("VmHWM:")[1].split()[0])
    except (OSError, IndexError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_child(kind: str, source: Path, work: Path) -> dict:
    db = work / f"{kind}.duckdb"
    for stale in (db, db.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(source), str(db)], capture_output=True, text=True, check=False
    )
    if out.returncode:
        raise SystemExit(f"{kind} run failed:\n{out.stderr}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["children_peak_kib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    db.unlink(missing_ok=True)
    return result


def extract(zip_path: Path, work: Path) -> Path:
    with zipfile.ZipFile(zip_path) as zf:
        (member,) = [i for i in zf.infolist() if i.filename.endswith(".txt")]
        target = work / Path(member.filename).name
        with zf.open(member) as src, target.open("wb") as out:
            shutil.copyfileobj(src, out, 4 << 20)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--zip", type=Path, help="an existing CRS zip (default: generate one with gen_crs.py)")
    parser.add_argument("--repeat", type=int, default=1, help="alternate the two runs this many times")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "SOURCE", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, source, db = args.child
        result = (child_silkscope if kind == "silkscope" else child_bare)(Path(source), Path(db))
        result["peak_rss_kib"] = peak_rss_kib()
        print(json.dumps(result))
        return

    zip_path = args.zip
    if zip_path is None:
        folder = Path(tempfile.gettempdir()) / "silkscope-bench" / str(args.rows)
        zip_path = folder / "CRS 2019 data.zip"
        if not zip_path.exists():
            gen = Path(__file__).with_name("gen_crs.py")
            subprocess.run([sys.executable, gen, "--rows", str(args.rows), "--out", folder], check=True)
    with tempfile.TemporaryDirectory(prefix="silkscope-bench-") as tmp:
        work = Path(tmp)
        txt = extract(zip_path, work)
        print(
            f"{zip_path} ({zip_path.stat().st_size / 2**20:.0f} MiB zipped, {txt.stat().st_size / 2**20:.0f} MiB text)"
        )
        runs: dict[str, list[dict]] = {"bare": [], "silkscope": []}
        for _ in range(args.repeat):
            runs["bare"].append(run_child("bare", txt, work))
            runs["silkscope"].append(run_child("silkscope", zip_path, work))
    seconds = {k: statistics.median(r["seconds"] for r in v) for k, v in runs.items()}
    peak = {k: max(r["peak_rss_kib"] for r in v) * 1024 for k, v in runs.items()}
    print(f"rows: {runs['bare'][0]['rows']:,}; core rows written by silkscope: {runs['silkscope'][0]['core_rows']:,}")
    for kind in ("bare", "silkscope"):
        each = ", ".join(f"{r['seconds']:.1f}" for r in runs[kind])
        print(f"{kind:>10}: {seconds[kind]:7.1f} s (runs: {each})   peak RSS {peak[kind] / GIB:.2f} GiB")
    ratio = seconds["silkscope"] / seconds["bare"]
    print(f"     ratio: {ratio:.2f}x (target <= 2.00)   {'OK' if ratio <= 2 else 'MISSED'}")
    verdict = "OK" if peak["silkscope"] < 2 * GIB else "MISSED"
    print(f"  peak RSS: {peak['silkscope'] / GIB:.2f} GiB (target < 2 GiB)   {verdict}")
    print(f"RUSAGE_CHILDREN peak over all runs: {runs['silkscope'][-1]['children_peak_kib'] / 2**20:.2f} GiB")


if __name__ == "__main__":
    main()
