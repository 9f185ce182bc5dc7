"""Geostory's entry point and router: ``streamlit run app.py``.

Each page sets itself up (see ui.setup): a shared link to a page may be the
first request a freshly started server sees, and then the page runs alone.
"""

from __future__ import annotations

import streamlit as st

from ui import PAGES

pages = [
    st.Page(script, title=title, icon=icon or None, url_path=path or None, default=not path)
    for script, title, icon, path in PAGES
]
st.navigation(pages, position="sidebar").run()
