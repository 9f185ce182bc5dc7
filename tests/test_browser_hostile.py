"""Hostile text in the real browser: every page shows article data as text and fetches nothing.

Articles whose titles, sources, URLs, sentences and actor names carry ``<script>``,
``<img onerror>``, ``javascript:`` and ``data:`` URLs, Markdown links, images and emphasis,
and HTML entities go through the real pipeline (spaCy and the offline gazetteer) into a
fresh store. Streamlit serves it, and Chromium visits every page. The payloads' images point
at a canary HTTP server on another loopback address (127.0.0.2), which records any hit.

After each visit: no dialog opened; no request left the app's own 127.0.0.1:port; the
canary saw nothing; no element entered the DOM (even briefly) with an inline handler, a
``javascript:``/``data:text/html`` address or a payload's host; and no link points anywhere
but the app and the one article whose URL is a plain https link. The payloads must also
*show*, literally, where the data is shown: in cards, tables, tooltips, labels and legends.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

import pytest

from geo.models import Article, Event
from geo.pipeline import Pipeline, ingest
from geo.readers import article_from_text
from geo.store import Store
from geo.story import paragraph_starts, step_of_event, story_steps
from geo.summaries import review_items
from tests.browser_support import (
    CANARY_HOST,
    CHROMIUM,
    FLAGS,
    canary,
    injected,
    links,
    need_browser,
    settle,
    streamlit_server,
    watched_context,
)

pytestmark = [pytest.mark.browser, pytest.mark.gazetteer, pytest.mark.model]

LOAD_MS = 60_000
SAFE_URL = "https://news.example.org/story?id=4"  # the one article URL a card may link to
EVIL = "evil.example"
PUBLISHED = date(2021, 9, 13)


def hostile_articles(canary_url: str) -> list[Article]:
    """Four articles; every piece of text a page shows carries a payload.

    The first three are built directly (as an older store or another writer might hold
    them), so their javascript:, data: and Markdown "URLs" reach the store; the fourth comes
    through the paste reader, which keeps only http(s) URLs.
    """
    c = canary_url
    return [
        Article(
            text=(f'The minister John Carter~~x~~ met Maria Lopez in Berlin on Wednesday. A note read '
                  f'<script>alert("quote")</script> and '
                  f'<img src={c}/beacon-quote onerror=alert("quote-img")> in Berlin. '
                  f'John Carter~~x~~ then flew to Paris on Thursday, where '
                  f'[click](http://{EVIL}/x) and [js](javascript:alert("md")) were posted. '
                  f'John Carter~~x~~ returned to Berlin on Friday.'),
            title=(f'Talks <script>alert("title")</script> [click](http://{EVIL}/title) '
                   f'<img src={c}/beacon-title onerror=alert("title-img")> **bold**'),
            source=f"Wire <b>bold</b> ![s]({c}/beacon-source)",
            url='javascript:alert("url")',
            published=PUBLISHED,
        ),
        Article(
            text=('The envoy Omar Haidari&lt;script&gt;alert(1)&lt;/script&gt; arrived in Doha on Tuesday. '
                  'Officials said &lt;b&gt;bold&lt;/b&gt; and '
                  '&#x3C;script&#x3E;alert("ent")&#x3C;/script&#x3E; '
                  f'were posted in Doha. # Heading **strong** _em_ :red[red] $x^2$ '
                  f'<img src={c}/beacon-tip onerror=alert("tip")> in Doha.'),
            title='&lt;b&gt;Entities&lt;/b&gt; &#x3C;script&#x3E;alert("t-ent")&#x3C;/script&#x3E; # Heading',
            source=":red[Red] $x^2$ &amp; Co",
            url='data:text/html,<script>alert("data")</script>',
            published=PUBLISHED,
        ),
        Article(
            text=(f"The envoy Omar ![pic]({c}/md-actor) Haidari arrived in Kabul on Monday. "
                  "The minister Peter Novak`<script>alert(1)</script>` met officials in Kabul on Monday."),
            title=f"Markdown [click](http://{EVIL}) ![i]({c}/beacon-title3) www.{EVIL} bob@{EVIL}",
            source='Agency [js](javascript:alert("src"))',
            url=f"[click](http://{EVIL})",
            published=PUBLISHED,
        ),
        article_from_text(
            ("The minister Peter Novak`<script>alert(1)</script>` flew to Islamabad on Sunday. "
             'A banner read <img src=x onerror=alert("a4")> in Islamabad.'),
            title='Plain [js](javascript:alert("t4")) title', source="Wire", url=SAFE_URL,
            published=PUBLISHED.isoformat(),
        ),
    ]


@dataclass
class Site:
    base: str
    db_url: str
    canary: str
    hits: list[str]
    articles: dict[str, Article]
    events: list[Event]


@pytest.fixture(scope="module")
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    need_browser()  # before the model and gazetteer load: a skip should cost nothing
    nlp, real_gazetteer = request.getfixturevalue("nlp"), request.getfixturevalue("real_gazetteer")
    tmp = tmp_path_factory.mktemp("hostile")
    db_url = f"sqlite:///{tmp / 'story.sqlite'}"
    with canary() as (canary_url, hits):
        articles = hostile_articles(canary_url)
        with Store(db_url) as store:
            summary = ingest(articles, Pipeline(nlp, real_gazetteer), store)
            assert not summary.failed and len(summary.added) == len(articles), summary
            events = store.events()
        env = {"GEOSTORY_DB_URL": db_url, "GEOSTORY_DEMO": "false"}
        with streamlit_server(env, tmp / "streamlit.log") as base:
            yield Site(base, db_url, canary_url, hits, {a.article_id: a for a in articles}, events)


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        # The control: this browser does reach the canary when asked, so "no hit" means something.
        probe = chromium.new_page()  # about:blank: no favicon request to race with
        probe.evaluate("url => fetch(url, {mode: 'no-cors'}).then(() => true)", f"{site.canary}/control")
        probe.close()
        assert site.hits == ["/control"], site.hits
        site.hits.clear()
        yield chromium
        chromium.close()


@pytest.fixture
def tab(browser: Any, site: Site) -> Iterator[Any]:
    site.hits.clear()  # each test answers for its own requests
    context, watch = watched_context(browser, site.base, [CANARY_HOST, EVIL])
    page = context.new_page()
    page.watch = watch
    yield page
    context.close()


# -- helpers ---------------------------------------------------------------------------------


def _plain(text: str) -> str:
    """Text as a reader sees it: the invisible word joiners md_escape adds removed, spaces collapsed."""
    return " ".join(text.replace("\u2060", "").split())


def _open(tab: Any, site: Site, path: str, ready: str) -> None:
    tab.goto(site.base + path, timeout=LOAD_MS)
    tab.wait_for_selector(ready, timeout=LOAD_MS)
    settle(tab)


def _allowed(link: str, site: Site) -> bool:
    tag, _, url = link.partition(" ")
    return url == site.base or url.startswith(site.base + "/") or (tag == "a" and url == SAFE_URL)


def _assert_clean(tab: Any, site: Site) -> None:
    tab.wait_for_timeout(300)  # an injected image would have fired by now
    assert tab.watch.dialogs == [], tab.watch.dialogs
    assert tab.watch.outside == [], tab.watch.outside
    assert site.hits == [], site.hits
    assert injected(tab) == []
    assert tab.locator("img[src*='beacon'], img[src*='127.0.0.2'], iframe:not([data-testid='stIFrame']), "
                       "object, embed").count() == 0
    # Our own frames only (the share button, the feed's scroll): our template, the link's text escaped.
    for frame in tab.locator("iframe[data-testid='stIFrame']").all():
        doc = frame.get_attribute("srcdoc") or ""
        assert doc.lstrip().startswith(('<div style="display:flex', '<script data-row=')), doc[:80]
        assert "<img" not in doc and "beacon" not in doc and EVIL not in doc, doc[:200]
    assert [link for link in links(tab) if not _allowed(link, site)] == []


def _grid_text(tab: Any) -> str:
    """What the dataframes' accessible tables hold (the grid itself is drawn on a canvas)."""
    return _plain(" ".join(tab.eval_on_selector_all(
        "[data-testid='stDataFrame'] table", "els => els.map(e => e.textContent)")))


def _check_all_events_shown(tab: Any, site: Site) -> None:
    # The pages' default period must cover every event, or the checks below would test less.
    shown = tab.get_by_text(re.compile(r"^\d+ events shown$")).inner_text()
    assert shown == f"{len(site.events)} events shown"


# -- the pages -------------------------------------------------------------------------------


# Card text, as the reader sees it, once the run that shows the event has drawn it, its
# article link included (the link button comes in a later delta than the text).
_CARD_SHOWS = """([wanted, links, base]) => {
  const card = document.querySelector(".st-key-card");
  const text = card ? card.innerText.replaceAll("\\u2060", "").split(/\\s+/).join(" ") : "";
  const anchors = card ? Array.from(card.querySelectorAll("a[href]")) : [];
  const outside = anchors.filter((a) => !a.href.startsWith(base));
  return wanted.every((w) => text.includes(w)) && outside.length === links;
}"""


def _check_card(tab: Any, site: Site, event: Event) -> None:
    article = site.articles[event.article_id]
    wanted = [_plain(event.quote), f"Place: {event.place_name}", f"Date: {event.date.isoformat()}"]
    links = 1 if article.url == SAFE_URL else 0
    tab.wait_for_function(_CARD_SHOWS, arg=[wanted, links, site.base], timeout=LOAD_MS)
    card = tab.locator(".st-key-card")
    text = _plain(card.inner_text())
    assert _plain(article.title) in text
    assert _plain(article.source) in text
    for actor in event.actors:
        assert _plain(actor) in text
    assert card.locator("img, script").count() == 0
    hrefs = card.locator("a[href]").evaluate_all("els => els.map(e => e.href)")
    wanted = [SAFE_URL] if article.url == SAFE_URL else []  # cards link only http(s) URLs
    assert [h for h in hrefs if not h.startswith(site.base)] == wanted, (article.url, hrefs)


def _check_tooltip(tab: Any, site: Site, event: Event) -> None:
    """Hover the map's centre (story mode centres it on the step's event) until deck.gl answers."""
    box = tab.locator("[data-testid='stDeckGlJsonChart'] canvas").first.bounding_box()
    assert box
    visible = ("() => [...document.querySelectorAll('.deck-tooltip')]"
               ".some(t => t.style.display !== 'none' && t.innerText.trim())")
    for attempt in range(50):  # the layers may still be drawing: move a pixel and look again
        tab.mouse.move(box["x"] + box["width"] / 2 + attempt % 2, box["y"] + box["height"] / 2)
        tab.wait_for_timeout(200)
        if tab.evaluate(visible):
            break
    else:
        pytest.fail("no tooltip over the map's centre after 10 s")
    tip = tab.locator(".deck-tooltip").filter(has_text=event.place_name).first
    tip_text = _plain(tip.inner_text())
    here = [e for e in site.events if (e.lat, e.lon) == (event.lat, event.lon)]
    assert any(_plain(e.quote) in tip_text for e in here), tip_text
    assert "<" in tip_text  # every sentence at this place carries markup, shown as text
    tags = tip.evaluate("t => [...t.querySelectorAll('*')].map(e => e.tagName)")
    assert set(tags) <= {"B", "I", "BR"}, tags  # the template's own markup, nothing injected


def test_map_cards_tooltip_and_legend_show_text(site: Site, tab: Any) -> None:
    """Story mode through every event: each card shows its title, sentence, source and actors;
    the legend (coloured by actor) its names; the tooltip over one place its sentence."""
    doha_id = next(a.article_id for a in site.articles.values() if a.source.startswith(":red"))
    hover = [e for e in site.events if e.article_id == doha_id][-1]
    _open(tab, site, "/?step=0&color=actor", ".st-key-card")
    _check_all_events_shown(tab, site)
    tab.wait_for_selector("[data-testid='geostory-legend']", timeout=LOAD_MS)  # drawn under the map
    legend = _plain(" ".join(tab.locator("[data-testid='stHtml']").all_inner_texts()))
    named = {a for e in site.events for a in e.actors}
    assert any("<" in a or "~~" in a for a in named)
    for actor in named:
        assert _plain(actor) in legend, (actor, legend)
    # Story mode steps through the map's places, a few sentences a step (as geo.story groups them).
    placed = [e for e in site.events if e.has_place]
    steps = story_steps(placed, paragraphs={a.article_id: paragraph_starts(a.text)
                                            for a in site.articles.values()})
    for index, step in enumerate(steps):
        if index:
            tab.get_by_role("button", name="Next").click()
            tab.wait_for_selector(f"text=Story step {index + 1} of {len(steps)}", timeout=LOAD_MS)
        _check_card(tab, site, step.focus)
    _assert_clean(tab, site)
    # Every other event's card, as a link to it within its step opens it.
    for event in placed:
        index = step_of_event(steps, event.event_id)
        if event == steps[index].focus and event != hover:  # type: ignore[index]
            continue
        _open(tab, site, f"/?event={event.event_id}&step={index}&color=actor", ".st-key-card")
        _check_card(tab, site, event)
        if event == hover:  # the camera centres the step on its selected place
            _check_tooltip(tab, site, event)
    _assert_clean(tab, site)


def test_timeline_labels_and_tooltips_are_text(site: Site, tab: Any) -> None:
    _open(tab, site, "/timeline", "[data-testid='stVegaLiteChart'] svg")
    tab.wait_for_timeout(500)
    labels = tab.eval_on_selector_all("[data-testid='stVegaLiteChart'] svg text",
                                      "els => els.map(e => e.textContent)")
    named = {a for e in site.events for a in e.actors}
    # Long labels are cut with an ellipsis by Vega; the start of each name shows as written.
    for actor in named:
        assert any(label == actor or (label.endswith("…") and actor.startswith(label[:-1]))
                   for label in labels), (actor, labels)
    points = tab.eval_on_selector_all(
        "[data-testid='stVegaLiteChart'] g.mark-symbol path",
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return [r.x + r.width / 2, r.y + r.height / 2]; })")
    seen: set[str] = set()
    for x, y in points:
        tab.mouse.move(x, y)
        tab.wait_for_timeout(120)
        tip = tab.locator("#vg-tooltip-element.visible")
        if tip.count():
            assert set(tip.evaluate("t => [...t.querySelectorAll('*')].map(e => e.tagName)")) <= {
                "TABLE", "TBODY", "TR", "TD"}
            seen.update(tip.locator("td.value").all_text_contents())
    hostile = {a for a in named if "<" in a or "&" in a}
    assert hostile and hostile <= seen, (hostile, seen)
    _assert_clean(tab, site)


def test_actors_tables_and_button_show_names_as_text(site: Site, tab: Any) -> None:
    _open(tab, site, "/actors", "[data-testid='stDataFrame']")
    _check_all_events_shown(tab, site)
    grid = _grid_text(tab)
    named = {a for e in site.events for a in e.actors}
    for actor in named:
        assert _plain(actor) in grid, (actor, grid)
    # The itinerary opens on the actor with the most events; a button label renders Markdown.
    top = max(sorted(named), key=lambda a: sum(a in e.actors for e in site.events))
    assert tab.locator("[data-testid='stSelectbox'] input").input_value() == top
    button = tab.locator("[data-testid='stButton'] button", has_text="Show only")
    assert _plain(button.inner_text()).endswith(f"Show only {_plain(top)} on every page"), top
    assert button.locator("del, strong, em, a, img, code").count() == 0
    _assert_clean(tab, site)


def test_sources_tables_and_filters_show_text(site: Site, tab: Any) -> None:
    _open(tab, site, "/sources", "[data-testid='stDataFrame']")
    _check_all_events_shown(tab, site)
    grid = _grid_text(tab)
    for article in site.articles.values():
        assert _plain(article.title) in grid and _plain(article.source) in grid, article.title
    _assert_clean(tab, site)
    # A hostile source picked in the sidebar shows as a literal tag, and filters the view.
    hostile = next(a.source for a in site.articles.values() if a.source.startswith(":red"))
    _open(tab, site, f"/sources?source={quote(hostile)}", "[data-testid='stDataFrame']")
    tags = tab.locator("[data-testid='stSidebar'] .react-aria-ComboBox [data-tag]").all_inner_texts()
    assert any(hostile in tag for tag in tags), tags
    wanted = sum(e.source == hostile for e in site.events)
    assert tab.get_by_text(re.compile(r"^\d+ events shown$")).inner_text() == f"{wanted} events shown"
    _assert_clean(tab, site)


def test_add_preview_of_a_pasted_hostile_article(site: Site, tab: Any) -> None:
    c = site.canary
    text = (f'The envoy Sami Farouk`<script>alert("add")</script>` met Nadia Rahman in Cairo on Monday. '
            f'A sign read <img src={c}/beacon-add onerror=alert("add-img")> and '
            f'[x](http://{EVIL}/add) in Cairo.')
    # The title is shown while the pipeline runs (progress text) and in the preview's label.
    title = (f"Pasted ![t]({c}/beacon-progress) <img src={c}/beacon-label onerror=alert(1)> "
             f"**bold** http://{EVIL}/t")
    _open(tab, site, "/add", "textarea")
    tab.get_by_label("Article text").fill(text)
    tab.get_by_label("Title", exact=True).fill(title)
    tab.get_by_label("Published (YYYY-MM-DD)").fill(PUBLISHED.isoformat())
    tab.get_by_label("Source", exact=True).fill(f"Wire ![s]({c}/beacon-source-add)")
    tab.get_by_label("URL", exact=True).fill('javascript:alert("add-url")')
    tab.get_by_role("button", name="Analyse").click()
    expander = tab.locator("[data-testid='stExpander'] summary").filter(has_text="Pasted")
    expander.wait_for(timeout=LOAD_MS)
    settle(tab)
    assert _plain(expander.inner_text()).endswith(f"{_plain(title)} — 2 events")
    tab.wait_for_function("() => [...document.querySelectorAll(\"[data-testid='stDataFrame'] table\")]"
                          ".some(t => t.textContent.includes('Cairo'))", timeout=10_000)
    grid = _grid_text(tab)
    assert "Sami Farouk`<script>" in grid
    assert f'<img src={c}/beacon-add onerror=alert("add-img")>' in grid
    _assert_clean(tab, site)


def test_review_shows_example_sentences_as_text(site: Site, tab: Any) -> None:
    _open(tab, site, "/review", "[data-testid='stExpander']")
    _check_all_events_shown(tab, site)
    items = review_items(site.events)[:40]
    assert items
    quotes = _plain(" ".join(tab.locator("[data-testid='stExpander'] blockquote").all_text_contents()))
    for item in items:
        assert _plain(item.example) in quotes, item.example
    # Open every expander, so that their contents are laid out and any link would be live.
    for summary in tab.locator("[data-testid='stExpander'] summary").all():
        summary.click()
    settle(tab)
    _assert_clean(tab, site)


def test_hostile_query_parameters_fetch_nothing(site: Site, tab: Any) -> None:
    c = site.canary
    params = (f"actor={quote(f'<img src={c}/beacon-param onerror=alert(1)>')}"
              f"&source={quote(f'![x]({c}/beacon-param2)')}&event={quote('<script>alert(2)</script>')}"
              f"&country={quote(f'[c](http://{EVIL})')}")
    _open(tab, site, f"/?{params}", "[data-testid='stDeckGlJsonChart'] canvas")
    _check_all_events_shown(tab, site)  # the bad values are dropped: the default view
    _assert_clean(tab, site)
