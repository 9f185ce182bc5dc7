"""Article metadata (title, published date, source, URL): where it is read from and how it is checked.

Metadata comes from a front-matter header, a JSON sidecar, the HTML page or the
caller; each is read into an :class:`ArticleMeta` and layered with
:meth:`ArticleMeta.over`. Split from ``geo.readers`` so that the strict rules
for dates and URLs sit in one place. Problems surface as ``InputError`` naming
the input; optional provenance that cannot be trusted (a non-http URL, an
unknown key) is dropped with a warning instead.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from geo.errors import InputError
from geo.textio import clean_line, display_name

logger = logging.getLogger(__name__)

MAX_SIDECAR_BYTES: int = 64 * 1024
META_KEYS: tuple[str, ...] = ("title", "published", "source", "url", "story")
FUTURE_TOLERANCE = timedelta(days=2)  # time zones and embargoed copies, not typos
# Caps on what a value may hold (the Add form's own max_chars): a longer title or source is cut at
# a word, a longer URL is dropped, since a cut URL would point somewhere else.
MAX_TITLE_CHARS = 300
MAX_SOURCE_CHARS = 200
MAX_STORY_CHARS = 120  # a story's name, shown in the story selector
MAX_URL_CHARS = 2000
_KEYS_NAMED = 5  # unknown keys named in their one warning

_FRONT_MATTER_MAX_LINES = 50
_KEY_VALUE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)[ \t]*:(.*)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\S.*$")


@dataclass(frozen=True)
class ArticleMeta:
    """Metadata as read from one place (a header, a sidecar, the HTML, the caller).

    ``notes`` are the warnings about it, each with the key it concerns ("" for the whole
    input): a value cut or dropped, unknown keys.
    """

    title: str | None = None
    published: date | None = None
    source: str | None = None
    url: str | None = None
    story: str | None = None  # the named collection of articles it belongs to
    notes: tuple[tuple[str, str], ...] = ()

    def over(self, lower: ArticleMeta) -> ArticleMeta:
        """This metadata where it says something, ``lower`` elsewhere; a warning about a value
        that this metadata replaces is dropped with it."""
        kept = tuple(n for n in lower.notes if not n[0] or getattr(self, n[0]) is None)
        return ArticleMeta(
            title=self.title if self.title is not None else lower.title,
            published=self.published if self.published is not None else lower.published,
            source=self.source if self.source is not None else lower.source,
            url=self.url if self.url is not None else lower.url,
            story=self.story if self.story is not None else lower.story,
            notes=kept + self.notes,
        )

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(message for _key, message in self.notes)


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
    return check_not_future(parsed, source=source, today=today)


def check_not_future(value: date, *, source: str, today: date | None = None) -> date:
    today = today or date.today()
    if value > today + FUTURE_TOLERANCE:
        raise InputError(
            f"published date {value.isoformat()} is in the future (today is {today})", source=source
        )
    return value


def _clean_url(value: str) -> tuple[str, str]:
    """Keep http(s) URLs only: (the URL or "", a warning or "").

    Anything else is dropped with a warning rather than refused: the URL is
    optional provenance, the article is still worth mapping, and a
    ``javascript:`` or ``data:`` link must never reach a page as a link.
    """
    url = value.strip()
    if not url:
        return "", ""
    if len(url) > MAX_URL_CHARS:
        return "", f"URL dropped: {len(url):,} characters, over the limit of {MAX_URL_CHARS:,}"
    parts = urlsplit(url)
    if parts.scheme.lower() in ("http", "https") and parts.netloc and not _URL_FORBIDDEN.search(url):
        return url, ""
    return "", f"URL {clean_line(url)[:80]!r} dropped: only http(s) URLs are kept"


# White space, controls and characters that hide or reorder text have no place in a link.
_URL_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def _capped(value: str, limit: int, what: str) -> tuple[str, str]:
    """``value`` cut to at most ``limit`` characters at a word, with an ellipsis: (text, warning or "")."""
    if len(value) <= limit:
        return value, ""
    cut = value[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:  # a word boundary, unless the only one would lose half the text
        cut = cut[:space]
    cut = cut.rstrip(" ,;:-") + "…"
    return cut, f"{what} cut to {len(cut)} characters (it had {len(value):,}; the limit is {limit})"


def _text_value(raw: str | None, key: str, limit: int, notes: list[tuple[str, str]]) -> str | None:
    """A title or source: one clean line, capped; empty counts as absent."""
    value = clean_line(raw or "")
    if not value:
        return None
    value, warning = _capped(value, limit, key)
    if warning:
        notes.append((key, warning))
    return value


def _url_value(raw: str | None, notes: list[tuple[str, str]]) -> str | None:
    if not raw or not raw.strip():
        return None
    url, warning = _clean_url(raw)
    if warning:
        notes.append(("url", warning))
    return url


def _unknown_keys_note(keys: list[str], where: str) -> tuple[str, str]:
    """One warning for every unknown key of an input, naming the first few."""
    named = ", ".join(repr(clean_line(k)[:40]) for k in keys[:_KEYS_NAMED])
    more = f" and {len(keys) - _KEYS_NAMED:,} more" if len(keys) > _KEYS_NAMED else ""
    return "", f"{len(keys):,} unknown {where} key(s) ignored: {named}{more}"


def meta_from_strings(values: dict[str, str], name: str,
                      notes: tuple[tuple[str, str], ...] = ()) -> ArticleMeta:
    """Metadata from raw strings (header, sidecar or page); empty values count as absent."""
    found = list(notes)
    title = _text_value(values.get("title"), "title", MAX_TITLE_CHARS, found)
    source = _text_value(values.get("source"), "source", MAX_SOURCE_CHARS, found)
    raw_date = values.get("published", "").strip()
    published = parse_date(raw_date, source=name) if raw_date else None
    url = _url_value(values.get("url"), found)
    story = _text_value(values.get("story"), "story", MAX_STORY_CHARS, found)
    return ArticleMeta(title=title, published=published, source=source, url=url, story=story,
                       notes=tuple(found))


def caller_meta(
    title: str | None, published: date | str | None, source: str | None, url: str | None, name: str,
    story: str | None = None,
) -> ArticleMeta:
    """The caller's metadata, validated like the file's."""
    when: date | None
    if published is None or published == "":
        when = None
    elif isinstance(published, datetime):
        when = check_not_future(published.date(), source=name)
    elif isinstance(published, date):
        when = check_not_future(published, source=name)
    elif isinstance(published, str):
        when = parse_date(published, source=name)
    else:
        raise InputError(f"published must be a date, not {type(published).__name__}", source=name)
    notes: list[tuple[str, str]] = []
    return ArticleMeta(
        title=_text_value(title, "title", MAX_TITLE_CHARS, notes),
        published=when,
        source=_text_value(source, "source", MAX_SOURCE_CHARS, notes),
        url=_url_value(url, notes),
        story=_text_value(story, "story", MAX_STORY_CHARS, notes),
        notes=tuple(notes),
    )


# --- front matter --------------------------------------------------------------------------------


def split_front_matter(text: str, name: str) -> tuple[str, ArticleMeta]:
    """Split a ``---`` header of ``key: value`` lines off the top of the text."""
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return text, ArticleMeta()
    header = lines[1 : _FRONT_MATTER_MAX_LINES + 2]
    closing = next((i for i, line in enumerate(header) if line.strip() == "---"), None)
    if closing is None:
        raise InputError(
            f"front matter opened on line 1 is not closed by a '---' line within "
            f"{_FRONT_MATTER_MAX_LINES} lines",
            source=name,
        )
    values: dict[str, str] = {}
    unknown: list[str] = []
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
            logger.info("%s: front matter line %d: unknown key %r ignored", name, number, key)
            unknown.append(key)
            continue
        if key in values:
            raise InputError(f"front matter line {number}: {key!r} is given twice", source=name)
        values[key] = value
    body = "\n".join(lines[closing + 2 :]).lstrip("\n")
    notes = (_unknown_keys_note(unknown, "front matter"),) if unknown else ()
    return body, meta_from_strings(values, name, notes)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


# --- sidecar -------------------------------------------------------------------------------------


def read_sidecar(path: Path) -> ArticleMeta:
    """Metadata from ``story.json`` next to ``story.txt``; absent sidecar means no metadata."""
    name = display_name(str(path))
    try:
        if not path.is_file():
            return ArticleMeta()
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
    # Valid JSON that Python will not load: a number past int's digit limit (ValueError),
    # arrays or objects nested past the recursion limit (RecursionError). Both fit in 64 KB.
    except ValueError as err:
        raise InputError(f"metadata sidecar cannot be read: {_value_problem(err)}", source=name) from err
    except RecursionError as err:
        raise InputError("metadata sidecar cannot be read: its JSON is nested too deeply",
                         source=name) from err
    if not isinstance(loaded, dict):
        raise InputError(f"metadata sidecar must be a JSON object, not {_json_type(loaded)}", source=name)
    values: dict[str, str] = {}
    unknown: list[str] = []
    for key, value in loaded.items():
        if key not in META_KEYS:
            unknown.append(key)
            continue
        if value is None:
            continue
        if not isinstance(value, str):
            raise InputError(f"metadata {key!r} must be a string, not {_json_type(value)}", source=name)
        values[key] = value
    if unknown:
        logger.info("%s: %d unknown metadata key(s) ignored", name, len(unknown))
    notes = (_unknown_keys_note(unknown, "metadata"),) if unknown else ()
    return meta_from_strings(values, name, notes)


def _value_problem(err: ValueError) -> str:
    if "digits" in str(err):
        return "it holds a number with too many digits"
    return str(err)[:120]


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number"}
    return names.get(type(value), "a number" if isinstance(value, float) else type(value).__name__)
