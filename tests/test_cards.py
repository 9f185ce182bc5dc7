"""Event cards: escaped for HTML and Markdown, links only when http(s)."""

from __future__ import annotations

import html
import random
import re
import string
from dataclasses import replace

import pytest

from geo.cards import (
    WORD_JOINER,
    build_card,
    highlighted_sentence,
    md_escape,
    safe_url,
    visible,
    visible_frame,
)
from tests.dashboard_events import XSS, story


@pytest.mark.parametrize("payload", [XSS, "**bold** _it_ `code` # head", ":red[x] $E=mc^2$ ![i](http://x.org/i.png)"])
def test_md_escape_leaves_no_live_markup(payload: str) -> None:
    out = md_escape(payload)
    assert "<" not in out and ">" not in out
    # Every Markdown-active character is backslash-escaped.
    assert re.search(r"(?<!\\)[*_`\[\]$:!#]", out) is None, out


@pytest.mark.parametrize(
    ("url", "expected"),
    [("https://example.org/a?b=1", "https://example.org/a?b=1"), ("http://x.org", "http://x.org"),
     ("javascript:alert(1)", None), ("data:text/html,<b>", None), ("https://x.org/a b", None),
     ("//x.org", None), ("", None), ("https://" + "a" * 3000 + ".org", None)],
)
def test_safe_url(url: str, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_card_highlights_place_and_escapes_everything() -> None:
    article, events, _ = story()[1]
    card = build_card(events[0], article)
    assert "**Easton**" in card.sentence_md
    assert "<img" not in card.sentence_md and "<script" not in card.title_md
    assert "&lt;img" in card.title_md
    assert card.url is None  # the article's javascript: link is dropped


def test_card_lists_candidates_and_marks_the_chosen_one() -> None:
    article, events, _ = story()[2]
    card = build_card(events[0], article)
    assert len(card.candidates) == 2
    assert [c["chosen"] for c in card.candidates] == [True, False]
    assert card.url == "https://example.org/3"
    assert any("0.40" in fact for fact in card.facts_md)


def test_highlight_without_article_text_searches_the_quote() -> None:
    _, events, _ = story()[0]
    shifted = replace(events[0], place_start=10_000, place_end=10_009)
    assert "**Northtown**" in highlighted_sentence(shifted, None)
    assert "**Northtown**" in highlighted_sentence(events[0], story()[0][0].text)


# -- hostile text (issue 5, item 2): what Markdown makes of md_escape's output ----------------

# The GFM autolink-literal patterns of Streamlit's Markdown (mdast-util-gfm-autolink-literal, as
# bundled in Streamlit 1.67). They run on the text *after* escapes are resolved.
_GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)", re.IGNORECASE)
_GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")
HOSTILE = [
    XSS,
    '<script>alert("s")</script> <img src=http://127.0.0.2:9/beacon onerror=alert(1)>',
    "[click](http://evil.example/x) ![pic](http://127.0.0.2:9/md) <http://evil.example/auto>",
    "see http://evil.example/x, HTTPS://EVIL.EXAMPLE and www.evil.example or bob@evil.example",
    "&lt;b&gt;bold&lt;/b&gt; &#x3C;script&#x3E;alert(1)&#x3C;/script&#x3E; &amp; &nbsp;",
    "# Heading\n\n- item\n> quote\n1. one | a | b |\n--- ***",
    "**strong** __strong__ _em_ ~~struck~~ `code` :red[red] :material/home: $x^2$ $$y$$ \\(z\\)",
    "John Carter~~x~~ · Peter Novak`<script> · Omar Haidari&lt;script&gt;alert(1)&lt;/script&gt",
]


def _as_rendered(escaped: str) -> str:
    """The text a Markdown renderer shows for md_escape's output: backslash escapes, then entities."""
    return html.unescape(re.sub(r"\\(.)", r"\1", escaped))


@pytest.mark.parametrize("payload", HOSTILE)
def test_md_escape_shows_the_text_itself(payload: str) -> None:
    out = md_escape(payload)
    assert _as_rendered(out).replace(WORD_JOINER, "") == " ".join(payload.split())
    assert "\n" not in out  # no block structure (headings, lists, quotes, tables)


@pytest.mark.parametrize("payload", HOSTILE)
def test_md_escape_leaves_no_autolink(payload: str) -> None:
    shown = _as_rendered(md_escape(payload))
    assert _GFM_URL.search(shown) is None, shown
    assert _GFM_EMAIL.search(shown) is None, shown


def test_md_escape_autolink_guard_is_invisible_and_narrow() -> None:
    assert md_escape("Kabul, 2021") == "Kabul, 2021"  # ordinary text gains nothing
    assert md_escape("http://x.org").count(WORD_JOINER) == 1
    assert md_escape("a@b.org and www.c.org").count(WORD_JOINER) == 2


# Random text, heavy in the characters Markdown and HTML give meaning to (seeded: repeatable).
_ALPHABET = string.printable + "\u00a0\u2028\u2060\u200b·→é漢😀\x00\x1b\x7f" + "<>&#;:/@.[]()*_`~$!|\\" * 4


def test_md_escape_round_trips_random_text() -> None:
    rng = random.Random(20210913)
    for _ in range(2000):
        text = "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 80)))
        out = md_escape(text)
        assert "<" not in out and ">" not in out and '"' not in out, text
        bare = re.sub(r"&(?:#x[0-9a-f]+|#[0-9]+|[a-z]+);", "", out.replace("\\\\", ""))  # entities are inert
        assert re.search(r"(?<!\\)[*_`\[\]$:!#~|]", bare) is None, (text, out)
        # Controls are shown as marks (visible), never passed on or dropped silently.
        expected = " ".join(visible(text).split()).replace(WORD_JOINER, "")
        assert _as_rendered(out).replace(WORD_JOINER, "") == expected, text
        shown = _as_rendered(out)
        assert _GFM_URL.search(shown) is None and _GFM_EMAIL.search(shown) is None, text


@pytest.mark.parametrize("url", [
    'javascript:alert("url")', "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "vbscript:msgbox(1)", 'data:text/html,<script>alert("data")</script>', "file:///etc/passwd",
    "[click](http://evil.example)", "<http://evil.example>", "http:evil.example", "http://",
    "https://evil.example/\x00", "mailto:bob@evil.example",
])
def test_safe_url_refuses_every_non_http_link(url: str) -> None:
    assert safe_url(url) is None


def test_card_of_a_hostile_article_is_inert_and_unlinked() -> None:
    article, events, _ = story()[1]
    hostile = replace(article, title="![t](http://127.0.0.2:9/t) www.evil.example",
                      source="Wire bob@evil.example [s](javascript:alert(1))",
                      url="data:text/html,<script>alert(1)</script>")
    event = replace(events[0], actors=("John Carter~~x~~", "Peter Novak`<script>"), url="")
    card = build_card(event, hostile)
    assert card.url is None
    for piece in (card.title_md, card.sentence_md, *card.facts_md):
        shown = _as_rendered(piece)
        assert _GFM_URL.search(shown) is None and _GFM_EMAIL.search(shown) is None, piece
        assert "<" not in piece and ">" not in piece
    actors = next(f for f in card.facts_md if f.startswith("**Who was there:**"))
    assert "John Carter\\~\\~x\\~\\~" in actors and "Peter Novak\\`&lt;script&gt;" in actors
    assert build_card(replace(event, url="https://example.org/ok"), hostile).url == "https://example.org/ok"


# -- invisible controls (issue 10, item 12): shown as marks wherever stored text is displayed ---------

RLO_NAME = "Kabul\u202elufaS"  # would read "Kabul Safuul"-style backwards after the override
ESC_NAME = "Alpha\x1b[31m Person\x1b[0m"


def test_visible_marks_every_invisible_control() -> None:
    assert visible(RLO_NAME) == "Kabul‹U+202E›lufaS"
    assert visible(ESC_NAME) == "Alpha␛[31m Person␛[0m"
    assert visible("a\x00b\x7fc\x85d\u200fe\u2066f") == "a␀b␡c‹U+0085›d‹U+200F›e‹U+2066›f"
    assert visible("tab\tand\nnewline, Kabul, Ümraniye, كابل") == "tab\tand\nnewline, Kabul, Ümraniye, كابل"
    for code in [*range(0x20), *range(0x7F, 0xA0), 0x61C, 0x200E, 0x200F, *range(0x202A, 0x202F),
                 *range(0x2066, 0x206A)]:
        if chr(code) not in "\t\n":
            assert chr(code) not in visible(f"x{chr(code)}y"), hex(code)


def test_tables_and_cards_show_controls_as_marks() -> None:
    import pandas as pd

    frame = pd.DataFrame({"actor": [ESC_NAME, None], "place": [RLO_NAME, "Doha"], "events": [1, 2]})
    shown = visible_frame(frame)
    assert shown["actor"].iloc[0] == "Alpha␛[31m Person␛[0m"
    assert list(shown["place"]) == ["Kabul‹U+202E›lufaS", "Doha"]
    assert list(shown["events"]) == [1, 2] and frame["actor"].iloc[0] == ESC_NAME  # the data is untouched
    assert "\u202e" not in md_escape(RLO_NAME) and "‹U+202E›" in _as_rendered(md_escape(RLO_NAME))
    # The card's candidates come as rows (dicts), not a DataFrame.
    rows = visible_frame(({"name": RLO_NAME, "population": 5},))
    assert list(rows["name"]) == ["Kabul‹U+202E›lufaS"] and list(rows["population"]) == [5]
