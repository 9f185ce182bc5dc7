"""Long texts through spaCy: parsed in pieces cut between paragraphs or sentences, then joined.

spaCy refuses a text over ``nlp.max_length`` (1,000,000 characters) with a
``ValueError`` (E088), and an article may be up to 2 MB. A text longer than
``CHUNK_CHARS`` is cut into pieces of at most that many characters, each cut
placed after a paragraph break, else after a sentence's final punctuation,
else after any white space, so that no sentence or word is split when the
text gives a choice. The pieces go through ``nlp.pipe`` like any other text
and are joined with ``Doc.from_docs``: the joined doc's text is the original
text exactly, so every character offset (toponyms, sentences, events) points
into the stored article. A cut starts a sentence, which a paragraph break
does anyway.

The limits were chosen from measurements (docs/reliability.md, item 3): spaCy's
time per character was the same for pieces of 10,000 to 1,000,000 characters,
while its peak memory grew with the characters parsed in one batch, about
3.5 MB per 1,000 (a 400,000-character text in one doc: 1.4 GB). Pieces of at
most 100,000 characters, in batches of at most 100,000, bound it near 360 MB
above the loaded model; the longest article of the four evaluation corpora
has 9,148 characters, so real articles are never cut.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

CHUNK_CHARS = 100_000
# spaCy's working memory grows with the characters in a batch (about 3.5 MB per 1,000 here), not
# with the number of docs: a batch holds at most this many, whatever the texts' sizes.
BATCH_CHARS = 100_000
# A cut looks back at most this share of a piece for a good boundary before taking a worse one.
_LOOK_BACK = 0.5
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+")
_SPACE = re.compile(r"\s+")


def cut_points(text: str, limit: int = CHUNK_CHARS) -> list[int]:
    """Offsets where ``text`` is cut into pieces of at most ``limit`` characters (none if it fits).

    Each cut is placed just after white space: after the last paragraph break in the
    second half of the piece, else after the last sentence end there, else after the
    last white space anywhere in it; a piece with no white space at all is cut at the limit.
    """
    if limit < 2:
        raise ValueError(f"limit must be at least 2, not {limit}")
    cuts: list[int] = []
    start = 0
    while len(text) - start > limit:
        end = start + limit
        floor = start + int(limit * _LOOK_BACK)
        cut = (_last_end(_PARAGRAPH, text, floor, end) or _last_end(_SENTENCE_END, text, floor, end)
               or _last_end(_SPACE, text, start + 1, end) or end)
        cuts.append(cut)
        start = cut
    return cuts


def _last_end(pattern: re.Pattern[str], text: str, lo: int, hi: int) -> int | None:
    """The end of the last match of ``pattern`` that lies wholly inside text[lo:hi]."""
    last = None
    for match in pattern.finditer(text, lo, hi):
        last = match.end()
    return last


def pieces(text: str, limit: int = CHUNK_CHARS) -> list[str]:
    """``text`` cut at :func:`cut_points`; joined back, they are ``text``."""
    bounds = [0, *cut_points(text, limit), len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


def parse_texts(nlp: Language, texts: Iterable[str], *, batch_size: int = 8, limit: int = CHUNK_CHARS,
                batch_chars: int = BATCH_CHARS) -> Iterator[Doc]:
    """One doc per text, in order: ``nlp.pipe`` in batches of at most ``batch_size`` pieces and
    ``batch_chars`` characters (a piece longer than that goes alone); a text longer than ``limit``
    is parsed in pieces and joined. Texts are read lazily, a batch at a time."""
    limit = min(limit, nlp.max_length)
    parts: list[Doc] = []  # the pieces of the text being put back together
    for batch in _batches(_pieces_of(texts, limit), batch_size, batch_chars):
        docs = nlp.pipe([piece for piece, _last in batch], batch_size=len(batch))
        for (_piece, last), doc in zip(batch, docs, strict=True):
            parts.append(doc)
            if last:
                yield parts[0] if len(parts) == 1 else Doc.from_docs(parts, ensure_whitespace=False)
                parts = []


def _pieces_of(texts: Iterable[str], limit: int) -> Iterator[tuple[str, bool]]:
    """Each text's pieces, each with whether it is its text's last."""
    for text in texts:
        parts = pieces(text, limit) if len(text) > limit else [text]
        for i, part in enumerate(parts):
            yield part, i == len(parts) - 1


def _batches(items: Iterable[tuple[str, bool]], size: int,
             chars: int) -> Iterator[list[tuple[str, bool]]]:
    batch: list[tuple[str, bool]] = []
    length = 0
    for item in items:
        if batch and (len(batch) >= size or length + len(item[0]) > chars):
            yield batch
            batch, length = [], 0
        batch.append(item)
        length += len(item[0])
    if batch:
        yield batch
