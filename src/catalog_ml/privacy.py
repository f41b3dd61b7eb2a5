"""Pseudonyms of personal identifiers, the same the dbt macro `pseudonymise` writes.

Public marts (fct_interactions, fct_experiment_interactions, fct_recommendations) carry a
salted SHA-256 of the user id, never the id itself. A consumer that holds the salt (the
recommendation service, a test) computes a user's pseudonym here and finds that user's rows:

    pseudonymise("U240")  # salt from CATALOG_ML_PII_SALT, else the demo default
"""

from __future__ import annotations

import hashlib
import os

SALT_ENV_VAR = "CATALOG_ML_PII_SALT"
# The demo default, also in macros/privacy/pseudonymise.sql; real data needs its own salt.
DEMO_SALT = "catalog-ml-demo-salt"


def pii_salt() -> str:
    """The salt dbt uses: CATALOG_ML_PII_SALT, else the demo default."""
    return os.environ.get(SALT_ENV_VAR, DEMO_SALT)


def pseudonymise(value: str | None, salt: str | None = None) -> str | None:
    """sha256(salt || '|' || value) as 64 lower-case hex characters; None stays None."""
    if value is None:
        return None
    salt = pii_salt() if salt is None else salt
    return hashlib.sha256(f"{salt}|{value}".encode()).hexdigest()
