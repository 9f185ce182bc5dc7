"""The event feed beside the map: the filtered events in time order, one short row each, in pages.

Pure: no Streamlit (``ui.feed`` draws it). Every text field comes from articles, so a row
carries its fields as plain text made visible (``geo.cards.visible``) and ``row_label`` gives the
Markdown-escaped line a widget may show: no markup, link or HTML from an article reaches the page.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from geo.cards import md_escape, type_label, visible
from geo.models import Event

PAGE_SIZE = 25  # rows per page: a page of widgets stays fast whatever the view's size
LINE_CHARS = 110  # one line of the sentence; the card shows all of it
NO_ACTOR = "no actor named"


@dataclass(frozen=True)
class FeedRow:
    """One event as the feed lists it (plain text; escape with ``row_label`` before display)."""

    event_id: str
    date: str
    what: str
    who: str
    where: str
    line: str
    highlighted: bool = False  # one of the current story step's events


@dataclass(frozen=True)
class FeedPage:
    rows: tuple[FeedRow, ...]
    page: int  # 0-based
    pages: int
    total: int

    @property
    def first(self) -> int:
        """The 1-based number of the page's first row (0 on an empty feed)."""
        return self.page * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.page * PAGE_SIZE + len(self.rows)


def one_line(text: str, limit: int = LINE_CHARS) -> str:
    """The sentence on one line, cut at a word with an ellipsis when longer than ``limit``."""
    text = " ".join(visible(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut.rstrip(",;: ") + "…"


def chronological(events: Sequence[Event]) -> list[Event]:
    """The events by date; events of one day keep their story order (sort is stable)."""
    return sorted(events, key=lambda e: e.date)


def feed_rows(events: Sequence[Event], highlight: Collection[str] = ()) -> list[FeedRow]:
    """One row per event, oldest first; ids in ``highlight`` (the story step's) are marked."""
    wanted = set(highlight)
    rows = []
    for e in chronological(events):
        who = ", ".join(dict.fromkeys(e.actors)) or NO_ACTOR
        rows.append(FeedRow(
            event_id=e.event_id, date=e.date.isoformat(), what=visible(type_label(e.event_type)),
            who=visible(who), where=visible(e.place_name) or "no place named", line=one_line(e.quote),
            highlighted=e.event_id in wanted,
        ))
    return rows


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    return max(1, math.ceil(total / size))


def page_of(rows: Sequence[FeedRow], event_id: str | None, size: int = PAGE_SIZE) -> int | None:
    """The page that lists ``event_id``, or None when the feed does not."""
    for index, row in enumerate(rows):
        if row.event_id == event_id:
            return index // size
    return None


def feed_page(rows: Sequence[FeedRow], page: int, size: int = PAGE_SIZE) -> FeedPage:
    """One page of the rows; a page beyond either end is clamped to it."""
    pages = page_count(len(rows), size)
    page = min(max(page, 0), pages - 1)
    return FeedPage(tuple(rows[page * size:(page + 1) * size]), page, pages, len(rows))


def row_label(row: FeedRow) -> str:
    """The row as one Markdown line for a button: date in bold, then type, who, where and the sentence.

    Each field is escaped (``md_escape``), so an article's ``**``, ``[link](...)`` or ``<img>`` shows as text.
    """
    head = " · ".join(md_escape(part) for part in (row.what, row.who, row.where))
    return f"**{md_escape(row.date)}** · {head} — {md_escape(row.line)}"
