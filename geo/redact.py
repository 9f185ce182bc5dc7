"""Secrets out of messages and logs: database URLs without their password, known secrets masked.

A database URL may carry a password (``postgresql://geo:s3cret@db/geostory``).
Errors, logs and pages name the database through :func:`redact_url` only, so
that the password never reaches a viewer, a terminal or a log file. The URL
may be malformed (that is often why it is being reported), so the redaction
works on the raw text and never needs the URL to parse.

Driver messages and tracebacks are not ours to word, so :func:`redact_text`
also masks the secrets we know (:func:`geo.config.secret_values`), and
:class:`SecretFilter`, put on every log handler of the process by
:func:`protect_logs`, does the same to every log record, its arguments and its
traceback text.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from urllib.parse import unquote

HIDDEN = "***"
# Shorter "secrets" are not masked: hiding every "geo" would shred the log and protect nothing.
MIN_SECRET_LENGTH = 4

# scheme://user:password@host... : everything between the first ':' after the user name and the
# last '@' before a space is taken for the password. Unencoded '@', '/', '?' and '#' in passwords
# are common, and SQLAlchemy accepts them; masking a host too now and then is the safe mistake.
_USERINFO = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^:/?#@\s]*):(?P<secret>\S*)@")
# ...?password=...&sslkey=... : query values whose key names a secret.
_QUERY_SECRET = re.compile(
    r"(?P<key>[?&;](?:[^=&#\s]*(?:pass|secret|token|key|pwd|auth|credential)[^=&#\s]*))=(?P<value>[^&#\s]*)",
    re.IGNORECASE,
)


def redact_url(url: object) -> str:
    """``url`` as text with any password (in the user part or the query) replaced by ``***``."""
    text = str(url)
    text = _USERINFO.sub(lambda m: f"{m.group('head')}:{HIDDEN}@", text)
    return _QUERY_SECRET.sub(lambda m: f"{m.group('key')}={HIDDEN}", text)


def url_secrets(url: str) -> tuple[str, ...]:
    """The secrets a URL carries (its password, secret query values), as written and percent-decoded."""
    found = [m.group("secret") for m in _USERINFO.finditer(url)]
    found += [m.group("value") for m in _QUERY_SECRET.finditer(url)]
    from sqlalchemy.engine import make_url  # here: geo.config imports this module, and stays light
    from sqlalchemy.exc import ArgumentError

    try:  # SQLAlchemy's own reading, where it differs (a password with a space in it)
        parsed = make_url(url).password
    except (ArgumentError, ValueError, TypeError):
        parsed = None
    found += [str(parsed)] if parsed else []
    out: list[str] = []
    for secret in found:
        for form in (secret, unquote(secret)):
            if form and form not in out:
                out.append(form)
    return tuple(out)


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with URL passwords and each known secret replaced by ``***``."""
    text = redact_url(text)
    # Longest first: a secret that contains another is masked whole.
    for secret in sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True):
        text = text.replace(secret, HIDDEN)
    return text


# -- logs ----------------------------------------------------------------------------

_TRACEBACKS = logging.Formatter()  # formats exc_info the way a plain handler would


class SecretFilter(logging.Filter):
    """Masks secrets in each record a handler emits: the message with its arguments, the traceback.

    The record is changed in place (message formatted, ``args`` dropped,
    ``exc_text`` filled in), so every later handler sees the masked text too.
    The secrets only ever grow: an old password stays hidden after a change.
    """

    def __init__(self) -> None:
        super().__init__()
        self._secrets: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def add(self, secrets: Iterable[str]) -> None:
        new = {s for s in secrets if len(s) >= MIN_SECRET_LENGTH}
        if not new <= self._secrets:
            with self._lock:
                self._secrets = self._secrets | new

    def redact(self, text: str) -> str:
        return redact_text(text, self._secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit: keep both, masked
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


SECRET_FILTER = SecretFilter()  # one per process: every handler shares it


def protect_logs(secrets: Iterable[str] = ()) -> SecretFilter:
    """Add ``secrets`` to the process's filter and put it on every log handler there is now.

    Handlers, not loggers: a logger's own filter misses the records its children
    pass up. Streamlit's loggers each have a handler of their own and do not
    propagate, and a record with no handler goes to ``logging.lastResort``; all
    get the filter. Cheap and idempotent, so it is called again whenever the
    settings are read: handlers made since then are covered from that call on.
    """
    SECRET_FILTER.add(secrets)
    handlers: set[logging.Handler] = set(logging.getLogger().handlers)
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            handlers.update(logger.handlers)
    if logging.lastResort is not None:
        handlers.add(logging.lastResort)
    for handler in handlers:
        if SECRET_FILTER not in handler.filters:
            handler.addFilter(SECRET_FILTER)
    return SECRET_FILTER
