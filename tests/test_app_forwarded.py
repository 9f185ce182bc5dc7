"""Forged X-Forwarded-For against the wrong-password throttle, on a real server (issue 10, item 8).

Streamlit's server (uvicorn) replaces a loopback peer's address with the one its
X-Forwarded-For names, so a client on this machine could once name a new address
per try and never be held. Each try here is made in a new browser session (a new
websocket) from loopback with a new forged address; the secrets.toml is written to
a temp dir and the store is the hand-made one of tests/test_app_access.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from geo import access
from tests.test_app_access import HASHED, PASSWORD, _server, store_url

__all__ = ["store_url"]  # the fixture, used by name


def _forging_tab(browser: Any, base: str, claimed: str | None) -> Any:
    """Add articles in a new browser context (a new websocket session), sending ``claimed`` as
    its X-Forwarded-For; uvicorn believes it from loopback, as it would a local proxy's."""
    from tests.browser_support import settle

    headers = {"X-Forwarded-For": claimed} if claimed else {}
    tab = browser.new_context(extra_http_headers=headers).new_page()
    tab.goto(f"{base}/add", timeout=60_000)
    tab.wait_for_selector("text=Editors only", timeout=60_000)
    settle(tab)
    return tab


def _try_password(tab: Any, password: str) -> str:
    """Type ``password`` and submit it (the button, or Enter if the button is disabled)."""
    from tests.browser_support import settle

    tab.get_by_label("Editor password").fill(password)
    button = tab.get_by_role("button", name="Unlock editing")
    if button.is_enabled():
        button.click()
    else:
        tab.get_by_label("Editor password").press("Enter")
    settle(tab)
    return str(tab.locator("[data-testid='stMain']").inner_text())


def _held(tab: Any) -> bool:
    text = tab.locator("[data-testid='stMain']").inner_text()
    button = tab.get_by_role("button", name="Unlock editing")
    return "Too many wrong passwords" in text and button.is_disabled()


@pytest.mark.browser
@pytest.mark.parametrize("scenario", ["new address per session", "the real client locked first",
                                      "behind a trusted proxy"])
def test_a_forged_forwarded_for_buys_no_fresh_tries(store_url: str, tmp_path: Path, scenario: str) -> None:
    """Each try in a new browser session with a new X-Forwarded-For, from loopback, on a real server."""
    from tests.browser_support import CHROMIUM, FLAGS, need_browser

    need_browser()
    from playwright.sync_api import sync_playwright

    secrets_file = tmp_path / "conf" / "secrets.toml"
    secrets_file.parent.mkdir()
    trusted = scenario == "behind a trusted proxy"
    secrets_file.write_text(f'[geostory]\neditor_password_hash = "{HASHED}"\n'
                            f"trusted_proxy = {str(trusted).lower()}\n", encoding="utf-8")
    free = access.Throttle().free
    with _server(tmp_path, store_url, secrets_file) as (base, log_path), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            if scenario == "the real client locked first":
                # The report: the real client (no header) is locked out, then the right
                # password arrives from a forged address.
                real = _forging_tab(browser, base, None)
                for i in range(free):
                    assert "Wrong password" in _try_password(real, f"guess number {i}")
                assert "Too many tries" in real.locator("[data-testid='stMain']").inner_text()
                assert _held(_forging_tab(browser, base, None))  # a new session of the real client
                forged = _forging_tab(browser, base, "203.0.113.200")
                assert _held(forged)
                _try_password(forged, PASSWORD)
                assert _held(forged) and forged.locator("textarea").count() == 0
            else:
                for i in range(free):
                    tab = _forging_tab(browser, base, f"203.0.113.{i + 1}")
                    assert not _held(tab)
                    assert "Wrong password" in _try_password(tab, f"guess number {i}")
                    tab.context.close()
                fresh = _forging_tab(browser, base, "203.0.113.100")
                if trusted:  # a proxy we trust names the client: another client is not held up
                    assert not _held(fresh)
                    _try_password(fresh, PASSWORD)
                    fresh.wait_for_selector("textarea", timeout=20_000)
                else:
                    assert _held(fresh)
                    _try_password(fresh, PASSWORD)  # the right password, from yet another address
                    assert _held(fresh) and fresh.locator("textarea").count() == 0
        finally:
            browser.close()
    log = log_path.read_text(encoding="utf-8", errors="replace")
    assert "editing unlocked" in log if trusted else "editing unlocked" not in log
    if trusted:  # the address the proxy names is the key
        assert "wrong editor password from address 203.0.113.1 / session" in log
        return
    # The forged addresses reached the server, and none became a key of its own.
    assert "wrong editor password from address 203.0.113" not in log
    if scenario == "new address per session":
        assert f"wrong editor password from address {access.UNVERIFIED_CLIENT} / address local" in log
