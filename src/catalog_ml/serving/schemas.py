"""The serving API's typed responses (pydantic): what /docs and /openapi.json describe."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class Served(BaseModel):
    """What every answer carries: which request, which model, which store version."""

    request_id: str = Field(description="Id of this request (also the X-Request-ID header).")
    model_version: str = Field(
        description="What produced the items: the ranker or matcher version from the marts, "
        "or for lists no trained model made '<fct_popular_items.model_version>@<build>' "
        "(e.g. 'popularity_half_life_14d@...') / 'related@<build>' / 'rules@<build>' "
        "(<build> = the first 8 characters of the dbt invocation id)."
    )
    store_version: str = Field(description="The store version (load) the answer was read from.")


class Item(BaseModel):
    rank: int = Field(ge=1, description="1-based position in the list.")
    product_id: str
    score: float | None = Field(description="The list's score (ranker, related or popularity).")
    source: str | None = Field(description="Retrieval source, or 'popularity' for the fallback.")


class Recommendations(Served):
    user_id: str = Field(description="The user id as the application knows it (not stored).")
    served_from: Literal["personal", "popularity_fallback"] = Field(
        description="'personal': the user's list in fct_recommendations; "
        "'popularity_fallback': the user has no list, the most popular products are served."
    )
    k: int
    items: list[Item]
    impressions_logged: int = Field(
        description="Impression events appended to the events file (0 when logging is off)."
    )


class Related(Served):
    product_id: str
    items: list[Item]
    impressions_logged: int


class Match(Served):
    offer_id: str
    merchant_id: str | None
    product_id: str | None = Field(description="Matched catalog product; null when none.")
    match_score: float | None
    decision: str
    decision_source: str | None
    decided_at: datetime | None


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    request_id: str
    store_reachable: bool
    store_version: str | None = Field(description="Version served; null when nothing is loaded.")
    model_version: str | None = Field(description="Ranker version of the served lists.")
    dbt_invocation_id: str | None = Field(description="The build the served version came from.")
    build_finished_at: datetime | None = Field(
        description="When that build finished (the serving file's build_status)."
    )
    build_age_seconds: float | None = Field(description="Now minus build_finished_at.")
    loaded_at: datetime | None = Field(description="When the version was loaded into the store.")
    serving_file_build_finished_at: datetime | None = Field(
        description="build_status of the serving file on disk now; newer than the served "
        "build when a publish has not been loaded yet."
    )
    is_store_behind_serving_file: bool | None
    reason: str | None = Field(default=None, description="Why status is 'degraded'.")


class Problem(BaseModel):
    """Body of 404 and 503 answers."""

    detail: str
    request_id: str
    model_version: str | None = Field(default=None, description="Of the store version read.")
    store_version: str | None = Field(default=None, description="Null when none was read.")


class Ping(BaseModel):
    """The trivial baseline endpoint's answer (bench/serving.py measures against it)."""

    ok: bool
    request_id: str
