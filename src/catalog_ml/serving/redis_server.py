"""A local redis-server for the online store: find or install it, start it, stop it.

    python -m catalog_ml.serving.redis_server install
    python -m catalog_ml.serving.redis_server start --port 6390 --dir target/serving
    python -m catalog_ml.serving.redis_server stop --dir target/serving

The server listens on 127.0.0.1 only and writes its pid to `DIR/redis.pid`, so `stop` ends
exactly the process `start` began. It snapshots to `DIR/dump.rdb` when it is stopped (and
hourly after a change; no AOF), so a restarted store serves the version it held; the
source of truth stays the serving file, which a load writes again. Tests use `RedisServer`
directly on a free port.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis

from catalog_ml.debian import PackageUnavailable, ensure_binary


class RedisUnavailable(RuntimeError):
    """redis-server is not installed and cannot be installed here (the reason says why)."""


def ensure_installed(quiet: bool = True) -> str:
    """The redis-server binary; installs Debian's package with apt-get when missing (as root)."""
    try:
        return ensure_binary("redis-server", quiet=quiet)
    except PackageUnavailable as error:
        raise RedisUnavailable(str(error)) from error


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """One redis-server process on 127.0.0.1:port, started and stopped by this object."""

    def __init__(self, port: int, directory: Path, binary: str | None = None) -> None:
        self.port = port
        self.directory = Path(directory)
        self.binary = binary or ensure_installed()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pidfile(self) -> Path:
        return self.directory / "redis.pid"

    def command(self, daemonize: bool) -> list[str]:
        return [
            self.binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "3600 1",  # snapshot on shutdown: a restart keeps the store
            "--appendonly", "no",
            "--dir", str(self.directory.resolve()),
            "--pidfile", str(self.pidfile.resolve()),
            "--logfile", str((self.directory / "redis.log").resolve()),
            "--daemonize", "yes" if daemonize else "no",
        ]  # fmt: skip

    def start(self, daemonize: bool = False, timeout: float = 10.0) -> RedisServer:
        """Start the server (a child process, or a daemon for `make serve`) and wait for PING."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if daemonize:
            subprocess.run(self.command(daemonize=True), check=True)
        else:
            self.process = subprocess.Popen(
                self.command(daemonize=False),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + timeout
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1)
        while True:
            try:
                if client.ping():
                    client.close()
                    return self
            except redis.RedisError:
                pass
            if self.process is not None and self.process.poll() is not None:
                raise RedisUnavailable(f"redis-server exited with {self.process.returncode}")
            if time.monotonic() > deadline:
                self.stop()
                raise RedisUnavailable(f"redis-server did not answer on port {self.port}")
            time.sleep(0.05)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server this object started (or the daemon whose pid is in the pidfile)."""
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
            return
        stop_pidfile(self.pidfile, timeout)


def stop_pidfile(pidfile: Path, timeout: float = 10.0) -> bool:
    """SIGTERM the process named in pidfile and wait for it; False when none was running."""
    if not pidfile.is_file():
        return False
    pid = int(pidfile.read_text().strip() or 0)
    if pid <= 0:
        return False
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pidfile.unlink(missing_ok=True)
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    with contextlib.suppress(FileNotFoundError):
        pidfile.unlink()
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m catalog_ml.serving.redis_server")
    parser.add_argument("action", choices=["install", "start", "stop"])
    parser.add_argument("--port", type=int, default=int(os.environ.get("SERVING_REDIS_PORT", 6390)))
    parser.add_argument("--dir", type=Path, default=Path("target/serving"))
    args = parser.parse_args(argv)
    try:
        if args.action == "install":
            print(f"redis-server: {ensure_installed(quiet=False)}")
        elif args.action == "start":
            server = RedisServer(args.port, args.dir)
            with contextlib.suppress(redis.RedisError):
                if redis.Redis(host="127.0.0.1", port=args.port, socket_timeout=1).ping():
                    print(f"redis already answers on {server.url}")
                    return 0
            server.start(daemonize=True)
            print(f"redis-server started on {server.url} (pid file {server.pidfile})")
        else:
            stopped = stop_pidfile(args.dir / "redis.pid")
            print("redis-server stopped" if stopped else "no redis-server was running")
    except RedisUnavailable as error:
        print(f"redis: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
