"""geo.redact: database URLs lose their passwords, however malformed; log records lose every secret."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from geo.redact import HIDDEN, SECRET_FILTER, protect_logs, redact_text, redact_url, url_secrets

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


@pytest.mark.parametrize("url", [
    f"postgresql://geo:{SECRET}/x@db/geostory",  # an unencoded '/': SQLAlchemy still reads it as the password
    f"postgresql://geo:{SECRET}#x@db/geostory",
    f"postgresql://geo:{SECRET}?x@db/geostory",
])
def test_a_password_with_url_punctuation_is_gone_whole(url: str) -> None:
    shown = redact_url(url)
    assert SECRET not in shown and "/x" not in shown.split("@")[0]


def test_url_secrets_finds_the_password_as_written_and_decoded() -> None:
    assert url_secrets("postgresql://geo:p%40ss%2Fword@db/geostory") == ("p%40ss%2Fword", "p@ss/word")
    assert url_secrets("postgresql://geo@db/g?password=Query-S3cret&sslmode=require") == ("Query-S3cret",)
    # SQLAlchemy reads a password with a space in it, which the URL pattern stops at.
    assert "Sw0rd f1sh" in url_secrets("postgresql://geo:Sw0rd f1sh@db/geostory")
    assert url_secrets("sqlite:////var/lib/geostory.sqlite") == ()


def test_redact_text_masks_known_secrets_longest_first() -> None:
    text = f"connect failed for {SECRET}; salt {SECRET[:6]}"
    assert redact_text(text, [SECRET[:6], SECRET]) == f"connect failed for {HIDDEN}; salt {HIDDEN}"
    assert redact_text("geo and geostory", ["geo"]) == "geo and geostory"  # too short to mask


# -- the log filter ------------------------------------------------------------------


def _failing() -> None:
    raise RuntimeError(f"driver said: bad password {SECRET} for postgresql://geo:{SECRET}@db/x")


@pytest.fixture
def quiet_logger() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger like Streamlit's: its own handler, no propagation."""
    stream = io.StringIO()
    logger = logging.getLogger(f"tests.redact.{id(stream)}")
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    yield logger, stream
    logger.removeHandler(handler)


def test_the_filter_masks_the_message_its_arguments_and_the_traceback(
        quiet_logger: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = quiet_logger
    shield = protect_logs([SECRET])
    assert shield is SECRET_FILTER and SECRET_FILTER in logger.handlers[0].filters
    logger.warning("opening %s with %r", f"postgresql://geo:{SECRET}@db/x", {"password": SECRET})
    try:
        _failing()
    except RuntimeError:
        logger.exception("it failed: %s", SECRET)
    logger.error("stack here", stack_info=True, extra={"note": "x"})
    out = stream.getvalue()
    assert SECRET not in out
    assert "opening postgresql://geo:***@db/x with {'password': '***'}" in out
    assert "Traceback (most recent call last)" in out and "driver said: bad password ***" in out
    assert "_failing" in out and "Stack (most recent call last)" in out  # the details are all there


def test_a_record_with_arguments_that_do_not_fit_is_still_masked(
        quiet_logger: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = quiet_logger
    protect_logs([SECRET])
    logger.warning("one %s two %s", SECRET)  # a bug in a log call must not print the secret raw
    assert SECRET not in stream.getvalue() and HIDDEN in stream.getvalue()


def test_every_handler_gets_the_filter_and_it_is_put_on_once(
        quiet_logger: tuple[logging.Logger, io.StringIO]) -> None:
    logger, _stream = quiet_logger
    root_handler = logging.StreamHandler(io.StringIO())
    logging.getLogger().addHandler(root_handler)
    try:
        protect_logs()
        protect_logs()
        for handler in (root_handler, logger.handlers[0], logging.lastResort):
            assert handler is not None and handler.filters.count(SECRET_FILTER) == 1
    finally:
        logging.getLogger().removeHandler(root_handler)


def test_a_propagated_record_is_masked_by_the_parents_handler() -> None:
    """Why handlers and not loggers: a child logger's record passes no filter of its parent logger."""
    stream = io.StringIO()
    parent = logging.getLogger("tests.redact.parent")
    handler = logging.StreamHandler(stream)
    parent.addHandler(handler)
    parent.setLevel(logging.INFO)
    try:
        protect_logs([SECRET])
        logging.getLogger("tests.redact.parent.child").info("key %s", SECRET)
    finally:
        parent.removeHandler(handler)
    assert stream.getvalue() == f"key {HIDDEN}\n"
