"""Secrets out of messages: database URLs shown without their password.

A database URL may carry a password (``postgresql://geo:s3cret@db/geostory``).
Errors, logs and pages name the database through :func:`redact_url` only, so
that the password never reaches a viewer, a terminal or a log file. The URL
may be malformed (that is often why it is being reported), so the redaction
works on the raw text and never needs the URL to parse.
"""

from __future__ import annotations

import re

HIDDEN = "***"

# scheme://user:password@host... : everything between the first ':' of the user part and the
# last '@' before the path is the password (an unencoded '@' in a password is common).
_USERINFO = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^:/?#@\s]*):(?P<secret>[^/?#\s]*)@")
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
