"""`make bench-serving`: the online store's load time and the read API under a closed loop.

It starts its own redis-server (free port, temporary folder), loads a serving file into it
(the demo's, CATALOG_ML_SERVING_PATH, when it exists; else a synthetic one with scale 1's
sizes: 20,000 users x 10 recommendations, 10,000 products x 10 related items, 30,000
offers), starts the API with uvicorn in a child process, and sends a fixed number of requests
per endpoint from --concurrency async httpx clients on localhost (closed loop: each client
sends its next request when the last one is answered). Per endpoint it reports throughput
and p50/p95/p99 latency next to the trivial /ping endpoint measured in the same run (before
and after the others), and prints the time of one store load. Nothing leaves 127.0.0.1, the
request count is fixed and every phase stops after --max-seconds. Results also go to
bench/results/serving.json. The load generator and the server share the machine's cores:
read the figures as the whole loop's, and repeat on a quiet machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import httpx
import numpy as np

from catalog_ml.privacy import pii_salt, pseudonymise
from catalog_ml.serving.redis_server import RedisServer, free_port
from catalog_ml.serving.store import Store

REPO = Path(__file__).resolve().parents[1]


def synthetic_serving_file(path: Path, users: int, products: int, offers: int) -> None:
    """A serving file with the store's tables at the given sizes (values are arbitrary)."""
    salt = pii_salt().replace("'", "''")
    with duckdb.connect(str(path)) as con:
        con.execute(f"""
            create table fct_recommendations as
            select sha256('{salt}|U' || lpad(u::varchar, 6, '0')) as user_id, r::integer as rank,
                'P' || lpad(((u * 7 + r * 13) % {products} + 1)::varchar, 6, '0') as product_id,
                1.0 / r as score, 'collaborative' as retrieval_source,
                'bench-ranker' as model_version, now()::timestamp as generated_at
            from range(1, {users} + 1) as t(u), range(1, 11) as s(r)
        """)
        con.execute(f"""
            create table fct_related_items as
            select 'P' || lpad(p::varchar, 6, '0') as product_id, r::integer as rank,
                'P' || lpad(((p + r * 31) % {products} + 1)::varchar, 6, '0')
                    as related_product_id, 1.0 / r as score, 'content' as source
            from range(1, {products} + 1) as t(p), range(1, 11) as s(r)
        """)
        con.execute(f"""
            create table fct_offer_matches as
            select 'O' || lpad(o::varchar, 7, '0') as offer_id, 'M01' as merchant_id,
                'P' || lpad((o % {products} + 1)::varchar, 6, '0') as product_id,
                0.9 as match_score, 'matched' as decision, 'model' as decision_source,
                'bench-matcher' as model_version, now()::timestamp as decided_at
            from range(1, {offers} + 1) as t(o)
        """)
        con.execute(f"""
            create table fct_interactions as
            select 'E' || e as event_id, 'x' as user_id,
                'P' || lpad((e * e % {products} + 1)::varchar, 6, '0') as product_id,
                'click' as event_type, now()::timestamp as event_at
            from range(1, 100001) as t(e)
        """)
        con.execute(
            "create table build_status as select now()::timestamp as build_finished_at,"
            " 'bench-synthetic' as dbt_invocation_id"
        )


def raw_user_ids(serving: Path, limit: int = 5000) -> list[str]:
    """Application user ids whose pseudonym has a list (demo ids are U000001, U000002, ...)."""
    with duckdb.connect(str(serving), read_only=True) as con:
        stored = {
            row[0]
            for row in con.execute("select distinct user_id from fct_recommendations").fetchall()
        }
        total = len(stored)
    found = []
    for n in range(1, max(total * 2, 1000) + 1):
        user = f"U{n:06d}"
        if pseudonymise(user) in stored:
            found.append(user)
            if len(found) >= limit:
                break
    return found


def ids(serving: Path, sql: str, limit: int = 5000) -> list[str]:
    with duckdb.connect(str(serving), read_only=True) as con:
        return [row[0] for row in con.execute(f"{sql} limit {limit}").fetchall()]


async def closed_loop(
    base: str, paths: list[str], requests: int, concurrency: int, max_seconds: float
) -> dict:
    """Send `requests` GETs (cycling through paths) from `concurrency` clients; the figures."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    sent = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10.0) as client:
        for path in paths[: min(100, len(paths))]:  # warm-up, not measured
            await client.get(path)
        deadline = time.perf_counter() + max_seconds

        async def worker() -> None:
            nonlocal sent
            while sent < requests and time.perf_counter() < deadline:
                path = paths[sent % len(paths)]
                sent += 1
                start = time.perf_counter()
                try:
                    code = (await client.get(path)).status_code
                except httpx.HTTPError:
                    code = 0
                latencies.append(time.perf_counter() - start)
                statuses[code] = statuses.get(code, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    ms = np.array(latencies) * 1000
    return {
        "requests": len(latencies),
        "statuses": statuses,
        "seconds": wall,
        "requests_per_second": len(latencies) / wall,
        "p50_ms": float(np.percentile(ms, 50)),
        "p95_ms": float(np.percentile(ms, 95)),
        "p99_ms": float(np.percentile(ms, 99)),
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), to compare phases on a busy
    machine: CPU per request does not grow with other processes' load as latency does."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_up(base: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the API exited with {process.returncode}")
        try:
            if httpx.get(base + "/ping", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    sys.exit("the API did not answer /ping in time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_serving = os.environ.get("CATALOG_ML_SERVING_PATH", "")
    parser.add_argument(
        "--serving", type=Path, default=Path(default_serving) if default_serving else None
    )
    parser.add_argument("--synthetic", action="store_true", help="use a synthetic serving file")
    parser.add_argument("--requests", type=int, default=2000, help="per endpoint")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--max-seconds", type=float, default=120, help="per endpoint")
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args()
    random.seed(args.seed)
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-serving-") as temp:
        work = Path(temp)
        serving = args.serving
        if args.synthetic or serving is None or not serving.is_file():
            serving = work / "synthetic_serving.duckdb"
            synthetic_serving_file(serving, users=20_000, products=10_000, offers=30_000)
        redis_server = RedisServer(free_port(), work / "redis").start()
        api = None
        try:
            load = Store.from_url(redis_server.url, timeout=30).load(serving)
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            api = subprocess.Popen(
                [
                    *(sys.executable, "-m", "catalog_ml.serving.api", "--port", str(port)),
                    *("--redis-url", redis_server.url, "--serving-file", str(serving)),
                    *("--impressions-file", str(work / "raw" / "events.csv")),
                ],
                cwd=REPO,
                stdout=subprocess.DEVNULL,
            )
            wait_until_up(base, api)
            users = raw_user_ids(serving)
            products = ids(serving, "select distinct product_id from fct_related_items order by 1")
            offers = ids(serving, "select offer_id from fct_offer_matches order by 1")
            for sample in (users, products, offers):
                random.shuffle(sample)
            phases = {
                "/ping (baseline, before)": ["/ping"],
                "/recommendations (known users)": [f"/recommendations/{u}?log_impressions=false" for u in users],
                "/recommendations (unknown: fallback)": [f"/recommendations/new-{n}?log_impressions=false" for n in range(1000)],
                "/recommendations + impression log": [f"/recommendations/{u}" for u in users],
                "/related": [f"/related/{p}" for p in products],
                "/matches": [f"/matches/{o}" for o in offers],
                "/health": ["/health"],
                "/ping (baseline, after)": ["/ping"],
            }  # fmt: skip
            results = {}
            for name, paths in phases.items():
                before = cpu_seconds(api.pid)
                results[name] = asyncio.run(
                    closed_loop(base, paths, args.requests, args.concurrency, args.max_seconds)
                )
                results[name]["api_cpu_ms_per_request"] = (
                    1000 * (cpu_seconds(api.pid) - before) / results[name]["requests"]
                )
        finally:
            if api is not None:
                api.terminate()
                api.wait(10)
            redis_server.stop()
    baseline = results["/ping (baseline, before)"]["p50_ms"]
    print(f"\nserving file: {serving if serving.parent != work else 'synthetic (scale 1 sizes)'}")
    print(
        f"store load: {load['rows']:,} rows in {load['keys']:,} keys, {load['write_seconds']:.2f} s"
        f" ({load['rows_per_second']:,.0f} rows/s); with the switch and old-version cleanup"
        f" {load['seconds']:.2f} s"
    )
    print(
        f"closed loop: {args.requests} requests per endpoint, {args.concurrency} concurrent"
        " clients, one uvicorn worker, client and server on the same machine"
    )
    print(
        f"  {'endpoint':<38} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
        f" {'p50/base':>8} {'API CPU ms/req':>14}  statuses"
    )
    for name, entry in results.items():
        print(
            f"  {name:<38} {entry['requests_per_second']:>8,.0f} {entry['p50_ms']:>8.2f}"
            f" {entry['p95_ms']:>8.2f} {entry['p99_ms']:>8.2f} {entry['p50_ms'] / baseline:>8.2f}"
            f" {entry['api_cpu_ms_per_request']:>14.2f}  {entry['statuses']}"
        )
    report = {
        "serving_file": str(serving) if serving.parent != work else "synthetic",
        "load": {
            key: load[key]
            for key in ("rows", "keys", "write_seconds", "seconds", "rows_per_second")
        },
        "requests_per_endpoint": args.requests,
        "concurrency": args.concurrency,
        "endpoints": results,
        "cpu_count": os.cpu_count(),
        "load_average": os.getloadavg(),
    }
    (out / "serving.json").write_text(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
