"""`make serve` / `make serve-stop`: the store and the API in the background, for one serving file.

    python -m catalog_ml.serving.service start --serving-file catalog_ml_serving.duckdb
        [--port 8000] [--redis-port 6390] [--dir target/serving] [--impressions-file FILE]
    python -m catalog_ml.serving.service stop [--dir target/serving]

`start` starts redis-server (installed with apt-get when missing) unless one answers on the
port, loads the serving file into it as a new version, starts the API (uvicorn) unless its
pid file names a live process, waits until /health answers 200 and prints the URL. `stop`
ends the API and redis-server this command started (by the pids in DIR), nothing else.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import redis

from catalog_ml.serving.redis_server import RedisServer, RedisUnavailable, stop_pidfile
from catalog_ml.serving.store import Store


def _alive(pidfile: Path) -> int | None:
    if not pidfile.is_file():
        return None
    pid = int(pidfile.read_text().strip() or 0)
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, ValueError):
        return None
    return pid


def start(args: argparse.Namespace) -> int:
    directory: Path = args.dir
    directory.mkdir(parents=True, exist_ok=True)
    if not args.serving_file.is_file():
        print(f"serve: no serving file at {args.serving_file}: run make demo", file=sys.stderr)
        return 2
    server = RedisServer(args.redis_port, directory)
    store = Store.from_url(server.url, timeout=30)
    try:
        store.client.ping()
        print(f"serve: redis already answers on {server.url}")
    except redis.RedisError:  # not running: start ours
        server.start(daemonize=True)
        print(f"serve: redis-server started on {server.url}")
    report = store.load(args.serving_file)
    print(
        f"serve: loaded {report['rows']:,} rows as store version {report['version']} in "
        f"{report['write_seconds']:.2f} s ({report['rows_per_second']:,.0f} rows/s)"
    )
    pidfile = directory / "api.pid"
    base = f"http://{args.host}:{args.port}"
    if pid := _alive(pidfile):
        print(f"serve: API already running (pid {pid})")
    else:
        command = [sys.executable, "-m", "catalog_ml.serving.server", "--host", args.host]
        command += ["--port", str(args.port), "--redis-url", server.url]
        command += ["--serving-file", str(args.serving_file)]
        if args.impressions_file:
            command += ["--impressions-file", str(args.impressions_file)]
        with (directory / "api.log").open("ab") as log:
            process = subprocess.Popen(
                command, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True
            )
        pidfile.write_text(str(process.pid))
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                print(f"serve: the API exited; see {directory / 'api.log'}", file=sys.stderr)
                return 1
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                print(f"serve: no answer from {base}/health; see {directory / 'api.log'}")
                return 1
            time.sleep(0.2)
    print(f"serve: API on {base}  (docs {base}/docs; logs {directory / 'api.log'})")
    print(f"  try: curl -s {base}/recommendations/U000240?k=3")
    print("  stop: make serve-stop")
    return 0


def stop(args: argparse.Namespace) -> int:
    pidfile = args.dir / "api.pid"
    if pid := _alive(pidfile):
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if _alive(pidfile) is None:
                break
            time.sleep(0.1)
        print(f"serve-stop: API (pid {pid}) stopped")
    else:
        print("serve-stop: no API was running")
    pidfile.unlink(missing_ok=True)
    stopped = stop_pidfile(args.dir / "redis.pid")
    print("serve-stop: redis-server stopped" if stopped else "serve-stop: no redis-server was ours")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m catalog_ml.serving.service")
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--serving-file", type=Path, default=None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--redis-port", type=int, default=6390)
    parser.add_argument("--dir", type=Path, default=Path("target/serving"))
    parser.add_argument("--impressions-file", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.action == "stop":
        return stop(args)
    if args.serving_file is None:
        parser.error("start needs --serving-file")
    try:
        return start(args)
    except RedisUnavailable as error:
        print(f"serve: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
