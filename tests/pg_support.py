"""A real PostgreSQL for the tests that need one: its URL comes from ``GEOSTORY_TEST_PG_URL``.

``.ci/run`` starts a throwaway cluster (``.ci/postgres start DIR``) and exports the
variable; by hand, run the same script and export what it prints. Without the variable
these tests skip, except under ``CI=true``, where they must run (as the browser tests).
"""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

PG_URL_VARIABLE = "GEOSTORY_TEST_PG_URL"


def need_postgres() -> sa.URL:
    """The test cluster's URL (user, password, host, port, database); skip or fail without one."""
    url = os.environ.get(PG_URL_VARIABLE, "")
    if not url:
        message = f"{PG_URL_VARIABLE} is not set (start a cluster with .ci/postgres start DIR)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; under CI the PostgreSQL tests must run")
        pytest.skip(message)
    parsed = sa.engine.make_url(url)
    assert parsed.password, f"{PG_URL_VARIABLE} must carry a password (the tests look for it)"
    return parsed
