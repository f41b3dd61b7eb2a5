"""`make bench-serving`: the online store's load time and the read API under a closed loop.

It starts its own redis-server (free port, temporary folder), loads a serving file into it
(the demo's, CATALOG_ML_SERVING_PATH, when it exists; else a synthetic one with scale 1's
sizes: 20,000 users x 10 recommendations, 10,000 products x 10 related items, 30,000
offers), starts the API (uvicorn with --workers processes) and drives each endpoint with
wrk, a native closed-loop load generator (Debian package, installed with apt-get when
missing; `make wrk-install`): --connections connections on localhost, each sending its next
request when the last is answered, cycling through a list of real ids. Per endpoint it
reports throughput, p50/p95/p99 latency and the API's CPU time per request next to the
trivial /ping endpoint measured in the same run (before and after the others), and the time
of one store load. Every phase lasts --seconds (fixed), after an unmeasured warm-up.
Nothing leaves 127.0.0.1. Results also go to bench/results/serving.json.

The load generator, Redis and the API share the machine's cores: on a busy machine the
figures measure the contention (the load average is printed and saved with them; CPU time
per request is the figure that moves least); repeat on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import httpx

from catalog_ml.debian import ensure_binary
from catalog_ml.privacy import pii_salt, pseudonymise
from catalog_ml.serving.redis_server import RedisServer, free_port
from catalog_ml.serving.store import Store
from catalog_ml.warehouse import connect

REPO = Path(__file__).resolve().parents[1]
WRK_SCRIPT = Path(__file__).resolve().with_name("serving_wrk.lua")
WARM_UP_SECONDS = 1


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
        con.execute("""
            create table fct_popular_items as
            select r::integer as rank, 'P' || lpad(r::varchar, 6, '0') as product_id,
                1.0 / r as score, 'popularity_half_life_14d' as model_version
            from range(1, 101) as t(r)
        """)
        con.execute(
            "create table build_status as select now()::timestamp as build_finished_at,"
            " 'bench-synthetic' as dbt_invocation_id"
        )


def raw_user_ids(serving: Path, limit: int = 5000) -> list[str]:
    """Application user ids whose pseudonym has a list (demo ids are U000001, U000002, ...)."""
    with connect(serving) as con:
        stored = {
            row[0]
            for row in con.execute("select distinct user_id from fct_recommendations").fetchall()
        }
    found = []
    for n in range(1, max(len(stored) * 2, 1000) + 1):
        user = f"U{n:06d}"
        if pseudonymise(user) in stored:
            found.append(user)
            if len(found) >= limit:
                break
    return found


def ids(serving: Path, sql: str, limit: int = 5000) -> list[str]:
    with connect(serving) as con:
        return [row[0] for row in con.execute(f"{sql} limit {limit}").fetchall()]


def process_tree_cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and its live children (the uvicorn workers),
    from Linux /proc: CPU per request does not grow with other processes' load as latency does."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.is_file():
        pids += [int(child) for child in children.read_text().split()]
    total = 0.0
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def run_wrk(wrk: str, base: str, paths: Path, args: argparse.Namespace, seconds: int) -> dict:
    """One wrk run (one thread, closed loop, `seconds` long) over the paths file; its figures."""
    command = [wrk, "-t1", f"-c{args.connections}", f"-d{seconds}s", "--timeout", "10s"]
    command += ["-s", str(WRK_SCRIPT), base, "--", str(paths)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        sys.exit(
            f"wrk failed ({result.returncode}): {result.stderr[-1000:] or result.stdout[-1000:]}"
        )
    return json.loads(lines[-1])


def children_cpu_seconds() -> float:
    """CPU time of this process's finished children (the wrk runs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(
    wrk: str, base: str, paths: Path, args: argparse.Namespace, pids: dict[str, int]
) -> dict:
    """Warm up, then one bounded closed-loop phase; figures with the CPU time per request of
    the API, Redis and wrk, and the req/s that CPU time allows on this machine's cores."""
    run_wrk(wrk, base, paths, args, WARM_UP_SECONDS)
    before = {name: process_tree_cpu_seconds(pid) for name, pid in pids.items()}
    before["wrk"] = children_cpu_seconds()
    figures = run_wrk(wrk, base, paths, args, args.seconds)
    after = {name: process_tree_cpu_seconds(pid) for name, pid in pids.items()}
    after["wrk"] = children_cpu_seconds()
    requests = max(figures["requests"], 1)
    for name in before:
        figures[f"{name}_cpu_ms_per_request"] = 1000 * (after[name] - before[name]) / requests
    loop = sum(figures[f"{name}_cpu_ms_per_request"] for name in before)
    figures["loop_cpu_ms_per_request"] = loop
    figures["cpu_bound_requests_per_second"] = 1000 * (os.cpu_count() or 1) / loop if loop else None
    figures["requests_per_second"] = figures["requests"] / figures["seconds"]
    figures["load_average_1min"] = os.getloadavg()[0]
    return figures


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


def phases(serving: Path, work: Path) -> dict[str, Path]:
    """Per measured endpoint, a file of request paths (real ids, shuffled) for wrk."""
    users = raw_user_ids(serving)
    products = ids(serving, "select distinct product_id from fct_related_items order by 1")
    offers = ids(serving, "select offer_id from fct_offer_matches order by 1")
    for sample in (users, products, offers):
        random.shuffle(sample)
    lists = {
        "/ping (baseline, before)": ["/ping"],
        "/recommendations (known users)": [f"/recommendations/{u}?log_impressions=false" for u in users],
        "/recommendations (unknown: fallback)": [f"/recommendations/new-{n}?log_impressions=false" for n in range(1000)],
        "/recommendations + impression log": [f"/recommendations/{u}" for u in users],
        "/related": [f"/related/{p}" for p in products],
        "/matches": [f"/matches/{o}" for o in offers],
        "/health": ["/health"],
        "/ping (baseline, after)": ["/ping"],
    }  # fmt: skip
    files = {}
    for number, (name, paths) in enumerate(lists.items()):
        files[name] = work / f"paths_{number}.txt"
        files[name].write_text("".join(path + "\n" for path in paths))
    return files


def report(
    args: argparse.Namespace, serving: str, load: dict, results: dict, load_before: float
) -> None:
    baseline = results["/ping (baseline, before)"]["p50_ms"]
    print(f"\nserving file: {serving}")
    print(
        f"store load: {load['rows']:,} rows in {load['keys']:,} keys, {load['write_seconds']:.2f} s"
        f" ({load['rows_per_second']:,.0f} rows/s); with the switch and old-version cleanup"
        f" {load['seconds']:.2f} s"
    )
    print(
        f"closed loop (wrk, 1 thread, {args.connections} connections), {args.seconds} s per"
        f" endpoint after {WARM_UP_SECONDS} s of warm-up; API: uvicorn, {args.workers} worker(s);"
        f" {os.cpu_count()} cores shared by wrk, Redis and the API; load average before:"
        f" {load_before:.2f}"
    )
    print(
        f"  {'endpoint':<38} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
        f" {'p50/base':>8} {'CPU ms/req: API':>15} {'Redis':>6} {'wrk':>6} {'CPU-bound req/s':>15}"
        f" {'errors':>6} {'load':>5}"
    )
    for name, entry in results.items():
        errors = sum(entry["errors"].values())
        print(
            f"  {name:<38} {entry['requests_per_second']:>7,.0f} {entry['p50_ms']:>7.2f}"
            f" {entry['p95_ms']:>7.2f} {entry['p99_ms']:>7.2f} {entry['p50_ms'] / baseline:>8.2f}"
            f" {entry['api_cpu_ms_per_request']:>15.3f} {entry['redis_cpu_ms_per_request']:>6.3f}"
            f" {entry['wrk_cpu_ms_per_request']:>6.3f} {entry['cpu_bound_requests_per_second']:>15,.0f}"
            f" {errors:>6} {entry['load_average_1min']:>5.1f}"
        )
    print(
        "CPU-bound req/s: the cores divided by the CPU time of one request (API + Redis + wrk),"
        " the throughput this loop reaches when it has the machine to itself (an estimate)"
    )
    if load_before > 0.5 * (os.cpu_count() or 1):
        print(
            f"note: the machine was busy (load average {load_before:.1f} on {os.cpu_count()} cores):"
            " these figures are under contention; repeat on a quiet machine"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_serving = os.environ.get("CATALOG_ML_SERVING_PATH", "")
    parser.add_argument(
        "--serving", type=Path, default=Path(default_serving) if default_serving else None
    )
    parser.add_argument("--synthetic", action="store_true", help="use a synthetic serving file")
    parser.add_argument("--seconds", type=int, default=10, help="per endpoint (wrk -d)")
    parser.add_argument("--connections", type=int, default=8, help="closed-loop clients")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args()
    random.seed(args.seed)
    wrk = ensure_binary("wrk")
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-serving-") as temp:
        work = Path(temp)
        serving = args.serving
        if args.synthetic or serving is None or not serving.is_file():
            serving = work / "synthetic_serving.duckdb"
            synthetic_serving_file(serving, users=20_000, products=10_000, offers=30_000)
        label = str(serving) if serving.parent != work else "synthetic (scale 1 sizes)"
        redis_server = RedisServer(free_port(), work / "redis").start()
        api = None
        try:
            load = Store.from_url(redis_server.url, timeout=30).load(serving)
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            api = subprocess.Popen(
                [
                    *(sys.executable, "-m", "catalog_ml.serving.server", "--port", str(port)),
                    *("--redis-url", redis_server.url, "--serving-file", str(serving)),
                    *("--impressions-file", str(work / "raw" / "events.csv")),
                    *("--workers", str(args.workers)),
                ],
                cwd=REPO,
                stdout=subprocess.DEVNULL,
            )
            wait_until_up(base, api)
            pids = {"api": api.pid, "redis": redis_server.process.pid}
            results = {
                name: measure(wrk, base, paths, args, pids)
                for name, paths in phases(serving, work).items()
            }
        finally:
            if api is not None:
                api.terminate()
                api.wait(30)
            redis_server.stop()
    report(args, label, load, results, load_before)
    saved = {
        "serving_file": label,
        "load": {
            key: load[key]
            for key in ("rows", "keys", "write_seconds", "seconds", "rows_per_second")
        },
        "generator": "wrk (1 thread, closed loop)",
        **{key: getattr(args, key) for key in ("seconds", "connections", "workers")},
        "endpoints": results,
        "cpu_count": os.cpu_count(),
        "load_average_before": load_before,
    }
    (out / "serving.json").write_text(json.dumps(saved, indent=2, default=str))


if __name__ == "__main__":
    main()
