"""The dashboard's shared Streamlit layer, split by concern:

- ``ui.data``: settings, the store and pipeline, cached queries and their clearing, the demo;
- ``ui.filters``: the filter state, the sidebar's widgets, the URL and the share link;
- ``ui.page``: ``setup``, which every page calls first, and the ``Context`` it returns;
- ``ui.editing``: who may change data, and the forms that grant it;
- ``ui.curation``: the editors' curation forms (Review places) and the card's edit area (Map).

Pages use the names re-exported here (``ui.setup``, ``ui.editor_gate``...).
"""

from __future__ import annotations

from ui.data import (
    CACHE_TTL,
    data_changed,
    get_store,
    large_view,
    overview_of,
    pipeline_for,
    query_events,
    settings,
    story_options,
)
from ui.editing import EDITOR_GRANT, editing_allowed, editor_gate, editor_throttle, require_editor
from ui.filters import PAGES, STATE, set_state
from ui.page import Context, setup

__all__ = [
    "CACHE_TTL", "EDITOR_GRANT", "PAGES", "STATE", "Context", "data_changed", "editing_allowed",
    "editor_gate", "editor_throttle", "get_store", "large_view", "overview_of", "pipeline_for",
    "query_events", "require_editor", "set_state", "settings", "setup", "story_options",
]
