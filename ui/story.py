"""Story mode's controls on the Map page: the title slide, the step heading, the step list and Play.

The steps themselves are geo.story's; this module only reads and writes the view
state (``step=`` in the link) and draws. The title slide is the story before its
first step (no ``step=`` in the link): Next or Play starts at step 1.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from geo.cards import md_escape, visible
from geo.errors import NotFoundError
from geo.models import Event
from geo.story import (
    StoryStep,
    paragraph_starts,
    period_text,
    step_heading,
    step_seconds,
    story_intro,
    story_steps,
)
from geo.viewstate import clamp_step
from ui.data import get_store
from ui.filters import STATE, set_state
from ui.page import Context

logger = logging.getLogger(__name__)

PLAY_SECONDS = 2.0  # the shortest stay on a step while playing; longer steps stay longer
INTRO = -1  # the step list's entry for the title slide
_TICK_INLINE = "story_tick_inline"


@st.cache_data(show_spinner=False, max_entries=4096)
def _paragraphs(db_url: str, article_id: str) -> tuple[int, ...]:
    # An article's id is the hash of its text: its paragraphs never change under the same key.
    try:
        return paragraph_starts(get_store(db_url).article(article_id).text)
    except NotFoundError:
        return ()


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def steps_of(ctx: Context, events: Sequence[Event]) -> list[StoryStep]:
    """The story's steps for the filtered events (sentences of one paragraph and day together)."""
    articles = {e.article_id for e in events}
    paragraphs = {a: _paragraphs(ctx.settings.db_url, a) for a in articles}
    return story_steps(events, paragraphs=paragraphs)


def _title(ctx: Context, steps: Sequence[StoryStep]) -> str:
    story = ctx.filters[-1]
    if story:
        return str(story)
    try:
        return ctx.store.article(steps[0].focus.article_id).title or "The story"
    except NotFoundError:
        return "The story"


def _go(steps: Sequence[StoryStep], step: int | None) -> None:
    if step is None or not steps:
        set_state(step=None, event=None)
    else:
        step = clamp_step(step, len(steps))
        set_state(step=step, event=steps[step].focus.event_id)  # type: ignore[index]


def _current() -> int | None:
    # Callbacks run before the next script run: read the state, not this run's copy.
    return st.session_state[STATE].step


def controls(steps: Sequence[StoryStep], step: int | None, events: int) -> DeltaGenerator:
    """Previous, Next, Play, where the story is, and the step list; returns the last column (for
    the page's own control)."""
    def previous() -> None:
        current = _current()
        _go(steps, None if current in (None, 0) else current - 1)  # before step 1: the title slide

    def forward() -> None:
        current = _current()
        _go(steps, 0 if current is None else current + 1)

    def toggle_play() -> None:
        st.session_state["playing"] = not st.session_state.get("playing", False)
        if st.session_state["playing"] and _current() is None:
            _go(steps, 0)

    def jump() -> None:
        chosen = st.session_state["w_step"]
        _go(steps, None if chosen == INTRO else chosen)
        st.session_state["playing"] = False

    row = st.columns([1, 1, 1, 3, 2], vertical_alignment="center")
    row[0].button("Previous", icon=":material/skip_previous:", on_click=previous, key="prev",
                  disabled=step is None, width="stretch")
    row[1].button("Next", icon=":material/skip_next:", on_click=forward, key="next",
                  disabled=step is not None and step >= len(steps) - 1, width="stretch")
    playing = bool(st.session_state.get("playing", False))
    row[2].button("Pause" if playing else "Play",
                  icon=":material/pause:" if playing else ":material/play_arrow:",
                  on_click=toggle_play, key="play", width="stretch")
    labels = {INTRO: "Introduction"} | {i: f"{i + 1}. {s.date.isoformat()} · {visible(s.focus.place_name)}"
                                       for i, s in enumerate(steps)}
    st.session_state["w_step"] = INTRO if step is None else step
    with row[3]:
        st.selectbox("Step", options=list(labels), format_func=labels.__getitem__, key="w_step",
                     on_change=jump, label_visibility="collapsed")
        st.caption(f"Story step {step + 1} of {len(steps)}" if step is not None
                   else f"{_count(events, 'event')} in {_count(len(steps), 'step')} · press Next or Play to "
                        "follow the story")
    return row[4]


def heading(steps: Sequence[StoryStep], step: int) -> None:
    """The step's large date heading and its people."""
    current = steps[step]
    with st.container(key="story_heading"):
        st.markdown(f"## {step_heading(current)}")
        who = current.actors()
        st.caption(md_escape(" · ".join([current.focus.place_name, *who[:4]])))  # names are untrusted text


def intro(ctx: Context, steps: Sequence[StoryStep]) -> None:
    """The title slide: the story's title, period, main actors and every place."""
    found = story_intro(steps, _title(ctx, steps))
    if found is None:
        return
    with st.container(border=True, key="story_intro"):
        st.markdown(f"## {md_escape(found.title)}")
        st.markdown(f"**{period_text(found.first, found.last)}** · {_count(found.steps, 'step')}")
        if found.actors:
            st.markdown("**Who:** " + md_escape(", ".join(found.actors)))
        st.markdown("**Where:** " + md_escape(", ".join(found.places)))
        st.caption("Press Next or Play to follow the story step by step.")


def advance(ctx: Context, steps: Sequence[StoryStep], step: int | None) -> None:
    """While playing: stay as long as the step deserves, then go on; stop at the end.

    The wait is a fragment's timer, not a sleep in the script: the run ends, so Streamlit
    clears what the previous step drew (a sleeping run would leave it greyed on the page), and
    a click on Pause or Next is handled at once.
    """
    if not st.session_state.get("playing", False):
        return
    if step is None or step >= len(steps) - 1:
        st.session_state["playing"] = False
        st.rerun()  # the button says Play again

    @st.fragment(run_every=step_seconds(steps[step], PLAY_SECONDS))
    def tick() -> None:
        if st.session_state.pop(_TICK_INLINE, False):
            return  # the call below, inside this run: the timer starts now
        if st.session_state.get("playing", False) and _current() == step:
            _go(steps, step + 1)
            ctx.rewrite_url()
        st.rerun(scope="app")

    st.session_state[_TICK_INLINE] = True
    tick()
