"""The hot path of the serving API: GET /recommendations/{user_id} without FastAPI's routing.

FastAPI's routing, dependency solving and parameter validation cost about as much CPU as
the rest of a recommendations request (the Redis read included). `CanonicalRecommendations`
is an ASGI middleware that answers the requests whose parameters are already in canonical
form: a user id that the path parameter's pattern and length accept, and a query string
with at most `k` (ASCII digits, 1..MAX_K), `surface` (its pattern and length) and
`log_impressions` (`true` or `false`), each once. It calls the same handler the FastAPI
endpoint calls, so the answer is the same. Everything else (another value form, an unknown
or repeated parameter, an invalid value, an error such as the store being down) goes on to
FastAPI unchanged, which validates it, answers 422/503 and keeps /docs describing the
endpoint: the fast path never answers what FastAPI would answer differently.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import unquote_plus

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

PREFIX = "/recommendations/"


@dataclass(frozen=True)
class Rules:
    """The endpoint's parameter rules (api.py declares them once for FastAPI and for this)."""

    id_pattern: str
    id_max_length: int
    surface_pattern: str
    surface_max_length: int
    max_k: int
    default_k: int
    default_surface: str


Handler = Callable[[str, str, int, str, bool], Awaitable[Response]]


def canonical_parameters(path: str, query: bytes, rules: Rules) -> tuple | None:
    """(user_id, k, surface, log_impressions) when the request is canonical, else None."""
    user_id = path[len(PREFIX) :]
    if not 0 < len(user_id) <= rules.id_max_length or not re.fullmatch(rules.id_pattern, user_id):
        return None
    values = {"k": None, "surface": None, "log_impressions": None}
    for pair in query.decode("latin-1").split("&") if query else ():
        name, _, value = pair.partition("=")
        if values.get(name, "unknown") is not None:  # unknown or repeated
            return None
        values[name] = unquote_plus(value)
    k, surface, log = values["k"], values["surface"], values["log_impressions"]
    if k is not None:
        if not (k.isascii() and k.isdigit() and 1 <= int(k) <= rules.max_k):
            return None
        k = int(k)
    if surface is not None and not (
        0 < len(surface) <= rules.surface_max_length
        and re.fullmatch(rules.surface_pattern, surface)
    ):
        return None
    if log not in (None, "true", "false"):
        return None
    return (
        user_id,
        rules.default_k if k is None else k,
        rules.default_surface if surface is None else surface,
        log != "false",
    )


class CanonicalRecommendations:
    """ASGI middleware: canonical GET /recommendations/{user_id} requests go to the handler
    directly (request id from RequestIdMiddleware, which must wrap this); the rest to app."""

    def __init__(
        self, app: ASGIApp, handler: Handler, rules: Rules, delegate_on: type[Exception]
    ) -> None:
        self.app = app
        self.handler = handler
        self.rules = rules
        self.delegate_on = delegate_on  # errors FastAPI's handlers answer (store down: 503)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and scope["path"].startswith(PREFIX)
            and (found := canonical_parameters(scope["path"], scope["query_string"], self.rules))
        ):
            try:
                response = await self.handler(scope["state"]["request_id"], *found)
            except self.delegate_on:
                response = None
            if response is not None:
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
