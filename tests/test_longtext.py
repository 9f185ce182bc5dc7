"""Long texts parsed in pieces (issue 10, item 3): where the cuts go, and that the joined doc is
the text, with its entities and sentences at the original offsets. The model tests use the real
spaCy pipeline."""

from __future__ import annotations

import pytest

from geo.longtext import BATCH_CHARS, CHUNK_CHARS, _batches, cut_points, parse_texts, pieces
from geo.readers import demo_articles


def _check(text: str, limit: int) -> list[str]:
    parts = pieces(text, limit)
    assert "".join(parts) == text
    assert all(0 < len(p) <= limit for p in parts)
    return parts


def test_short_text_is_not_cut() -> None:
    assert cut_points("Kabul fell.", 100) == []
    assert pieces("Kabul fell.", 100) == ["Kabul fell."]


def test_cuts_prefer_paragraphs_then_sentences_then_spaces() -> None:
    para = "First paragraph here. It has two sentences.\n\n"
    parts = _check(para * 10, 120)
    assert all(p.endswith("\n\n") for p in parts[:-1])  # every cut right after a paragraph break
    sentences = "One short sentence here. " * 20
    parts = _check(sentences, 120)
    assert all(p.endswith(". ") for p in parts[:-1])
    words = "word " * 100
    parts = _check(words, 33)
    assert all(p.endswith(" ") for p in parts[:-1])  # no word split


def test_a_paragraph_break_early_in_the_piece_loses_to_a_later_sentence_end() -> None:
    # Looking back past half the piece for a paragraph would make tiny pieces: take the sentence.
    text = "Intro.\n\n" + "A sentence that goes on. " * 8
    first = pieces(text, 100)[0]
    assert first.endswith(". ") and len(first) > 50


def test_text_without_white_space_is_cut_at_the_limit() -> None:
    parts = _check("x" * 250, 100)
    assert [len(p) for p in parts] == [100, 100, 50]


def test_batches_are_bounded_in_pieces_and_characters() -> None:
    items = [("a" * 30, True)] * 7 + [("b" * 500, True), ("c" * 10, True)]
    batches = list(_batches(items, 3, 100))
    assert [len(b) for b in batches] == [3, 3, 1, 1, 1]
    assert all(sum(len(p) for p, _ in b) <= 100 or len(b) == 1 for b in batches)
    assert [i for b in batches for i in b] == items


def test_the_limits_fit_spacy() -> None:
    assert CHUNK_CHARS <= 1_000_000 and BATCH_CHARS >= CHUNK_CHARS


@pytest.mark.model
def test_a_text_parsed_in_pieces_keeps_its_offsets(nlp) -> None:
    text = "\n\n".join(a.text for a in demo_articles())
    whole = nlp(text)
    [doc] = parse_texts(nlp, [text], limit=2_000)
    assert len(pieces(text, 2_000)) > 3
    assert doc.text == text
    for ent in doc.ents:
        assert text[ent.start_char : ent.end_char] == ent.text
    # Cut at paragraph breaks, the pieces find what the whole text finds.
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == [
        (e.start_char, e.end_char, e.label_) for e in whole.ents]
    starts = {s.start_char for s in doc.sents}
    bounds = [0]
    for part in pieces(text, 2_000)[:-1]:
        bounds.append(bounds[-1] + len(part))
    assert set(bounds) <= starts  # every piece starts a sentence


@pytest.mark.model
def test_more_than_spacys_max_length_is_parsed(nlp) -> None:
    head = "Troops left Kabul on Monday.\n\n"
    tail = "\n\nOfficials met in Paris on Tuesday."
    text = head + "\n" * (nlp.max_length + 1 - len(head) - len(tail)) + tail
    assert len(text) == nlp.max_length + 1
    with pytest.raises(ValueError, match="E088"):
        nlp(text)  # what the pipeline used to do
    docs = list(parse_texts(nlp, ["Kabul.", text, "Doha."]))
    assert [d.text for d in docs] == ["Kabul.", text, "Doha."]
    places = [(e.text, e.start_char) for e in docs[1].ents if e.label_ == "GPE"]
    assert places == [("Kabul", head.index("Kabul")), ("Paris", len(text) - len(tail) + tail.index("Paris"))]
