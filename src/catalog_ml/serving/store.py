"""The online store: what a green build published, in Redis, one version at a time.

    python -m catalog_ml.serving.store load SERVING.duckdb [--redis-url URL] [--if-running]

A load reads the serving file (read-only) and writes, under a new namespace
`catalog_ml:data:v<N>:`, one JSON value per key:

- `rec:<pseudonym>`: a user's list from fct_recommendations, by rank;
- `rel:<product_id>`: a product's related items from fct_related_items, by rank;
- `match:<offer_id>`: an offer's decision from fct_offer_matches;
- `popular`: the popularity fallback for users without a list (below);
- `meta`: the publication's build_status row, the load's time and row counts.

All of it goes out in one pipeline (sent in chunks, no round trip per key). Only then is
`catalog_ml:current_version` set to the new version (one SET: atomic), and every other
version's keys are deleted. Readers use `Store.read`, a Lua script that reads the pointer
and the keys in one atomic step, so a reader sees the old set or the new one, never a mix,
and never a key of a version deleted between two calls. A load that fails or is killed
leaves a namespace nobody points to; the next load deletes it.

The popularity fallback is the build's own list, fct_popular_items (popularity as
int_recs_item_popularity defines it, with the build's vars), loaded as published: the
store computes nothing.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import redis

from catalog_ml.warehouse import connect

NAMESPACE = "catalog_ml:"
CURRENT = NAMESPACE + "current_version"
SEQUENCE = NAMESPACE + "version_seq"
LOAD_LOCK = NAMESPACE + "load_lock"
# Every version's keys live under DATA + "v<N>:"; nothing else does.
DATA = NAMESPACE + "data:"
DEFAULT_URL = "redis://127.0.0.1:6390/0"
PIPELINE_CHUNK = 5_000
FETCH_BATCH = 20_000

# KEYS[1] current_version; ARGV[1] namespace, ARGV[2] key in the version, ARGV[3] fallback key
# (or ''). One atomic step: the version, its meta, the key's value and, when the key is
# missing, the fallback's value.
READ_SCRIPT = """
local version = redis.call('GET', KEYS[1])
if not version then return false end
local prefix = ARGV[1] .. version .. ':'
local value = redis.call('GET', prefix .. ARGV[2])
local fallback = false
if (not value) and ARGV[3] ~= '' then fallback = redis.call('GET', prefix .. ARGV[3]) end
return {version, redis.call('GET', prefix .. 'meta'), value or false, fallback}
"""


class StoreEmpty(RuntimeError):
    """The store answers but holds no version yet (nothing loaded)."""


@dataclass(frozen=True)
class Read:
    """One consistent read: the version served, its meta, the value and the fallback."""

    version: str
    meta: dict
    value: object | None
    fallback: object | None


@functools.lru_cache(maxsize=16)
def _parse_shared(text: str) -> object:
    """A value many reads return (a version's meta, the popularity list), parsed once per
    process; callers never mutate it."""
    return json.loads(text)


def parse_read(answer: list | None) -> Read:
    """READ_SCRIPT's answer as a Read; StoreEmpty when no version is current."""
    if not answer:
        raise StoreEmpty("the store holds no version: load one (make serve-load)")
    version, meta, value, fallback = answer
    return Read(
        version=version,
        meta=_parse_shared(meta) if meta else {},
        value=json.loads(value) if value else None,
        fallback=_parse_shared(fallback) if fallback else None,
    )


def _source_queries(table: dict[str, str]) -> dict[str, str]:
    """One query per key family: (key, JSON value) rows. table maps a mart to its schema.name."""
    return {
        "rec": f"""
            select user_id as key, to_json(list({{
                'rank': rank, 'product_id': product_id, 'score': score,
                'source': retrieval_source, 'model_version': model_version
            }} order by rank)) as value, count(*) as source_rows
            from {table["fct_recommendations"]} group by user_id
        """,
        "rel": f"""
            select product_id as key, to_json(list({{
                'rank': rank, 'product_id': related_product_id, 'score': score, 'source': source
            }} order by rank)) as value, count(*) as source_rows
            from {table["fct_related_items"]} group by product_id
        """,
        "match": f"""
            select offer_id as key, to_json({{
                'offer_id': offer_id, 'merchant_id': merchant_id, 'product_id': product_id,
                'match_score': match_score, 'decision': decision,
                'decision_source': decision_source, 'model_version': model_version,
                'decided_at': strftime(decided_at, '%Y-%m-%dT%H:%M:%S')
            }}) as value, 1 as source_rows
            from {table["fct_offer_matches"]}
        """,
        "popular": f"""
            select 'popular' as key, to_json(coalesce(list({{
                'rank': rank, 'product_id': product_id, 'score': score, 'source': 'popularity',
                'model_version': model_version
            }} order by rank), [])) as value, count(*) as source_rows
            from {table["fct_popular_items"]}
        """,
    }


REQUIRED_TABLES = (
    "fct_recommendations",
    "fct_related_items",
    "fct_offer_matches",
    "fct_popular_items",
)


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    found = {
        name: f'"{schema}"."{name}"'
        for schema, name in con.execute(
            "select schema_name, table_name from duckdb_tables() where not temporary"
        ).fetchall()
    }
    missing = [name for name in (*REQUIRED_TABLES, "build_status") if name not in found]
    if missing:
        raise ValueError(f"the serving file lacks {', '.join(missing)}: publish a green build")
    return found


def read_build_status(serving: Path) -> dict:
    """The serving file's build_status row as a dict of JSON-ready values."""
    with connect(serving, read_only=True) as con:
        cursor = con.execute("select * from build_status")
        columns = [column[0] for column in cursor.description]
        row = cursor.fetchone()
    if row is None:
        raise ValueError(f"{serving}: build_status is empty")
    return {
        name: value.isoformat() if isinstance(value, datetime) else value
        for name, value in zip(columns, row, strict=True)
    }


class ServingFileStatus:
    """build_status of the serving file on disk, re-read only when the file changes."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._seen: tuple[float, int] | None = None
        self._status: dict | None = None

    def get(self) -> dict | None:
        if self.path is None or not self.path.is_file():
            return None
        stat = self.path.stat()
        if self._seen != (stat.st_mtime, stat.st_size):
            self._status = read_build_status(self.path)
            self._seen = (stat.st_mtime, stat.st_size)
        return self._status


def _rows(con: duckdb.DuckDBPyConnection, query: str) -> Iterator[tuple[str, str, int]]:
    cursor = con.execute(query)
    while batch := cursor.fetchmany(FETCH_BATCH):
        yield from batch


class Store:
    """Reads and loads of the versioned store in one Redis database."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._read = client.register_script(READ_SCRIPT)

    @classmethod
    def from_url(cls, url: str = DEFAULT_URL, timeout: float = 1.0) -> Store:
        return cls(
            redis.Redis.from_url(
                url, socket_timeout=timeout, socket_connect_timeout=timeout, decode_responses=True
            )
        )

    def current_version(self) -> str | None:
        return self.client.get(CURRENT)

    def read(self, key: str, fallback: str = "") -> Read:
        """The current version's value of key (and of fallback when key is missing), atomically."""
        return parse_read(self._read(keys=[CURRENT], args=[DATA, key, fallback]))

    def versions(self) -> set[str]:
        """Every version that has keys in the store (current, old, or a failed load's)."""
        found = set()
        for key in self.client.scan_iter(match=DATA + "*", count=10_000):
            found.add(key[len(DATA) :].split(":", 1)[0])
        return found

    def delete_versions(self, keep: str) -> int:
        """Delete every version's keys but keep's; the number of keys deleted."""
        deleted = 0
        batch: list[str] = []
        for key in self.client.scan_iter(match=DATA + "*", count=10_000):
            if key[len(DATA) :].split(":", 1)[0] != keep:
                batch.append(key)
            if len(batch) >= PIPELINE_CHUNK:
                deleted += self.client.unlink(*batch)
                batch = []
        if batch:
            deleted += self.client.unlink(*batch)
        return deleted

    def load(self, serving: Path, chunk: int = PIPELINE_CHUNK) -> dict:
        """Load the serving file as a new version, switch to it, delete the others; a report."""
        serving = Path(serving)
        if not serving.is_file():
            raise FileNotFoundError(
                f"no serving file at {serving}: run make demo (or make publish)"
            )
        if not self.client.set(LOAD_LOCK, os.getpid(), nx=True, ex=600):
            raise RuntimeError("another load is running (key catalog_ml:load_lock)")
        try:
            return self._load(serving, chunk)
        finally:
            self.client.delete(LOAD_LOCK)

    def _load(self, serving: Path, chunk: int) -> dict:
        started = time.perf_counter()
        version = f"v{self.client.incr(SEQUENCE)}"
        prefix = f"{DATA}{version}:"
        counts: dict[str, dict[str, int]] = {}
        pipe = self.client.pipeline(transaction=False)
        pending = 0
        with duckdb.connect(str(serving), read_only=True) as con:
            queries = _source_queries(_tables(con))
            for family, query in queries.items():
                keys = rows = 0
                for key, value, source_rows in _rows(con, query):
                    name = prefix + (family if family == "popular" else f"{family}:{key}")
                    pipe.set(name, value)
                    keys, rows, pending = keys + 1, rows + source_rows, pending + 1
                    if pending >= chunk:
                        pipe.execute()
                        pending = 0
                counts[family] = {"keys": keys, "rows": rows}
            versions = {  # the version most rows carry (a pinned rollback serves one)
                name: con.execute(
                    f"select model_version from {_tables(con)[table]} where model_version"
                    " is not null group by 1 order by count(*) desc, 1 limit 1"
                ).fetchone()
                for name, table in (
                    ("ranker", "fct_recommendations"),
                    ("matcher", "fct_offer_matches"),
                )
            }
        status = read_build_status(serving)
        meta = {
            "version": version,
            "model_version": versions["ranker"][0] if versions["ranker"] else None,
            "matcher_version": versions["matcher"][0] if versions["matcher"] else None,
            "loaded_at": datetime.now(UTC).replace(tzinfo=None).isoformat(),
            "serving_file": str(serving.resolve()),
            "build": status,
            "counts": counts,
        }
        pipe.set(prefix + "meta", json.dumps(meta))
        pipe.execute()
        written = time.perf_counter() - started
        previous = self.client.get(CURRENT)
        self.client.set(CURRENT, version)  # the switch: one atomic SET
        deleted = self.delete_versions(keep=version)
        rows = sum(entry["rows"] for entry in counts.values())
        keys = sum(entry["keys"] for entry in counts.values()) + 1
        seconds = time.perf_counter() - started
        return {
            "version": version,
            "previous_version": previous,
            "counts": counts,
            "rows": rows,
            "keys": keys,
            "write_seconds": written,
            "seconds": seconds,
            "rows_per_second": rows / written if written else float("inf"),
            "keys_deleted": deleted,
            "build": status,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m catalog_ml.serving.store")
    parser.add_argument("action", choices=["load"])
    parser.add_argument("serving", type=Path, help="the serving DuckDB file publish wrote")
    parser.add_argument("--redis-url", default=os.environ.get("SERVING_REDIS_URL", DEFAULT_URL))
    parser.add_argument(
        "--if-running", action="store_true", help="skip (exit 0) when no Redis answers at the URL"
    )
    args = parser.parse_args(argv)
    store = Store.from_url(args.redis_url, timeout=5.0)
    try:
        store.client.ping()
    except redis.RedisError as error:
        if args.if_running:
            print(f"store: no Redis at {args.redis_url}, not loaded (make serve starts one)")
            return 0
        print(f"store: Redis at {args.redis_url} does not answer: {error}", file=sys.stderr)
        return 1
    try:
        report = store.load(args.serving)
    except (FileNotFoundError, ValueError, RuntimeError) as error:
        print(f"store: {error}", file=sys.stderr)
        return 1
    print(
        f"store: loaded {args.serving} as {report['version']} (was {report['previous_version']}) "
        f"into {args.redis_url}: {report['rows']:,} rows in {report['keys']:,} keys, "
        f"{report['write_seconds']:.2f} s written ({report['rows_per_second']:,.0f} rows/s), "
        f"{report['seconds']:.2f} s with switch and cleanup ({report['keys_deleted']:,} old keys "
        f"deleted); build {report['build'].get('dbt_invocation_id')} finished "
        f"{report['build'].get('build_finished_at')}"
    )
    for family, entry in report["counts"].items():
        print(f"  {family:<8} {entry['keys']:>10,} keys {entry['rows']:>12,} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
