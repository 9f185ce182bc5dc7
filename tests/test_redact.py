"""geo.redact: database URLs lose their passwords, however malformed."""

from __future__ import annotations

import pytest

from geo.redact import HIDDEN, redact_url

SECRET = "Tr0ub4dor&3"


@pytest.mark.parametrize("url", [
    f"postgresql+psycopg://geo:{SECRET}@127.0.0.1:5432/geostory",
    f"postgresql://geo:{SECRET}@db.example.org/geostory?sslmode=require",
    f"mysql+pymysql://root:{SECRET}@localhost/x",
    f"postgresql://geo:{SECRET}@@broken host/",  # malformed: still redacted
    f"postgresql://geo:p@{SECRET}@host/db",  # an unencoded '@' inside the password
    f"postgresql://geo@host/db?password={SECRET}&sslmode=require",
    f"postgresql://host/db?sslpassword={SECRET}",
    f"see postgresql://a:{SECRET}@h/d and sqlite:///x",
])
def test_password_is_gone(url: str) -> None:
    shown = redact_url(url)
    assert SECRET not in shown
    assert HIDDEN in shown


def test_urls_without_secrets_are_unchanged() -> None:
    for url in ("sqlite:////var/lib/geostory.sqlite", "postgresql://geo@127.0.0.1/geostory",
                "postgresql://127.0.0.1/geostory?sslmode=require", "not a url at all"):
        assert redact_url(url) == url


def test_the_rest_of_the_url_stays_readable() -> None:
    assert redact_url(f"postgresql://geo:{SECRET}@db:5432/geostory") == f"postgresql://geo:{HIDDEN}@db:5432/geostory"
