"""Ingest in several processes: ``python -m geo ingest --jobs N``.

spaCy's ``nlp.pipe`` runs on one core, so the work is split between worker
processes, each with its own model, gazetteer and store connection. Articles
go out in small chunks that workers take as they finish the last one, so a
worker that drew long articles does not hold the others up. The store takes
concurrent writers (SQLite WAL, one transaction per article, retried while
locked), so workers write their own results.

Event ids depend only on the article text and the mention's offsets, so the
events stored are the same for any number of jobs. What can differ is actor
naming across articles: a worker renames an actor to a fuller name only if
the article that introduced it is already in the store when its chunk starts.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from geo.config import Settings
from geo.errors import GeoError, InputError
from geo.models import Article

if TYPE_CHECKING:  # geo.pipeline imports spaCy; the workers import it themselves
    from geo.pipeline import IngestSummary, Pipeline

log = logging.getLogger(__name__)

MAX_CHUNK = 16  # articles per task: small enough to balance, large enough for nlp.pipe batches

# One pipeline per worker process, loaded by the pool's initializer.
_worker_pipeline: Pipeline | None = None
_worker_settings: Settings | None = None


def _init_worker(settings: Settings) -> None:
    global _worker_pipeline, _worker_settings
    from geo.pipeline import Pipeline

    _worker_settings = settings
    _worker_pipeline = Pipeline.from_settings(settings)


def _ingest_chunk(chunk: list[Article]) -> IngestSummary:
    from geo.pipeline import IngestSummary, ingest
    from geo.store import Store

    if _worker_pipeline is None or _worker_settings is None:
        raise RuntimeError("worker used before its initializer ran")
    try:
        with Store(_worker_settings.db_url) as store:
            return ingest(chunk, _worker_pipeline, store)
    except GeoError as err:
        # The store could not be opened: every article of the chunk failed, the others go on.
        return IngestSummary(failed=tuple((a.origin or a.article_id, str(err)) for a in chunk))


def chunk_size(n_articles: int, jobs: int) -> int:
    """About four chunks per worker, at most ``MAX_CHUNK`` articles each."""
    if n_articles <= 0:
        return 1
    return max(1, min(MAX_CHUNK, math.ceil(n_articles / (4 * jobs))))


def split(articles: Sequence[Article], size: int) -> list[list[Article]]:
    return [list(articles[i : i + size]) for i in range(0, len(articles), size)]


def ingest_parallel(
    items: Iterable[Article | InputError],
    settings: Settings,
    *,
    jobs: int,
    progress: Callable[[float, str], None] | None = None,
) -> IngestSummary:
    """Like :func:`geo.pipeline.ingest`, with ``jobs`` worker processes.

    Unreadable inputs are reported, duplicates within ``items`` are skipped
    here, and articles the store has already are skipped by the workers.
    """
    from geo.gazetteer import load_gazetteer
    from geo.pipeline import IngestSummary, partition

    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    todo, skipped, failed = partition(items)
    if not todo:
        return IngestSummary(skipped=tuple(skipped), failed=tuple(failed))
    # Build the gazetteer here if it is missing, so that workers do not all build it at once.
    load_gazetteer(settings, progress=progress).close()
    workers = min(jobs, len(todo))
    chunks = split(todo, chunk_size(len(todo), workers))
    added: list[str] = []
    warnings: list[tuple[str, str]] = []
    n_events = 0
    done = 0
    # spawn: each worker starts clean (no inherited connections or threads), on every platform.
    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                                 initargs=(settings,)) as pool:
            for chunk, summary in zip(chunks, pool.map(_ingest_chunk, chunks), strict=True):
                added.extend(summary.added)
                skipped.extend(summary.skipped)
                failed.extend(summary.failed)
                warnings.extend(summary.warnings)
                n_events += summary.events
                done += len(chunk)
                if progress is not None:
                    progress(done / len(todo), chunk[-1].origin or chunk[-1].article_id)
    except BrokenProcessPool as err:
        # A worker died (out of memory, killed) or its initializer failed to load the model.
        raise GeoError(
            f"an ingest worker stopped unexpectedly after {done} of {len(todo)} article(s): {err}"
        ) from err
    log.info("ingested %d article(s) with %d worker(s)", len(added), workers)
    return IngestSummary(tuple(added), tuple(skipped), tuple(failed), n_events, warnings=tuple(warnings))
