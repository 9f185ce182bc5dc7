"""Corrections a user makes to what the pipeline found, kept in the store: place overrides.

A mixin of ``geo.store.Store``: the methods run in the store's own transactions (``_run``).
An override moves every stored event of a place name at once and is applied by every later
ingest and re-analysis, so a correction survives them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.errors import InputError, NotFoundError
from geo.models import PLACE_PRECISIONS, Candidate, Place, PlacePrecision
from geo.schema import Override, events, overrides_table, place_key

logger = logging.getLogger(__name__)


class Corrections:
    """Place overrides: set, pin to a candidate, remove, list."""

    _run: Callable[..., Any]  # geo.store.Store._run

    def set_override(
        self, name: str, *, lat: float, lon: float, precision: PlacePrecision = "point",
        geonameid: int | None = None, country_code: str = "", resolved_name: str = "", note: str = "",
    ) -> int:
        """Save a correction for a place name and apply it to every stored event of that name.

        Returns the number of events changed.
        """
        key = place_key(name)
        if not key:
            raise InputError("an override needs a place name")
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            raise InputError(f"coordinates out of range: lat {lat}, lon {lon}", source=name)
        if precision not in PLACE_PRECISIONS:
            raise InputError(f"precision must be one of {', '.join(PLACE_PRECISIONS)}", source=name)
        row = {"key": key, "lat": float(lat), "lon": float(lon), "precision": precision,
               "geonameid": geonameid, "country_code": country_code.upper(),
               "resolved_name": resolved_name, "note": note, "created_at": datetime.now(UTC)}
        changes = {"lat": row["lat"], "lon": row["lon"], "place_precision": precision, "geonameid": geonameid,
                   "country_code": row["country_code"], "confidence": 1.0}
        if resolved_name:
            changes["resolved_name"] = resolved_name

        def work(conn: Connection) -> int:
            conn.execute(overrides_table.delete().where(overrides_table.c.key == key))
            conn.execute(overrides_table.insert().values(**row))
            return conn.execute(events.update().where(events.c.place_key == key).values(**changes)).rowcount

        changed = self._run(work, write=True)
        logger.info("override for %r saved; %d events moved", key, changed)
        return changed

    def set_override_candidate(self, name: str, candidate: Candidate, note: str = "") -> int:
        """Pin a place name to one of its gazetteer candidates."""
        return self.set_override(
            name, lat=candidate.lat, lon=candidate.lon, precision=candidate.precision,
            geonameid=candidate.geonameid, country_code=candidate.country_code,
            resolved_name=candidate.name, note=note,
        )

    def remove_override(self, name: str) -> None:
        """Forget a correction (stored events keep their coordinates until re-ingested)."""
        key = place_key(name)

        def work(conn: Connection) -> None:
            if conn.execute(overrides_table.delete().where(overrides_table.c.key == key)).rowcount == 0:
                raise NotFoundError(f"no override for {name!r}")

        self._run(work, write=True)

    def overrides(self) -> dict[str, Override]:
        """Every override, keyed by ``place_key`` of the place name."""
        rows = self._run(lambda c: c.execute(sa.select(overrides_table)).mappings().all())
        found = {}
        for r in rows:
            stamp = r["created_at"]
            if stamp is not None and stamp.tzinfo is None:  # SQLite drops the zone; it was UTC
                stamp = stamp.replace(tzinfo=UTC)
            found[r["key"]] = Override(**{**dict(r), "created_at": stamp})
        return found

    def override_places(self) -> dict[str, Place]:
        """The overrides as the resolver takes them: normalized name -> Place."""
        return {key: o.to_place(o.resolved_name or key) for key, o in self.overrides().items()}
