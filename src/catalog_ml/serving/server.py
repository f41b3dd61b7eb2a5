"""The serving API's process: uvicorn with one or more workers, settings from the command line.

    python -m catalog_ml.serving.server [--host 127.0.0.1] [--port 8000] [--redis-url URL]
        [--serving-file catalog_ml_serving.duckdb] [--impressions-file data/raw/events.csv]
        [--workers 2]   (default: env SERVING_WORKERS, else 1)

Several worker processes share the port (the kernel spreads the connections); each builds
its app with `app_from_env` and has its own Redis connection pool, so the settings travel to
the workers in the environment. uvloop and httptools (requirements) make uvicorn's event loop
and HTTP parsing native; there is no access log (no per-request logging).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from catalog_ml.serving.api import Settings, create_app


def main(argv: list[str] | None = None) -> None:
    defaults = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m catalog_ml.serving.server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--redis-url", default=defaults.redis_url)
    parser.add_argument("--serving-file", type=Path, default=defaults.serving_file)
    parser.add_argument("--impressions-file", type=Path, default=defaults.impressions_file)
    parser.add_argument("--log-level", default="warning")
    parser.add_argument(
        "--workers", type=int, default=int(os.environ.get("SERVING_WORKERS", 1)),
        help="uvicorn worker processes (one per core the API may use)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    # The workers build their app from the environment (app_from_env): pass the settings on.
    for name, value in (
        ("SERVING_REDIS_URL", args.redis_url),
        ("CATALOG_ML_SERVING_PATH", args.serving_file),
        ("CATALOG_ML_IMPRESSIONS_FILE", args.impressions_file),
    ):
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = str(value)
    print(
        f"catalog-ml serving API on http://{args.host}:{args.port} (docs /docs),"
        f" {args.workers} worker(s)",
        flush=True,
    )
    uvicorn.run(
        "catalog_ml.serving.server:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        access_log=False,  # no per-request logging
    )


def app_from_env() -> FastAPI:
    """The app for Settings.from_env() (uvicorn's factory in each worker)."""
    return create_app(Settings.from_env())


if __name__ == "__main__":
    main()
