"""How the claim checker's cost grows with the input: `silkscope check` on 1, 2, 4 and 8 MB of real-looking text.

    .venv/bin/python bench/claims_scale.py [--sizes 1,2,4,8] [--db PATH] [--article FILE]

The text is the seed article's body (../shared/reference/articles, else the test articles) repeated up to each size,
so every megabyte holds the same sentences, figures and claims. Each size runs the installed console script in its
own process (as a user runs it, `--max-bytes` raised, JSON to /dev/null) and the bench reads that process's wall
time, CPU time and peak RSS from the kernel (wait4). The baseline is the 1 MB run of the same bench: each doubling
should at most double the time and the memory (ratio 2.0; above 2.5 is a super-linear part to find).
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SILKSCOPE = Path(sys.executable).with_name("silkscope")
STOP = ("Further Reading", "References")  # the body ends there: text after it is not read for claims


def seed_body(article: Path | None) -> str:
    candidates = [article] if article else sorted((ROOT.parent / "shared" / "reference" / "articles").glob("*.txt"))
    candidates = [p for p in candidates if p and p.exists()] or sorted((ROOT / "tests" / "claims" / "articles").glob(
        "*.txt"))  # fmt: skip
    text = candidates[0].read_text(encoding="utf-8")
    for stop in STOP:
        if stop in text:
            text = text[: text.index(stop)]
    return text.rstrip() + "\n\n"


def write_input(body: str, megabytes: float, folder: Path) -> Path:
    size = int(megabytes * 2**20)
    data = (body * (size // len(body.encode()) + 1)).encode()[:size]
    path = folder / f"article-{megabytes:g}mb.txt"
    path.write_bytes(data.decode("utf-8", "ignore").encode())  # a character cut at the end is dropped
    return path


def run(path: Path, db: Path) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak RSS in MB of one `silkscope check`, and its exit status."""
    start = time.perf_counter()
    with open(os.devnull, "wb") as devnull:
        proc = subprocess.Popen(
            [str(SILKSCOPE), "check", str(path), "--db", str(db), "--format", "json", "--max-bytes", str(2**31)],
            stdout=devnull, stderr=subprocess.PIPE,
        )  # fmt: skip
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"silkscope check {path.name} exited {code}: {proc.stderr.read().decode()[-500:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1,2,4,8", help="megabytes, comma-separated; the first is the baseline")
    parser.add_argument("--db", type=Path, help="a warehouse (default: build one from the reference pack)")
    parser.add_argument("--article", type=Path, help="the text to repeat (default: the seed article)")
    args = parser.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]

    with tempfile.TemporaryDirectory(prefix="silkscope-scale-") as tmp:
        folder = Path(tmp)
        db = args.db
        if db is None:
            from silkscope.build import build

            db = folder / "silkscope.duckdb"
            build(db)
        body = seed_body(args.article)
        print(f"`silkscope check` on the seed article's body ({len(body):,} characters) repeated; warehouse {db}")
        print(f"{'input':>8} {'wall s':>8} {'CPU s':>8} {'peak RSS MB':>12} {'CPU/MB s':>9} {'x time':>7} "
              f"{'x RSS':>6}  (ratios to the previous size)")  # fmt: skip
        previous = None
        baseline = None
        for mb in sizes:
            wall, cpu, rss, _ = run(write_input(body, mb, folder), db)
            ratios = "" if previous is None else f"{cpu / previous[1]:>7.2f} {rss / previous[2]:>6.2f}"
            print(f"{mb:>6g}MB {wall:>8.1f} {cpu:>8.1f} {rss:>12.0f} {cpu / mb:>9.1f} {ratios}", flush=True)
            previous = (wall, cpu, rss)
            baseline = baseline or (mb, wall, cpu, rss)
        mb0, _, cpu0, rss0 = baseline
        steps = max(1.0, math.log2(sizes[-1] / mb0))
        growth = (previous[1] / cpu0) ** (1 / steps)
        print(f"baseline {mb0:g} MB: CPU {cpu0:.1f} s, peak RSS {rss0:.0f} MB; per doubling on average: "
              f"CPU x{growth:.2f}, "
              f"RSS x{(previous[2] / rss0) ** (1 / steps):.2f} (linear: at most 2.0)")  # fmt: skip


if __name__ == "__main__":
    main()
