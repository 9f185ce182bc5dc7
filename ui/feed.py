"""The event feed beside the map (rows built by ``geo.feed``): a click selects the event.

The feed follows the view: it lists the filtered events, opens the page holding the story
step's (or the picked) event when that changes, and goes back to its first page when the
filters change the list. Paged, so that a large view draws 25 buttons, not 1,500.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

import streamlit as st

from geo.feed import FeedPage, FeedRow, feed_page, feed_rows, page_count, page_of, row_label
from geo.models import Event
from ui.filters import set_state

PAGE = "feed_page"
# A list reads from the left: the rows' buttons align their text to the start.
_ROW_STYLE = ("<style>.st-key-feed button { justify-content: flex-start; text-align: left; }"
              ".st-key-feed button p { text-align: left; }</style>")
FOLLOWED = "feed_followed"
LISTED = "feed_listed"
LARGE_PICK = "overview_pick"  # the overview map's picked event (pages/map.py reads it)


# Scrolls the feed's box (not the page) to its first marked row. The page's own document is reachable
# from this same-origin frame; the marked row's id makes the frame new, so it runs on each change.
_SCROLL_HTML = """<script data-row="%(row)s">
setTimeout(() => {
  const doc = window.parent.document;
  const row = doc.querySelector('.st-key-feed [data-testid="stBaseButton-primary"]');
  const scrolls = (el) => el.scrollHeight > el.clientHeight + 2
    && /(auto|scroll)/.test(getComputedStyle(el).overflowY);
  let box = row && row.parentElement;
  while (box && !scrolls(box)) {
    box = box.parentElement;
  }
  if (row && box) {
    box.scrollTop += row.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
  }
}, 300);
</script>"""


def _pick(event_id: str, step: int | None) -> None:
    # As a click on the map: the card shows the event and the story continues from its step.
    set_state(event=event_id, step=step)


def _turn(delta: int) -> None:
    st.session_state[PAGE] = int(st.session_state.get(PAGE, 0)) + delta


def _current_page(rows: Sequence[FeedRow], focus_id: str | None, highlight: Collection[str]) -> int:
    listed = (len(rows), rows[0].event_id if rows else "", rows[-1].event_id if rows else "")
    if st.session_state.get(LISTED) != listed:  # other filters: start from the top
        st.session_state[LISTED] = listed
        st.session_state[PAGE] = 0
    followed = (focus_id, tuple(sorted(highlight)))
    if st.session_state.get(FOLLOWED) != followed:
        # A new step or pick: open its page; paging by hand afterwards is left alone.
        st.session_state[FOLLOWED] = followed
        found = page_of(rows, focus_id)
        if found is not None:
            st.session_state[PAGE] = found
    return int(st.session_state.get(PAGE, 0))


def event_feed(events: Sequence[Event], *, highlight: Collection[str], focus_id: str | None,
               step_for: Callable[[str], int | None], height: int) -> None:
    """The feed in a scrolling box of ``height`` pixels; ``highlight``: the ids to mark (the step's
    events, the selected one), ``focus_id``: the event whose page to open, ``step_for``: the story
    step a clicked event belongs to."""
    rows = feed_rows(events, highlight)
    page = feed_page(rows, _current_page(rows, focus_id, highlight))
    _draw(page, lambda row: (_pick, (row.event_id, step_for(row.event_id))), height)


def _pick_large(event_id: str) -> None:
    st.session_state[LARGE_PICK] = event_id


def large_feed(fetch: Callable[[int], Sequence[Event]], total: int, *, picked: str | None,
               listed: tuple[object, ...], height: int) -> None:
    """The feed of a view too large to load: ``fetch(page)`` reads one page of events from SQL
    (LIMIT/OFFSET, oldest first), ``total`` counts them all, ``listed`` identifies the filters (a
    change goes back to the first page). A click picks the event for the overview's card."""
    if st.session_state.get(LISTED) != listed:
        st.session_state[LISTED] = listed
        st.session_state[PAGE] = 0
    pages = page_count(total)
    number = min(max(int(st.session_state.get(PAGE, 0)), 0), pages - 1)
    rows = feed_rows(fetch(number), {picked} if picked else ())
    page = FeedPage(tuple(rows), number, pages, total)
    _draw(page, lambda row: (_pick_large, (row.event_id,)), height)


def _draw(page: FeedPage, action: Callable[[FeedRow], tuple[Callable[..., None], tuple[object, ...]]],
          height: int) -> None:
    st.session_state[PAGE] = page.page
    st.html(_ROW_STYLE)
    st.markdown(f"**Events** {page.first}–{page.last} of {page.total:,}, oldest first")
    with st.container(height=height, key="feed", border=True):
        for row in page.rows:
            callback, args = action(row)
            st.button(row_label(row), key=f"feed_{row.event_id}", on_click=callback, args=args,
                      type="primary" if row.highlighted else "tertiary", width="stretch")
    marked = next((row.event_id for row in page.rows if row.highlighted), None)
    if marked is not None:
        st.iframe(_SCROLL_HTML % {"row": marked}, height=1)  # event ids are hex: nothing to escape
    if page.pages > 1:
        turn = st.columns([1, 1, 1], vertical_alignment="center")
        turn[0].button("Earlier", icon=":material/chevron_left:", key="feed_page_earlier", on_click=_turn,
                       args=(-1,), disabled=page.page == 0, width="stretch")
        turn[1].caption(f"Page {page.page + 1} of {page.pages:,}")
        turn[2].button("Later", icon=":material/chevron_right:", key="feed_page_later", on_click=_turn,
                       args=(1,), disabled=page.page >= page.pages - 1, width="stretch")
