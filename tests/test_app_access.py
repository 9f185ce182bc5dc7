"""Editing access in the dashboard (issue 5, item 7), under Streamlit's AppTest.

Viewing stays open; Add articles and Review places show no widget that writes
until an editor is let in; every write checks again; read-only locks it all;
no credential reaches a page, a log or an export; uploads are bounded.
The store is a real SQLite file with hand-made events (no model needed), as in
tests/test_app.py. The last test starts the real server on a secrets.toml in a
temp dir and drives it with Chromium (marked ``browser``).
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import ui
from geo import access
from geo.config import PROJECT_ROOT
from geo.frames import events_frame, export_bytes
from geo.readers import MAX_ARTICLE_BYTES, SUPPORTED_SUFFIXES
from geo.store import Store
from tests.dashboard_events import app_store

APP = str(PROJECT_ROOT / "app.py")
PAGES = ["pages/map.py", "pages/timeline.py", "pages/actors.py", "pages/sources.py", "pages/add.py",
         "pages/review.py"]
TIMEOUT = 30
MODEL_TIMEOUT = 300
PASSWORD = "correct horse battery staple"
HASHED = access.hash_password(PASSWORD, iterations=2_000)  # few iterations: many runs below
CLIENT_SECRET = "oidc-client-secret-7f3a9"
COOKIE_SECRET = "cookie-secret-0b9e1d4c8a"
WRITE_BUTTONS = {"Analyse", "Add to the story", "Use this candidate", "Set coordinates",
                 "Mark as not a place", "Delete this event", "Delete this article", "Rename or merge",
                 "Split", "Change the type", "Undo this rule"}
ACCESS_ENV = ("GEOSTORY_READ_ONLY", "GEOSTORY_EDITOR_PASSWORD_HASH", "GEOSTORY_EDITOR_PASSWORD",
              "GEOSTORY_EDITORS", "GEOSTORY_LOGIN_PROVIDER", "GEOSTORY_TRUSTED_PROXY")
SECRETS_TOML = f'''
[geostory]
editor_password_hash = "{HASHED}"

[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "{COOKIE_SECRET}"
client_id = "geostory-test"
client_secret = "{CLIENT_SECRET}"
server_metadata_url = "https://id.example.test/.well-known/openid-configuration"
'''


@pytest.fixture
def store_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = app_store(tmp_path, monkeypatch)
    for name in ACCESS_ENV:  # whatever the developer's shell has set
        monkeypatch.delenv(name, raising=False)
    ui.editor_throttle().reset()  # one per process: earlier tests' wrong passwords must not count
    yield url
    ui.editor_throttle().reset()


def _secrets(tmp_path: Path, text: str) -> dict[str, Any]:
    """A secrets.toml in a temp dir, read the way Streamlit reads it (TOML), for ``AppTest.secrets``."""
    path = tmp_path / ".streamlit" / "secrets.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _password(tmp_path: Path) -> dict[str, Any]:
    return _secrets(tmp_path, f'[geostory]\neditor_password_hash = "{HASHED}"\n')


def _app(page: str | None = None, secrets: dict[str, Any] | None = None,
         user: dict[str, Any] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    if user is not None:
        at.user = user
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _writing_widgets(at: AppTest) -> list[str]:
    main = at.main
    found = [f"{w.type}:{w.label}" for kind in ("text_area", "file_uploader", "radio", "number_input",
                                                 "selectbox") for w in getattr(main, kind)]
    found += [f"button:{b.label}" for b in main.button if b.label in WRITE_BUTTONS]
    return found


def _unlock(at: AppTest, password: str) -> AppTest:
    next(t for t in at.text_input if t.label == "Editor password").input(password)
    return next(b for b in at.button if b.label == "Unlock editing").click().run()


def _store_state(url: str) -> tuple[object, ...]:
    with Store(url) as store:
        return store.counts(), store.events(), store.overrides()


def _plain(markdown: str) -> str:
    """Markdown as read: md_escape's backslashes and word joiners removed."""
    return markdown.replace("\\", "").replace("\u2060", "")


def _text(at: AppTest) -> str:
    """Every element the run produced, with all its fields (labels, values, markdown, chart specs)."""

    def walk(node: Any) -> Iterator[str]:
        proto = getattr(node, "proto", None)
        if proto is not None:
            yield str(proto)
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    return "\n".join(walk(at._tree))


# -- open by default -----------------------------------------------------------------


@pytest.mark.parametrize("page", ["pages/add.py", "pages/review.py"])
def test_unconfigured_editing_is_open_and_says_so(store_url: str, page: str) -> None:
    at = _app(page)
    assert any("Editing is open to anyone" in c.value and "GEOSTORY_READ_ONLY" in c.value for c in at.caption)
    assert _writing_widgets(at)
    assert not [t for t in at.text_input if t.label == "Editor password"]


# -- a password ----------------------------------------------------------------------


@pytest.mark.parametrize("page", ["pages/add.py", "pages/review.py"])
def test_a_configured_password_gates_the_page(store_url: str, tmp_path: Path, page: str) -> None:
    at = _app(page, secrets=_password(tmp_path))
    assert _writing_widgets(at) == []
    assert any("Editors only" in m.value for m in at.markdown)
    assert [t.label for t in at.text_input if t.label == "Editor password"] == ["Editor password"]
    assert not any("Editing is open" in c.value for c in at.caption)
    assert at.title[0].value in ("Add articles", "Review places")  # the page still says what it is


def test_review_stays_readable_without_the_right_to_edit(store_url: str, tmp_path: Path) -> None:
    at = _app("pages/review.py", secrets=_password(tmp_path))
    assert any("Westville" in e.label for e in at.expander)
    text = " ".join(m.value for m in at.markdown)
    assert "Candidates:" in text and "pop\\. 300" in text and "Now at 10\\.0000" in text


def test_a_wrong_password_is_refused_and_changes_nothing(store_url: str, tmp_path: Path) -> None:
    before = _store_state(store_url)
    at = _app("pages/review.py", secrets=_password(tmp_path))
    _unlock(at, "correct horse battery stapler")
    assert not at.exception
    assert any("Wrong password" in e.value for e in at.error)
    assert _writing_widgets(at) == []
    at.switch_page("pages/add.py").run()
    assert _writing_widgets(at) == []
    assert _store_state(store_url) == before


def test_the_right_password_unlocks_both_pages_for_the_session(store_url: str, tmp_path: Path) -> None:
    at = _app("pages/review.py", secrets=_password(tmp_path))
    _unlock(at, PASSWORD)
    assert not at.exception and not at.error
    assert "button:Use this candidate" in _writing_widgets(at)
    assert any("Editing unlocked for this session" in c.value for c in at.caption)
    key = next(r.key for r in at.radio)
    at.radio(key=key).set_value(1).run()
    next(b for b in at.button if b.label == "Use this candidate").click().run()
    assert at.success and not at.error
    with Store(store_url) as store:
        assert "westville" in store.overrides()
    at.switch_page("pages/add.py").run()  # no second sign-in on the other page
    assert {"text_area:Article text", "button:Analyse"} <= set(_writing_widgets(at))
    next(b for b in at.button if b.label == "Sign out").click().run()
    assert _writing_widgets(at) == []
    assert any(t.label == "Editor password" for t in at.text_input)


def test_a_plain_password_from_the_environment_works_too(store_url: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEOSTORY_EDITOR_PASSWORD", PASSWORD)
    at = _app("pages/add.py")
    assert _writing_widgets(at) == []
    _unlock(at, PASSWORD)
    assert "text_area:Article text" in _writing_widgets(at)


@pytest.mark.model
@pytest.mark.gazetteer
def test_an_editor_can_add_an_article(store_url: str, tmp_path: Path) -> None:
    at = _app("pages/add.py", secrets=_password(tmp_path))
    _unlock(at, PASSWORD)
    at.text_area[0].input("The minister flew from Berlin to Paris on Tuesday. She met officials in Paris.")
    next(t for t in at.text_input if t.label == "Title").input("A trip")
    next(t for t in at.text_input if t.label.startswith("Published")).input("2021-09-14")
    next(b for b in at.button if b.label == "Analyse").click().run(timeout=MODEL_TIMEOUT)
    assert not at.exception, [e.value for e in at.exception]
    next(b for b in at.button if b.label == "Add to the story").click().run(timeout=MODEL_TIMEOUT)
    assert at.success, [e.value for e in at.error]
    with Store(store_url) as store:
        assert store.counts()["articles"] == 4


def test_a_new_password_ends_old_grants(store_url: str, tmp_path: Path) -> None:
    at = _app("pages/add.py", secrets=_password(tmp_path))
    _unlock(at, PASSWORD)
    assert _writing_widgets(at)
    at.secrets["geostory"] = {"editor_password_hash": access.hash_password(PASSWORD, iterations=2_000)}
    at.run()  # same password, new hash: the grant was for the old credential
    assert _writing_widgets(at) == []


def test_too_many_wrong_passwords_hold_the_form(store_url: str, tmp_path: Path) -> None:
    at = _app("pages/add.py", secrets=_password(tmp_path))
    free = ui.editor_throttle().free
    for i in range(free):
        _unlock(at, f"guess number {i}")
    assert any("Too many tries" in e.value for e in at.error)
    at.run()
    assert any("Too many wrong passwords" in w.value for w in at.warning)
    assert next(b for b in at.button if b.label == "Unlock editing").disabled
    # A fresh session from the same client is held too (the count is per client, not per tab).
    other = _app("pages/add.py", secrets=_password(tmp_path))
    assert next(b for b in other.button if b.label == "Unlock editing").disabled
    assert _writing_widgets(other) == []
    # A client that submits anyway (made here by clearing the flag AppTest checks): nothing is
    # unlocked. Streamlit drops a click on a widget it drew disabled, and the form is not read
    # while the wait lasts.
    next(t for t in other.text_input if t.label == "Editor password").input(PASSWORD)
    held = next(b for b in other.button if b.label == "Unlock editing")
    held.proto.disabled = False
    held.click().run()
    assert _writing_widgets(other) == [] and any("Too many wrong passwords" in w.value for w in other.warning)
    # Once the wait is over, the right password works again.
    throttle = ui.editor_throttle()
    real_clock = throttle.clock
    throttle.clock = lambda: real_clock() + throttle.max_delay + 1
    try:
        at.run()
        _unlock(at, PASSWORD)
        assert "text_area:Article text" in _writing_widgets(at)
    finally:
        throttle.clock = real_clock


def test_a_malformed_credential_stops_the_pages_without_showing_it(store_url: str) -> None:
    broken = HASHED[:-5]  # a truncated paste
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["geostory"] = {"editor_password_hash": broken}
    at.run()
    at.switch_page("pages/add.py").run()
    assert not at.exception
    assert at.error and "GEOSTORY_EDITOR_PASSWORD_HASH" in _plain(at.error[0].value)
    assert broken not in _text(at) and broken.split("$")[3] not in _text(at)
    assert _writing_widgets(at) == []  # fails closed


# -- read-only, and the write's own check --------------------------------------------


@pytest.mark.parametrize("page", ["pages/add.py", "pages/review.py"])
def test_read_only_locks_editing_for_everyone(store_url: str, tmp_path: Path, page: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEOSTORY_READ_ONLY", "true")
    at = _app(page, secrets=_password(tmp_path))
    assert any("read-only" in i.value for i in at.info)
    assert _writing_widgets(at) == []
    assert not any(t.label == "Editor password" for t in at.text_input)  # nothing to unlock


def test_a_write_checks_the_right_again(store_url: str, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The button was drawn while editing was allowed; by the click, the site went read-only."""
    at = _app("pages/review.py", secrets=_password(tmp_path))
    _unlock(at, PASSWORD)
    before = _store_state(store_url)
    monkeypatch.setenv("GEOSTORY_READ_ONLY", "true")
    next(b for b in at.button if b.label == "Use this candidate").click().run()  # its callback runs first
    assert not at.exception
    assert any("nothing was changed" in e.value for e in at.error)
    assert _store_state(store_url) == before
    assert _writing_widgets(at) == []


def test_require_editor_refuses_outside_a_granted_session(store_url: str, tmp_path: Path) -> None:
    """The function the pages call before each write, run in a script of its own."""
    script = tmp_path / "write.py"
    script.write_text(
        "import ui\nfrom geo.access import AccessDenied\nimport streamlit as st\n"
        "try:\n    ui.require_editor()\nexcept AccessDenied as err:\n    st.error(str(err))\n"
        "else:\n    st.success('allowed')\n", encoding="utf-8")
    at = AppTest.from_file(str(script), default_timeout=TIMEOUT)
    at.secrets["geostory"] = {"editor_password_hash": HASHED}
    at.run()
    assert at.error and "nothing was changed" in at.error[0].value
    at.session_state[ui.EDITOR_GRANT] = "forged-tag"
    at.run()
    assert at.error and not at.success


# -- sign-in with an OpenID Connect provider (st.login) -------------------------------


def _oidc(tmp_path: Path, editors: str) -> dict[str, Any]:
    return _secrets(tmp_path, SECRETS_TOML.replace(f'editor_password_hash = "{HASHED}"',
                                                   f"editors = {editors}"))


def test_a_listed_signed_in_user_may_edit(store_url: str, tmp_path: Path) -> None:
    user = {"is_logged_in": True, "email": "Ana@Example.org", "email_verified": True}
    at = _app("pages/review.py", secrets=_oidc(tmp_path, '["ana@example.org"]'), user=user)
    assert "button:Use this candidate" in _writing_widgets(at)
    assert any("Editing unlocked for Ana@Example.org" in _plain(c.value) for c in at.caption)


@pytest.mark.parametrize("user", [
    {"is_logged_in": True, "email": "bob@example.org", "email_verified": True},
    {"is_logged_in": True, "email": "ana@example.org", "email_verified": False},
])
def test_an_unlisted_or_unverified_user_may_not(store_url: str, tmp_path: Path, user: dict[str, Any]) -> None:
    at = _app("pages/add.py", secrets=_oidc(tmp_path, '["ana@example.org"]'), user=user)
    assert _writing_widgets(at) == []
    assert any("Signed in as" in w.value for w in at.warning)
    assert any(b.label == "Sign out" for b in at.button)


def test_signed_out_users_get_the_sign_in_button(store_url: str, tmp_path: Path) -> None:
    at = _app("pages/add.py", secrets=_oidc(tmp_path, '["*"]'), user={"is_logged_in": False})
    assert _writing_widgets(at) == []
    assert any(b.label == "Sign in as an editor" for b in at.button)
    assert not any(t.label == "Editor password" for t in at.text_input)  # no password configured
    next(b for b in at.button if b.label == "Sign in as an editor").click().run()
    # No identity provider is reachable here: a message, not a traceback.
    assert not at.exception
    assert any("cannot start it" in e.value for e in at.error)


def test_an_empty_editors_list_lets_no_signed_in_user_edit(store_url: str, tmp_path: Path) -> None:
    user = {"is_logged_in": True, "email": "ana@example.org", "email_verified": True}
    at = _app("pages/review.py", secrets=_oidc(tmp_path, "[]"), user=user)
    assert _writing_widgets(at) == []


# -- no secret anywhere --------------------------------------------------------------


@pytest.mark.parametrize("where", ["secrets.toml", "environment"])
def test_no_secret_reaches_a_page_a_log_or_an_export(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str], where: str,
) -> None:
    secrets: dict[str, Any] = {}
    if where == "secrets.toml":
        secrets = _secrets(tmp_path, SECRETS_TOML)
        assert secrets["auth"]["client_secret"] == CLIENT_SECRET
    else:
        monkeypatch.setenv("GEOSTORY_EDITOR_PASSWORD_HASH", HASHED)
    forbidden = [PASSWORD, HASHED, HASHED.split("$")[2], HASHED.split("$")[3], CLIENT_SECRET, COOKIE_SECRET]
    # Streamlit's loggers do not propagate to the root: listen to them as well.
    st_logger = logging.getLogger("streamlit")
    st_logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.DEBUG):
            at = _app(secrets=secrets)
            pages_seen = [_text(at)]
            for page in PAGES[1:]:
                at.switch_page(page).run()
                pages_seen.append(_text(at))
            at.switch_page("pages/add.py").run()
            _unlock(at, "not the password at all")
            pages_seen.append(_text(at))
            _unlock(at, PASSWORD)
            assert "text_area:Article text" in _writing_widgets(at)
            for page in PAGES:  # everything again, as an editor
                at.switch_page(page).run()
                assert not at.exception
                pages_seen.append(_text(at))
    finally:
        st_logger.removeHandler(caplog.handler)
    everything = "\n".join(pages_seen)
    # The walk does see the pages: the gate, the unlocked note, the sidebar's link.
    assert all(seen in everything for seen in ("Editors only", "Editing unlocked", "Link to this view"))
    logs = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    assert "wrong editor password" in logs and "editing unlocked" in logs  # the logs were captured
    out, err = capfd.readouterr()
    with Store(store_url) as store:
        frame = events_frame(store.events())
    exports = export_bytes(frame, "csv") + export_bytes(frame, "geojson")
    for secret in forbidden:
        assert secret not in everything, "a secret on a page"
        assert secret not in logs and secret not in out + err, "a secret in a log"
        assert secret.encode() not in exports, "a secret in an export"
    # The typed password is kept nowhere in the session once it unlocked editing.
    assert not any(PASSWORD in repr(v) for _k, v in at.session_state.items())


# -- uploads are bounded in size and type --------------------------------------------


def test_the_upload_limits_are_configured() -> None:
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    server_mb = config["server"]["maxUploadSize"]
    assert 0 < server_mb <= 10
    assert server_mb * 1024 * 1024 >= MAX_ARTICLE_BYTES  # the reader's limit is the tighter one


def test_the_uploader_takes_only_article_types(store_url: str) -> None:
    at = _app("pages/add.py")
    allowed = {t if t.startswith(".") else f".{t}" for t in at.file_uploader[0].allowed_type}
    assert allowed == set(SUPPORTED_SUFFIXES)


def test_an_oversize_upload_is_refused_and_changes_nothing(store_url: str) -> None:
    before = _store_state(store_url)
    at = _app("pages/add.py")
    at.file_uploader[0].set_value(("long.txt", b"News from Northtown. " * (MAX_ARTICLE_BYTES // 20),
                                   "text/plain"))
    next(b for b in at.button if b.label == "Analyse").click().run()
    assert not at.exception
    message = _plain(" ".join(e.value for e in at.error))
    assert "long.txt" in message and "too large" in message and "2 MB" in message
    assert not any(s.value == "What was found" for s in at.subheader)
    assert _store_state(store_url) == before


def test_a_wrong_type_upload_is_refused_and_changes_nothing(store_url: str) -> None:
    """The browser filters by type; a client that skips the filter is stopped on the server.

    Streamlit's own check refuses the file by raising; the page shows only the generic
    notice (client.showErrorDetails = "none"), with no type, message or traceback.
    """
    before = _store_state(store_url)
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / "add.py"), default_timeout=TIMEOUT).run()
    at.file_uploader[0].set_value(("tool.exe", b"MZ\x90\x00" * 64, "application/octet-stream"))
    next(b for b in at.button if b.label == "Analyse").click().run()
    assert at.exception and all("redacted" in e.value and not e.stack_trace and not e.proto.type
                                for e in at.exception)
    assert not any(s.value == "What was found" for s in at.subheader)
    assert _store_state(store_url) == before


# -- the real server, a real secrets.toml, a real browser ----------------------------


# `streamlit run` with every logger of the process at DEBUG (ours, SQLAlchemy's, Streamlit's), to stderr.
VERBOSE_STREAMLIT = ("import logging, sys; logging.basicConfig(level=logging.DEBUG); "
                     "from streamlit.web.cli import main; sys.exit(main())")


@contextmanager
def _server(tmp_path: Path, db_url: str, secrets_file: Path) -> Iterator[tuple[str, Path]]:
    """`streamlit run app.py` reading its secrets from ``secrets_file``; yields (base URL, log path)."""
    from tests.browser_support import streamlit_server

    log_path = tmp_path / "streamlit.log"
    env = {"GEOSTORY_DB_URL": db_url, "GEOSTORY_DEMO": "false"}
    # The most talkative log: a secret would show up there.
    args = ("--secrets.files", str(secrets_file), "--logger.level", "debug")
    with streamlit_server(env, log_path, launcher=("-c", VERBOSE_STREAMLIT), drop_env=ACCESS_ENV,
                          extra_args=args) as base:
        yield base, log_path


@pytest.mark.browser
def test_the_real_server_gates_editing_and_leaks_nothing(store_url: str, tmp_path: Path) -> None:
    """secrets.toml -> st.secrets -> Settings on a real server; uploads refused by the browser."""
    from tests.browser_support import CHROMIUM, FLAGS, need_browser, settle

    need_browser()
    from playwright.sync_api import sync_playwright

    secrets_file = tmp_path / "conf" / "secrets.toml"
    secrets_file.parent.mkdir()
    secrets_file.write_text(SECRETS_TOML, encoding="utf-8")
    forbidden = [PASSWORD, HASHED, HASHED.split("$")[2], HASHED.split("$")[3], CLIENT_SECRET, COOKIE_SECRET]
    before = _store_state(store_url)
    received: list[bytes] = []  # everything the server sent the browser over the websocket
    pages: list[str] = []
    exports: list[bytes] = []
    exe, big = tmp_path / "tool.exe", tmp_path / "long.txt"
    exe.write_bytes(b"MZ\x90\x00" * 64)
    big.write_bytes(b"News from Northtown. " * (11 * 1024 * 1024 // 21 + 1))  # over the 10 MB limit
    with _server(tmp_path, store_url, secrets_file) as (base, log_path), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            tab = browser.new_context(accept_downloads=True).new_page()
            tab.on("websocket", lambda ws: ws.on(
                "framereceived", lambda f: received.append(f if isinstance(f, bytes) else f.encode())))
            tab.goto(f"{base}/add", timeout=60_000)
            tab.wait_for_selector("h1:has-text('Add articles')", timeout=60_000)
            settle(tab)
            main = tab.locator("[data-testid='stMain']")
            assert "Editors only" in main.inner_text()
            assert tab.locator("textarea").count() == 0 and tab.locator("input[type=file]").count() == 0
            pages.append(tab.content())
            tab.get_by_label("Editor password").fill("a wrong guess")
            tab.get_by_role("button", name="Unlock editing").click()
            settle(tab)
            assert "Wrong password" in main.inner_text()
            assert tab.get_by_label("Editor password").input_value() == ""  # the form forgets what was typed
            pages.append(tab.content())
            tab.get_by_label("Editor password").fill(PASSWORD)
            tab.get_by_role("button", name="Unlock editing").click()
            settle(tab)
            tab.wait_for_selector("textarea", timeout=20_000)
            assert "Editing unlocked for this session" in main.inner_text()
            pages.append(tab.content())
            # Uploads: the browser refuses a wrong type and a file over the widget's limit.
            uploader = tab.locator("[data-testid='stFileUploader']")
            uploader.locator("input[type=file]").set_input_files(str(exe))
            tab.wait_for_selector("text=files are not allowed", timeout=20_000)
            uploader.locator("input[type=file]").set_input_files(str(big))
            limit_mb = MAX_ARTICLE_BYTES // (1024 * 1024)
            tab.wait_for_selector(f"text=File must be {limit_mb}.0MB or smaller", timeout=20_000)
            tab.get_by_role("button", name="Analyse").click()
            settle(tab)
            assert "Paste some text or choose a file first" in main.inner_text()  # nothing reached the page
            pages.append(tab.content())
            # The exports, as a visitor downloads them.
            tab.goto(f"{base}/sources", timeout=60_000)
            tab.wait_for_selector("h1:has-text('Sources & data')", timeout=60_000)
            settle(tab)
            for label in ("Download CSV", "Download GeoJSON"):
                with tab.expect_download() as download:
                    tab.get_by_role("button", name=label).click()
                exports.append(Path(download.value.path()).read_bytes())
            pages.append(tab.content())
        finally:
            browser.close()
    log = log_path.read_text(encoding="utf-8", errors="replace")
    assert "wrong editor password" in log and "editing unlocked" in log  # our records reach this log
    assert all(b"Northtown" in data for data in exports)
    assert received and _store_state(store_url) == before
    for secret in forbidden:
        assert not any(secret in html for html in pages), "a secret in the page"
        assert not any(secret.encode() in frame for frame in received), "a secret sent to the browser"
        assert secret not in log, "a secret in the server log"
        assert not any(secret.encode() in data for data in exports), "a secret in an export"

