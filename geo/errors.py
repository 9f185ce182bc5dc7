"""Exception hierarchy: one root, specific subclasses, always chained with ``from``."""

from __future__ import annotations


class GeoError(Exception):
    """Root of every error Geostory raises on purpose."""


class ConfigError(GeoError):
    """A setting is missing or malformed."""


class InputError(GeoError):
    """An article (file, text or metadata) cannot be ingested.

    ``source`` names the file or input that was rejected, so that messages can
    point the user at it.
    """

    def __init__(self, message: str, *, source: str = "") -> None:
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)


class AnalysisError(GeoError):
    """One article's analysis failed unexpectedly (a fault in spaCy or in our code, not in the input
    as far as we know); the other articles go on. The traceback is in the log."""

    def __init__(self, message: str, *, source: str = "") -> None:
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)


class ModelError(GeoError):
    """The spaCy pipeline cannot be loaded."""


class GazetteerError(GeoError):
    """The offline gazetteer is missing, stale or cannot be built."""


class GeocoderError(GeoError):
    """A geocoder failed (network, quota, malformed answer)."""


class StoreError(GeoError):
    """The event store cannot be read or written."""


class NotFoundError(StoreError):
    """A requested article, event or place does not exist in the store."""
