"""The event feed's rows (geo.feed): time order, one line each, escaped, paged."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from geo.feed import PAGE_SIZE, feed_page, feed_rows, one_line, page_of, row_label
from tests.dashboard_events import XSS, all_events


def test_rows_are_oldest_first_with_date_type_who_where_and_sentence() -> None:
    events = list(reversed(all_events()))  # the store's order must not matter
    rows = feed_rows(events)
    assert [r.date for r in rows] == sorted(e.date.isoformat() for e in events)
    first = rows[0]
    source = next(e for e in events if e.event_id == first.event_id)
    assert first.who == ", ".join(source.actors)
    assert first.where == source.place_name
    assert first.what  # the type's label ("other" when the sentence has no type)
    assert first.line and "\n" not in first.line


def test_highlighted_rows_are_the_given_ids() -> None:
    events = all_events()
    wanted = {events[1].event_id, events[3].event_id}
    rows = feed_rows(events, wanted)
    assert {r.event_id for r in rows if r.highlighted} == wanted


def test_a_long_sentence_is_cut_to_one_line_at_a_word() -> None:
    sentence = " ".join(["word"] * 60) + "\nsecond line"
    line = one_line(sentence, 50)
    assert len(line) <= 50 and line.endswith("…") and "\n" not in line
    assert line[:-1].split(" ")[-1] == "word"  # not cut inside a word
    assert one_line("Short one.") == "Short one."


def test_the_label_escapes_untrusted_text() -> None:
    events = all_events()
    hostile = next(e for e in events if "<img" in e.quote)
    rows = feed_rows([replace(hostile, actors=("**Bold** [x](javascript:alert(1))",))])
    label = row_label(rows[0])
    assert "<img" not in label and "<script" not in label
    assert "](javascript" not in label and "**Bold**" not in label
    assert "&lt;img" in label
    assert XSS.split(">")[0] not in label


def test_pages_hold_at_most_a_page_size_and_clamp() -> None:
    base = all_events()[0]
    events = [replace(base, event_id=f"{i:08x}", date=base.date + timedelta(days=i)) for i in range(60)]
    rows = feed_rows(events)
    first = feed_page(rows, 0)
    assert len(first.rows) == PAGE_SIZE and first.pages == 3 and first.total == 60
    assert (first.first, first.last) == (1, PAGE_SIZE)
    last = feed_page(rows, 99)  # beyond the end: the last page
    assert last.page == 2 and len(last.rows) == 60 - 2 * PAGE_SIZE
    assert feed_page(rows, -5).page == 0
    assert page_of(rows, f"{30:08x}") == 1
    assert page_of(rows, "ffffffff") is None
    empty = feed_page([], 3)
    assert empty.rows == () and empty.pages == 1 and empty.first == 0
