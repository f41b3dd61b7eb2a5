"""Public rating data to a raw-contract folder for the recommendations benchmark (issue 14).

    python -m catalog_ml.bench_recs.convert RATINGS OUT [--items FILE] [--purchase-rating 4]
        [--leave-last-out [--label-window-days 14]] [--sep SEP]

RATINGS holds one rating a line: user, item, rating, timestamp (epoch seconds, or ISO text):
MovieLens u.data (tab-separated, no header), MovieLens ratings.dat ('::'), Amazon ratings
CSVs (user,item,rating,timestamp, no header), or a CSV with a header naming the columns
(user/userId/user_id, item/movieId/item_id/product_id/asin, rating, timestamp). The
separator is the first line's tab, '::' or comma unless --sep is given. OUT receives
- users.csv: every user, no segment;
- products.csv: every rated item, titled from --items (MovieLens u.item 'id|title|...',
  movies.dat 'id::title::...', or a CSV with a header naming the item and title columns),
  else by its id;
- events.csv: one event per rating, event_id 'E<line of RATINGS>', event_type purchase when
  rating >= --purchase-rating, else click, event_ts in UTC, no session.

--leave-last-out is for data without usable times (the timestamp column may be absent): a
user's ratings in file order, stably sorted by time when there are times, become one session
before the fixed cutoff C = 2026-01-15 00:00:00: all but the last two one minute apart from
C - 30 days, the second-to-last at C - L + 1 hour (a training label: L = --label-window-days,
the project's var recs_label_window_days) and the last at C + 1 hour (the evaluation label).
Pass the printed cutoff to the benchmark: --cutoff '2026-01-15 00:00:00'.

Exit codes: 0 done, 2 the input cannot be read (the message names the file, line and value).
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from catalog_ml.bench_common import project_var
from catalog_ml.contract import CONTRACT_PATH, load_contract

REPO = Path(__file__).resolve().parents[3]
CUTOFF = datetime(2026, 1, 15)
HISTORY_DAYS = 30
LABEL_OFFSET = timedelta(hours=1)
HISTORY_STEP = timedelta(minutes=1)
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
COLUMNS = {
    "user": ("user", "user_id", "userid", "reviewerid", "customer_id"),
    "item": ("item", "item_id", "itemid", "movie_id", "movieid", "product_id", "asin"),
    "rating": ("rating", "score", "stars"),
    "timestamp": ("timestamp", "time", "ts", "event_ts", "unix_timestamp", "unixreviewtime"),
}
TITLE_NAMES = ("title", "name", "product_title")


class ConvertError(ValueError):
    """The input cannot be converted; the message names the file, the line and the value."""


@dataclass(frozen=True)
class Rating:
    line: int
    user: str
    item: str
    rating: float
    at: datetime | None


def decode(path: Path) -> str:
    """A file's text: UTF-8, else Latin-1 (MovieLens 100K's u.item)."""
    if not path.is_file():
        raise ConvertError(f"{path}: file not found")
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def detect_separator(line: str) -> str:
    return "\t" if "\t" in line else "::" if "::" in line else ","


def split_lines(path: Path, sep: str | None) -> list[tuple[int, list[str]]]:
    """The non-empty lines of a file as fields, each with its line number."""
    lines = decode(path).splitlines()
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise ConvertError(f"{path}: empty file")
    sep = sep or detect_separator(first)
    if sep == ",":
        csv.field_size_limit(sys.maxsize)
        rows = csv.reader(io.StringIO("\n".join(lines), newline=""))
        return [(number, fields) for number, fields in enumerate(rows, 1) if fields]
    return [(n, line.split(sep)) for n, line in enumerate(lines, 1) if line.strip()]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def parse_time(text: str) -> datetime:
    """Epoch seconds or ISO text as a naive UTC datetime; ValueError when neither."""
    text = text.strip()
    if _is_number(text):
        seconds = float(text)
        if not math.isfinite(seconds) or not 0 <= seconds < 10**11:
            raise ValueError("epoch seconds out of range (milliseconds?)")
        return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)
    parsed = datetime.fromisoformat(text)
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def read_ratings(path: Path, sep: str | None = None, need_times: bool = True) -> list[Rating]:
    """Every rating of the file in file order. Columns by header names when the first line
    has them, else positional (user, item, rating[, timestamp])."""
    rows = split_lines(path, sep)
    first_line, first = rows[0]
    names = [name.strip().lower() for name in first]
    if len(first) >= 3 and not _is_number(first[2]):
        position = {
            key: next((names.index(n) for n in aliases if n in names), None)
            for key, aliases in COLUMNS.items()
        }
        missing = [key for key in ("user", "item", "rating") if position[key] is None]
        if missing:
            raise ConvertError(
                f"{path}, line {first_line}: the header names no {', '.join(missing)} column"
                f" (columns: {names}; accepted names: "
                + "; ".join(f"{k}: {', '.join(COLUMNS[k])}" for k in missing)
                + ")"
            )
        rows = rows[1:]
    else:
        position = {"user": 0, "item": 1, "rating": 2, "timestamp": 3 if len(first) > 3 else None}
        if len(first) not in (3, 4):
            raise ConvertError(
                f"{path}, line {first_line}: {len(first)} fields, expected user, item, rating"
                " and timestamp"
            )
    if need_times and position["timestamp"] is None:
        raise ConvertError(
            f"{path}: no timestamp column; use --leave-last-out for data without times"
        )
    width = len(first)
    ratings = []
    for line, fields in rows:
        where = f"{path}, line {line}"
        if len(fields) != width:
            raise ConvertError(f"{where}: {len(fields)} fields, expected {width}")
        user, item = fields[position["user"]].strip(), fields[position["item"]].strip()
        if not user or not item:
            raise ConvertError(f"{where}: empty {'user' if not user else 'item'} id")
        text = fields[position["rating"]].strip()
        if not _is_number(text) or not math.isfinite(float(text)):
            raise ConvertError(f"{where}: rating '{text}' is not a number")
        at = None
        if position["timestamp"] is not None:
            stamp = fields[position["timestamp"]]
            try:
                at = parse_time(stamp)
            except ValueError as error:
                raise ConvertError(
                    f"{where}: timestamp '{stamp.strip()}' is not epoch seconds or an ISO"
                    f" time ({error})"
                ) from None
        ratings.append(Rating(line, user, item, float(text), at))
    if not ratings:
        raise ConvertError(f"{path}: no ratings")
    return ratings


def read_titles(path: Path) -> dict[str, str]:
    """Item id -> title from a MovieLens item file ('|' or '::', id then title, no header)
    or a CSV whose header names the item and title columns."""
    first_text = next((line for line in decode(path).splitlines() if line.strip()), "")
    sep = "::" if "::" in first_text else "|" if "|" in first_text else ","
    rows = split_lines(path, sep)
    first_line, first = rows[0]
    names = [name.strip().lower() for name in first]
    if sep != ",":
        id_at, title_at = 0, 1
    elif any(n in names for n in COLUMNS["item"]) and any(n in names for n in TITLE_NAMES):
        id_at = next(names.index(n) for n in COLUMNS["item"] if n in names)
        title_at = next(names.index(n) for n in TITLE_NAMES if n in names)
        rows = rows[1:]
    else:
        raise ConvertError(
            f"{path}, line {first_line}: expected 'id|title|...' (MovieLens u.item) or a CSV"
            f" header naming the item and title columns, found {first[:3]}"
        )
    titles = {}
    for line, fields in rows:
        if len(fields) <= max(id_at, title_at):
            raise ConvertError(f"{path}, line {line}: no title field in {fields}")
        item = fields[id_at].strip()
        if not item:
            raise ConvertError(f"{path}, line {line}: empty item id")
        titles[item] = fields[title_at].strip() or item
    return titles


def event_type(rating: float, purchase_rating: float) -> str:
    return "purchase" if rating >= purchase_rating else "click"


def leave_last_out_times(
    n: int, label_window_days: int, cutoff: datetime = CUTOFF
) -> list[datetime]:
    """Times for a user's n ratings in history order (module docstring). Histories too long
    for one a minute before C - L are spread evenly over [C - 30 days, C - L)."""
    if not 0 < label_window_days < HISTORY_DAYS:
        raise ConvertError(
            f"--label-window-days {label_window_days}: must be between 1 and {HISTORY_DAYS - 1}"
        )
    start = cutoff - timedelta(days=HISTORY_DAYS)
    room = timedelta(days=HISTORY_DAYS - label_window_days)
    history = max(n - 2, 0)
    step = HISTORY_STEP if history * HISTORY_STEP < room else room / (history + 1)
    times = [start + i * step for i in range(history)]
    if n >= 2:
        times.append(cutoff - timedelta(days=label_window_days) + LABEL_OFFSET)
    times.append(cutoff + LABEL_OFFSET)
    return times


def place_leave_last_out(
    ratings: Sequence[Rating], label_window_days: int, cutoff: datetime = CUTOFF
) -> list[tuple[Rating, datetime]]:
    """Each rating with its leave-last-out time; a user's history is its ratings in file
    order, stably sorted by time when the data has times."""
    by_user: dict[str, list[Rating]] = {}
    for rating in ratings:
        by_user.setdefault(rating.user, []).append(rating)
    placed = []
    for history in by_user.values():
        if all(r.at is not None for r in history):
            history = sorted(history, key=lambda r: r.at)  # stable: file order breaks ties
        placed += zip(
            history, leave_last_out_times(len(history), label_window_days, cutoff), strict=True
        )
    return sorted(placed, key=lambda pair: pair[0].line)


def write_table(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def convert(
    ratings_path: Path,
    out: Path,
    items_path: Path | None = None,
    purchase_rating: float = 4,
    leave_last_out: bool = False,
    label_window_days: int = 14,
    sep: str | None = None,
    project_dir: Path = REPO,
) -> dict:
    """Write users.csv, products.csv and events.csv to `out`; a summary of what was written."""
    ratings = read_ratings(ratings_path, sep, need_times=not leave_last_out)
    titles = read_titles(items_path) if items_path else {}
    if leave_last_out:
        placed = place_leave_last_out(ratings, label_window_days)
    else:
        placed = [(rating, rating.at) for rating in ratings]
    users = list(dict.fromkeys(r.user for r in ratings))
    items = list(dict.fromkeys(r.item for r in ratings))
    contract = load_contract(project_dir / CONTRACT_PATH)

    def columns(table: str) -> list[str]:
        return [c for c in contract[table].column_names if c != "loaded_at"]

    out.mkdir(parents=True, exist_ok=True)
    write_table(out / "users.csv", columns("users"), [{"user_id": u} for u in users])
    write_table(
        out / "products.csv",
        columns("products"),
        [{"product_id": i, "title": titles.get(i, i)} for i in items],
    )
    events = [
        {
            "event_id": f"E{rating.line}",
            "user_id": rating.user,
            "product_id": rating.item,
            "event_type": event_type(rating.rating, purchase_rating),
            "event_ts": at.strftime(TIME_FORMAT),
        }
        for rating, at in placed
    ]
    write_table(out / "events.csv", columns("events"), events)
    return {
        "users": len(users),
        "products": len(items),
        "events": len(events),
        "purchases": sum(e["event_type"] == "purchase" for e in events),
        "titled_products": sum(i in titles for i in items),
        "cutoff": CUTOFF.strftime(TIME_FORMAT) if leave_last_out else None,
        "first_event_at": min(e["event_ts"] for e in events),
        "last_event_at": max(e["event_ts"] for e in events),
    }


LEAVE_LAST_OUT_VARS = "{drift_psi_error: 1000}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m catalog_ml.bench_recs.convert",
        description="Convert a ratings file (user, item, rating, timestamp) to a raw-contract"
        " folder (users.csv, products.csv, events.csv) for python -m catalog_ml.bench_recs.",
    )
    parser.add_argument("ratings", type=Path, help="the ratings file (u.data, ratings.csv, ...)")
    parser.add_argument("out", type=Path, help="the folder to write")
    parser.add_argument("--items", type=Path, help="item titles (MovieLens u.item, movies.csv)")
    parser.add_argument(
        "--purchase-rating",
        type=float,
        default=4,
        help="ratings at or above it become purchases, the others clicks (default 4)",
    )
    parser.add_argument(
        "--leave-last-out",
        action="store_true",
        help="place each user's history before a fixed cutoff: the last rating is evaluated,"
        " the second-to-last trains (for data without usable times)",
    )
    parser.add_argument(
        "--label-window-days",
        type=int,
        default=None,
        help="with --leave-last-out: the build's recs_label_window_days (default: the"
        " project's, 14)",
    )
    parser.add_argument("--sep", help="field separator (default: tab, '::' or comma, detected)")
    args = parser.parse_args(argv)
    window = args.label_window_days or int(project_var(REPO, "recs_label_window_days", 14))
    try:
        summary = convert(
            args.ratings,
            args.out,
            args.items,
            args.purchase_rating,
            args.leave_last_out,
            window,
            args.sep,
        )
    except ConvertError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(
        f"wrote {args.out}: {summary['users']} users, {summary['products']} products"
        f" ({summary['titled_products']} titled from --items), {summary['events']} events"
        f" ({summary['purchases']} purchases at rating >= {args.purchase_rating:g}), from"
        f" {summary['first_event_at']} to {summary['last_event_at']}"
    )
    if summary["cutoff"]:
        # Leave-last-out histories sit weeks before the training cutoff while every last
        # event is an hour from serving: the serving-drift gate (training vs the latest
        # window) errors by construction, and an offline benchmark does not read it.
        print(
            f"leave-last-out cutoff: {summary['cutoff']} (label window {window} days); run"
            f" python -m catalog_ml.bench_recs {args.out} --cutoff '{summary['cutoff']}'"
            f" --vars '{LEAVE_LAST_OUT_VARS}'  (drift is not judged: the placement is artificial)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
