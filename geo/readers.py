"""Article input: files (.txt, .md, .html), pasted text and uploads become ``Article`` values.

Every problem with an input surfaces as ``InputError`` naming the input, so the
command line and the dashboard can report it and go on with the next one.
Nothing here touches the network: HTML is extracted from the local bytes.
This module reads files and assembles articles; ``geo.textio`` turns bytes into
text and ``geo.metadata`` reads and checks the title, date, source and URL.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from geo.config import DATA_DIR
from geo.errors import InputError
from geo.metadata import (
    FUTURE_TOLERANCE,
    MAX_SIDECAR_BYTES,
    MAX_SOURCE_CHARS,
    MAX_TITLE_CHARS,
    MAX_URL_CHARS,
    META_KEYS,
    ArticleMeta,
    caller_meta,
    meta_from_strings,
    parse_date,
    read_sidecar,
    split_front_matter,
)
from geo.models import Article
from geo.textio import clean_text, decode, display_name, extract_html, looks_english

logger = logging.getLogger(__name__)

# The public API; parse_date, looks_english, display_name and the metadata limits are re-exported
# from geo.metadata and geo.textio, where they live.
__all__ = [
    "DEMO_DIR", "FUTURE_TOLERANCE", "HTML_SUFFIXES", "MAX_ARTICLE_BYTES", "MAX_SIDECAR_BYTES",
    "MAX_SOURCE_CHARS", "MAX_TITLE_CHARS", "MAX_URL_CHARS", "META_KEYS",
    "SUPPORTED_SUFFIXES", "TEXT_SUFFIXES", "article_from_bytes", "article_from_text", "demo_article_paths",
    "demo_articles", "display_name", "iter_article_paths", "looks_english", "parse_date", "read_article",
]

MAX_ARTICLE_BYTES: int = 2 * 1024 * 1024  # a long feature is ~50 KB; 2 MB leaves room for HTML markup
TEXT_SUFFIXES: frozenset[str] = frozenset({".txt", ".md"})
HTML_SUFFIXES: frozenset[str] = frozenset({".html", ".htm"})
SUPPORTED_SUFFIXES: frozenset[str] = TEXT_SUFFIXES | HTML_SUFFIXES
DEMO_DIR: Path = DATA_DIR / "demo"

# Folder expansion skips documentation that sits beside articles (data/demo/README.md).
_DOC_STEMS = frozenset({"readme", "license", "licence", "changelog"})
_SURROGATE = re.compile("[\ud800-\udfff]")


# --- public API ----------------------------------------------------------------------------------


def read_article(
    path: Path,
    *,
    title: str | None = None,
    published: date | str | None = None,
    source: str | None = None,
    url: str | None = None,
    story: str | None = None,
) -> Article:
    """Read one article file; the keyword metadata overrides whatever the file says.

    For .txt/.md the metadata comes from a front-matter header and/or a JSON
    sidecar with the same stem (``story.txt`` + ``story.json``; the sidecar wins
    over the header). For .html it comes from the page's own metadata.
    """
    path = Path(path)
    name = display_name(str(path))
    suffix = _check_suffix(path.name, name)
    data = _read_limited(path, name)
    overrides = caller_meta(title, published, source, url, name, story)
    sidecar = read_sidecar(path.with_suffix(".json"))
    return _article_from_data(data, suffix, name, origin=name, overrides=overrides.over(sidecar))


def article_from_bytes(data: bytes, *, filename: str, **meta: Any) -> Article:
    """Build an article from uploaded bytes; ``filename`` picks the format and names errors.

    ``meta`` takes the same keywords as :func:`read_article` (title, published,
    source, url).
    """
    unknown = sorted(set(meta) - set(META_KEYS))
    if unknown:
        raise TypeError(f"article_from_bytes() got unexpected keyword(s): {', '.join(unknown)}")
    name = display_name(Path(filename).name or filename)
    suffix = _check_suffix(name, name)
    if len(data) > MAX_ARTICLE_BYTES:
        raise InputError(_too_large(len(data)), source=name)
    overrides = caller_meta(
        meta.get("title"), meta.get("published"), meta.get("source"), meta.get("url"), name, meta.get("story")
    )
    return _article_from_data(bytes(data), suffix, name, origin=f"upload:{name}", overrides=overrides)


def article_from_text(
    text: str,
    *,
    title: str = "",
    published: date | str | None = None,
    source: str = "",
    url: str = "",
    origin: str = "paste",
    story: str = "",
) -> Article:
    """Build an article from pasted text, with the same checks as a file.

    A front-matter header at the top is read as in a .md file; non-empty
    keyword metadata overrides it.
    """
    name = display_name(origin or "paste")
    if not isinstance(text, str):
        raise InputError(f"expected text, got {type(text).__name__}", source=name)
    # A str of n characters is at least n bytes in UTF-8: skip encoding a huge paste.
    if len(text) > MAX_ARTICLE_BYTES:
        raise InputError(_too_large(len(text)), source=name)
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as err:
        # Lone surrogates (a broken clipboard) could be neither stored nor shown.
        raise InputError(f"invalid character at position {err.start}", source=name) from err
    if size > MAX_ARTICLE_BYTES:
        raise InputError(_too_large(size), source=name)
    overrides = caller_meta(title or None, published, source or None, url or None, name, story or None)
    body, header = split_front_matter(clean_text(text, name), name)
    return _finish(body, overrides.over(header), name, origin=name)


def iter_article_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Expand folders into the article files under them, recursively and sorted.

    Inside folders: only supported suffixes, no hidden files or folders, no
    .json sidecars, no README/LICENSE files. Paths named explicitly are yielded
    as given (even missing or unsupported ones) so that :func:`read_article`
    reports each problem against its file. Each file is yielded once.
    """
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        found = _walk(path) if path.is_dir() else [path]
        for item in found:
            key = Path(os.path.realpath(item))  # never raises, unlike resolve() on a symlink loop
            if key not in seen:
                seen.add(key)
                yield item


def demo_article_paths() -> list[Path]:
    """The bundled demo dispatches, in file order (their names start with the date)."""
    return list(iter_article_paths([DEMO_DIR]))


def demo_articles() -> list[Article]:
    """The bundled demo story, read and validated like any other input."""
    return [read_article(path) for path in demo_article_paths()]


# --- files ---------------------------------------------------------------------------------------


def _check_suffix(filename: str, name: str) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "(none)"
        allowed = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise InputError(f"unsupported file type {shown}; expected one of {allowed}", source=name)
    return suffix


def _too_large(size: int) -> str:
    return (
        f"too large: {size:,} bytes, the limit is {MAX_ARTICLE_BYTES:,} bytes "
        f"({MAX_ARTICLE_BYTES // (1024 * 1024)} MB)"
    )


def _read_limited(path: Path, name: str) -> bytes:
    """Read at most the limit (plus one byte, to notice a file that grew after stat)."""
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise InputError("is a folder, not a file", source=name)
        if not stat.S_ISREG(info.st_mode):
            # A pipe or device would block or never end.
            raise InputError("not a regular file", source=name)
        size = info.st_size
        if size > MAX_ARTICLE_BYTES:
            raise InputError(_too_large(size), source=name)
        with path.open("rb") as handle:
            data = handle.read(MAX_ARTICLE_BYTES + 1)
    except FileNotFoundError as err:
        raise InputError("no such file", source=name) from err
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", source=name) from err
    if len(data) > MAX_ARTICLE_BYTES:
        raise InputError(_too_large(len(data)), source=name)
    return data


def _walk(root: Path) -> list[Path]:
    found: list[Path] = []
    for folder, dirs, files in os.walk(root, onerror=None, followlinks=False):
        # Pruning in place stops os.walk from descending into hidden folders.
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for filename in sorted(files):
            stem, suffix = os.path.splitext(filename)
            if filename.startswith(".") or suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            if stem.lower() in _DOC_STEMS:
                logger.debug("skipping documentation file %s", Path(folder) / filename)
                continue
            found.append(Path(folder) / filename)
    return found


# --- assembly ------------------------------------------------------------------------------------


def _article_from_data(
    data: bytes, suffix: str, name: str, *, origin: str, overrides: ArticleMeta
) -> Article:
    html = suffix in HTML_SUFFIXES
    text = clean_text(decode(data, name, html=html), name)
    if html:
        body, values = extract_html(text, name)
        found = meta_from_strings(values, name)
        body = clean_text(body, name)
    else:
        body, found = split_front_matter(text, name)
    return _finish(body, overrides.over(found), name, origin=origin)


def _finish(body: str, meta: ArticleMeta, name: str, *, origin: str) -> Article:
    if not body.strip():
        raise InputError("empty: no text after the metadata header", source=name)
    for key in ("title", "source", "url", "story"):
        value = getattr(meta, key) or ""
        if _SURROGATE.search(value):
            # A JSON sidecar can spell one ("\\ud800"); it could be neither stored nor shown.
            raise InputError(f"invalid character (a lone surrogate) in the {key}", source=name)
    warnings = list(meta.warnings)
    if meta.published is None:
        warnings.append("no published date; events will be dated by absolute expressions only")
    if not looks_english(body):
        warnings.append("the text does not look like English; place and date extraction may fail")
    for warning in warnings:
        logger.info("%s: %s", name, warning)  # the caller shows them: the CLI prints, the page lists
    return Article(
        text=body.strip(),
        title=meta.title or "",
        published=meta.published,
        source=meta.source or "",
        url=meta.url or "",
        origin=origin,
        story=meta.story or "",
        warnings=tuple(warnings),
    )
