"""Issue 10, item 12 (display side): controls stored in names, titles and sources show as marks.

New text loses them at the door; a store filled before that, or restored or imported, may still
hold a right-to-left override or an escape sequence. Every page shows them as harmless marks
(geo.cards.visible): never raw, never dropped silently. The store is written directly, as an old
store or an import would hold it.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.config import PROJECT_ROOT
from geo.models import Actor, Article
from geo.store import Store
from tests.dashboard_events import _event, app_store

APP = str(PROJECT_ROOT / "app.py")
RLO, ESC = "\u202e", "\x1b"
ACTOR = f"Omar{RLO}ilahaH"
PLACE = f"North{ESC}[31mtown"
RAW = (RLO, ESC)


@pytest.fixture
def hostile_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = app_store(tmp_path, monkeypatch)
    text = f"{ACTOR} arrived in {PLACE} on Monday."
    article = Article(text=text, title=f"Report{RLO}txt.exe", published=date(2021, 8, 20),
                      source=f"Wire{ESC}[2J", url="https://example.org/x", origin=f"upload:a{ESC}b.txt")
    event = _event(article, text, PLACE, date(2021, 8, 20), 20.0, 30.0, country="AA", actors=(ACTOR,))
    with Store(url) as store:
        store.add_article(article, [event], [Actor(ACTOR, "person")])
    return url


def _texts(at: AppTest) -> str:
    """Every string the pages sent: markdown, captions, table cells, options, deck JSON."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [c.value for c in at.sidebar.caption]
    for frame in at.dataframe:
        parts += [str(v) for v in frame.value.to_numpy().ravel()]
    for box in [*at.multiselect, *at.selectbox]:
        parts += [str(o) for o in box.options]
    # JSON escapes non-ASCII ("\\u202e"): decoded, so that a raw control would be seen.
    parts += [json.dumps(json.loads(chart.proto.json), ensure_ascii=False)
              for chart in at.get("deck_gl_json_chart")]
    return "\n".join(parts)


@pytest.mark.parametrize("page", ["pages/map.py", "pages/timeline.py", "pages/actors.py", "pages/sources.py"])
def test_pages_show_stored_controls_as_marks(hostile_store: str, page: str) -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["actor"] = ACTOR
    at.run()
    if page != "pages/map.py":
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = _texts(at)
    assert not any(c in shown for c in RAW), page
    # The names are still there, with marks where the controls were.
    assert "Omar‹U+202E›ilahaH" in shown
    if page == "pages/map.py":
        assert "North␛[31mtown" in shown
    if page == "pages/sources.py":
        assert "Report‹U+202E›txt.exe" in shown and "Wire␛[2J" in shown
