"""The review page (FastAPI): work the match review queue, record decisions for the next build.

    python -m catalog_ml.review --warehouse catalog_ml.duckdb --decisions-dir reviews \
        [--host 127.0.0.1] [--port 8010]

Pages: `/` the queue (fct_match_review_queue, in its order), `/offers/{offer_id}` the offer
beside its candidates with the features behind their scores and the decision form, and
`/queue.csv` the queue as CSV. JSON: `GET /api/queue`, `GET /api/offers/{offer_id}`,
`POST /api/offers/{offer_id}/decision`. A decision (accept, reject, pick another product)
is appended to match_overrides.csv and match_labels.csv in the decisions folder
(catalog_ml.review.decisions); a build with dbt var review_data_path set to that folder (or
files mode on that raw folder) applies it. Unknown offers and products are 404, invalid
decisions 400 with the reason, a warehouse file being written by a build 503, and a POST
from another origin (a web page open in the same browser) 403.
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path
from urllib.parse import parse_qs, quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from catalog_ml.raw_values import clean_text
from catalog_ml.review import page
from catalog_ml.review.decisions import Decision, DecisionError, DecisionFolder
from catalog_ml.review.queue import (
    QUEUE_COLUMNS,
    UnknownId,
    WarehouseBusy,
    load_item,
    load_queue,
    product_exists,
    queue_size,
)

PROJECT_DIR = Path(__file__).resolve().parents[3]
REVIEWER_COOKIE = "catalog_ml_reviewer"
QUEUE_SHOWN = 200


def decide(warehouse: Path, folder: DecisionFolder, offer_id: str, fields: dict) -> Decision:
    """Record a decision from form or JSON fields: action (accept, reject, pick), reviewer,
    reason, proposed_product_id (accept), pick_product_id or other_product_id (pick),
    shown_product_id (the candidates shown: the ones not chosen get is_match 0 labels).
    The offer and product must exist in the last build (UnknownId otherwise)."""
    item = load_item(warehouse, offer_id)
    action = clean_text(fields.get("action")) or ""
    candidates = [c["product_id"] for c in item["candidates"]]
    submitted = {clean_text(v) for v in _list(fields.get("shown_product_id"))}
    shown = [p for p in candidates if p in submitted] or candidates
    if action == "accept":
        product = clean_text(fields.get("proposed_product_id")) or (shown[0] if shown else None)
    elif action == "pick":
        product = clean_text(fields.get("other_product_id")) or clean_text(
            fields.get("pick_product_id")
        )
    else:
        product = None
    if product is not None and not product_exists(warehouse, product):
        raise UnknownId(
            f"match_overrides: column 'product_id' {product!r} is not a product of the last build"
        )
    decision = Decision(
        offer_id=item["offer"]["offer_id"],
        action=action,
        product_id=product,
        turned_down=tuple(shown),
        reviewer=clean_text(fields.get("reviewer")) or "",
        reason=clean_text(fields.get("reason")),
        split=item["label_split"],
    )
    folder.append(decision)
    return decision


def _list(value: object) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _form_fields(body: bytes) -> dict:
    parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True)
    return {k: (v if k == "shown_product_id" else v[-1]) for k, v in parsed.items()}


def create_app(warehouse: Path, decisions_dir: Path, project_dir: Path = PROJECT_DIR) -> FastAPI:
    """The review app over one build's DuckDB file, recording into one decisions folder."""
    app = FastAPI(title="catalog-ml match review", docs_url="/docs", redoc_url=None)
    folder = DecisionFolder(Path(decisions_dir), project_dir)
    warehouse = Path(warehouse)

    def html_error(status: int, title: str, error: Exception) -> HTMLResponse:
        return HTMLResponse(page.error_page(title, str(error)), status_code=status)

    @app.exception_handler(WarehouseBusy)
    async def busy(request: Request, error: WarehouseBusy) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(error)}, status_code=503)
        return html_error(503, "Warehouse not readable", error)

    @app.exception_handler(UnknownId)
    async def unknown(request: Request, error: UnknownId) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(error)}, status_code=404)
        return html_error(404, "Not found", error)

    @app.exception_handler(DecisionError)
    async def invalid(request: Request, error: DecisionError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(error)}, status_code=400)
        return html_error(400, "Decision not recorded", error)

    @app.get("/", response_class=HTMLResponse)
    def queue(recorded: str = "") -> str:
        rows = load_queue(warehouse, QUEUE_SHOWN)
        message = f"Recorded the decision on offer {recorded}." if recorded else ""
        pending = folder.latest_overrides()
        return page.queue_page(rows, queue_size(warehouse), pending, str(folder.folder), message)

    @app.get("/offers/{offer_id}", response_class=HTMLResponse)
    def offer(offer_id: str, request: Request) -> str:
        item = load_item(warehouse, offer_id)
        reviewer = request.cookies.get(REVIEWER_COOKIE, "")
        return page.item_page(item, folder.latest_overrides().get(offer_id), reviewer)

    @app.middleware("http")
    async def same_origin_posts(request: Request, call_next):
        # Another site open in the reviewer's browser must not post decisions here.
        origin = request.headers.get("origin")
        if (
            request.method == "POST"
            and origin
            and origin != f"{request.url.scheme}://{request.url.netloc}"
        ):
            return JSONResponse(
                {"detail": f"cross-origin POST from {origin} refused"}, status_code=403
            )
        return await call_next(request)

    @app.post("/offers/{offer_id}/decision")
    async def decide_form(offer_id: str, request: Request) -> Response:
        fields = _form_fields(await request.body())
        decision = decide(warehouse, folder, offer_id, fields)
        target = f"/?recorded={quote(decision.offer_id, safe='')}"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(REVIEWER_COOKIE, decision.reviewer, httponly=True, samesite="strict")
        return response

    @app.get("/queue.csv")
    def queue_csv() -> Response:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=QUEUE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(load_queue(warehouse, queue_size(warehouse)))
        headers = {"Content-Disposition": "attachment; filename=match_review_queue.csv"}
        return Response(buffer.getvalue(), media_type="text/csv", headers=headers)

    @app.get("/api/queue")
    def api_queue(limit: int = QUEUE_SHOWN) -> dict:
        return {"total": queue_size(warehouse), "offers": load_queue(warehouse, limit)}

    @app.get("/api/offers/{offer_id}")
    def api_offer(offer_id: str) -> dict:
        return {
            **load_item(warehouse, offer_id),
            "pending": folder.latest_overrides().get(offer_id),
        }

    @app.post("/api/offers/{offer_id}/decision")
    async def api_decide(offer_id: str, request: Request) -> dict:
        decision = decide(warehouse, folder, offer_id, await request.json())
        return {
            "offer_id": decision.offer_id,
            "action": decision.action,
            "product_id": decision.product_id,
        }

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m catalog_ml.review", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--warehouse", required=True, type=Path, help="DuckDB file of the last build"
    )
    parser.add_argument(
        "--decisions-dir",
        required=True,
        type=Path,
        help="folder of match_overrides.csv and match_labels.csv (dbt var review_data_path,"
        " or the raw folder in files mode)",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8010)
    parser.add_argument("--project-dir", type=Path, default=PROJECT_DIR)
    args = parser.parse_args(argv)
    import uvicorn

    try:
        app = create_app(args.warehouse, args.decisions_dir, args.project_dir)
    except DecisionError as error:
        parser.error(str(error))
    print(
        f"review page on http://{args.host}:{args.port}/ over {args.warehouse}; decisions go to"
        f" {args.decisions_dir} (build with --vars '{{review_data_path: {args.decisions_dir}}}')",
        flush=True,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
