"""Article input: files (.txt, .md, .html), pasted text and uploads become ``Article`` values.

Every problem with an input surfaces as ``InputError`` naming the input, so the
command line and the dashboard can report it and go on with the next one.
Nothing here touches the network: HTML is extracted from the local bytes.
"""

from __future__ import annotations

import codecs
import json
import logging
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from geo.config import DATA_DIR
from geo.errors import InputError
from geo.models import Article

logger = logging.getLogger(__name__)

MAX_ARTICLE_BYTES: int = 2 * 1024 * 1024  # a long feature is ~50 KB; 2 MB leaves room for HTML markup
MAX_SIDECAR_BYTES: int = 64 * 1024
TEXT_SUFFIXES: frozenset[str] = frozenset({".txt", ".md"})
HTML_SUFFIXES: frozenset[str] = frozenset({".html", ".htm"})
SUPPORTED_SUFFIXES: frozenset[str] = TEXT_SUFFIXES | HTML_SUFFIXES
META_KEYS: tuple[str, ...] = ("title", "published", "source", "url")
FUTURE_TOLERANCE = timedelta(days=2)  # time zones and embargoed copies, not typos
DEMO_DIR: Path = DATA_DIR / "demo"

# Folder expansion skips documentation that sits beside articles (data/demo/README.md).
_DOC_STEMS = frozenset({"readme", "license", "licence", "changelog"})
_MAX_CONTROL_RATIO = 0.05
_FRONT_MATTER_MAX_LINES = 50
_KEY_VALUE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)[ \t]*:(.*)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\S.*$")
_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
# Unicode's control characters (C0, DEL, C1) except tab and newline; CR is gone by then.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")

# Frequent English function words: news prose runs at 30-45 % of its words from
# this list, French, German or Spanish news at 0-5 %.
_ENGLISH_LIST = """
    a about after against all also an and any are as at be been before but by can could did do does
    for from had has have he her him his how i if in into is it its more most my no not of on one or
    other our out over said she should so some such than that the their them then there these they this
    those to under up was we were what when where which while who will with would you your
    """
_ENGLISH_WORDS = frozenset(_ENGLISH_LIST.split())
_MIN_WORDS_FOR_LANGUAGE = 30
_MIN_ENGLISH_RATIO = 0.08  # caption-heavy English local news dips to ~0.12


@dataclass(frozen=True)
class _Meta:
    """Metadata as read from one place (a header, a sidecar, the HTML, the caller)."""

    title: str | None = None
    published: date | None = None
    source: str | None = None
    url: str | None = None

    def over(self, lower: _Meta) -> _Meta:
        """This metadata where it says something, ``lower`` elsewhere."""
        return _Meta(
            title=self.title if self.title is not None else lower.title,
            published=self.published if self.published is not None else lower.published,
            source=self.source if self.source is not None else lower.source,
            url=self.url if self.url is not None else lower.url,
        )


# --- public API ----------------------------------------------------------------------------------


def parse_date(value: str, *, source: str = "", today: date | None = None) -> date:
    """Parse a published date strictly: ``YYYY-MM-DD`` or a full ISO datetime (its date is kept).

    Relative or free-form dates are refused rather than guessed, because every
    event date of the article is resolved against this one. A date more than
    two days ahead of ``today`` is refused too.
    """
    text = value.strip() if isinstance(value, str) else ""
    parsed: date | None = None
    try:
        if _ISO_DATE.match(text):
            parsed = date.fromisoformat(text)
        elif _ISO_DATETIME.match(text):
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError as err:
        raise InputError(f"published date {value!r} is not a valid date ({err})", source=source) from err
    if parsed is None:
        raise InputError(f"published date {value!r} is not an ISO date (expected YYYY-MM-DD)", source=source)
    return _check_not_future(parsed, source=source, today=today)


def read_article(
    path: Path,
    *,
    title: str | None = None,
    published: date | str | None = None,
    source: str | None = None,
    url: str | None = None,
) -> Article:
    """Read one article file; the keyword metadata overrides whatever the file says.

    For .txt/.md the metadata comes from a front-matter header and/or a JSON
    sidecar with the same stem (``story.txt`` + ``story.json``; the sidecar wins
    over the header). For .html it comes from the page's own metadata.
    """
    path = Path(path)
    name = str(path)
    suffix = _check_suffix(path.name, name)
    data = _read_limited(path, name)
    overrides = _overrides(title, published, source, url, name)
    sidecar = _read_sidecar(path.with_suffix(".json"))
    return _article_from_data(data, suffix, name, origin=name, overrides=overrides.over(sidecar))


def article_from_bytes(data: bytes, *, filename: str, **meta: Any) -> Article:
    """Build an article from uploaded bytes; ``filename`` picks the format and names errors.

    ``meta`` takes the same keywords as :func:`read_article` (title, published,
    source, url).
    """
    unknown = sorted(set(meta) - set(META_KEYS))
    if unknown:
        raise TypeError(f"article_from_bytes() got unexpected keyword(s): {', '.join(unknown)}")
    name = Path(filename).name or filename
    suffix = _check_suffix(name, name)
    if len(data) > MAX_ARTICLE_BYTES:
        raise InputError(_too_large(len(data)), source=name)
    overrides = _overrides(
        meta.get("title"), meta.get("published"), meta.get("source"), meta.get("url"), name
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
) -> Article:
    """Build an article from pasted text, with the same checks as a file.

    A front-matter header at the top is read as in a .md file; non-empty
    keyword metadata overrides it.
    """
    name = origin or "paste"
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
    overrides = _overrides(title or None, published, source or None, url or None, name)
    body, header = _split_front_matter(_clean_text(text, name), name)
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


def looks_english(text: str) -> bool:
    """A cheap guess at whether text is English: share of common English function words.

    Short texts are given the benefit of the doubt.
    """
    words = _WORD.findall(text[:20000].lower())
    if len(words) < _MIN_WORDS_FOR_LANGUAGE:
        return True
    hits = sum(1 for word in words if word in _ENGLISH_WORDS)
    return hits / len(words) >= _MIN_ENGLISH_RATIO


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


def _read_sidecar(path: Path) -> _Meta:
    """Metadata from ``story.json`` next to ``story.txt``; absent sidecar means no metadata."""
    name = str(path)
    try:
        if not path.is_file():
            return _Meta()
        if path.stat().st_size > MAX_SIDECAR_BYTES:
            raise InputError(f"metadata sidecar is larger than {MAX_SIDECAR_BYTES:,} bytes", source=name)
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read metadata sidecar: {err.strerror or err}", source=name) from err
    try:
        loaded = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        raise InputError(f"metadata sidecar is not UTF-8 (byte offset {err.start})", source=name) from err
    except json.JSONDecodeError as err:
        raise InputError(
            f"metadata sidecar is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}",
            source=name,
        ) from err
    if not isinstance(loaded, dict):
        raise InputError(f"metadata sidecar must be a JSON object, not {_json_type(loaded)}", source=name)
    values: dict[str, str] = {}
    for key, value in loaded.items():
        if key not in META_KEYS:
            logger.warning("%s: unknown metadata key %r ignored", name, key)
            continue
        if value is None:
            continue
        if not isinstance(value, str):
            raise InputError(f"metadata {key!r} must be a string, not {_json_type(value)}", source=name)
        values[key] = value
    return _meta_from_strings(values, name)


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number"}
    return names.get(type(value), "a number" if isinstance(value, float) else type(value).__name__)


# --- decoding and cleaning -----------------------------------------------------------------------


_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM begins with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _decode(data: bytes, name: str, *, html: bool) -> str:
    """Bytes to text: a UTF-16/32 BOM is honoured, otherwise UTF-8 (HTML may declare a charset)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as err:
                raise InputError(
                    f"invalid {codec.upper()} (with byte-order mark) at byte offset {err.start}", source=name
                ) from err
    if b"\x00" in data:
        raise InputError("binary content (NUL bytes), not text", source=name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        declared = _declared_charset(data) if html else None
        if declared is not None:
            try:
                return data.decode(declared)
            except UnicodeDecodeError as inner:
                raise InputError(
                    f"invalid {declared} (declared by the page) at byte offset {inner.start}", source=name
                ) from inner
        offset = err.start + (3 if data.startswith(codecs.BOM_UTF8) else 0)
        line = data.count(b"\n", 0, offset) + 1
        raise InputError(f"invalid UTF-8 at byte offset {offset} (line {line})", source=name) from err


def _declared_charset(data: bytes) -> str | None:
    """A non-UTF-8 charset named in the page's <meta>, if Python knows it."""
    match = _CHARSET.search(data[:4096])
    if match is None:
        return None
    try:
        codec = codecs.lookup(match.group(1).decode("ascii"))
    except (LookupError, UnicodeDecodeError):
        return None
    return None if codec.name == "utf-8" else codec.name


def _clean_text(text: str, name: str) -> str:
    """Normalize decoded text; refuse it if it is empty or looks binary."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise InputError("binary content (NUL characters), not text", source=name)
    controls = len(_CONTROL.findall(text))
    if controls and controls / len(text) > _MAX_CONTROL_RATIO:
        raise InputError(
            f"binary content ({controls} control characters in {len(text)}), not text", source=name
        )
    if controls:
        # A few stray controls (form feeds, escape codes) are noise, not content.
        text = _CONTROL.sub(" ", text)
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        raise InputError("empty: no text", source=name)
    return text


# --- metadata ------------------------------------------------------------------------------------


def _check_not_future(value: date, *, source: str, today: date | None = None) -> date:
    today = today or date.today()
    if value > today + FUTURE_TOLERANCE:
        raise InputError(
            f"published date {value.isoformat()} is in the future (today is {today})", source=source
        )
    return value


def _clean_url(value: str, name: str) -> str:
    """Keep http(s) URLs only.

    Anything else is dropped with a warning rather than refused: the URL is
    optional provenance, the article is still worth mapping, and a
    ``javascript:`` or ``data:`` link must never reach a page as a link.
    """
    url = value.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme.lower() in ("http", "https") and parts.netloc and not re.search(r"[\s\x00-\x1f]", url):
        return url
    logger.warning("%s: URL %r dropped: only http(s) URLs are kept", name, url[:80])
    return ""


def _meta_from_strings(values: dict[str, str], name: str) -> _Meta:
    """Metadata from raw strings (header or sidecar); empty values count as absent."""
    title = values.get("title", "").strip() or None
    source = values.get("source", "").strip() or None
    raw_date = values.get("published", "").strip()
    published = parse_date(raw_date, source=name) if raw_date else None
    raw_url = values.get("url", "").strip()
    url = _clean_url(raw_url, name) if raw_url else None
    return _Meta(title=title, published=published, source=source, url=url)


def _overrides(
    title: str | None, published: date | str | None, source: str | None, url: str | None, name: str
) -> _Meta:
    """The caller's metadata, validated like the file's."""
    when: date | None
    if published is None or published == "":
        when = None
    elif isinstance(published, datetime):
        when = _check_not_future(published.date(), source=name)
    elif isinstance(published, date):
        when = _check_not_future(published, source=name)
    elif isinstance(published, str):
        when = parse_date(published, source=name)
    else:
        raise InputError(f"published must be a date, not {type(published).__name__}", source=name)
    return _Meta(
        title=title.strip() if title else None,
        published=when,
        source=source.strip() if source else None,
        url=_clean_url(url, name) if url else None,
    )


def _split_front_matter(text: str, name: str) -> tuple[str, _Meta]:
    """Split a ``---`` header of ``key: value`` lines off the top of the text."""
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return text, _Meta()
    header = lines[1 : _FRONT_MATTER_MAX_LINES + 2]
    closing = next((i for i, line in enumerate(header) if line.strip() == "---"), None)
    if closing is None:
        raise InputError(
            f"front matter opened on line 1 is not closed by a '---' line within "
            f"{_FRONT_MATTER_MAX_LINES} lines",
            source=name,
        )
    values: dict[str, str] = {}
    for number, line in enumerate(header[:closing], start=2):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _KEY_VALUE.match(stripped)
        if match is None:
            shown = line if len(line) <= 60 else line[:60] + "..."
            raise InputError(f"front matter line {number}: expected 'key: value', got {shown!r}", source=name)
        key, value = match.group(1).lower(), _unquote(match.group(2).strip())
        if key not in META_KEYS:
            logger.warning("%s: front matter line %d: unknown key %r ignored", name, number, key)
            continue
        if key in values:
            raise InputError(f"front matter line {number}: {key!r} is given twice", source=name)
        values[key] = value
    body = "\n".join(lines[closing + 2 :]).lstrip("\n")
    return body, _meta_from_strings(values, name)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


# --- HTML ----------------------------------------------------------------------------------------


_HTML_ERRORS = (ValueError, TypeError, AttributeError, IndexError, KeyError, RecursionError)
_BOILERPLATE_XPATH: list[str] = ["//nav", "//footer", "//aside", '//*[@role="navigation"]']


def _extract_html(html: str, name: str) -> tuple[str, _Meta]:
    """Main text and metadata of a local page; scripts, navigation and images never reach the text."""
    # Imported here: trafilatura pulls in lxml and friends, which plain-text callers never need.
    import trafilatura
    from lxml import etree

    try:
        text = trafilatura.extract(
            html,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            include_formatting=False,
            output_format="txt",
            deduplicate=False,
            with_metadata=False,
            # On short pages trafilatura falls back to the whole body, menus included.
            prune_xpath=_BOILERPLATE_XPATH,
        )
        document = trafilatura.extract_metadata(html)
    # Hostile or broken markup can trip the parser in many ways; all of them mean bad input.
    except (*_HTML_ERRORS, etree.LxmlError) as err:
        raise InputError(f"cannot parse HTML: {err}", source=name) from err
    if not text or not text.strip():
        raise InputError("no article text found in the HTML page", source=name)
    # One paragraph per line in trafilatura's output; a blank line between them matches plain files.
    body = "\n\n".join(line.strip() for line in text.split("\n") if line.strip())
    values: dict[str, str] = {}
    if document is not None:
        for key, attr in (("title", "title"), ("published", "date"), ("source", "sitename"), ("url", "url")):
            value = getattr(document, attr, None)
            if isinstance(value, str) and value.strip():
                values[key] = value
    return body, _meta_from_strings(values, name)


# --- assembly ------------------------------------------------------------------------------------


def _article_from_data(data: bytes, suffix: str, name: str, *, origin: str, overrides: _Meta) -> Article:
    html = suffix in HTML_SUFFIXES
    text = _clean_text(_decode(data, name, html=html), name)
    if html:
        body, found = _extract_html(text, name)
        body = _clean_text(body, name)
    else:
        body, found = _split_front_matter(text, name)
    return _finish(body, overrides.over(found), name, origin=origin)


def _finish(body: str, meta: _Meta, name: str, *, origin: str) -> Article:
    if not body.strip():
        raise InputError("empty: no text after the metadata header", source=name)
    if meta.published is None:
        logger.warning("%s: no published date; events will be dated by absolute expressions only", name)
    if not looks_english(body):
        logger.warning("%s: the text does not look like English; place and date extraction may fail", name)
    return Article(
        text=body.strip(),
        title=meta.title or "",
        published=meta.published,
        source=meta.source or "",
        url=meta.url or "",
        origin=origin,
    )
