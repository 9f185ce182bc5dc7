"""Event cards: escaped for HTML and Markdown, links only when http(s)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from geo.cards import build_card, highlighted_sentence, md_escape, safe_url
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
