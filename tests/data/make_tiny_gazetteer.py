"""Regenerate tiny_gazetteer.json from the real gazetteer: ``python tests/data/make_tiny_gazetteer.py``.

Every coordinate, code and population comes from the built index; this script
only chooses which entries (by name, feature and country) and which of their
names go into the fixture.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from geo.gazetteer import Gazetteer, load_gazetteer  # noqa: E402

# (name to look up, feature, country, admin1 or None): the entry the fixture keeps.
PICKS = [
    ("Afghanistan", "country", "AF", None), ("Qatar", "country", "QA", None),
    ("Germany", "country", "DE", None), ("United States", "country", "US", None),
    ("Turkey", "country", "TR", None), ("France", "country", "FR", None),
    ("United Kingdom", "country", "GB", None), ("Europe", "continent", "", None),
    ("Asia", "continent", "", None),
    ("Kabul", "admin1", "AF", None), ("Panjshir", "admin1", "AF", None), ("Parwan", "admin1", "AF", None),
    ("Rhineland-Palatinate", "admin1", "DE", None), ("Washington", "admin1", "US", None),
    ("Texas", "admin1", "US", None), ("Illinois", "admin1", "US", None), ("Doha", "admin1", "QA", None),
    ("Kabul", "city", "AF", None), ("Bazarak", "city", "AF", None), ("Charikar", "city", "AF", None),
    ("Doha", "city", "QA", None), ("Ramstein-Miesenbach", "city", "DE", None),
    ("Kaiserslautern", "city", "DE", None), ("Washington", "city", "US", "DC"),
    ("Washington", "city", "GB", None), ("Paris", "city", "FR", None), ("Paris", "city", "US", "TX"),
    ("Springfield", "city", "US", "MO"), ("Springfield", "city", "US", "IL"),
    ("Springfield", "city", "US", "MA"), ("London", "city", "GB", None), ("Berlin", "city", "DE", None),
]
# Alternate names worth keeping in the fixture (normalized keys).
NAMES = {"ramstein", "us", "usa", "america", "uk", "britain", "great britain", "turkiye", "dc",
         "panjshir province", "kabul province", "parwan province", "district of columbia"}


def pick(gaz: Gazetteer, name: str, feature: str, cc: str, admin1: str | None):
    for cand in gaz.lookup(name):
        if cand.feature == feature and cand.country_code == cc and admin1 in (None, cand.admin1_code):
            return cand
    raise LookupError(f"{name} ({feature}, {cc}) is not in the gazetteer")


def main() -> int:
    gaz = load_gazetteer()
    conn = sqlite3.connect(f"file:{gaz.path}?mode=ro", uri=True)
    records = []
    for name, feature, cc, admin1 in PICKS:
        c = pick(gaz, name, feature, cc, admin1)
        (entry,) = conn.execute(
            "SELECT id FROM entries WHERE name=? AND feature=? AND country_code=? AND lat=? AND lon=?",
            (c.name, c.feature, c.country_code, c.lat, c.lon),
        ).fetchone()
        keys = [k for (k,) in conn.execute(
            "SELECT key FROM names WHERE entry=? AND is_primary=0 ORDER BY key", (entry,))]
        codes = [code for (code,) in conn.execute(
            "SELECT code FROM codes WHERE entry=? AND kind='admin1' AND code != ? ORDER BY code",
            (entry, c.admin1_code))]
        rec = {"name": c.name, "lat": c.lat, "lon": c.lon, "feature": c.feature,
               "country_code": c.country_code, "admin1_code": c.admin1_code,
               "population": c.population, "geonameid": c.geonameid,
               "names": [k for k in keys if k in NAMES]}
        if codes:
            rec["codes"] = codes
        if gaz.is_capital(c):
            rec["capital"] = True
        records.append(rec)
    out = HERE / "tiny_gazetteer.json"
    out.write_text(json.dumps(records, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {len(records)} records to {out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
