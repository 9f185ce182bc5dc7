"""An event's card: what the dashboard shows when a point is picked, as escaped Markdown.

Article text is untrusted. Streamlit renders Markdown without raw HTML, but
Markdown itself can still make links, images, LaTeX (``$``) and coloured
directives (``:red[...]``) out of punctuation, and links out of bare addresses
(GFM autolinks), so every piece of data is escaped for both HTML and Markdown
before it is placed in the card.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from geo.models import Article, Event

# Every ASCII punctuation character CommonMark lets a backslash escape, but the
# ones html.escape turns into entities (escaping those twice would show "\&lt;").
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:=^])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# GFM's autolink literals ("http://...", "www....", "name@host.org") are found in the text
# *after* backslash escapes are resolved, so escaping cannot stop them. A word joiner
# (U+2060, invisible, no line break) between the scheme or "www" and what follows, and
# before an "@", breaks the patterns Streamlit's Markdown looks for.
_AUTOLINK = re.compile(r"(?i)(https?|www)(?=[:.])|(?=@)")
WORD_JOINER = "\u2060"
MAX_URL = 2000


# Characters that change how the text around them is shown without being shown themselves: C0 and
# C1 controls (an ESC could drive a terminal), and the bidirectional marks, embeddings, overrides
# and isolates that can make a name read backwards ("Kabul\u202elufaS"). New text loses them at the
# door (geo.textio); stores filled before that, or restored and imported, may still hold them.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _mark(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode's "control pictures": ESC shows as ␛
    return "\u2421" if code == 0x7F else f"\u2039U+{code:04X}\u203a"


def visible(text: str) -> str:
    """``text`` with its invisible controls shown as harmless marks (␛, ‹U+202E›); tab and newline stay."""
    return _INVISIBLE.sub(_mark, text)


def visible_frame(frame: Any) -> Any:
    """A copy of a table (a DataFrame, or rows as dicts) for display, with ``visible`` applied to
    every text cell."""
    import pandas as pd

    shown = frame.copy() if isinstance(frame, pd.DataFrame) else pd.DataFrame(list(frame))
    for column in shown.columns:
        if shown[column].dtype == object or str(shown[column].dtype).startswith(("string", "str")):
            shown[column] = shown[column].map(lambda v: visible(v) if isinstance(v, str) else v)
    return shown


def md_escape(text: str) -> str:
    """Plain text made inert in Streamlit Markdown: no markup, links, HTML or maths."""
    text = visible(text)
    text = " ".join(text.split())  # newlines would start Markdown blocks
    text = _AUTOLINK.sub(lambda m: (m.group(1) or "") + WORD_JOINER, text)
    return html.escape(_MD_SPECIAL.sub(r"\\\1", text), quote=True)


def type_label(event_type: str) -> str:
    """An event type as people read it: the taxonomy's label ("attack" -> "armed clash/attack");
    a type the taxonomy does not know (an imported export's) is shown as written."""
    from geo.lexicon import OTHER, load_taxonomy

    known = {t.id: t.label for t in load_taxonomy().types}
    if event_type in known:
        return known[event_type]
    return " ".join(event_type.replace("_", " ").split()) or known.get(OTHER, OTHER)


def safe_url(url: str) -> str | None:
    """The URL if it is a plain http(s) link, else None (javascript:, data:, spaces...)."""
    url = (url or "").strip()
    if not url or len(url) > MAX_URL or _CONTROL.search(url) or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def highlighted_sentence(event: Event, article_text: str | None = None) -> str:
    """The event's sentence with the place name in bold, escaped.

    Offsets come from the article text when it is at hand (they index into it);
    otherwise the stored quote is searched for the name.
    """
    sentence, start, end = event.quote, -1, -1
    if article_text and 0 <= event.sentence_start <= event.place_start < event.place_end <= len(article_text):
        sentence = article_text[event.sentence_start:event.sentence_end]
        start, end = event.place_start - event.sentence_start, event.place_end - event.sentence_start
    else:
        start = sentence.find(event.place_name)
        end = start + len(event.place_name) if start >= 0 else -1
    if not (0 <= start < end <= len(sentence)):
        return md_escape(sentence)
    before, place, after = sentence[:start], sentence[start:end], sentence[end:]
    # md_escape trims; the spaces around the name are put back outside the **.
    left = md_escape(before) + (" " if before[-1:].isspace() else "")
    right = (" " if after[:1].isspace() else "") + md_escape(after)
    return f"{left}**{md_escape(place)}**{right}".strip()


# How a role reads after a name on the card: at the place, going there, coming from there.
ROLE_WORDS = {"at": "there", "to": "going there", "from": "coming from there"}
MODALITY_WORDS = {"reported": "reported as done", "planned": "planned, not yet done",
                  "negated": "the text says it did not happen"}


def what_text(event: Event) -> str:
    """The event's type, its predicate and its modality, escaped: "travel · "fly to" · planned"."""
    parts = [md_escape(type_label(event.event_type))]
    if event.predicate:
        parts.append(f"“{md_escape(event.predicate)}”")
    parts.append(md_escape(MODALITY_WORDS.get(event.modality, event.modality)))
    return " · ".join(parts)


def who_text(event: Event) -> str:
    """The actors the text puts at the place, each with its role, escaped."""
    if not event.actors:
        return "nobody named" if event.has_place else "no place named, so nobody is put anywhere"
    roles = dict(event.actor_roles)
    return ", ".join(f"{md_escape(a)} ({md_escape(ROLE_WORDS.get(roles.get(a, 'at'), roles.get(a, 'at')))})"
                     for a in event.actors)


def _unplaced(event: Event) -> str:
    if not event.place_name:
        return "none named (not on the map)"
    why = "the text says it did not happen" if event.modality == "negated" else "not located"
    return f"{md_escape(event.place_name)} (not on the map: {why})"


@dataclass(frozen=True)
class Card:
    """The escaped pieces the page lays out; ``url`` is None unless it is http(s)."""

    title_md: str
    sentence_md: str
    facts_md: tuple[str, ...]
    url: str | None
    candidates: tuple[dict[str, object], ...]


def build_card(event: Event, article: Article | None = None) -> Card:
    title = (article.title if article else "") or "Untitled article"
    source = (article.source if article else "") or event.source or "unknown source"
    place = event.place_name
    if event.resolved_name and event.resolved_name != event.place_name:
        place = f"{event.place_name} → {event.resolved_name}"
    date_text = event.date.isoformat() + (f" to {event.date_end.isoformat()}" if event.date_end else "")
    date_text += f" ({event.date_precision}"
    date_text += f', from "{event.date_text}")' if event.date_text else ")"
    if event.background:
        date_text += " · background to the story"
    facts = (
        f"**What:** {what_text(event)}",
        f"**Who was there:** {who_text(event)}",
        *([f"**Also mentioned:** {md_escape(', '.join(event.mentioned_actors))}"]
          if event.mentioned_actors else []),
        f"**Place:** {md_escape(place)} · {md_escape(event.place_precision)}"
        f"{' · ' + md_escape(event.country_code) if event.country_code else ''}"
        if event.has_place else f"**Place:** {_unplaced(event)}",
        f"**Date:** {md_escape(date_text)}",
        f"**Source:** {md_escape(source)}",
        *([f"**Geocode confidence:** {event.confidence:.2f}"] if event.has_place else []),
    )
    candidates = tuple(
        {"name": c.name, "country": c.country_code, "feature": c.feature,
         "population": c.population, "lat": round(c.lat, 4), "lon": round(c.lon, 4),
         "score": round(c.score, 3),
         "chosen": event.has_place and (round(c.lat, 4), round(c.lon, 4))
         == (round(event.lat or 0.0, 4), round(event.lon or 0.0, 4))}
        for c in event.candidates
    )
    return Card(
        title_md=md_escape(title),
        sentence_md=highlighted_sentence(event, article.text if article else None),
        facts_md=facts,
        url=safe_url(event.url or (article.url if article else "")),
        candidates=candidates,
    )
