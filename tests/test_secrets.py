"""No secret in any message, and no traceback for viewers (issue 10, item 9).

Each way a database URL with a password can fail (a host that does not exist, a port
nobody listens on, a wrong password, a driver that is not installed, a database that does
not exist, a malformed URL) is tried through ``Store(...)``, the command line (``events``
and ``backup``, with ``--db`` and with ``GEOSTORY_DB_URL``), the page (AppTest) and a real
server start; the password is looked for in the message, stdout, stderr, every log record,
the page and what the server sent the browser. Each case also checks that the reported
reason is the expected one, so that the path under test is the one taken.

The wrong password and the missing database need a real PostgreSQL (tests/pg_support.py).
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.config import PROJECT_ROOT, Settings, load_settings, secret_values
from geo.errors import ConfigError, GeoError
from geo.redact import HIDDEN
from geo.store import Store
from tests.browser_support import free_port
from tests.dashboard_events import app_store
from tests.pg_support import need_postgres
from tests.test_app_access import ACCESS_ENV, APP, TIMEOUT, _text

LEAK = "Sw0rdf1sh-leak-7c1e"  # a password no server here has: wherever it shows up, it leaked
CASES = ["bad host", "nothing listening", "wrong password", "missing driver", "missing database",
         "malformed URL", "unencoded slash"]
PG_CASES = {"wrong password", "missing database"}
SHORT_MESSAGE = "The event store cannot be opened. The server log says why."


@dataclass(frozen=True)
class Case:
    url: str
    secret: str  # the password in the URL
    reason: str  # words of the real problem, which the message or the log must give


def make_case(name: str) -> Case:
    """The URL for a failure; the PostgreSQL ones skip without a test cluster (fail under CI)."""
    if name in PG_CASES:
        real = need_postgres()
        if name == "wrong password":
            return Case(real.set(password=LEAK).render_as_string(hide_password=False), LEAK,
                        "password authentication failed")
        return Case(real.set(database="geostory_missing").render_as_string(hide_password=False),
                    str(real.password), 'database "geostory_missing" does not exist')
    if name == "bad host":  # .invalid never resolves (RFC 6761)
        return Case(f"postgresql+psycopg://geo:{LEAK}@no-such-host.invalid:5432/geostory", LEAK,
                    "no-such-host.invalid")
    if name == "nothing listening":
        return Case(f"postgresql+psycopg://geo:{LEAK}@127.0.0.1:{free_port()}/geostory", LEAK, "refused")
    if name == "missing driver":
        assert importlib.util.find_spec("pymysql") is None, "this case needs PyMySQL not to be installed"
        return Case(f"mysql+pymysql://root:{LEAK}@127.0.0.1/geostory", LEAK, "No module named 'pymysql'")
    if name == "malformed URL":  # a port that is not a number
        return Case(f"postgresql+psycopg://geo:{LEAK}@@db.example.org:port/geostory", LEAK,
                    "invalid literal for int()")
    if name == "unencoded slash":  # SQLAlchemy reads "Sw0rdf1sh-leak-7c1e/x" as the password
        return Case(f"postgresql+psycopg://geo:{LEAK}/x@no-such-host.invalid/geostory", LEAK,
                    "no-such-host.invalid")
    raise AssertionError(name)


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every record at DEBUG, Streamlit's too (its loggers do not propagate to the root)."""
    st_logger = logging.getLogger("streamlit")
    st_logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.DEBUG):
            yield caplog
    finally:
        st_logger.removeHandler(caplog.handler)


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    """The records as a handler writes them, tracebacks included."""
    return "\n".join(caplog.handler.format(r) for r in caplog.records)


# -- Store(...) ----------------------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
def test_the_store_names_no_password(name: str, all_logs: pytest.LogCaptureFixture) -> None:
    case = make_case(name)
    with pytest.raises(GeoError) as caught:
        Store(case.url)
    message = str(caught.value)
    assert case.reason in message
    assert case.secret not in message
    assert case.secret not in _logged(all_logs)


def test_the_test_cluster_itself_opens() -> None:
    """The control for the PostgreSQL cases: with its own password, the same server works."""
    real = need_postgres()
    with Store(real.render_as_string(hide_password=False)) as store:
        assert store.counts() is not None
        assert str(real.password) not in repr(store)


# -- the command line ----------------------------------------------------------------


def _cli(*args: str, db_env: str | None = None, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOSTORY_") or k == "GEOSTORY_CACHE_DIR"}
    if db_env is not None:
        env["GEOSTORY_DB_URL"] = db_env
    return subprocess.run([sys.executable, "-m", "geo", "-v", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.mark.parametrize("name", CASES)
def test_the_command_line_names_no_password(name: str, tmp_path: Path) -> None:
    case = make_case(name)
    runs = {
        "events --db": _cli("events", "--db", case.url, "--format", "csv", cwd=PROJECT_ROOT),
        "events, GEOSTORY_DB_URL": _cli("events", "--format", "csv", db_env=case.url, cwd=PROJECT_ROOT),
        "backup --db": _cli("backup", str(tmp_path / "copy.sqlite"), "--db", case.url, cwd=PROJECT_ROOT),
    }
    for what, run in runs.items():
        said = run.stdout + run.stderr
        assert run.returncode == 2, (what, said)  # our error, not a crash
        assert said.startswith("error: ") or "\nerror: " in said, (what, said)
        assert case.secret not in said, what
    assert case.reason in runs["events --db"].stderr
    assert not (tmp_path / "copy.sqlite").exists()


def test_an_unexpected_error_on_the_command_line_is_masked_too(tmp_path: Path) -> None:
    """Not a GeoError: the traceback still goes out, through the masking log handler."""
    script = tmp_path / "boom.py"
    script.write_text(
        "import sys\nfrom geo import cli\n"
        "def boom(args):\n    raise RuntimeError('driver echoed ' + args.db)\n"
        "parser = cli.build_parser\n"
        "def patched():\n    p = parser()\n"
        "    for action in p._subparsers._group_actions[0].choices.values():\n"
        "        action.set_defaults(func=boom)\n    return p\n"
        "cli.build_parser = patched\nsys.exit(cli.main(sys.argv[1:]))\n", encoding="utf-8")
    url = f"postgresql+psycopg://geo:{LEAK}@db.example.org/geostory"
    run = subprocess.run([sys.executable, str(script), "events", "--db", url, "--format", "csv"],
                         cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=False,
                         env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    assert run.returncode == 1
    assert "Traceback" in run.stderr and "RuntimeError: driver echoed" in run.stderr
    assert LEAK not in run.stderr + run.stdout and HIDDEN in run.stderr


# -- the page ------------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (*ACCESS_ENV, "GEOSTORY_DB_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GEOSTORY_DEMO", "false")
    monkeypatch.syspath_prepend(str(PROJECT_ROOT))


@pytest.mark.parametrize("name", CASES)
def test_the_page_says_little_and_the_log_says_why(name: str, clean_env: None,
                                                   all_logs: pytest.LogCaptureFixture,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    case = make_case(name)
    monkeypatch.setenv("GEOSTORY_DB_URL", case.url)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert [e.value for e in at.error] == [SHORT_MESSAGE]
    page = _text(at)
    logged = _logged(all_logs)
    assert "cannot be opened" in logged and case.reason in logged  # the details went to the log
    for where in (page, logged):
        assert case.secret not in where
    # Nor the URL's other parts, the driver's name or the server's paths.
    for detail in ("no-such-host", "127.0.0.1", "db.example.org", "pymysql", "psycopg", str(PROJECT_ROOT)):
        assert detail not in page, detail


# -- a real server -------------------------------------------------------------------


def _visit(base: str, path: str, wait_for: str) -> tuple[str, list[bytes]]:
    """Open ``base/path`` in Chromium until ``wait_for`` shows; (page HTML, websocket frames received)."""
    from playwright.sync_api import sync_playwright

    from tests.browser_support import CHROMIUM, FLAGS, settle

    received: list[bytes] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            tab = browser.new_page()
            tab.on("websocket", lambda ws: ws.on(
                "framereceived", lambda f: received.append(f if isinstance(f, bytes) else f.encode())))
            tab.goto(f"{base}/{path}", timeout=60_000)
            tab.wait_for_selector(f"text={wait_for}", timeout=60_000)
            settle(tab)
            return tab.content(), received
        finally:
            browser.close()


@pytest.mark.browser
@pytest.mark.parametrize("name", CASES)
def test_a_real_server_shows_and_logs_no_password(name: str, tmp_path: Path) -> None:
    """`streamlit run` as deployed (no logging set up: our records reach logging.lastResort)."""
    from tests.browser_support import need_browser, streamlit_server

    need_browser()
    case = make_case(name)
    log_path = tmp_path / "server.log"
    env = {"GEOSTORY_DB_URL": case.url, "GEOSTORY_DEMO": "false"}
    with streamlit_server(env, log_path, drop_env=ACCESS_ENV) as base:
        page, frames = _visit(base, "", "cannot be opened")
    log = log_path.read_text(encoding="utf-8", errors="replace")
    assert "cannot be opened" in log and case.reason in log
    assert case.secret not in page and case.secret not in log
    assert not any(case.secret.encode() in frame for frame in frames)


@pytest.mark.browser
def test_an_uncaught_error_shows_viewers_no_traceback(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The store breaks under a running server (its events table gone): the next query fails,
    uncaught. The viewer gets Streamlit's generic notice; the traceback is in the server log."""
    from tests.browser_support import need_browser, streamlit_server

    need_browser()
    url = app_store(tmp_path, monkeypatch)
    env = {"GEOSTORY_DB_URL": url, "GEOSTORY_DEMO": "false", "GEOSTORY_GEOCODER_API_KEY": LEAK}
    log_path = tmp_path / "server.log"
    with streamlit_server(env, log_path, drop_env=ACCESS_ENV) as base:
        _visit(base, "", "events shown")  # the store is open, and cached, in the server
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.execute("ALTER TABLE events RENAME TO events_gone")
        # A filter no earlier query used: the server has to ask the broken store.
        page, frames = _visit(base, "?actor=Alpha+Person", "This app has encountered an error")
    log = log_path.read_text(encoding="utf-8", errors="replace")
    assert "Uncaught app execution" in log and "Traceback (most recent call last)" in log
    assert "no such table: events" in log  # the details are on the server
    sent = "\n".join(frame.decode("utf-8", "replace") for frame in frames)
    for detail in ("Traceback", "no such table", "StoreError", "events_gone", '.py", line'):
        assert detail not in page and detail not in sent, detail
    # Streamlit's session message itself names the script's path (main_script_path), whatever
    # the settings: what the viewer sees must not.
    assert str(PROJECT_ROOT) not in page
    assert LEAK not in log and LEAK not in page + sent


# -- the secrets the filter is given --------------------------------------------------


def test_every_configured_secret_is_collected_even_when_the_settings_do_not_load() -> None:
    hashed = "pbkdf2_sha256$1000$c2FsdHNhbHRzYWx0$" + "A" * 40  # truncated: load_settings refuses it
    env = {"GEOSTORY_DB_URL": f"postgresql+psycopg://geo:{LEAK}@db/geostory",
           "GEOSTORY_GEOCODER_API_KEY": "api-key-0123", "GEOSTORY_EDITOR_PASSWORD_HASH": hashed}
    secrets = {"geostory": {"editor_password": "plain-password-4567", "db_url": "sqlite:///x.sqlite"}}
    with pytest.raises(ConfigError):
        load_settings(env=env, secrets=secrets)
    found = set(secret_values(env=env, secrets=secrets))
    assert {LEAK, "api-key-0123", hashed, "c2FsdHNhbHRzYWx0", "A" * 40, "plain-password-4567"} <= found
    assert "1000" not in found and "pbkdf2_sha256" not in found  # the hash's public parts
    assert secret_values(env={}, secrets=None) == ()


def test_settings_repr_hides_the_database_password() -> None:
    settings = Settings(db_url=f"postgresql+psycopg://geo:{LEAK}@db/geostory")
    assert LEAK not in repr(settings) and "geo:***@db/geostory" in repr(settings)
