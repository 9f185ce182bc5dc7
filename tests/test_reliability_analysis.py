"""One article must never stop an ingest (issue 10, items 3, 5, 12, 13): long articles, a fault
inside analysis, hidden characters, a sentence far longer than any real one, impossible dates.

Everything runs on the real spaCy model and a real SQLite store. The fault test adds a real spaCy
component that raises on one marked article: the only way to make analysis fail on purpose, and
what an unexpected fault in spaCy or in our code looks like to the ingest.
"""

from __future__ import annotations

import logging
from datetime import date

import pytest
from spacy.language import Language

from geo.errors import AnalysisError
from geo.extract import load_nlp
from geo.models import Article
from geo.pipeline import Pipeline, ingest
from geo.readers import article_from_text, read_article
from geo.store import Store
from tests.conftest import MODEL

PUBLISHED = date(2021, 9, 6)  # a Monday
GOOD = (
    "Antony Blinken arrived in Doha, Qatar, on Monday. He will fly to Ramstein in Germany on Wednesday.",
    "Taliban fighters entered Kabul on Sunday. By evening they had reached Charikar.",
    "Heiko Maas met officials in Doha on Tuesday to discuss the evacuation from Kabul.",
)
MARKER = "FAULT-INJECTED-HERE"


@Language.component("geostory_fault_for_tests")
def _fault(doc):  # type: ignore[no-untyped-def]
    if MARKER in doc.text:
        raise RuntimeError(f"injected fault: {'x' * 500}")  # a long message: the report stays short
    return doc


@pytest.fixture(scope="module")
def faulty_pipeline(tiny_gazetteer) -> Pipeline:
    nlp = load_nlp(MODEL)  # its own copy: the session's model stays as it is
    nlp.add_pipe("geostory_fault_for_tests", last=True)
    return Pipeline(nlp, tiny_gazetteer)


@pytest.fixture(scope="module")
def tiny_pipeline(nlp, tiny_gazetteer) -> Pipeline:
    return Pipeline(nlp, tiny_gazetteer)


def _articles(bad_at: int) -> list[Article]:
    texts = list(GOOD)
    texts.insert(bad_at, f"Troops reached Kabul on Monday. {MARKER}")
    return [Article(text=t, published=PUBLISHED, origin=f"a{i}.txt") for i, t in enumerate(texts)]


@pytest.mark.model
@pytest.mark.parametrize("bad_at", [0, 2, 3])
def test_a_fault_in_one_article_loses_none_of_its_batch_mates(tmp_path, faulty_pipeline, caplog, bad_at):
    articles = _articles(bad_at)
    with Store(f"sqlite:///{tmp_path / 'g.sqlite'}") as store, caplog.at_level(logging.WARNING):
        summary = ingest(articles, faulty_pipeline, store, batch_size=8)  # all four in one spaCy batch
        stored = {a.article_id for _id, a in store.articles()}
    good = [a for i, a in enumerate(articles) if i != bad_at]
    assert stored == {a.article_id for a in good} == set(summary.added)
    [(origin, message)] = summary.failed
    assert origin == f"a{bad_at}.txt"
    assert message.startswith(f"a{bad_at}.txt: could not be analysed (RuntimeError: injected fault")
    assert message.endswith("the details are in the log") and len(message) < 200
    logged = [r for r in caplog.records if r.exc_info and f"a{bad_at}.txt" in r.getMessage()]
    assert logged and "Traceback" not in message  # the traceback is in the log, not the message


@pytest.mark.model
def test_analyse_raises_a_geo_error_for_an_unexpected_fault(faulty_pipeline):
    bad = Article(text=f"Kabul. {MARKER}", published=PUBLISHED, origin="paste")
    with pytest.raises(AnalysisError, match="paste: could not be analysed") as info:
        faulty_pipeline.analyse(bad)
    assert isinstance(info.value.__cause__, RuntimeError)
    assert faulty_pipeline.analyse(Article(text=GOOD[0], published=PUBLISHED)).events


def _long_text(nlp_max: int) -> str:
    """Just over spaCy's limit: a dispatch, a long run of blank lines (cheap to parse), another."""
    head = GOOD[1] + "\n\n"
    tail = "\n\n" + GOOD[0]
    return head + "\n" * (nlp_max + 1 - len(head) - len(tail)) + tail


@pytest.mark.model
def test_an_article_over_spacys_limit_lands_with_its_offsets(tmp_path, tiny_pipeline):
    text = _long_text(tiny_pipeline.nlp.max_length)
    long = Article(text=text, published=PUBLISHED, origin="long.txt")
    assert len(long.text) == 1_000_001
    others = [Article(text=t, published=PUBLISHED, origin=f"g{i}.txt") for i, t in enumerate(GOOD[1:])]
    with Store(f"sqlite:///{tmp_path / 'g.sqlite'}") as store:
        summary = ingest([others[0], long, others[1]], tiny_pipeline, store)
        assert summary.failed == () and len(summary.added) == 3
        stored = store.article(long.article_id).text
        events = [e for e in store.events() if e.article_id == long.article_id]
    assert stored == text
    assert {e.place_name for e in events} >= {"Kabul", "Doha", "Qatar", "Ramstein", "Germany"}
    late = [e for e in events if e.place_start > 1_000_000 - len(GOOD[0])]
    assert late  # places after spaCy's limit, at their offsets in the stored text
    for e in events:
        assert stored[e.place_start : e.place_end] == e.place_name
        assert stored[e.sentence_start : e.sentence_end].strip() == e.quote
    doha = next(e for e in late if e.place_name == "Doha")
    assert (doha.date, doha.actors) == (PUBLISHED, ("Antony Blinken",))


# --- hidden characters (item 12) -------------------------------------------------------------------


@pytest.mark.gazetteer
def test_a_zero_width_space_inside_a_name_does_not_hide_the_place(nlp, real_gazetteer):
    pipeline = Pipeline(nlp, real_gazetteer)
    for hidden in ("\u200b", "\u00ad", "\u2060", "\ufeff", "\u200d"):
        article = article_from_text(f"Troops entered Ka{hidden}bul on Sunday.", published=PUBLISHED)
        events = pipeline.analyse(article).events
        assert [(e.place_name, e.country_code) for e in events] == [("Kabul", "AF")], repr(hidden)


@pytest.mark.model
def test_rlo_and_escape_never_reach_stored_names(tmp_path, tiny_pipeline):
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "dispatch\x1b[2J\u202e.md"
    path.write_text(
        "---\ntitle: Talks\u202e in \x1b[31mDoha\nsource: Wire\u2066 desk\x1b\n---\n"
        "Antony Bli\u202enken arrived in Doha, Qatar, on Monday. The Nation\u202dal Resis\u2067tance "
        "Front said Heiko\x1b Maas was in Kabul.\n",
        encoding="utf-8",
    )
    article = read_article(path, published=PUBLISHED)
    with Store(f"sqlite:///{tmp_path / 'g.sqlite'}") as store:
        assert ingest([article], tiny_pipeline, store).added
        [(_id, stored)] = store.articles()
        names = [a.name for a, _n in store.actors()] + [x for a, _n in store.actors() for x in a.aliases]
        events = store.events()
    assert "Antony Blinken" in names and "National Resistance Front" in names
    values = [stored.title, stored.source, stored.origin, *names, *(e.quote for e in events)]
    for value in values:
        assert not any(c in value for c in "\x1b\u202e\u202d\u2066\u2067"), repr(value)
    assert stored.origin.endswith("dispatch\\x1b[2J\\u202e.md")
    assert (stored.title, stored.source) == ("Talks in [31mDoha", "Wire desk")


# --- one sentence far longer than any real one (item 5) ----------------------------------------------

CLAUSES = (
    "troops moved from Kabul to Doha on 5 September",
    "Antony Blinken flew to Berlin on Monday",
    "the Taliban held Herat and Kandahar in August",
)


def _run_on(n: int) -> str:
    return "On Tuesday, " + ", and ".join(CLAUSES[i % len(CLAUSES)] for i in range(n)) + "."


@pytest.mark.gazetteer
def test_each_event_of_a_run_on_sentence_takes_a_bounded_window(nlp, real_gazetteer):
    from geo.events import CONTEXT_CHARS, MAX_SENTENCE_CHARS

    text = _run_on(300)  # about 13,000 characters in one sentence
    doc = nlp(text)
    assert len(list(doc.sents)) == 1 and len(text) > 10 * MAX_SENTENCE_CHARS
    events = Pipeline(nlp, real_gazetteer).analyse_doc(Article(text=text, published=PUBLISHED), doc).events
    assert len(events) >= 400
    for e in events:
        assert e.sentence_start <= e.place_start < e.place_end <= e.sentence_end
        assert e.sentence_end - e.sentence_start <= 2 * CONTEXT_CHARS + (e.place_end - e.place_start)
        assert text[e.sentence_start : e.sentence_end].strip() == e.quote
        # No word is cut at either end of the window.
        assert e.sentence_start == 0 or text[e.sentence_start - 1] == " "
        assert e.sentence_end == len(text) or text[e.sentence_end] in " ,."
        # The date is the one nearest the place, the actors those named in its window.
        if e.place_name == "Berlin":
            assert e.date_text == "Monday" and "Antony Blinken" in e.actors
        elif e.place_name == "Doha":
            assert (e.date_text, e.date) == ("5 September", date(2021, 9, 5))
        assert all(name.split()[-1] in e.quote for name in e.actors)
    assert sum(len(e.quote) for e in events) < len(events) * (2 * CONTEXT_CHARS + 20)


@pytest.mark.model
def test_each_date_expression_is_resolved_once(tiny_pipeline, monkeypatch):
    import geo.temporal

    calls: list[str] = []
    real = geo.temporal.resolve_date

    def counting(span, published):  # type: ignore[no-untyped-def]
        calls.append(span.text)
        return real(span, published)

    monkeypatch.setattr(geo.temporal, "resolve_date", counting)
    text = _run_on(60)
    doc = tiny_pipeline.parse(text)
    analysis = tiny_pipeline.analyse_doc(Article(text=text, published=PUBLISHED), doc)
    dates = [e for e in doc.ents if e.label_ in ("DATE", "TIME")]
    assert len(analysis.events) > 40 and len(dates) > 40
    # Each expression at most once, whatever the number of places around it (it was places x dates).
    assert len(calls) <= len(dates)


# --- impossible dates (item 13) ----------------------------------------------------------------------


@pytest.mark.model
def test_an_impossible_day_is_dated_to_its_month_with_a_warning(tiny_pipeline):
    text = ("Troops entered Kabul on 31 February. Officials met in Doha on 30 February 2020. "
            "Blinken flew to Ramstein on 29 February 2020.")
    analysis = tiny_pipeline.analyse(Article(text=text, published=PUBLISHED, warnings=("from reading",)))
    by_place = {e.place_name: e for e in analysis.events}
    assert (by_place["Kabul"].date, by_place["Kabul"].date_precision) == (date(2021, 2, 1), "month")
    assert (by_place["Doha"].date, by_place["Doha"].date_precision) == (date(2020, 2, 1), "month")
    assert (by_place["Ramstein"].date, by_place["Ramstein"].date_precision) == (date(2020, 2, 29), "day")
    assert analysis.warnings == (
        "from reading",
        "'31 February' names a day February does not have (day 31); dated to February 2021, month precision",
        "'30 February 2020' names a day February does not have (day 30); dated to February 2020, "
        "month precision",
    )
