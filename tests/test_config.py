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


# -- editing access settings (geo.access) ----------------------------------------------

PASSWORD = "correct horse battery staple"


def _hash() -> str:
    from geo.access import hash_password

    return hash_password(PASSWORD, iterations=1_000)


def test_access_defaults_leave_editing_open():
    s = load_settings(env={})
    assert (s.read_only, s.editor_password_hash, s.editor_password, s.editors, s.login_provider) == (
        False, "", "", (), "")


def test_credentials_never_shown():
    hashed = _hash()
    for env in ({"GEOSTORY_EDITOR_PASSWORD_HASH": hashed}, {"GEOSTORY_EDITOR_PASSWORD": PASSWORD}):
        s = load_settings(env=env)
        assert "***" in repr(s)
        for secret in (hashed, PASSWORD, hashed.split("$")[-1]):
            assert secret not in repr(s) and secret not in str(s)


def test_credential_from_the_secrets_table():
    hashed = _hash()
    s = load_settings(env={}, secrets={"geostory": {"editor_password_hash": hashed, "read_only": False}})
    assert s.editor_password_hash == hashed and not s.read_only


def test_editors_from_a_string_or_a_list():
    from_env = load_settings(env={"GEOSTORY_EDITORS": "Ana@Example.org, @newsroom.example  *"})
    assert from_env.editors == ("ana@example.org", "@newsroom.example", "*")
    from_secrets = load_settings(env={}, secrets={"geostory": {"editors": ["b@x.org", "B@X.org"]}})
    assert from_secrets.editors == ("b@x.org",)


@pytest.mark.parametrize("entry", ["ana", "ana@", "@localhost", "a b@x.org"])
def test_a_bad_editor_entry_is_a_clear_error(entry):
    with pytest.raises(ConfigError, match="GEOSTORY_EDITORS"):
        load_settings(env={}, secrets={"geostory": {"editors": [entry]}})


def test_bad_credentials_are_clear_errors_that_do_not_echo_them():
    cases = [
        ({"GEOSTORY_EDITOR_PASSWORD_HASH": "my-plain-password"}, "my-plain-password"),
        ({"GEOSTORY_EDITOR_PASSWORD": "short7!"}, "short7!"),
        ({"GEOSTORY_EDITOR_PASSWORD_HASH": _hash(), "GEOSTORY_EDITOR_PASSWORD": PASSWORD}, PASSWORD),
    ]
    for env, secret in cases:
        with pytest.raises(ConfigError, match="GEOSTORY_EDITOR_PASSWORD") as caught:
            load_settings(env=env)
        assert secret not in str(caught.value)
