"""The read API over the online store (FastAPI): recommendations, related items, matches.

Run it with `python -m catalog_ml.serving.server` (uvicorn, one or more workers).

Every answer is read from one store version in one atomic step (store.READ_SCRIPT) and
carries `request_id` (also the X-Request-ID header) and `model_version`. Users are looked up
by the pseudonym of the id the application sends (catalog_ml.privacy, same salt as dbt);
a user without a list gets the popularity fallback, flagged in `served_from`. Unknown
products and offers are 404, invalid parameters 422, and an unreachable or empty store 503
with the reason; the Redis client reconnects by itself, so a restarted store serves again
without restarting the API. OpenAPI docs: /docs and /openapi.json.

The hot paths (/recommendations, /related) answer with JSON they encode themselves from the
stored rows, which the build's contracts already typed: FastAPI still validates the request
(422s) and documents the response model, but does not re-validate each answer (that cost
more CPU than the rest of the request); tests check the bodies against the models.
Canonical recommendation requests skip FastAPI's routing altogether (fast_path.py).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import redis
import redis.asyncio
from anyio import to_thread
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from catalog_ml.privacy import pii_salt, pseudonymise
from catalog_ml.serving import schemas
from catalog_ml.serving.fast_path import CanonicalRecommendations, Rules
from catalog_ml.serving.impressions import ImpressionLog
from catalog_ml.serving.middleware import RequestIdMiddleware
from catalog_ml.serving.store import (
    CURRENT,
    DATA,
    DEFAULT_URL,
    READ_SCRIPT,
    Read,
    ServingFileStatus,
    StoreEmpty,
    parse_read,
)

# The recommendations endpoint's parameter rules, for FastAPI and for the fast path.
RULES = Rules(
    id_pattern=r"^[A-Za-z0-9_.:@-]+$",
    id_max_length=128,
    surface_pattern=r"^[a-z_]+$",
    surface_max_length=32,
    max_k=100,
    default_k=10,
    default_surface="home",
)
ID_PATTERN, MAX_K = RULES.id_pattern, RULES.max_k
Identifier = Annotated[
    str, PathParam(min_length=1, max_length=RULES.id_max_length, pattern=ID_PATTERN)
]
Surface = Annotated[
    str,
    Query(
        min_length=1,
        max_length=RULES.surface_max_length,
        pattern=RULES.surface_pattern,
        description="Where it is shown.",
    ),
]
ITEM_FIELDS = tuple(schemas.Item.model_fields)
PROJECT_DIR = Path(__file__).resolve().parents[3]


@dataclass
class Settings:
    redis_url: str = DEFAULT_URL
    serving_file: Path | None = None  # for /health: the build on disk now
    impressions_file: Path | None = None  # None: no impression logging
    project_dir: Path = PROJECT_DIR  # where the raw contract is
    salt: str = field(default_factory=pii_salt)
    timeout_seconds: float = 0.5

    @classmethod
    def from_env(cls) -> Settings:
        serving = os.environ.get("CATALOG_ML_SERVING_PATH")
        impressions = os.environ.get("CATALOG_ML_IMPRESSIONS_FILE")
        return cls(
            redis_url=os.environ.get("SERVING_REDIS_URL", DEFAULT_URL),
            serving_file=Path(serving) if serving else None,
            impressions_file=Path(impressions) if impressions else None,
        )


class StoreDown(Exception):
    """The store cannot answer; the API turns it into a 503 with this reason."""


def _request_id(request: Request) -> str:
    return getattr(request.state, "request_id", None) or uuid.uuid4().hex


def _build_tag(read: Read) -> str:
    return str((read.meta.get("build") or {}).get("dbt_invocation_id") or "unknown")[:8]


def _items(rows: list[dict] | None, k: int) -> list[dict]:
    """The first k stored rows with the fields of schemas.Item (stored extras dropped)."""
    return [{name: row.get(name) for name in ITEM_FIELDS} for row in (rows or [])[:k]]


def _json(body: dict) -> Response:
    """body as a JSON response, encoded here (see the module docstring)."""
    text = json.dumps(body, separators=(",", ":"), allow_nan=False)
    return Response(content=text.encode(), media_type="application/json")


def _parse_time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API for one store (and optionally one serving file and one impressions file)."""
    settings = settings or Settings.from_env()
    impressions = (
        ImpressionLog(settings.impressions_file, settings.project_dir)
        if settings.impressions_file
        else None
    )
    serving_status = ServingFileStatus(settings.serving_file)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = redis.asyncio.Redis.from_url(
            settings.redis_url,
            socket_timeout=settings.timeout_seconds,
            socket_connect_timeout=settings.timeout_seconds,
            decode_responses=True,
            # One immediate retry: a pooled connection to a restarted Redis fails once; a
            # store that is down must answer 503 at once, not after backing off.
            retry=Retry(NoBackoff(), 1),
        )
        app.state.client = client
        app.state.read_script = client.register_script(READ_SCRIPT)
        yield
        await client.aclose()

    app = FastAPI(
        title="catalog-ml serving",
        version="1",
        description="Recommendations, related items and offer matches from the last green "
        "build, read from the online store (Redis) the serving file was loaded into.",
        lifespan=lifespan,
    )

    # Starlette wraps the last added middleware around the others: the fast path runs
    # inside RequestIdMiddleware (it needs the request id) and before FastAPI's routing.
    app.add_middleware(
        CanonicalRecommendations,
        handler=lambda *args: recommendations_response(*args),
        rules=RULES,
        delegate_on=StoreDown,
    )
    app.add_middleware(RequestIdMiddleware)

    async def read_store(key: str, fallback: str = "") -> Read:
        try:
            answer = await app.state.read_script(keys=[CURRENT], args=[DATA, key, fallback])
            return parse_read(answer)
        except StoreEmpty as error:
            raise StoreDown(str(error)) from error
        except redis.RedisError as error:
            raise StoreDown(f"store unreachable at {settings.redis_url}: {error}") from error

    @app.exception_handler(StoreDown)
    async def store_down(request: Request, error: StoreDown) -> JSONResponse:
        body = schemas.Problem(detail=str(error), request_id=_request_id(request))
        return JSONResponse(status_code=503, content=body.model_dump())

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        detail = error.detail if isinstance(error.detail, dict) else {"detail": error.detail}
        return JSONResponse(
            status_code=error.status_code,
            content={**detail, "request_id": _request_id(request)},
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in error.errors()
        ]
        return JSONResponse(
            status_code=422, content={"detail": problems, "request_id": _request_id(request)}
        )

    def not_found(what: str, read: Read, model_version: str | None) -> HTTPException:
        return HTTPException(
            404,
            detail={
                "detail": f"{what} in store version {read.version}",
                "model_version": model_version,
                "store_version": read.version,
            },
        )

    problems = {404: {"model": schemas.Problem}, 503: {"model": schemas.Problem}}

    @app.get(
        "/recommendations/{user_id}", response_model=schemas.Recommendations, responses=problems
    )
    async def recommendations(
        request: Request,
        user_id: Identifier,
        k: Annotated[
            int, Query(ge=1, le=MAX_K, description="List length (at most recs_k personal items).")
        ] = RULES.default_k,
        surface: Surface = RULES.default_surface,
        log_impressions: bool = True,
    ) -> Response:
        """A user's list; the popularity fallback (flagged) for a user without one."""
        return await recommendations_response(
            _request_id(request), user_id, k, surface, log_impressions
        )

    async def recommendations_response(
        request_id: str, user_id: str, k: int, surface: str, log_impressions: bool
    ) -> Response:
        """The endpoint's answer (FastAPI's route and the fast path both call it)."""
        pseudonym = pseudonymise(user_id, settings.salt)
        read = await read_store(f"rec:{pseudonym}", fallback="popular")
        if read.value is not None:
            rows, served = read.value, "personal"
            model_version = str(rows[0].get("model_version")) if rows else "unknown"
        else:
            rows, served = read.fallback or [], "popularity_fallback"
            made_by = (rows[0].get("model_version") if rows else None) or "popularity"
            model_version = f"{made_by}@{_build_tag(read)}"
        items = _items(rows, k)
        logged = 0
        if impressions is not None and log_impressions:
            logged = impressions.log(request_id, user_id, [i["product_id"] for i in items], surface)
        return _json(
            {
                "request_id": request_id,
                "model_version": model_version,
                "store_version": read.version,
                "user_id": user_id,
                "served_from": served,
                "k": k,
                "items": items,
                "impressions_logged": logged,
            }
        )

    @app.get("/related/{product_id}", response_model=schemas.Related, responses=problems)
    async def related(
        request: Request,
        product_id: Identifier,
        k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
        user_id: Annotated[
            str | None,
            Query(max_length=128, pattern=ID_PATTERN, description="Who sees it (for impressions)."),
        ] = None,
        surface: Surface = "pdp",
    ) -> Response:
        """A product's related items (co-visitation and content similarity)."""
        read = await read_store(f"rel:{product_id}")
        if read.value is None:
            raise not_found(
                f"product '{product_id}' has no related items (unknown product id)",
                read,
                f"related@{_build_tag(read)}",
            )
        items = _items(read.value, k)
        request_id = _request_id(request)
        logged = 0
        if impressions is not None and user_id:
            logged = impressions.log(request_id, user_id, [i["product_id"] for i in items], surface)
        return _json(
            {
                "request_id": request_id,
                "model_version": f"related@{_build_tag(read)}",
                "store_version": read.version,
                "product_id": product_id,
                "items": items,
                "impressions_logged": logged,
            }
        )

    @app.get("/matches/{offer_id}", response_model=schemas.Match, responses=problems)
    async def matches(request: Request, offer_id: Identifier) -> schemas.Match:
        """An offer's match decision (fct_offer_matches)."""
        read = await read_store(f"match:{offer_id}")
        if read.value is None:
            raise not_found(
                f"offer '{offer_id}' is unknown", read, read.meta.get("matcher_version")
            )
        row = read.value
        return schemas.Match(  # extra keys of the stored row are ignored
            **{
                **row,
                "request_id": _request_id(request),
                "model_version": row.get("model_version") or f"rules@{_build_tag(read)}",
                "store_version": read.version,
            }
        )

    @app.get("/health", response_model=schemas.Health, responses={503: {"model": schemas.Health}})
    async def health(request: Request) -> JSONResponse:
        """Store reachable, version served, age of its build; 503 when the store cannot serve."""
        on_disk = await to_thread.run_sync(serving_status.get)
        disk_finished = _parse_time((on_disk or {}).get("build_finished_at"))
        answer = {
            "request_id": _request_id(request),
            "serving_file_build_finished_at": disk_finished,
            "store_reachable": False,
            "store_version": None,
            "model_version": None,
            "dbt_invocation_id": None,
            "build_finished_at": None,
            "build_age_seconds": None,
            "loaded_at": None,
            "is_store_behind_serving_file": None,
        }
        try:
            await app.state.client.ping()
            answer["store_reachable"] = True
            state = await read_store("popular")
            build = state.meta.get("build") or {}
            finished = _parse_time(build.get("build_finished_at"))
            now = datetime.now(UTC).replace(tzinfo=None)
            answer.update(
                status="ok",
                store_version=state.version,
                model_version=state.meta.get("model_version"),
                dbt_invocation_id=build.get("dbt_invocation_id"),
                build_finished_at=finished,
                build_age_seconds=(now - finished).total_seconds() if finished else None,
                loaded_at=_parse_time(state.meta.get("loaded_at")),
                is_store_behind_serving_file=(
                    bool(disk_finished and finished and disk_finished > finished)
                    if disk_finished
                    else None
                ),
            )
            code = 200
        except StoreDown as error:  # reachable, nothing loaded (or unreachable mid-read)
            answer.update(status="degraded", reason=str(error))
            code = 503
        except redis.RedisError as error:
            answer.update(status="degraded", reason=f"store unreachable: {error}")
            code = 503
        body = schemas.Health(**answer)
        return JSONResponse(status_code=code, content=body.model_dump(mode="json"))

    @app.get("/ping", response_model=schemas.Ping)
    async def ping(request: Request) -> schemas.Ping:
        """Trivial baseline: no store access (the benchmark's reference)."""
        return schemas.Ping(ok=True, request_id=_request_id(request))

    return app
