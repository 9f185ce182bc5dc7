"""The events GeoDataFrame: contract columns, CRS, axis order, and round-trips per format."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import geopandas as gpd
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Point

from geo.errors import InputError
from geo.frames import FORMATS, events_frame, export_bytes, format_of, read_events, write_events
from geo.models import EVENT_FIELDS, Event


def make_event(event_id: str, lat: float, lon: float, **changes: object) -> Event:
    values: dict[str, object] = dict(
        event_id=event_id, article_id="a1", date=date(2021, 9, 6), date_precision="day",
        place_name="Somewhere", lat=lat, lon=lon, place_precision="city", geonameid=None,
        country_code="AF", actors=(), quote="A sentence.", sentence_start=0, sentence_end=11,
        confidence=0.5, source="AFP", url="https://example.test/story",
    )
    values.update(changes)
    return Event(**values)  # type: ignore[arg-type]


@pytest.fixture
def events() -> list[Event]:
    return [
        make_event("e1", 10.0, 20.0, actors=("Antony Blinken", "Heiko Maas"), geonameid=2950159,
                   mentioned_actors=("Taliban",),
                   actor_roles=(("Antony Blinken", "to"), ("Heiko Maas", "at")),
                   predicate="fly to", event_type="travel", modality="planned",
                   date_end=date(2021, 9, 8)),
        # Awkward values on purpose: text that CSV must quote, an empty field, Namibia's "NA",
        # a float with no short decimal form, and non-ASCII text.
        make_event("e2", 0.1 + 0.2, -1 / 3, place_name="Bazārak", country_code="NA", source="",
                   quote='He said, "we\nwill stay"; then left.', date=date(1999, 12, 31),
                   date_precision="decade", sentence_start=12, sentence_end=40, confidence=1.0),
        # An event without a place: empty coordinates, never a guessed point.
        make_event("e3", None, None, place_name="", place_precision="", country_code="",  # type: ignore[arg-type]
                   mentioned_actors=("Angela Merkel",), predicate="call for", event_type="statement",
                   background=True, sentence_start=41, sentence_end=60),
    ]


def test_contract_columns_crs_and_axis_order(events: list[Event]) -> None:
    frame = events_frame(events)
    assert list(frame.columns) == [*EVENT_FIELDS, "geometry"]
    assert frame.crs == "EPSG:4326"
    assert frame.geometry.iloc[0].equals(Point(20.0, 10.0))  # (lon, lat), not (lat, lon)
    placed = frame[frame["lat"].notna()]
    assert (placed.geometry.x == placed["lon"]).all() and (placed.geometry.y == placed["lat"]).all()
    assert frame["date"].tolist() == ["2021-09-06", "1999-12-31", "2021-09-06"]
    assert frame["actors"].tolist() == ["Antony Blinken; Heiko Maas", "", ""]
    assert frame["geonameid"].dtype == "Int64"
    assert frame["geonameid"].isna().tolist() == [False, True, True]
    assert frame["actor_roles"].tolist() == ["Antony Blinken=to; Heiko Maas=at", "", ""]
    assert frame["date_end"].tolist() == ["2021-09-08", "", ""]
    assert frame.geometry.iloc[2] is None and frame["lat"].isna().tolist() == [False, False, True]


def test_empty_frame_keeps_columns_and_crs() -> None:
    frame = events_frame([])
    assert len(frame) == 0
    assert list(frame.columns) == [*EVENT_FIELDS, "geometry"]
    assert frame.crs == "EPSG:4326"
    assert frame.dtypes.equals(events_frame([make_event("x", 1.0, 2.0)]).dtypes)


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_through_a_file(events: list[Event], tmp_path: Path, fmt: str) -> None:
    frame = events_frame(events)
    path = tmp_path / "out" / f"events.{fmt}"
    write_events(frame, path, fmt)  # type: ignore[arg-type]
    assert format_of(path) == fmt
    assert_geodataframe_equal(read_events(path), frame, check_less_precise=False)


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_through_bytes(events: list[Event], fmt: str) -> None:
    frame = events_frame(events)
    data = export_bytes(frame, fmt)  # type: ignore[arg-type]
    buffer = io.BytesIO()
    write_events(frame, buffer, fmt)  # type: ignore[arg-type]
    assert buffer.getvalue() == data
    assert_geodataframe_equal(read_events(io.BytesIO(data), fmt), frame)  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_round_trip(fmt: str) -> None:
    frame = events_frame([])
    back = read_events(io.BytesIO(export_bytes(frame, fmt)), fmt)  # type: ignore[arg-type]
    assert_geodataframe_equal(back, frame)


def test_exported_shapes(events: list[Event]) -> None:
    frame = events_frame(events)
    header = export_bytes(frame, "csv").decode("utf-8").splitlines()[0]
    assert header.split(",") == list(EVENT_FIELDS)
    collection = json.loads(export_bytes(frame, "geojson"))
    first = collection["features"][0]
    assert first["geometry"] == {"type": "Point", "coordinates": [20.0, 10.0]}
    assert list(first["properties"]) == list(EVENT_FIELDS)
    assert collection["features"][1]["properties"]["geonameid"] is None
    assert collection["features"][2]["geometry"] is None  # no place: null geometry, null lat/lon
    assert collection["features"][2]["properties"]["lat"] is None
    parquet = export_bytes(frame, "parquet")
    assert parquet[:4] == b"PAR1"
    assert gpd.read_parquet(io.BytesIO(parquet)).crs == "EPSG:4326"


def test_bad_files_are_named_in_the_error(events: list[Event], tmp_path: Path) -> None:
    frame = events_frame(events)
    with pytest.raises(InputError, match="unknown events file type"):
        read_events(tmp_path / "events.xlsx")
    with pytest.raises(InputError, match="format of a file object"):
        read_events(io.BytesIO(b""))

    partial = tmp_path / "partial.csv"
    frame.drop(columns=["quote", "geometry"]).to_csv(partial, index=False)
    with pytest.raises(InputError, match=r"partial\.csv: missing event columns: quote"):
        read_events(partial)

    moved = json.loads(export_bytes(frame, "geojson"))
    moved["features"][0]["geometry"]["coordinates"] = [10.0, 20.0]  # swapped by some other tool
    swapped = tmp_path / "swapped.geojson"
    swapped.write_text(json.dumps(moved), encoding="utf-8")
    with pytest.raises(InputError, match="disagrees"):
        read_events(swapped)

    dated = tmp_path / "dated.csv"
    dated.write_bytes(export_bytes(frame, "csv").replace(b"2021-09-06", b"not a date"))
    with pytest.raises(InputError, match="bad event date"):
        read_events(dated)

    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet at all")
    with pytest.raises(InputError, match=r"broken\.parquet"):
        read_events(broken)

    with pytest.raises(InputError, match="unknown export format"):
        export_bytes(frame, "xlsx")  # type: ignore[arg-type]


def test_store_events_to_frame(tmp_path: Path) -> None:
    """What the CLI does: events out of the store into the frame, unchanged."""
    from geo.models import Article, make_event_id
    from geo.store import Store

    article = Article("Blinken flew to Doha.", published=date(2021, 9, 6), source="AFP")
    event = make_event(make_event_id(article.article_id, 16, 20), 25.29, 51.53,
                       article_id=article.article_id, actors=("Antony Blinken",), country_code="QA")
    with Store(f"sqlite:///{tmp_path / 'db.sqlite'}") as store:
        store.add_article(article, [event])
        frame = events_frame(store.events())
    assert_geodataframe_equal(frame, events_frame([event]))


def test_a_csv_with_a_wkt_geometry_column_reads_back(events: list[Event]) -> None:
    """What GeoDataFrame.to_csv writes (the geometry as WKT text) is read, and checked against lat/lon."""
    frame = events_frame(events)
    text = frame.to_csv(index=False)
    assert "POINT (" in text
    assert_geodataframe_equal(read_events(io.BytesIO(text.encode()), "csv"), frame)
    moved = frame.copy()
    moved["geometry"] = [Point(0.5, 0.5)] * len(moved)
    with pytest.raises(InputError, match="disagrees with lon/lat"):
        read_events(io.BytesIO(moved.to_csv(index=False).encode()), "csv")
    broken = text.replace("POINT (", "POINT ((", 1)
    with pytest.raises(InputError, match="not WKT"):
        read_events(io.BytesIO(broken.encode()), "csv")


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_an_export_made_before_version_3_reads_with_the_defaults(events: list[Event], fmt: str) -> None:
    from geo.models import EVENT_FIELDS_ADDED_IN_3

    placed = [e for e in events if e.has_place]
    frame = events_frame(placed)
    old = frame.drop(columns=list(EVENT_FIELDS_ADDED_IN_3))
    data = (old.drop(columns="geometry").to_csv(index=False) if fmt == "csv" else
            old.to_json(na="null", drop_id=True)).encode()
    back = read_events(io.BytesIO(data), fmt)  # type: ignore[arg-type]
    assert back["event_type"].tolist() == ["other"] * len(placed)
    assert back["modality"].tolist() == ["reported"] * len(placed)
    assert back["mentioned_actors"].tolist() == [""] * len(placed) and not back["background"].any()
    assert back[list(EVENT_FIELDS[:17])].equals(frame[list(EVENT_FIELDS[:17])])


def test_half_a_place_is_refused(events: list[Event]) -> None:
    frame = events_frame(events)
    frame.loc[0, "lon"] = float("nan")
    with pytest.raises(InputError, match="both lat and lon"):
        read_events(io.BytesIO(export_bytes(frame, "csv")), "csv")
