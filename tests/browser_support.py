"""Helpers for browser tests: a Streamlit server, Chromium's flags, a canary host, DOM watchers.

Every module that starts a real server or browser (test_browser, test_browser_hostile,
test_app_access) takes them from here.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.error import URLError

import pytest

from geo.config import PROJECT_ROOT

CHROMIUM = Path(os.environ.get("GEOSTORY_CHROMIUM", "/usr/bin/chromium"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
START_TIMEOUT = 60
# Another loopback address: a request there is one the page did not mean to make.
CANARY_HOST = "127.0.0.2"


def need_browser() -> None:
    """Skip without Chromium or Playwright, except under CI, where the browser tests must run."""
    if CHROMIUM.exists():
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError as err:
            if os.environ.get("CI") == "true":
                raise
            pytest.skip(f"playwright is not installed ({err})")
        return
    message = f"Chromium not found at {CHROMIUM} (Debian package `chromium`)"
    if os.environ.get("CI") == "true":
        pytest.fail(message + "; under CI the browser test must run")
    pytest.skip(message)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@contextmanager
def streamlit_server(env: dict[str, str], log_path: Path, *, launcher: Sequence[str] = ("-m", "streamlit"),
                     extra_args: Sequence[str] = (), drop_env: Collection[str] = ()) -> Iterator[str]:
    """``streamlit run app.py`` on 127.0.0.1 with ``env`` added; yields the base URL.

    ``launcher``: what follows the interpreter (``-c CODE`` to configure logging first);
    ``drop_env``: variables of this process the server must not inherit.
    """
    port = free_port()
    log = log_path.open("w")
    inherited = {k: v for k, v in os.environ.items() if k not in drop_env}
    proc = subprocess.Popen(
        [sys.executable, *launcher, "run", "app.py", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", *extra_args],
        cwd=PROJECT_ROOT, env={**inherited, **env}, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except (URLError, OSError):
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start; see {log_path}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def settle(tab: Any, timeout: float = 60_000) -> None:
    """Wait until the script run is over (Streamlit's status widget gone)."""
    tab.wait_for_selector("[data-testid='stApp']", timeout=timeout)
    tab.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout)
    tab.wait_for_timeout(300)


# -- the canary: records every request that reaches it ---------------------------------------


class _CanaryHandler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer

    def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:
        self.server.hits.append(self.path)  # type: ignore[attr-defined]
        body = b"canary"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def canary() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on another loopback address; yields (base URL, paths requested)."""
    server = ThreadingHTTPServer((CANARY_HOST, 0), _CanaryHandler)
    server.daemon_threads = True
    server.hits = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://{CANARY_HOST}:{server.server_address[1]}", server.hits  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# -- watching a page -------------------------------------------------------------------------

# Installed before any page script: records every element that enters the DOM (or changes an
# attribute) carrying an inline event handler, a script/javascript:/data:text/html address, or
# one of the test's markers. React never writes on* attributes, so any is injected.
WATCH_SCRIPT = """
(() => {
  const markers = %(markers)s;
  const seen = [];
  window.__hostile = seen;
  const URL_ATTRS = ["src", "href", "srcset", "action", "formaction", "data", "poster", "xlink:href",
                     "background"];
  function check(el) {
    if (!el || el.nodeType !== 1) return;
    for (const attr of Array.from(el.attributes || [])) {
      const name = attr.name.toLowerCase();
      const value = String(attr.value || "");
      const low = value.trim().toLowerCase();
      const where = el.tagName + " " + name + "=" + value.slice(0, 120);
      if (name.startsWith("on")) seen.push("handler: " + where);
      if (URL_ATTRS.includes(name)) {
        const script = /^(javascript|vbscript):/.test(low) || low.startsWith("data:text/html");
        if (script) seen.push("url: " + where);
        if (markers.some((m) => low.includes(m))) seen.push("marker: " + where);
      }
    }
    if (el.tagName === "SCRIPT" && !el.src && /alert\\(/.test(el.textContent || "")) {
      seen.push("inline script: " + (el.textContent || "").slice(0, 120));
    }
  }
  function walk(node) {
    check(node);
    if (node.querySelectorAll) for (const el of node.querySelectorAll("*")) check(el);
  }
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "attributes") check(r.target);
      for (const n of r.addedNodes || []) walk(n);
    }
  }).observe(document, {subtree: true, childList: true, attributes: true});
})();
"""

# Every href in the page (main document and same-origin frames) as "tag url", resolved.
LINKS_SCRIPT = """
() => {
  const out = [];
  const docs = [document];
  for (const f of document.querySelectorAll("iframe")) {
    try { if (f.contentDocument) docs.push(f.contentDocument); } catch (e) {}
  }
  for (const d of docs) {
    for (const el of d.querySelectorAll("[*|href]")) {
      const v = el.getAttribute("href") || el.getAttribute("xlink:href") || "";
      let url = v;
      try { url = new URL(v, d.baseURI).href; } catch (e) {}
      out.push(el.tagName.toLowerCase() + " " + url);
    }
  }
  return out;
}
"""


@dataclass
class Watch:
    """What a browser context did that it should not have."""

    base: str
    dialogs: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def on_request(self, request: Any) -> None:
        url = request.url
        # data: and blob: are the page's own resources; any host but the app's is a leak.
        if not url.startswith((self.base + "/", "data:", "blob:")) and url != self.base:
            self.outside.append(url)

    def on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()


def watched_context(browser: Any, base: str, markers: list[str]) -> tuple[Any, Watch]:
    """A new browser context with the DOM watcher installed and requests and dialogs recorded."""
    import json

    context = browser.new_context(viewport={"width": 1400, "height": 900})
    watch = Watch(base)
    context.on("request", watch.on_request)
    context.on("dialog", watch.on_dialog)
    context.add_init_script(WATCH_SCRIPT % {"markers": json.dumps([m.lower() for m in markers])})
    return context, watch


def injected(tab: Any) -> list[str]:
    """What the DOM watcher saw in this page so far."""
    return list(tab.evaluate("() => window.__hostile || []"))


def links(tab: Any) -> list[str]:
    return list(tab.evaluate(LINKS_SCRIPT))
