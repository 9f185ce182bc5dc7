"""Who may change data: the editor credential, the sign-in policy and bounded attempts.

Viewing is always open. Changing data (Add articles, Review places) follows
the settings:

- ``read_only``: nobody may change anything (``Mode.LOCKED``);
- an editor password (``editor_password_hash``, or plain ``editor_password``)
  and/or Streamlit's ``[auth]`` sign-in: only editors may (``Mode.RESTRICTED``);
- nothing configured: anyone who can open the page may (``Mode.OPEN``, the
  local default; the pages say so).

Pure logic, no streamlit: ui.editing asks these functions and draws the gate.
Make a hash with ``python -m geo.access`` (it prompts for the password).
"""

from __future__ import annotations

import base64
import binascii
import getpass
import hashlib
import hmac
import logging
import secrets
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from geo.errors import ConfigError, GeoError

if TYPE_CHECKING:
    from geo.config import Settings

logger = logging.getLogger(__name__)

HASH_SCHEME = "pbkdf2_sha256"
HASH_ITERATIONS = 600_000  # OWASP's 2023 figure for PBKDF2-SHA256; about 0.1 s here
MIN_ITERATIONS = 1_000  # below this a "hash" is no protection at all
SALT_BYTES = 16
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256  # the form's limit too; keeps one check's cost bounded
ANY_SIGNED_IN = "*"

# Per-process key for grant tags: a session holds a tag of the credential it was
# granted under, never the credential itself, and the tag cannot be checked offline.
_TAG_KEY = secrets.token_bytes(32)


class AccessDenied(GeoError):
    """A change was attempted without the right to edit (nothing was changed)."""


class Mode(StrEnum):
    OPEN = "open"
    LOCKED = "locked"
    RESTRICTED = "restricted"


@dataclass(frozen=True)
class Policy:
    """How editing is governed for the current settings."""

    mode: Mode
    password: bool = False  # an editor password unlocks editing
    login: bool = False  # signing in with the [auth] provider can grant editing
    provider: str = ""  # named st.login provider; "" = the [auth] section's default
    editors: tuple[str, ...] = ()  # e-mails, "@domain" or "*" allowed after sign-in


# -- the credential ------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def hash_password(password: str, *, iterations: int = HASH_ITERATIONS, salt: bytes | None = None) -> str:
    """A salted PBKDF2-SHA256 string for ``editor_password_hash``: ``pbkdf2_sha256$N$salt$hash``."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ConfigError(f"an editor password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ConfigError(f"an editor password has at most {MAX_PASSWORD_LENGTH} characters")
    if iterations < MIN_ITERATIONS:
        raise ConfigError(f"at least {MIN_ITERATIONS} iterations are needed")
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"{HASH_SCHEME}${iterations}${_b64(salt)}${_b64(digest)}"


def parse_password_hash(text: str) -> tuple[int, bytes, bytes]:
    """(iterations, salt, digest) of a hash string; ConfigError, never echoing it, when malformed."""
    problem = ConfigError(
        "GEOSTORY_EDITOR_PASSWORD_HASH is not a hash made by `python -m geo.access` "
        f"(expected {HASH_SCHEME}$iterations$salt$hash)"
    )
    parts = text.strip().split("$")
    if len(parts) != 4 or parts[0] != HASH_SCHEME or not parts[1].isdigit():
        raise problem
    try:
        salt, digest = _unb64(parts[2]), _unb64(parts[3])
    except (binascii.Error, ValueError) as err:
        raise problem from err
    iterations = int(parts[1])
    if iterations < MIN_ITERATIONS or len(salt) < 8 or len(digest) != hashlib.sha256().digest_size:
        raise problem
    return iterations, salt, digest


def check_credential_settings(password_hash: str, password: str) -> None:
    """Raise ConfigError for a credential that cannot work (messages never contain it)."""
    if password_hash and password:
        raise ConfigError("set GEOSTORY_EDITOR_PASSWORD_HASH or GEOSTORY_EDITOR_PASSWORD, not both")
    if password_hash:
        parse_password_hash(password_hash)
    if password and not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise ConfigError(f"GEOSTORY_EDITOR_PASSWORD needs {MIN_PASSWORD_LENGTH} to "
                          f"{MAX_PASSWORD_LENGTH} characters")


def has_password(settings: Settings) -> bool:
    return bool(settings.editor_password_hash or settings.editor_password)


def verify_password(submitted: str, settings: Settings) -> bool:
    """Whether ``submitted`` is the editor password, compared in constant time."""
    if not submitted or len(submitted) > MAX_PASSWORD_LENGTH:
        return False
    given = submitted.encode("utf-8")
    if settings.editor_password_hash:
        iterations, salt, digest = parse_password_hash(settings.editor_password_hash)
        return hmac.compare_digest(hashlib.pbkdf2_hmac("sha256", given, salt, iterations), digest)
    if settings.editor_password:
        # Digests of equal length: the comparison time says nothing about the password's length.
        wanted = hashlib.sha256(settings.editor_password.encode("utf-8")).digest()
        return hmac.compare_digest(hashlib.sha256(given).digest(), wanted)
    return False


def credential_tag(settings: Settings) -> str:
    """A per-process tag of the configured password: a grant holds it, so a new password ends old grants."""
    secret = settings.editor_password_hash or settings.editor_password
    if not secret:
        return ""
    return hmac.new(_TAG_KEY, secret.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def grant_is_current(tag: object, settings: Settings) -> bool:
    current = credential_tag(settings)
    return bool(current) and isinstance(tag, str) and hmac.compare_digest(tag, current)


# -- the decision --------------------------------------------------------------------


def policy(settings: Settings, *, login_configured: bool) -> Policy:
    """How editing works; ``login_configured`` says whether Streamlit's ``[auth]`` section exists."""
    if settings.read_only:
        return Policy(Mode.LOCKED)
    password = has_password(settings)
    if not password and not login_configured:
        return Policy(Mode.OPEN)
    return Policy(Mode.RESTRICTED, password=password, login=login_configured,
                  provider=settings.login_provider, editors=settings.editors)


def editor_listed(editors: Sequence[str], email: str) -> bool:
    """Whether a signed-in address is an editor: listed itself, by its "@domain", or by "*"."""
    address = email.strip().casefold()
    if "@" not in address:
        return False
    domain = "@" + address.rsplit("@", 1)[1]
    return any(entry in (ANY_SIGNED_IN, address, domain) for entry in editors)


def login_allowed(rules: Policy, *, email: str | None, email_verified: object = None) -> bool:
    """A signed-in user may edit when sign-in is on, the address is verified (if said) and listed.

    An empty ``editors`` list lets nobody in: a public provider (Google, GitHub)
    signs in anyone, so "every signed-in user" must be asked for with "*".
    """
    if not rules.login or not email:
        return False
    if email_verified is False or (isinstance(email_verified, str) and email_verified.lower() == "false"):
        return False
    return editor_listed(rules.editors, email)


def may_edit(rules: Policy, *, password_granted: bool = False, email: str | None = None,
             email_verified: object = None) -> bool:
    """The one decision: may this session change data now?"""
    if rules.mode is Mode.OPEN:
        return True
    if rules.mode is Mode.LOCKED:
        return False
    if rules.password and password_granted:
        return True
    return login_allowed(rules, email=email, email_verified=email_verified)


# -- bounded attempts ----------------------------------------------------------------

# Headers by which a request claims to come from somewhere else than the connection it arrived on.
FORWARDING_HEADERS = frozenset({"x-forwarded-for", "forwarded", "x-real-ip"})
LOCAL_CLIENT = "local"  # a connection from this machine (Streamlit gives no address for loopback)
# Every request that claims an address without a trusted proxy behind it: one shared count, so
# that forging a new address never buys fresh tries.
UNVERIFIED_CLIENT = "forwarded-unverified"


def address_keys(address: str | None, headers: Iterable[tuple[str, str]], *,
                 trusted_proxy: bool) -> tuple[str, ...]:
    """The addresses a wrong-password count is kept under, from Streamlit's address and the headers.

    Streamlit's server (uvicorn) replaces the address of a peer it trusts
    (loopback, unless ``FORWARDED_ALLOW_IPS`` says otherwise) with the one that
    peer's ``X-Forwarded-For`` names, so ``address`` may be the client's own
    claim. With ``trusted_proxy`` (a reverse proxy we trust sets the header)
    it is believed. Otherwise a request carrying any forwarding header is
    counted in one bucket shared by all such requests, and under the peer it
    really came through: this machine when the address is one the header named
    (uvicorn swapped it in), else the address, which uvicorn then left alone.
    """
    pairs = [(name.strip().lower(), value) for name, value in headers]
    peer = address.strip() if address and address.strip() else LOCAL_CLIENT
    if trusted_proxy or not any(name in FORWARDING_HEADERS for name, _value in pairs):
        return (peer,)
    named = " ".join(value for name, value in pairs if name == "x-forwarded-for")
    if peer != LOCAL_CLIENT and peer in named:
        peer = LOCAL_CLIENT
    return (UNVERIFIED_CLIENT, peer)


@dataclass(frozen=True)
class Attempt:
    """Who is trying a password: address keys and the browser session (each is counted)."""

    addresses: tuple[str, ...]
    session: str = ""  # Streamlit's session id; "" outside a session

    @property
    def keys(self) -> tuple[str, ...]:
        session = (f"session {self.session}",) if self.session else ()
        return (*(f"address {a}" for a in self.addresses), *session)


@dataclass
class _Record:
    failures: int = 0
    locked_until: float = 0.0
    last: float = 0.0


class Throttle:
    """Wrong passwords per key: a few free tries, then a lockout that doubles up to a cap.

    One instance serves the whole process (all sessions), so opening a new tab
    does not reset an address's count. A try is counted under several keys at
    once (its address and its session, :attr:`Attempt.keys`) and waits for the
    longest of their lockouts. Thread-safe; the clock is injectable for tests.
    """

    def __init__(self, *, free: int = 5, base_delay: float = 30.0, max_delay: float = 900.0,
                 forget_after: float = 3600.0, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.free, self.base_delay, self.max_delay = free, base_delay, max_delay
        self.forget_after, self.max_keys, self.clock = forget_after, max_keys, clock
        self._records: dict[str, _Record] = {}
        self._lock = threading.Lock()

    def _get(self, key: str, now: float) -> _Record | None:
        record = self._records.get(key)
        if record is not None and now - record.last > self.forget_after and now >= record.locked_until:
            del self._records[key]
            return None
        return record

    def wait(self, *keys: str) -> float:
        """Seconds before a try under ``keys`` may be made (0: now): the longest of their waits."""
        with self._lock:
            now = self.clock()
            records = [r for r in (self._get(key, now) for key in keys) if r is not None]
            return max((max(0.0, r.locked_until - now) for r in records), default=0.0)

    def failed(self, *keys: str) -> float:
        """Count a wrong password under every key; returns the wait it causes (the longest)."""
        counts: list[int] = []
        with self._lock:
            now = self.clock()
            wait = 0.0
            for key in keys:
                record = self._get(key, now) or _Record()
                record.failures += 1
                record.last = now
                over = record.failures - self.free
                if over >= 0:
                    record.locked_until = now + min(self.max_delay, self.base_delay * 2 ** min(over, 32))
                self._records[key] = record
                wait = max(wait, record.locked_until - now)
                counts.append(record.failures)
            while len(self._records) > self.max_keys:  # many clients: drop the longest idle
                oldest = min(self._records, key=lambda k: self._records[k].last)
                del self._records[oldest]
        logger.warning("wrong editor password from %s (%s in a row)", " / ".join(keys),
                       " / ".join(str(n) for n in counts))
        return wait

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._records.pop(key, None)

    def reset(self) -> None:
        with self._lock:
            self._records.clear()


# -- `python -m geo.access`: make a hash --------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Prompt for a password (twice on a terminal, or one line on stdin) and print its hash."""
    if argv:
        sys.stderr.write("usage: python -m geo.access  (prompts for the password; or pipe it on stdin)\n")
        return 2
    if sys.stdin.isatty():
        password = getpass.getpass("Editor password: ")
        if getpass.getpass("Again: ") != password:
            sys.stderr.write("The two entries differ; nothing was made.\n")
            return 1
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        line = hash_password(password)
    except ConfigError as err:
        sys.stderr.write(f"{err}\n")
        return 1
    sys.stdout.write(line + "\n")
    sys.stderr.write("Put it in .streamlit/secrets.toml under [geostory] as editor_password_hash = \"...\", "
                     "or in GEOSTORY_EDITOR_PASSWORD_HASH.\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
