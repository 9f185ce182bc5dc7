from pathlib import Path

import pytest

from geo.config import Settings, load_settings
from geo.errors import ConfigError


def test_defaults_need_no_configuration():
    s = load_settings(env={})
    assert s == Settings()
    assert s.db_url.startswith("sqlite:///")
    assert s.geocoder == "offline"


def test_environment_overrides_secrets():
    env = {"GEOSTORY_DB_URL": "sqlite:///x.db", "GEOSTORY_GEOCODER_MIN_DELAY": "2.5"}
    secrets = {"geostory": {"db_url": "sqlite:///y.db", "geocoder": "nominatim"}}
    s = load_settings(env=env, secrets=secrets)
    assert s.db_url == "sqlite:///x.db"
    assert s.geocoder == "nominatim"
    assert s.geocoder_min_delay == 2.5


def test_cache_dir_moves_default_database(tmp_path):
    s = load_settings(env={"GEOSTORY_CACHE_DIR": str(tmp_path)})
    assert s.cache_dir == Path(tmp_path)
    assert s.db_url == f"sqlite:///{tmp_path / 'geostory.sqlite'}"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GEOSTORY_DEMO", "maybe"),
        ("GEOSTORY_GEOCODER_TIMEOUT", "soon"),
        ("GEOSTORY_GEOCODER_MIN_DELAY", "-1"),
    ],
)
def test_bad_values_are_clear_errors(name, value):
    with pytest.raises(ConfigError, match=name):
        load_settings(env={name: value})


def test_api_key_never_shown():
    s = load_settings(env={"GEOSTORY_GEOCODER_API_KEY": "s3cret-key"})
    assert s.geocoder_api_key == "s3cret-key"
    assert "s3cret-key" not in repr(s)
    assert "s3cret-key" not in str(s)


def test_missing_secrets_file_is_fine():
    class NoFile:
        def get(self, *_a):
            raise FileNotFoundError("no secrets.toml")

    assert load_settings(env={}, secrets=NoFile()) == Settings()
