"""Stories: named collections of articles, so that unrelated news does not share one slider.

A story is a name on each of its articles (``articles.story``; "" for an article in none). It is
given at ingest (``--story``, the Add page, a ``story:`` header or sidecar key) and can be changed
later (``python -m geo story``). Every filter of the dashboard can be scoped to one story.

A mixin of ``geo.store.Store``: the methods run in the store's own transactions (``_run``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.errors import InputError, NotFoundError
from geo.metadata import MAX_STORY_CHARS
from geo.schema import articles, events

logger = logging.getLogger(__name__)

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def story_name(raw: str) -> str:
    """A story's name as stored: spaces collapsed; "" means no story. An ``InputError`` for a name
    too long or holding control characters (nothing is cut: a cut name is another story)."""
    name = " ".join(str(raw).split())
    if len(name) > MAX_STORY_CHARS:
        raise InputError(f"a story's name has at most {MAX_STORY_CHARS} characters, not {len(name):,}")
    if _CONTROL.search(name):
        raise InputError("a story's name cannot hold control characters")
    return name


@dataclass(frozen=True)
class StoryInfo:
    """One story of the store: its articles and events, and the dates they span."""

    name: str
    articles: int
    events: int
    first: date | None
    last: date | None


def in_story(story: str) -> sa.ColumnElement[bool]:
    """The WHERE term that keeps the events of one story."""
    return events.c.article_id.in_(sa.select(articles.c.article_id).where(articles.c.story == story))


class Stories:
    """List stories, and move articles between them."""

    _run: Callable[..., Any]  # geo.store.Store._run

    def stories(self) -> list[StoryInfo]:
        """Every named story, the one with the latest event first; articles in no story left out."""
        per_article = (sa.select(events.c.article_id, sa.func.count().label("n"),
                                 sa.func.min(events.c.date).label("first"),
                                 sa.func.max(events.c.date).label("last"))
                       .group_by(events.c.article_id).subquery())
        joined = articles.outerjoin(per_article, per_article.c.article_id == articles.c.article_id)
        events_n = sa.func.coalesce(sa.func.sum(per_article.c.n), 0)
        query = (sa.select(articles.c.story, sa.func.count(), events_n,
                           sa.func.min(per_article.c.first), sa.func.max(per_article.c.last))
                 .select_from(joined).where(articles.c.story != "").group_by(articles.c.story))
        rows = self._run(lambda c: c.execute(query).all())
        found = [StoryInfo(str(r[0]), int(r[1]), int(r[2]), r[3], r[4]) for r in rows]
        return sorted(found, key=lambda s: (s.last is None, -(s.last.toordinal() if s.last else 0), s.name))

    def story_articles(self, limit: int = 5_000) -> list[tuple[str, str, date | None, str]]:
        """(id, title, published, story) of up to ``limit`` articles, the latest published first:
        what a form needs to file articles, without their text."""
        query = (sa.select(articles.c.article_id, articles.c.title, articles.c.published, articles.c.story)
                 .order_by(articles.c.published.desc().nulls_last(), articles.c.title, articles.c.article_id)
                 .limit(limit))
        rows = self._run(lambda c: c.execute(query).all())
        return [(str(r[0]), str(r[1] or ""), r[2], str(r[3] or "")) for r in rows]

    def latest_story(self) -> str:
        """The story of the most recently ingested article: what a plain link opens on. "" (every
        story) when that article is in none, so an article added without a story is never hidden."""
        query = (sa.select(articles.c.story)
                 .order_by(articles.c.ingested_at.desc(), articles.c.article_id).limit(1))
        found = self._run(lambda c: c.execute(query).scalar_one_or_none())
        return str(found or "")

    def set_story(self, article_ids: Iterable[str], story: str) -> int:
        """Put articles in a story ("" takes them out of any); all or nothing. Returns how many
        changed. A ``NotFoundError`` names an id the store does not hold."""
        name = story_name(story)
        wanted = list(dict.fromkeys(article_ids))
        if not wanted:
            raise InputError("name at least one article")

        def work(conn: Connection) -> int:
            known = set(conn.execute(sa.select(articles.c.article_id)
                                     .where(articles.c.article_id.in_(wanted))).scalars())
            missing = [a for a in wanted if a not in known]
            if missing:
                raise NotFoundError(f"no article {missing[0]!r}" + (f" (and {len(missing) - 1} more)"
                                                                    if len(missing) > 1 else ""))
            return int(conn.execute(articles.update().where(articles.c.article_id.in_(wanted),
                                                            articles.c.story != name)
                                    .values(story=name)).rowcount)

        changed = self._run(work, write=True)
        logger.info("%d article(s) moved to story %r", changed, name)
        return changed

    def rename_story(self, old: str, new: str) -> int:
        """Rename a story (into an existing one: the two merge). Returns the articles moved."""
        old_name, new_name = story_name(old), story_name(new)
        if not old_name:
            raise InputError("name the story to rename")

        def work(conn: Connection) -> int:
            moved = int(conn.execute(articles.update().where(articles.c.story == old_name)
                                     .values(story=new_name)).rowcount)
            if moved == 0:
                raise NotFoundError(f"no story {old_name!r}")
            return moved

        return int(self._run(work, write=True))
