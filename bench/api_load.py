"""Bounded load on the REST API over 127.0.0.1: concurrent clients on the profile and compare endpoints.

    .venv/bin/python bench/api_load.py [--clients 20] [--seconds 20] [--db PATH] [--mirror ../shared/data]
    .venv/bin/python bench/api_load.py --mixed [--heavy 4] [--seconds 20]

Starts uvicorn in its own process on a free port, sends every URL once (cold: answers computed), then keeps
`--clients` connections busy for `--seconds` (warm: the server's answer cache serves repeats, as it would for
analysts opening the same pages). Prints requests/s, p50/p90/p99 latency and errors for both phases, and a
baseline measured in the same run: the same library calls made directly, without HTTP or cache.
Target on a 2-core machine: p99 under 250 ms and zero errors.

--mixed: cheap reads (/api/health, /api/countries, /api/groups) from one client while `--heavy` requests that
compute (claim checks of distinct articles, visits-model fits and library indicators for periods not asked
before) are kept in flight. The baseline is the same cheap reads with nothing else running, measured first in the
same run. Target: p99 of the cheap reads under 100 ms with 4 heavy requests in flight.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
COUNTRIES = ["C5", "KAZ", "KGZ", "TJK", "TKM", "UZB"]
PARTNER_SETS = ["JPN,KOR,CHN", "JPN,CHN,KOR,RUS,USA", None]
INDICATORS = ["all", "leader_visits", "inbound_visits", "dialogue_meetings", "presence", "finance"]


def urls() -> list[str]:
    out = []
    for country, partners in itertools.product(COUNTRIES, PARTNER_SETS):
        p = f"&partners={partners}" if partners else ""
        out.append(f"/api/profile/{country}?since=2000{p}")
        for indicator in INDICATORS:
            out.append(f"/api/compare?indicator={indicator}&country={country}{p}")
    return out


# --indicators: the Ibis library behind /api/indicators (each first answer compiles a wide panel expression).
LIBRARY = ["panel", "shares", "balance", "index", "disagreement-finance", "composition", "rca", "complementarity",
           "disagreement-trade"]  # fmt: skip


def indicator_urls() -> list[str]:
    return [
        f"/api/indicators/{name}?country={country}&since={since}"
        for name, country, since in itertools.product(LIBRARY, ["C5", "KAZ", "UZB"], [2000, 2005])
    ]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def report(name: str, latencies: list[float], errors: int, elapsed: float) -> None:
    n = len(latencies)
    ms = [x * 1000 for x in latencies]
    print(
        f"{name:<34} {n:>7} req  {n / elapsed:>8.1f} req/s  p50 {percentile(ms, 50):7.1f} ms  "
        f"p90 {percentile(ms, 90):7.1f} ms  p99 {percentile(ms, 99):7.1f} ms  max {max(ms, default=0):7.1f} ms  "
        f"errors {errors}"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(db: Path | None, mirror: Path | None) -> Path:
    from silkscope.build import build

    if db:
        return db
    path = Path(tempfile.mkdtemp(prefix="silkscope-load-")) / "silkscope.duckdb"
    build(path)
    if mirror and (mirror / "aiddata").exists():
        from silkscope.ingest import fetch_source, ingest

        ingest("aiddata_flows", fetch_source("aiddata_flows", mirror=mirror, cache_dir=path.parent / "cache"), path)
    return path


def baseline(db: Path, paths: list[str]) -> None:
    """The same answers straight from the library on one connection: no HTTP, no cache."""
    import duckdb

    from silkscope import views
    from silkscope.indicators import registry
    from silkscope.indicators.tables import duckdb_tables

    con = duckdb.connect(str(db), read_only=True)
    took = []
    start = time.perf_counter()
    for url in paths:
        query = dict(p.split("=", 1) for p in url.split("?", 1)[1].split("&"))
        t = time.perf_counter()
        if url.startswith("/api/indicators/"):
            settings = registry.options(countries=[query["country"]] if query["country"] != "C5" else None,
                                        since=int(query["since"]), tables=duckdb_tables(con=con))  # fmt: skip
            registry.INDICATORS[url.split("/")[3].split("?")[0]].run(settings)
        elif url.startswith("/api/profile/"):
            views.profile(url.split("/")[3].split("?")[0], query.get("partners"), 2000, con=con)
        else:
            views.compare(query["country"], query.get("partners"), query["indicator"], con=con)
        took.append(time.perf_counter() - t)
    report("baseline: library calls, 1 thread", took, 0, time.perf_counter() - start)
    con.close()


class Connection:
    """A minimal keep-alive HTTP/1.1 client: the load generator shares the 2 CPUs with the server, so it must be
    cheap (httpx spends about a millisecond of CPU per request; this a few tens of microseconds)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode())
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        body = await self.reader.readexactly(length)
        return status, body

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def load(host: str, port: int, paths: list[str], clients: int, seconds: float) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    cycle = itertools.cycle(paths)

    async def worker() -> None:
        nonlocal errors
        conn = Connection(host, port)
        try:
            while time.perf_counter() < stop:
                url = next(cycle)
                t = time.perf_counter()
                try:
                    status, body = await conn.get(url)
                    ok = status == 200 and len(body) > 0
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    ok = False
                    await conn.close()
                    conn = Connection(host, port)
                latencies.append(time.perf_counter() - t)
                errors += 0 if ok else 1
        finally:
            await conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies, errors, time.perf_counter() - start


async def cold(base: str, paths: list[str], clients: int = 1) -> tuple[list[float], int, float]:
    """Every URL once (nothing cached yet), `clients` at a time."""
    latencies, errors = [], 0
    gate = asyncio.Semaphore(clients)
    start = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:

        async def one(url: str) -> None:
            nonlocal errors
            async with gate:
                t = time.perf_counter()
                r = await client.get(url)
                latencies.append(time.perf_counter() - t)
                errors += r.status_code != 200

        await asyncio.gather(*(one(url) for url in paths))
    return latencies, errors, time.perf_counter() - start


CHEAP = ["/api/health", "/api/countries?role=central_asia", "/api/groups", "/api"]


def articles() -> list[str]:
    """Texts to check: the seed article (../shared) and the test articles; each request makes a distinct one."""
    found = sorted((ROOT.parent / "shared" / "reference" / "articles").glob("*.txt"))
    found += sorted((ROOT / "tests" / "claims" / "articles").glob("*.[mt][dx]*"))
    return [p.read_text(encoding="utf-8") for p in found]


def heavy_requests():
    """An endless supply of requests the server has not answered before (nothing cached): cold work each time."""
    texts = articles()
    for n in itertools.count():
        kind = n % 3
        if kind == 0:  # a claim check: the article plus a sentence no earlier request had
            text = texts[n % len(texts)] + f"\n\nJapan's ODA to Uzbekistan reached US${n}.5 million in {1993 + n % 30}."
            yield "check", ("POST", "/api/claims/check", {"text": text})
        elif kind == 1:  # a model fit for a period and lag not asked before
            since, lag, window = 1992 + (n // 3) % 20, (n // 60) % 3, 1 + (n // 180) % 4
            url = f"/api/models/visits?outcome=ministerial_meetings&since={since}&lag={lag}&window={window}"
            yield "model", ("GET", url, None)
        else:  # a library indicator (cold: a first answer compiles the panel) for a new period
            name = LIBRARY[(n // 3) % len(LIBRARY)]
            yield "indicator", ("GET", f"/api/indicators/{name}?country=C5&since={1990 + (n // 27) % 30}", None)


async def mixed(base: str, host: str, port: int, heavy: int, seconds: float) -> None:
    """Cheap reads while `heavy` computing requests are in flight; p99 of the cheap reads against a quiet baseline."""

    async def cheap_reads(until: float) -> tuple[list[float], int]:
        conn, latencies, errors = Connection(host, port), [], 0
        for url in itertools.cycle(CHEAP):
            if time.perf_counter() >= until:
                break
            t = time.perf_counter()
            status, _ = await conn.get(url)
            latencies.append(time.perf_counter() - t)
            errors += status != 200
            await asyncio.sleep(0.01)  # an analyst's browser, not a flood: about 80 reads a second
        await conn.close()
        return latencies, errors

    supply = heavy_requests()
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:  # workers started, modules imported
        for _ in range(3):
            _, (method, url, body) = next(supply)
            await client.request(method, url, json=body)
    quiet_start = time.perf_counter()
    quiet, quiet_errors = await cheap_reads(quiet_start + min(5.0, seconds / 4))
    report("baseline: cheap reads, nothing else", quiet, quiet_errors, time.perf_counter() - quiet_start)

    done: dict[str, list[float]] = {}
    heavy_errors = 0
    stop = time.perf_counter() + seconds
    in_flight = 0
    peak = 0

    async with httpx.AsyncClient(base_url=base, timeout=600) as client:

        async def heavy_worker() -> None:
            nonlocal heavy_errors, in_flight, peak
            while time.perf_counter() < stop:
                kind, (method, url, body) = next(supply)
                t = time.perf_counter()
                in_flight += 1
                peak = max(peak, in_flight)
                r = await client.request(method, url, json=body)
                in_flight -= 1
                done.setdefault(kind, []).append(time.perf_counter() - t)
                heavy_errors += r.status_code != 200

        async def reads_while_busy() -> tuple[list[float], int]:
            while in_flight < heavy and time.perf_counter() < stop:  # measure only once all heavy ones run
                await asyncio.sleep(0.01)
            return await cheap_reads(stop)

        start = time.perf_counter()
        *_, (busy, busy_errors) = await asyncio.gather(*(heavy_worker() for _ in range(heavy)), reads_while_busy())
        elapsed = time.perf_counter() - start
    for kind, took in sorted(done.items()):
        report(f"heavy: {kind}", took, 0, elapsed)
    print(f"heavy requests: {sum(map(len, done.values()))} done, {heavy_errors} errors, {peak} in flight at most")
    report(f"cheap reads, {heavy} heavy in flight", busy, busy_errors, elapsed)
    p99 = percentile([x * 1000 for x in busy], 99)
    base_p99 = percentile([x * 1000 for x in quiet], 99)
    verdict = "met" if p99 < 100 and busy_errors == 0 else "NOT met"
    print(f"target p99 < 100 ms for cheap reads with {heavy} heavy requests in flight: {verdict} "
          f"(p99 {p99:.1f} ms; quiet baseline p99 {base_p99:.1f} ms; ratio {p99 / base_p99:.1f}x)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--db", type=Path, help="an existing warehouse (default: build one in a temp folder)")
    parser.add_argument("--mirror", type=Path, default=ROOT.parent / "shared" / "data", help="offline mirror")
    parser.add_argument("--indicators", action="store_true", help="the library indicators instead of profile/compare")
    parser.add_argument("--cold-clients", type=int, default=1, help="concurrent clients for the cold pass")
    parser.add_argument("--mixed", action="store_true", help="cheap reads while heavy requests compute")
    parser.add_argument("--heavy", type=int, default=4, help="--mixed: heavy requests kept in flight")
    parser.add_argument("--workers", type=int, default=2, help="server processes for heavy work (0: threads only)")
    args = parser.parse_args()

    db = prepare(args.db, args.mirror)
    port = free_port()
    code = (
        "import uvicorn; from silkscope.server import create_app; "
        f"uvicorn.run(create_app({str(db)!r}, workers={args.workers}), host='127.0.0.1', port={port}, "
        "log_level='warning')"
    )
    server = subprocess.Popen([sys.executable, "-c", code], env={**os.environ, "SILKSCOPE_API_TOKEN": ""})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.2)
        if args.mixed:
            print(f"warehouse {db}; server pid {server.pid}; {os.cpu_count()} CPUs; {args.workers} worker processes")
            asyncio.run(mixed(base, "127.0.0.1", port, args.heavy, args.seconds))
            return
        paths = indicator_urls() if args.indicators else urls()
        what = "library indicators" if args.indicators else "profile and compare"
        print(f"warehouse {db}; {len(paths)} distinct URLs ({what}); server pid {server.pid}")
        print(f"load: {args.clients} concurrent clients for {args.seconds:g} s on 127.0.0.1; {os.cpu_count()} CPUs")
        baseline(db, paths)
        cold_run = asyncio.run(cold(base, paths, args.cold_clients))
        report(f"cold: each URL once, {args.cold_clients} client(s)", *cold_run)
        latencies, errors, elapsed = asyncio.run(load("127.0.0.1", port, paths, args.clients, args.seconds))
        report(f"warm: {args.clients} clients, {args.seconds:g} s", latencies, errors, elapsed)
        p99 = percentile([x * 1000 for x in latencies], 99)
        verdict = "met" if p99 < 250 and errors == 0 else "NOT met"
        print(
            f"target p99 < 250 ms with zero errors: {verdict} (p99 {p99:.1f} ms, errors {errors}, "
            f"median {statistics.median(latencies) * 1000:.1f} ms)"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
        if args.db is None:
            shutil.rmtree(db.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
