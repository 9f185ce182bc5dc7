"""The command line: ``python -m geo ingest|reanalyse|geoparse|eval|events|backup|restore|import|gazetteer``.

Its commands and their output formats are a contract that tests and the
benchmarks use. Messages go to stderr, data to stdout or the named file.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import shlex
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from geo import cli_curate, cli_story
from geo.config import Settings, load_settings, secret_values
from geo.errors import GeoError, InputError, StoreError
from geo.redact import protect_logs, url_secrets

log = logging.getLogger(__name__)


def _date_arg(value: str) -> date:
    from geo.readers import parse_date

    try:
        return parse_date(value, source="command line")
    except InputError as err:
        raise argparse.ArgumentTypeError(str(err)) from err


def _jobs_arg(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"--jobs needs a whole number, not {value!r}") from err
    if jobs < 1:
        raise argparse.ArgumentTypeError("--jobs must be at least 1")
    return jobs


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings()
    if getattr(args, "db", None):
        settings = replace(settings, db_url=args.db)
    return settings


# Control characters in a message (a file name may hold an escape sequence or a newline)
# are shown as escapes: they must not drive the terminal or forge a line of output.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with control characters written as Python escapes (``\\x1b``, ``\\n``)."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class _PrintableFormatter(logging.Formatter):
    def formatMessage(self, record: logging.LogRecord) -> str:
        return printable(super().formatMessage(record))


def _say(message: str) -> None:
    sys.stderr.write(printable(message) + "\n")


# -- ingest -----------------------------------------------------------------


def _read_all(paths: Sequence[Path], args: argparse.Namespace) -> Iterator[Any]:
    from geo.readers import iter_article_paths, read_article

    for path in paths:
        if not path.exists():
            yield InputError("no such file or folder", source=str(path))
    for path in iter_article_paths([p for p in paths if p.exists()]):
        try:
            yield read_article(path, title=args.title, published=args.published, source=args.source,
                               url=args.url, story=args.story)
        except InputError as err:
            yield err


def cmd_ingest(args: argparse.Namespace) -> int:
    settings = _settings(args)
    items = list(_read_all([Path(p) for p in args.paths], args))
    if not items:
        _say("no article files found (supported: .txt, .md, .html, .htm)")
        return 2
    if args.jobs > 1:
        from geo.parallel import ingest_parallel

        summary = ingest_parallel(items, settings, jobs=args.jobs)
    else:
        from geo.pipeline import Pipeline, ingest
        from geo.store import Store

        with Store(settings.db_url) as store:
            if store.read_only:  # before the model loads: nothing could be stored
                raise StoreError("the store is on a read-only disk: nothing can be added")
            summary = ingest(items, Pipeline.from_settings(settings), store)
    _say(
        f"ingested {len(summary.added)} article(s) with {summary.events} event(s); "
        f"{len(summary.skipped)} already stored; {len(summary.failed)} failed"
    )
    for origin, message in summary.warnings:
        _say(f"warning: {origin}: {message}")
    for origin, message in summary.failed:
        _say(f"error: {message}" if origin and origin in message else f"error: {origin}: {message}")
    return 1 if summary.failed else 0


def progress_bar(stream: TextIO = sys.stderr, width: int = 30) -> Callable[[int, int, str], None]:
    """A progress report for ``done`` of ``total``: a bar redrawn in place on a terminal, else a line
    at every tenth (a log file should not fill with carriage returns)."""
    shown: set[int] = set()

    def report(done: int, total: int, what: str) -> None:
        share = done / total if total else 1.0
        if stream.isatty():
            filled = int(width * share)
            bar = "#" * filled + "." * (width - filled)
            stream.write(f"\r[{bar}] {done}/{total} {printable(what)[:40]:<40}")
            if done >= total:
                stream.write("\n")
        elif int(share * 10) not in shown:
            shown.add(int(share * 10))
            stream.write(f"{100 * share:3.0f}% ({done}/{total}) {printable(what)[:60]}\n")
        stream.flush()

    return report


def cmd_reanalyse(args: argparse.Namespace) -> int:
    from geo.pipeline import Pipeline
    from geo.reanalyse import reanalyse
    from geo.store import Store

    settings = _settings(args)
    with Store(settings.db_url) as store:
        if store.read_only:
            raise StoreError("the store is on a read-only disk: nothing can be re-analysed")
        summary = reanalyse(store, Pipeline.from_settings(settings), article_ids=args.article or None,
                            progress=progress_bar())
    _say(f"re-analysed {summary.articles} article(s): {summary.events_before} event(s) before, "
         f"{summary.events_after} now; {len(summary.without_text)} without text (imported) left as they "
         f"were; {len(summary.failed)} failed")
    for article_id, message in summary.warnings:
        _say(f"warning: {article_id}: {message}")
    for article_id, why in summary.emptied:
        _say(f"warning: {article_id}: no events now: {why}")
    for article_id, message in summary.failed:
        _say(f"error: {article_id}: {message} (its events are left as they were)")
    return 1 if summary.failed else 0


# -- geoparse and eval --------------------------------------------------------


def toponym_records(found: Sequence[Any]) -> list[dict[str, Any]]:
    """The geoparse output shape for one text."""
    out = []
    for r in found:
        place = r.place
        out.append(
            {
                "start": r.toponym.start,
                "end": r.toponym.end,
                "name": r.toponym.text,
                "lat": None if place is None else round(place.lat, 5),
                "lon": None if place is None else round(place.lon, 5),
                "geonameid": None if place is None else place.geonameid,
            }
        )
    return out


def _parse_records(records: Sequence[dict[str, Any]], pipeline: Any) -> Iterator[list[dict[str, Any]]]:
    for found in pipeline.geoparse(r["text"] for r in records):
        yield toponym_records(found)


def cmd_geoparse(args: argparse.Namespace) -> int:
    from geo.evaluate import read_corpus
    from geo.pipeline import Pipeline

    records = list(read_corpus(Path(args.input)))
    pipeline = Pipeline.from_settings(_settings(args))
    out: TextIO
    with open(args.output, "w", encoding="utf-8") as out:
        for rec, tops in zip(records, _parse_records(records, pipeline), strict=True):
            out.write(json.dumps({"id": rec.get("id"), "toponyms": tops}, ensure_ascii=False) + "\n")
    _say(f"geoparsed {len(records)} text(s) into {args.output}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from geo.evaluate import format_table, macro, read_corpus, score, tally
    from geo.pipeline import Pipeline

    pipeline = Pipeline.from_settings(_settings(args))
    results = []
    for name in args.files:
        records = list(read_corpus(Path(name)))
        if args.limit:
            records = records[: args.limit]
        predictions = _parse_records(records, pipeline)
        tallies = [tally(rec, pred) for rec, pred in zip(records, predictions, strict=True)]
        label = records[0].get("dataset", Path(name).stem) if records else Path(name).stem
        results.append(score(label, tallies))
    rows = [*results, macro(results)] if len(results) > 1 else results
    sys.stdout.write(format_table(rows) + "\n")
    return 0


# -- events -------------------------------------------------------------------


def cmd_events(args: argparse.Namespace) -> int:
    from geo.frames import events_frame, export_bytes
    from geo.store import Store

    if not args.output and args.format == "parquet" and sys.stdout.isatty():
        # Binary on a terminal is noise at best, and escape sequences at worst.
        raise InputError("a Parquet export is binary: give a file with -o, or redirect the output")

    settings = _settings(args)
    with Store(settings.db_url) as store:
        events = store.events(actors=args.actor or None, date_from=args.date_from, date_to=args.date_to,
                              countries=args.country or None, sources=args.source or None,
                              event_types=args.type or None, story=args.story)
    data = export_bytes(events_frame(events), args.format)
    if args.output:
        Path(args.output).write_bytes(data)
        _say(f"wrote {len(events)} event(s) to {args.output}")
    else:
        sys.stdout.buffer.write(data)
    return 0


def export_command(actors: Sequence[str] = (), date_from: date | None = None, date_to: date | None = None,
                   countries: Sequence[str] = (), sources: Sequence[str] = (), types: Sequence[str] = (),
                   story: str | None = None, *, fmt: str = "csv") -> str:
    """The ``events`` command line that exports this view, quoted for a POSIX shell."""
    words = ["python", "-m", "geo", "events", "--format", fmt]
    pairs = [("--actor", a) for a in actors] + [("--country", c) for c in countries]
    pairs += [("--source", s) for s in sources] + [("--type", t) for t in types]
    pairs += [(flag, day.isoformat()) for flag, day in (("--from", date_from), ("--to", date_to)) if day]
    pairs += [("--story", story)] if story is not None else []
    words += [w for pair in pairs for w in pair]
    words += ["-o", f"geostory-events.{fmt}"]
    return shlex.join(words)


def cmd_gazetteer(args: argparse.Namespace) -> int:
    from geo.gazetteer import build_gazetteer, load_gazetteer

    settings = _settings(args)
    if args.action == "build":
        path = build_gazetteer(settings.cache_dir, progress=lambda f, m: log.info("%3.0f%% %s", 100 * f, m))
        _say(f"gazetteer built: {path}")
    else:
        gaz = load_gazetteer(settings)
        _say(f"gazetteer ready: {gaz}")
    return 0


# -- data safety --------------------------------------------------------------


def cmd_backup(args: argparse.Namespace) -> int:
    from geo.backup import backup

    copy = backup(_settings(args).db_url, Path(args.output), force=args.force)
    _say(f"backed up {copy.summary()} to {copy.path} ({copy.size:,} bytes)")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from geo.restore import restore

    done = restore(Path(args.input), _settings(args).db_url, force=args.force)
    _say(f"restored {done.summary()} into {done.path}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from geo.backup import import_events

    result = import_events(Path(args.file), _settings(args).db_url)
    _say(f"imported {result.events} event(s) of {result.articles} article(s) and {result.actors} actor(s); "
         "an export has no article text, so each article is a placeholder without text, title or date")
    return 0


# -- entry --------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geo", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="analyse article files and add their events to the store")
    p.add_argument("paths", nargs="+", help="files (.txt, .md, .html) or folders")
    p.add_argument("--published", type=_date_arg, help="published date, YYYY-MM-DD")
    p.add_argument("--title")
    p.add_argument("--source")
    p.add_argument("--url")
    p.add_argument("--story", help="the story (a named collection of articles) they belong to")
    p.add_argument("--db", help="database URL (default: GEOSTORY_DB_URL)")
    p.add_argument("--jobs", type=_jobs_arg, default=1,
                   help="worker processes, each with its own model (default 1)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("reanalyse", help="analyse the stored articles again and replace their events")
    p.add_argument("--db", help="database URL (default: GEOSTORY_DB_URL)")
    p.add_argument("--article", action="append", help="only this article id; repeat for several")
    p.set_defaults(func=cmd_reanalyse)

    cli_story.register(sub)
    cli_curate.register(sub)

    p = sub.add_parser("geoparse", help="toponyms of each JSONL text, without touching the store")
    p.add_argument("input")
    p.add_argument("output")
    p.set_defaults(func=cmd_geoparse)

    p = sub.add_parser("eval", help="score geoparsing on annotated JSONL corpora")
    p.add_argument("files", nargs="+")
    p.add_argument("--limit", type=int, default=0, help="first N articles of each file")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("events", help="export stored events")
    p.add_argument("--db")
    p.add_argument("--actor", action="append", help="repeat for several")
    p.add_argument("--from", dest="date_from", type=_date_arg)
    p.add_argument("--to", dest="date_to", type=_date_arg)
    p.add_argument("--country", action="append", help="ISO country code; repeat for several")
    p.add_argument("--source", action="append", help="repeat for several")
    p.add_argument("--type", action="append", help="event type; repeat for several")
    p.add_argument("--story", help="only this story's articles (python -m geo story list)")
    p.add_argument("--format", required=True, choices=("csv", "geojson", "parquet"))
    p.add_argument("-o", "--output")
    p.set_defaults(func=cmd_events)

    p = sub.add_parser("backup", help="copy the SQLite store to a file, consistently, even while written")
    p.add_argument("output")
    p.add_argument("--db")
    p.add_argument("--force", action="store_true", help="replace an existing backup file")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="replace the SQLite store's contents with a checked backup")
    p.add_argument("input")
    p.add_argument("--db")
    p.add_argument("--force", action="store_true", help="replace a store that holds data")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("import", help="load an events export (csv, geojson, parquet) into an empty store")
    p.add_argument("file")
    p.add_argument("--db")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("gazetteer", help="build or check the offline gazetteer index")
    p.add_argument("action", choices=("build", "check"))
    p.set_defaults(func=cmd_gazetteer)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = logging.StreamHandler()
    handler.setFormatter(_PrintableFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, handlers=[handler])
    # Every secret configured or given (--db) is masked in every log line and message below.
    given = url_secrets(args.db) if getattr(args, "db", None) else ()
    shield = protect_logs((*secret_values(), *given))
    try:
        return int(args.func(args))
    except GeoError as err:
        _say(f"error: {shield.redact(str(err))}")
        return 2
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except Exception:  # a bug or a library's surprise: the traceback, through the masking log
        log.exception("unexpected error")
        return 1
