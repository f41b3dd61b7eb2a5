"""Which recommendation requests the fast path answers itself (canonical ones) and which it
leaves to FastAPI: every other form must reach FastAPI, which validates and answers it."""

from __future__ import annotations

import pytest

from catalog_ml.serving.api import RULES
from catalog_ml.serving.fast_path import canonical_parameters


@pytest.mark.parametrize(
    ("path", "query", "expected"),
    [
        ("/recommendations/U1", b"", ("U1", 10, "home", True)),
        ("/recommendations/U1", b"k=3", ("U1", 3, "home", True)),
        ("/recommendations/U1", b"k=100&surface=pdp_top", ("U1", 100, "pdp_top", True)),
        ("/recommendations/a.b:c@d-e_f", b"log_impressions=false", ("a.b:c@d-e_f", 10, "home", False)),
        ("/recommendations/U1", b"log_impressions=true&k=1", ("U1", 1, "home", True)),
        ("/recommendations/U1", b"k=%33&surface=a%5Fb", ("U1", 3, "a_b", True)),  # decoded
        ("/recommendations/" + "U" * 128, b"", ("U" * 128, 10, "home", True)),
    ],
)  # fmt: skip
def test_canonical_requests_are_answered_with_the_endpoints_defaults(path, query, expected):
    assert canonical_parameters(path, query, RULES) == expected


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/recommendations/U1", b"k=0"),  # out of range: FastAPI's 422
        ("/recommendations/U1", b"k=101"),
        ("/recommendations/U1", b"k=ten"),
        ("/recommendations/U1", b"k=+3"),  # another form of a valid value: FastAPI decides
        ("/recommendations/U1", b"k="),
        ("/recommendations/U1", b"k=\xd9\xa3"),  # a non-ASCII digit
        ("/recommendations/U1", b"k=3&k=4"),  # repeated
        ("/recommendations/U1", b"utm=x"),  # unknown
        ("/recommendations/U1", b"&"),
        ("/recommendations/U1", b"log_impressions=1"),
        ("/recommendations/U1", b"log_impressions=False"),
        ("/recommendations/U1", b"surface=Home"),
        ("/recommendations/U1", b"surface="),
        ("/recommendations/U1", b"surface=" + b"a" * 33),
        ("/recommendations/bad id", b""),
        ("/recommendations/U1\n", b""),
        ("/recommendations/U1/", b""),
        ("/recommendations/", b""),
        ("/recommendations/" + "U" * 129, b""),
    ],
)
def test_every_other_request_goes_to_fastapi(path, query):
    assert canonical_parameters(path, query, RULES) is None
