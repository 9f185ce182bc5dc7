"""Messages shown through Markdown are plain text: no maths, markup or links (issue 10, item 14).

A malformed hash setting's message quotes the expected form,
``pbkdf2_sha256$iterations$salt$hash``; unescaped, Streamlit's Markdown read
``$iterations$`` as maths and the reader saw an italic formula. A settings value
that looks like a Markdown link must not become one either. Checked under AppTest
(the Markdown sent) and in Chromium (what the page draws).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_app_access import ACCESS_ENV, APP, TIMEOUT, _plain, _server, store_url

__all__ = ["store_url"]  # the fixture, used by name

EXPECTED_FORM = "pbkdf2_sha256$iterations$salt$hash"
BAD_HASH = "pbkdf2_sha256$600000$c2FsdA$"  # no digest
LINKED_EDITOR = "[x](javascript:alert(1))"
_UNESCAPED = re.compile(r"(?<!\\)[$*_\[\]<`]")  # a Markdown (or maths) character left active


@pytest.mark.parametrize(("variable", "value", "shown"), [
    ("GEOSTORY_EDITOR_PASSWORD_HASH", BAD_HASH, EXPECTED_FORM),
    ("GEOSTORY_EDITORS", LINKED_EDITOR, LINKED_EDITOR),
])
def test_a_configuration_message_is_plain_text(store_url: str, monkeypatch: pytest.MonkeyPatch,
                                              variable: str, value: str, shown: str) -> None:
    monkeypatch.setenv(variable, value)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    [error] = at.error
    assert "Configuration problem" in error.value and variable.replace("_", "\\_") in error.value
    assert shown in _plain(error.value)
    # Every character Markdown or KaTeX would act on is escaped.
    assert not _UNESCAPED.search(error.value.replace("&lt;", "").replace("&gt;", "")), error.value


@pytest.mark.browser
def test_the_page_draws_the_expected_hash_form_as_text(store_url: str, tmp_path: Path) -> None:
    from tests.browser_support import CHROMIUM, FLAGS, need_browser, settle

    need_browser()
    from playwright.sync_api import sync_playwright

    secrets_file = tmp_path / "conf" / "secrets.toml"
    secrets_file.parent.mkdir()
    secrets_file.write_text(f'[geostory]\neditor_password_hash = "{BAD_HASH}"\n', encoding="utf-8")
    assert "GEOSTORY_EDITOR_PASSWORD_HASH" in ACCESS_ENV  # the shell's own setting is dropped
    with _server(tmp_path, store_url, secrets_file) as (base, _log), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            tab = browser.new_page()
            tab.goto(base, timeout=60_000)
            tab.wait_for_selector("text=Configuration problem", timeout=60_000)
            settle(tab)
            alert = tab.locator("[data-testid='stAlertContainer']").first
            text = alert.inner_text()
            assert EXPECTED_FORM in text
            assert alert.locator(".katex, math, em, a").count() == 0  # no maths, italics or link
        finally:
            browser.close()
