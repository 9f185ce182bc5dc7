"""Bytes to article text: decoding, binary checks, HTML extraction and a cheap English check.

Split from ``geo.readers`` so that the rules about what counts as text live in
one place, apart from files and metadata. Every refusal is an ``InputError``
naming the input; nothing here touches the network or the file system.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from geo.errors import InputError

_MAX_CONTROL_RATIO = 0.05
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


def looks_english(text: str) -> bool:
    """A cheap guess at whether text is English: share of common English function words.

    Short texts are given the benefit of the doubt.
    """
    words = _WORD.findall(text[:20000].lower())
    if len(words) < _MIN_WORDS_FOR_LANGUAGE:
        return True
    hits = sum(1 for word in words if word in _ENGLISH_WORDS)
    return hits / len(words) >= _MIN_ENGLISH_RATIO


# --- invisible and control characters ------------------------------------------------------------

# Characters that show nothing but split a word for every program that reads it ("Ka\u200bbul" is
# not "Kabul"): zero-width space, word joiner, a BOM inside the text, soft hyphen.
_INVISIBLE = "\u200b\u2060\ufeff\u00ad"
# Explicit bidi embeddings, overrides and isolates: they reorder how the text around them is shown.
_BIDI = "\u202a-\u202e\u2066-\u2069"
_HIDDEN = re.compile(f"[{_INVISIBLE}{_BIDI}]")
# ZWNJ/ZWJ shape Persian, Arabic and Indic words and join emoji, so they go only between Latin letters.
_LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
_LATIN_JOINER = re.compile(f"(?<=[{_LATIN}])[\u200c\u200d]+(?=[{_LATIN}])")
# What a one-line value (title, source) may not hold: controls, line and paragraph separators.
_LINE_BREAKERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# What a name must show as an escape: controls and the hidden characters above.
_SHOWN_ESCAPED = re.compile(f"[\x00-\x1f\x7f-\x9f{_INVISIBLE}{_BIDI}]")


def strip_hidden(text: str) -> str:
    """``text`` without zero-width characters, soft hyphens and bidi controls (see the patterns)."""
    return _LATIN_JOINER.sub("", _HIDDEN.sub("", text))


def clean_line(value: str) -> str:
    """A metadata value as one clean line: hidden characters gone, controls and line breaks
    made spaces, runs of white space made one."""
    return " ".join(_LINE_BREAKERS.sub(" ", strip_hidden(value)).split())


def display_name(name: str) -> str:
    """A name that can be stored and printed and still tells which file it was: a file name's
    undecodable bytes (which Python keeps as lone surrogates) become ``\\xNN`` escapes, and its
    control, zero-width and bidi characters become ``\\x1b`` or ``\\u202e``. The database and
    UTF-8 output refuse lone surrogates, so an unescaped one would stop the whole ingest."""
    try:
        shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that no file system decoding produced
        shown = name.encode("utf-8", "backslashreplace").decode("utf-8")
    return _SHOWN_ESCAPED.sub(_escape, shown)


def _escape(match: re.Match[str]) -> str:
    return repr(match.group())[1:-1]  # Python's escape, as the command line prints it: \n, \x1b, \u202e


# --- decoding and cleaning -----------------------------------------------------------------------


_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM begins with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes, name: str, *, html: bool) -> str:
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


def clean_text(text: str, name: str) -> str:
    """Normalize decoded text (line ends, stray controls, hidden characters, NFC); refuse it if it
    is empty or looks binary."""
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
    text = unicodedata.normalize("NFC", strip_hidden(text))
    if not text.strip():
        raise InputError("empty: no text", source=name)
    return text


# --- HTML ----------------------------------------------------------------------------------------


_HTML_ERRORS = (ValueError, TypeError, AttributeError, IndexError, KeyError, RecursionError)
_BOILERPLATE_XPATH: list[str] = ["//nav", "//footer", "//aside", '//*[@role="navigation"]']


def extract_html(html: str, name: str) -> tuple[str, dict[str, str]]:
    """Main text and raw metadata strings of a local page; scripts, navigation and images never
    reach the text. The metadata (title, published, source, url) is validated by the caller."""
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
    return body, values
