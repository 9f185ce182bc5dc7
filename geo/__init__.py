"""Geostory's logic: article text to geolocated events, the store and the views.

Nothing in this package imports streamlit; the pages in ``pages/`` call into it.
"""

__version__ = "0.1.0"
