"""Re-analysis in place: stored articles read again by today's pipeline, their events replaced.

Stored articles keep their text, so when the analysis improves (schema version 3 added who was
where, what they did and when), ``python -m geo reanalyse`` brings old events up to date
without asking anyone for the files again. It is idempotent: event ids depend only on the
text and the mention's offsets, so a second run finds the same events. Corrections survive it,
as they survive a re-ingest: overrides are applied by the pipeline, and names known to the
store keep their canonical form. Imported placeholders (an export has no article text) are
left as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from geo.actors import KnownActors
from geo.errors import GeoError
from geo.pipeline import Pipeline, rename_actors, why_no_events
from geo.store import Store

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]  # (done, total, what)


@dataclass(frozen=True)
class ReanalysisSummary:
    articles: int = 0  # re-analysed
    events_before: int = 0
    events_after: int = 0
    without_text: tuple[str, ...] = ()  # imported placeholders, left alone
    failed: tuple[tuple[str, str], ...] = ()  # (article id, message): their events are left as they were
    emptied: tuple[tuple[str, str], ...] = ()  # (article id, why): today's pipeline finds no event
    warnings: tuple[tuple[str, str], ...] = ()

    @property
    def ok(self) -> bool:
        return not self.failed


def reanalyse(store: Store, pipeline: Pipeline, *, article_ids: Iterable[str] | None = None,
              progress: Progress | None = None, batch_size: int = 8) -> ReanalysisSummary:
    """Analyse the stored articles (all, or ``article_ids``) again and replace their events."""
    wanted = None if article_ids is None else set(article_ids)
    stored = [(aid, a) for aid, a in store.articles() if wanted is None or aid in wanted]
    without_text = tuple(aid for aid, a in stored if not a.text)
    todo = [a for _aid, a in stored if a.text]
    overrides = store.override_places()
    if overrides:
        pipeline = pipeline.with_overrides(overrides)
    known = KnownActors([a for a, _n in store.actors()])
    before = after = done = 0
    failed: list[tuple[str, str]] = []
    emptied: list[tuple[str, str]] = []
    warnings: list[tuple[str, str]] = []
    for i, (item, outcome) in enumerate(pipeline.analyse_each(todo, batch_size=batch_size)):
        label = item.title or item.origin or item.article_id
        try:
            if isinstance(outcome, GeoError):
                raise outcome
            warnings.extend((item.article_id, w) for w in outcome.warnings)
            analysis = rename_actors(outcome, known)
            if not analysis.events:
                emptied.append((item.article_id, why_no_events(analysis)))
            old, new = store.replace_events(item.article_id, analysis.events, analysis.actors)
            known.add(analysis.actors)
            before, after, done = before + old, after + new, done + 1
        except GeoError as err:  # this article keeps its events; the others go on
            logger.warning("re-analysis failed for %s: %s", item.article_id, err)
            failed.append((item.article_id, str(err)))
        if progress is not None:
            progress(i + 1, len(todo), label)
    if done:
        store.refresh_statistics()
    return ReanalysisSummary(done, before, after, without_text, tuple(failed), tuple(emptied),
                             tuple(warnings))
