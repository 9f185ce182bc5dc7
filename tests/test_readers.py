"""Article input: files, uploads and pasted text, every rejection, and the bundled demo story."""

from __future__ import annotations

import base64
import codecs
import json
import logging
import random
import re
import socket
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from geo import readers
from geo.errors import InputError
from geo.models import Article
from geo.readers import (
    MAX_ARTICLE_BYTES,
    SUPPORTED_SUFFIXES,
    article_from_bytes,
    article_from_text,
    demo_article_paths,
    demo_articles,
    iter_article_paths,
    looks_english,
    parse_date,
    read_article,
)

ARTICLES = Path(__file__).parent / "data" / "articles"
SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = SHARED / "seed" / "panjshir-ceasefire.txt"

ENGLISH = (
    "Officials in Kabul said on Monday that the road to the north had reopened, and that trucks "
    "carrying food and medicine were moving again after a week of delays at the checkpoints. "
)
FRENCH = (
    "Les talibans ont annoncé lundi avoir pris le contrôle total de la vallée du Panchir, dernier "
    "bastion de la résistance armée contre leur régime. Le Front national de résistance a affirmé "
    "que ses combattants étaient toujours présents dans des positions stratégiques de la vallée et a "
    "appelé à un soulèvement national contre les talibans dans tout le pays."
)


@pytest.fixture(autouse=True)
def no_network(monkeypatch) -> None:
    """Reading articles must never reach out, HTML included."""

    def refuse(*args, **kwargs):
        raise AssertionError("the readers tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-09-06", date(2021, 9, 6)),
        ("  2021-09-06 ", date(2021, 9, 6)),
        ("2021-09-06T23:10:00", date(2021, 9, 6)),
        ("2021-09-06T23:10:00Z", date(2021, 9, 6)),
        ("2021-09-06T23:10:00-05:00", date(2021, 9, 6)),
        ("2021-09-06 08:00", date(2021, 9, 6)),
    ],
)
def test_parse_date_accepts_iso_dates_and_datetimes(value: str, expected: date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    ["06/09/2021", "Sept 6, 2021", "yesterday", "2021-13-01", "2021-02-30", "2021-9-6", "", "20210906"],
)
def test_parse_date_refuses_anything_else(value: str) -> None:
    with pytest.raises(InputError, match=r"^story\.md: ") as info:
        parse_date(value, source="story.md")
    assert "date" in str(info.value)


def test_parse_date_refuses_the_future_but_allows_two_days_of_slack() -> None:
    today = date(2021, 9, 6)
    assert parse_date("2021-09-08", today=today) == date(2021, 9, 8)
    with pytest.raises(InputError, match="in the future"):
        parse_date("2021-09-09", source="x.txt", today=today)
    far = (date.today() + timedelta(days=30)).isoformat()
    with pytest.raises(InputError, match="in the future"):
        parse_date(far)


# --- front matter and sidecars -------------------------------------------------------------------


def test_front_matter_fills_the_metadata_and_is_not_part_of_the_text() -> None:
    article = read_article(ARTICLES / "front-matter.md")
    assert article.title == "Talks resume in Doha"
    assert article.published == date(2021, 9, 7)
    assert article.source == "Test wire"
    assert article.url == "https://example.org/test/talks-resume"
    assert article.text.startswith("Negotiators met again in Doha")
    assert "---" not in article.text and "title:" not in article.text
    assert article.origin == str(ARTICLES / "front-matter.md")


def test_front_matter_unknown_key_is_a_warning_and_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, "a.md", f"---\ntitle: T\nauthor: Someone\n---\n{ENGLISH}")
    article = read_article(path)
    assert article.title == "T"
    unknown = [w for w in article.warnings if "unknown" in w]
    assert unknown == ["1 unknown front matter key(s) ignored: 'author'"]


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ("title: T\nthis line has no colon\n", "line 3"),
        ("title: T\n: no key\n", "line 3"),
        ("title: One\ntitle: Two\n", "twice"),
        ("published: last Monday\n", "not an ISO date"),
        ("published: 2021-09-31\n", "not a valid date"),
    ],
)
def test_malformed_front_matter_names_the_file_and_line(tmp_path: Path, header: str, problem: str) -> None:
    path = write(tmp_path, "bad.md", f"---\n{header}---\n{ENGLISH}")
    with pytest.raises(InputError, match=re.escape(problem)) as info:
        read_article(path)
    assert str(path) in str(info.value)


def test_unclosed_front_matter_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "open.md", f"---\ntitle: T\n{ENGLISH}")
    with pytest.raises(InputError, match="not closed"):
        read_article(path)


def test_header_with_no_body_is_empty(tmp_path: Path) -> None:
    path = write(tmp_path, "hollow.md", "---\ntitle: Only a title\n---\n\n  \n")
    with pytest.raises(InputError, match="empty"):
        read_article(path)


def test_sidecar_json_gives_the_metadata() -> None:
    article = read_article(ARTICLES / "sidecar.txt")
    assert article.title == "Convoys reach Bamyan"
    assert article.published == date(2021, 9, 10)  # the datetime's own date, offset ignored
    assert article.source == "Test wire"
    assert article.url == ""
    assert article.text.startswith("Aid convoys reached Bamyan")


def test_sidecar_wins_over_front_matter_and_caller_wins_over_both(tmp_path: Path) -> None:
    path = write(tmp_path, "s.md", f"---\ntitle: Header title\nsource: Header wire\n---\n{ENGLISH}")
    write(tmp_path, "s.json", json.dumps({"title": "Sidecar title", "published": "2021-08-20"}))
    article = read_article(path)
    assert (article.title, article.source, article.published) == (
        "Sidecar title",
        "Header wire",
        date(2021, 8, 20),
    )
    article = read_article(
        path, title="Given", published=date(2021, 9, 1), source="Desk", url="http://a.org/x"
    )
    assert (article.title, article.source, article.published, article.url) == (
        "Given",
        "Desk",
        date(2021, 9, 1),
        "http://a.org/x",
    )
    assert read_article(path, published="2021-09-02").published == date(2021, 9, 2)


@pytest.mark.parametrize(
    ("sidecar", "problem"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"published": 20210906}', "must be a string"),
        ('{"title": ["a"]}', "must be a string"),
        ('{"published": "6 September"}', "not an ISO date"),
        (b"\xff\xfe{}", "not UTF-8"),
    ],
)
def test_bad_sidecar_names_the_sidecar(tmp_path: Path, sidecar: str | bytes, problem: str) -> None:
    path = write(tmp_path, "story.txt", ENGLISH)
    write(tmp_path, "story.json", sidecar)
    with pytest.raises(InputError, match=re.escape(problem)) as info:
        read_article(path)
    assert str(tmp_path / "story.json") in str(info.value)


# Issue 10, item 4: valid JSON under the 64 KB limit that Python refuses to load.
HOSTILE_SIDECARS = {
    "a 60,000-digit number": '{"title": 1' + "0" * 59_999 + "}",
    "30,000-deep nesting": '{"title": ' + "[" * 30_000 + "]" * 30_000 + "}",
}


@pytest.mark.parametrize("sidecar", HOSTILE_SIDECARS.values(), ids=HOSTILE_SIDECARS.keys())
def test_hostile_sidecar_is_an_input_error_naming_it(tmp_path: Path, sidecar: str) -> None:
    assert len(sidecar.encode("utf-8")) < readers.MAX_SIDECAR_BYTES
    path = write(tmp_path, "story.txt", ENGLISH)
    write(tmp_path, "story.json", sidecar)
    with pytest.raises(InputError, match="metadata sidecar cannot be read") as info:
        read_article(path)
    assert str(tmp_path / "story.json") in str(info.value)
    assert len(str(info.value)) < len(str(tmp_path)) + 120  # short: no digits or brackets echoed


def test_sidecar_unknown_key_is_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "story.txt", ENGLISH)
    write(tmp_path, "story.json", '{"title": "T", "lang": "en"}')
    article = read_article(path)
    assert article.title == "T"
    assert "1 unknown metadata key(s) ignored: 'lang'" in article.warnings


def test_future_or_bad_override_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", ENGLISH)
    with pytest.raises(InputError, match="in the future"):
        read_article(path, published=date.today() + timedelta(days=3))
    with pytest.raises(InputError, match="not an ISO date"):
        read_article(path, published="next week")


def test_missing_published_date_is_allowed_with_a_warning(tmp_path: Path) -> None:
    article = read_article(write(tmp_path, "a.txt", ENGLISH))
    assert article.published is None
    assert any("no published date" in w for w in article.warnings)
    assert read_article(write(tmp_path, "b.txt", ENGLISH), published="2021-09-06").warnings == ()


# --- URLs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://example.org/a.txt", "example.org/a", "http://"],
)
def test_non_http_urls_are_dropped_with_a_warning(tmp_path: Path, url: str) -> None:
    path = write(tmp_path, "a.md", f"---\nurl: {url}\n---\n{ENGLISH}")
    for article in (read_article(path), read_article(write(tmp_path, "b.txt", ENGLISH), url=url)):
        assert article.url == ""
        assert sum("dropped: only http(s)" in w for w in article.warnings) == 1


def test_http_and_https_urls_are_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", ENGLISH)
    assert read_article(path, url="https://example.org/a?b=1").url == "https://example.org/a?b=1"
    assert read_article(path, url=" HTTP://example.org/ ").url == "HTTP://example.org/"


# --- encodings, binary, size ---------------------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_with_bom_are_decoded(tmp_path: Path, codec: str) -> None:
    bom = {
        "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-16-be": codecs.BOM_UTF16_BE,
        "utf-32-le": codecs.BOM_UTF32_LE,
        "utf-32-be": codecs.BOM_UTF32_BE,
    }[codec]
    text = "---\ntitle: Kaboul\n---\n" + ENGLISH + "Café in Mazār-i-Sharīf.\r\n"
    path = write(tmp_path, "wide.txt", bom + text.encode(codec))
    article = read_article(path)
    assert article.title == "Kaboul"
    assert article.text.endswith("Café in Mazār-i-Sharīf.")
    assert "\ufeff" not in article.text and "\r" not in article.text


def test_utf8_bom_is_stripped_and_line_endings_become_lf(tmp_path: Path) -> None:
    raw = (
        codecs.BOM_UTF8
        + b"---\r\ntitle: T\r\n---\r\nFirst line.\r\nSecond line.\rThird line. "
        + ENGLISH.encode()
    )
    article = read_article(write(tmp_path, "a.md", raw))
    assert article.title == "T"
    assert article.text.startswith("First line.\nSecond line.\nThird line.")
    assert "\r" not in article.text and "\ufeff" not in article.text


def test_invalid_utf8_reports_the_byte_offset(tmp_path: Path) -> None:
    good = ENGLISH.encode("utf-8")
    path = write(tmp_path, "latin.txt", good + b"caf\xe9 " + good)
    with pytest.raises(InputError, match=f"invalid UTF-8 at byte offset {len(good) + 3}") as info:
        read_article(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value.__cause__, UnicodeDecodeError)


def test_nul_bytes_mean_binary(tmp_path: Path) -> None:
    blob = bytes(range(256)) * 8
    with pytest.raises(InputError, match="binary"):
        read_article(write(tmp_path, "image.txt", blob))
    with pytest.raises(InputError, match="binary"):
        read_article(write(tmp_path, "b.txt", b"PK\x03\x04\x00\x00" + ENGLISH.encode()))


def test_many_control_characters_mean_binary(tmp_path: Path) -> None:
    noisy = "".join(chr(1 + i % 8) + "ab" for i in range(500))
    with pytest.raises(InputError, match="control characters"):
        read_article(write(tmp_path, "noise.txt", noisy))


def test_a_few_stray_control_characters_are_blanked(tmp_path: Path) -> None:
    article = read_article(write(tmp_path, "a.txt", ENGLISH + "\x0c" + ENGLISH + "\x1b[0m"))
    assert "\x0c" not in article.text and "\x1b" not in article.text


@pytest.mark.parametrize("content", ["", "   \n\t\n  ", "\ufeff\r\n"])
def test_empty_or_blank_text_is_refused(tmp_path: Path, content: str) -> None:
    path = write(tmp_path, "blank.txt", content)
    with pytest.raises(InputError, match="empty") as info:
        read_article(path)
    assert str(path) in str(info.value)


def test_ten_megabyte_file_is_refused_quickly_without_reading_it(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(10 * 1024 * 1024)  # sparse: costs no disk, and reading it would show up
    opened: list[Path] = []
    real_open = Path.open

    def spy(self: Path, *args, **kwargs):
        opened.append(self)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy)
    start = time.perf_counter()
    with pytest.raises(InputError, match="too large") as info:
        read_article(path)
    assert time.perf_counter() - start < 0.5
    assert path not in opened
    message = str(info.value)
    assert f"{MAX_ARTICLE_BYTES:,}" in message and "10,485,760" in message and str(path) in message


def test_size_limit_is_exact(tmp_path: Path) -> None:
    unit = ENGLISH.encode()
    data = (unit * (MAX_ARTICLE_BYTES // len(unit) + 1))[:MAX_ARTICLE_BYTES]
    assert len(read_article(write(tmp_path, "max.txt", data)).text) > 0
    with pytest.raises(InputError, match="too large"):
        read_article(write(tmp_path, "over.txt", data + b"x"))


def test_oversized_upload_and_paste_are_refused() -> None:
    with pytest.raises(InputError, match="too large"):
        article_from_bytes(b"a" * (10 * 1024 * 1024), filename="big.txt")
    with pytest.raises(InputError, match="too large"):
        article_from_text("a" * (MAX_ARTICLE_BYTES + 1))
    with pytest.raises(InputError, match="too large"):
        article_from_text("é" * (MAX_ARTICLE_BYTES // 2 + 1))  # under the limit in characters, over in bytes


# --- files, suffixes, folders --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["report.pdf", "notes.docx", "README", "story.json", "data.csv"])
def test_unsupported_extension_is_refused(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, ENGLISH)
    with pytest.raises(InputError, match="unsupported file type") as info:
        read_article(path)
    assert str(path) in str(info.value)


def test_missing_file_and_folder_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_article(tmp_path / "gone.txt")
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(InputError, match="folder"):
        read_article(tmp_path / "folder.txt")


def test_suffixes_are_case_insensitive(tmp_path: Path) -> None:
    assert read_article(write(tmp_path, "LOUD.TXT", ENGLISH)).text.startswith("Officials")
    assert {".txt", ".md", ".html", ".htm"} == SUPPORTED_SUFFIXES


def test_iter_article_paths_expands_folders(tmp_path: Path) -> None:
    for name in [
        "b.txt",
        "a.md",
        "a.json",
        "C.HTML",
        "notes.pdf",
        ".hidden.txt",
        "README.md",
        "sub/z.htm",
        "sub/y.txt",
        ".git/x.txt",
        "sub/.cache/w.md",
    ]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(ENGLISH, encoding="utf-8")
    explicit = tmp_path / "notes.pdf"
    found = list(iter_article_paths([tmp_path, tmp_path / "a.md", explicit, tmp_path / "missing.txt"]))
    relative = [p.relative_to(tmp_path).as_posix() for p in found]
    assert relative == ["C.HTML", "a.md", "b.txt", "sub/y.txt", "sub/z.htm", "notes.pdf", "missing.txt"]


# --- HTML ----------------------------------------------------------------------------------------


def big_image_page(tmp_path: Path) -> Path:
    """The fixture page with a ~1.2 MB inline image in place of its placeholder."""
    image = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n" + bytes(900_000)).decode()
    html = (ARTICLES / "page.html").read_text(encoding="utf-8").replace("IMAGE_PLACEHOLDER", image)
    return write(tmp_path, "page.html", html)


def test_html_yields_only_the_article_body(tmp_path: Path) -> None:
    path = big_image_page(tmp_path)
    assert path.stat().st_size > 1_000_000
    start = time.perf_counter()
    article = read_article(path)
    assert time.perf_counter() - start < 5
    text = article.text
    assert "stop fighting if the Taliban withdrew" in text
    assert "Bazarak, the provincial capital of Panjshir" in text
    assert "airport in Kabul could reopen" in text
    for marker in ("SCRIPT_MARKER", "STYLE_MARKER", "NAV_MARKER", "FOOTER_MARKER", "ASIDE_MARKER"):
        assert marker not in text
    assert "base64" not in text and "data:image" not in text and "<" not in text
    assert "\n\n" in text  # paragraphs are kept apart, as in plain files


def test_html_metadata_is_read_and_can_be_overridden() -> None:
    article = read_article(ARTICLES / "page.html")
    assert article.title == "Valley fighters offer truce"
    assert article.published == date(2021, 9, 6)
    assert article.url == "https://news.example.org/world/valley-truce"
    assert article.source == "Example Times"
    article = read_article(ARTICLES / "page.html", title="Mine", published=date(2021, 9, 7), source="Desk")
    assert (article.title, article.published, article.source) == ("Mine", date(2021, 9, 7), "Desk")


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><script>var a = 'only code';</script></head><body></body></html>",
        "<html><body><nav><a href='/'>Home</a></nav><script>alert(1)</script></body></html>",
        "<html><body><img src='data:image/png;base64,AAAA'></body></html>",
    ],
)
def test_html_without_text_is_refused(tmp_path: Path, html: str) -> None:
    path = write(tmp_path, "empty.htm", html)
    with pytest.raises(InputError, match="no article text") as info:
        read_article(path)
    assert str(path) in str(info.value)


def test_short_html_page_keeps_its_text_but_not_its_menus(tmp_path: Path) -> None:
    html = (
        "<html><body><nav><a href='/'>Home</a> <a href='/w'>World news today</a></nav>"
        "<p>Rain closed the Salang Pass on Friday.</p><footer>Copyright Example</footer></body></html>"
    )
    assert read_article(write(tmp_path, "short.html", html)).text == "Rain closed the Salang Pass on Friday."


def test_html_declared_charset_is_honoured(tmp_path: Path) -> None:
    body = "<p>" + ENGLISH + " The café reopened in Hérat.</p>"
    html = f'<html><head><meta charset="windows-1252"><title>T</title></head><body><article>{body * 3}'
    path = write(tmp_path, "legacy.html", (html + "</article></body></html>").encode("cp1252"))
    assert "café reopened in Hérat" in read_article(path).text


# --- uploads and pastes --------------------------------------------------------------------------


def test_article_from_bytes_reads_each_format() -> None:
    article = article_from_bytes((ARTICLES / "front-matter.md").read_bytes(), filename="C:\\up\\x/talks.md")
    assert article.title == "Talks resume in Doha"
    assert article.origin == "upload:talks.md"
    html = article_from_bytes((ARTICLES / "page.html").read_bytes(), filename="page.html", title="Up")
    assert html.title == "Up" and "SCRIPT_MARKER" not in html.text
    with pytest.raises(InputError, match="unsupported file type"):
        article_from_bytes(b"%PDF-1.7", filename="scan.pdf")
    with pytest.raises(TypeError, match="colour"):
        article_from_bytes(b"x", filename="a.txt", colour="red")


def test_article_from_text_validates_like_a_file(caplog) -> None:
    article = article_from_text(
        "\ufeff" + ENGLISH.replace(". ", ".\r\n"), title="Pasted", published="2021-09-06"
    )
    assert article == Article(
        text=ENGLISH.replace(". ", ".\n").strip(),
        title="Pasted",
        published=date(2021, 9, 6),
        origin="paste",
    )
    header = article_from_text(f"---\ntitle: From header\n---\n{ENGLISH}", source="Clipboard")
    assert (header.title, header.source) == ("From header", "Clipboard")
    with pytest.raises(InputError, match="empty"):
        article_from_text("  \n ")
    with pytest.raises(InputError, match="binary"):
        article_from_text("abc\x00def")
    with pytest.raises(InputError, match="invalid character at position 3"):
        article_from_text("abc\ud800def")
    with pytest.raises(InputError, match="in the future"):
        article_from_text(ENGLISH, published=date.today() + timedelta(days=5))


def test_article_id_ignores_the_wrapping_of_the_text(tmp_path: Path) -> None:
    one = read_article(write(tmp_path, "a.txt", ENGLISH))
    two = article_from_bytes(ENGLISH.replace(" ", "\r\n", 3).encode("utf-16"), filename="b.txt")
    assert one.article_id == two.article_id


def test_arbitrary_bytes_raise_only_input_error() -> None:
    rng = random.Random(20210906)
    seeds = [ENGLISH.encode(), (ARTICLES / "page.html").read_bytes(), b"---\ntitle: x\n---\n", b"\xff\xfe"]
    tokens = [
        b"---\n",
        b"\n",
        b"\r",
        b":",
        b"<script>",
        b"</p>",
        b"<p>",
        b"url: ftp://x\n",
        b"published: 2021",
    ]
    outcomes: set[str] = set()
    for trial in range(400):
        base = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(0, 10)):
            action, pos = rng.random(), rng.randrange(len(base) + 1)
            if action < 0.05:
                base[pos:pos] = bytes(
                    [rng.randrange(256)]
                )  # rarely: any byte, NUL and invalid UTF-8 included
            elif action < 0.35 and base:
                del base[min(pos, len(base) - 1) : pos + rng.randint(1, 40)]
            else:
                base[pos:pos] = rng.choice(tokens)
        filename = f"t{trial}" + rng.choice(sorted(SUPPORTED_SUFFIXES))
        try:
            result = article_from_bytes(bytes(base), filename=filename)
        except InputError as err:
            assert str(err).startswith(filename + ": ")
            outcomes.add("refused")
            continue
        assert isinstance(result, Article) and result.text.strip()
        outcomes.add("read")
    assert outcomes == {"read", "refused"}


# --- language ------------------------------------------------------------------------------------


def test_non_english_text_is_a_warning_not_refused(tmp_path: Path) -> None:
    article = read_article(write(tmp_path, "fr.txt", FRENCH), published=date(2021, 9, 6))
    assert article.text.startswith("Les talibans")
    assert any("English" in w for w in article.warnings)
    assert not looks_english(FRENCH)
    assert looks_english(ENGLISH * 3)
    assert looks_english("Kabul, Doha.")  # too short to judge


# --- the demo story ------------------------------------------------------------------------------


def test_demo_story_reads_cleanly(caplog) -> None:
    paths = demo_article_paths()
    assert 5 <= len(paths) <= 7
    assert all(p.suffix == ".md" and p.parent == readers.DEMO_DIR for p in paths)
    with caplog.at_level(logging.WARNING, logger="geo.readers"):
        articles = demo_articles()
    assert [r.getMessage() for r in caplog.records] == []
    assert [a.warnings for a in articles] == [()] * len(articles)
    dates = [a.published for a in articles]
    assert all(d is not None and date(2021, 8, 1) <= d <= date(2021, 9, 30) for d in dates)
    assert len(set(dates)) == len(dates)
    assert dates == sorted(dates)
    assert dates[0] == date(2021, 8, 15) and dates[-1] <= date(2021, 9, 9)
    for path, article in zip(paths, articles, strict=True):
        assert path.name.startswith(article.published.isoformat())
        assert article.title and article.source == "Geostory demo desk" and article.url == ""
        assert 150 <= len(article.text.split()) <= 350, path.name
        assert looks_english(article.text)
    assert len({a.article_id for a in articles}) == len(articles)


def test_demo_readme_gives_the_licence_and_is_not_an_article() -> None:
    readme = readers.DEMO_DIR / "README.md"
    text = readme.read_text(encoding="utf-8")
    assert "CC BY 4.0" in text and "illustrative" in text
    assert readme not in demo_article_paths()
    for path in demo_article_paths():
        assert path.name in text  # every dispatch is listed


def shingles(text: str, size: int = 7) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


@pytest.mark.skipif(not SEED.is_file(), reason="../shared/seed is not present on this machine")
def test_demo_story_is_not_copied_from_the_seed_article() -> None:
    seed = shingles(SEED.read_text(encoding="utf-8"))
    for article in demo_articles():
        shared = shingles(article.text) & seed
        assert not shared, (article.origin, sorted(shared)[:3])


@pytest.mark.skipif(not SEED.is_file(), reason="../shared/seed is not present on this machine")
def test_seed_article_reads_with_a_given_date() -> None:
    article = read_article(SEED, published=date(2021, 9, 6), source="AFP")
    assert article.published == date(2021, 9, 6)
    assert article.text.startswith("Afghan resistance calls for ceasefire")
    assert "Ramstein" in article.text
    assert looks_english(article.text)


# --- names and metadata that cannot be stored as they are (issue 5, item 1) ----------------------


def test_a_file_name_that_is_not_utf8_is_escaped_in_the_origin(tmp_path: Path) -> None:
    """Python keeps the undecodable byte as a lone surrogate, which the database refuses."""
    import os

    raw = os.path.join(os.fsencode(tmp_path), b"story-\xff.txt")
    with open(raw, "wb") as handle:
        handle.write(ENGLISH.encode())
    path = Path(os.fsdecode(raw))
    article = read_article(path)
    assert article.origin.endswith("story-\\xff.txt")
    article.origin.encode("utf-8")  # storable and printable: no surrogates left
    with open(raw, "wb") as handle:
        handle.write(b"\x00\x01binary")
    with pytest.raises(InputError, match="binary") as info:
        read_article(path)
    str(info.value).encode("utf-8")


@pytest.mark.parametrize("key", ["title", "source"])
def test_a_sidecar_value_with_a_lone_surrogate_is_refused(tmp_path: Path, key: str) -> None:
    path = write(tmp_path, "story.txt", ENGLISH)
    write(tmp_path, "story.json", json.dumps({key: "Kabul \ud800 report"}))  # JSON spells it \ud800
    with pytest.raises(InputError, match=f"invalid character .* in the {key}") as info:
        read_article(path)
    assert str(path) in str(info.value)


def test_display_name_keeps_valid_names() -> None:
    assert readers.display_name("Kabul – dispatch ü.txt") == "Kabul – dispatch ü.txt"
    assert readers.display_name("a\udcffb") == "a\\xffb"
    assert readers.display_name("a\ud800b") == "a\\ud800b"  # not from a file name: escaped as is


# --- caps and normalisation at the door (issue 10, items 12 and 15) ---------------------------------


def test_a_one_megabyte_title_is_cut_at_a_word_with_a_warning(tmp_path: Path) -> None:
    title = "Talks in Doha " * 75_000  # 1,050,000 characters, on one front matter line
    header = f"---\ntitle: {title}\nsource: {'Desk ' * 100}\n---\n"
    article = read_article(write(tmp_path, "story.md", header + ENGLISH), published="2021-09-06")
    assert len(article.title) <= readers.MAX_TITLE_CHARS
    assert article.title.endswith("Doha…") and "Talks in Doha Talks" in article.title
    assert len(article.source) <= readers.MAX_SOURCE_CHARS and article.source.endswith("Desk…")
    assert sorted(w.split(" cut to")[0] for w in article.warnings) == ["source", "title"]
    assert any(f"it had {len(title.strip()):,};" in w for w in article.warnings)
    # The caller's and the page's values are capped the same way.
    pasted = article_from_text(ENGLISH, title="word " * 200, source="x" * 500)
    assert len(pasted.title) <= readers.MAX_TITLE_CHARS and len(pasted.source) <= readers.MAX_SOURCE_CHARS
    assert pasted.source == "x" * (readers.MAX_SOURCE_CHARS - 1) + "…"  # no word boundary: cut at the limit
    page = ("<html><head><title>" + "Kabul falls " * 100 + "</title></head><body><article><p>"
            + ENGLISH + "</p></article></body></html>")
    assert len(article_from_bytes(page.encode(), filename="p.html").title) <= readers.MAX_TITLE_CHARS


def test_titles_at_the_limit_are_kept_whole() -> None:
    title = "a" * readers.MAX_TITLE_CHARS
    article = article_from_text(ENGLISH, title=title, published="2021-09-06")
    assert (article.title, article.warnings) == (title, ())


def test_an_overlong_url_is_dropped_not_cut(tmp_path: Path) -> None:
    url = "https://example.org/" + "a" * 2_000
    article = read_article(write(tmp_path, "a.md", f"---\nurl: {url}\n---\n{ENGLISH}"))
    assert article.url == ""
    assert any("URL dropped: 2,020 characters" in w for w in article.warnings)
    fits = "https://example.org/" + "a" * (readers.MAX_URL_CHARS - 20)
    assert article_from_text(ENGLISH, url=fits).url == fits


def test_five_thousand_unknown_sidecar_keys_give_one_warning(tmp_path: Path) -> None:
    keys = {f"key{i}": 0 for i in range(5_000)}
    sidecar = json.dumps({"title": "T", **keys}, separators=(",", ":"))
    assert len(sidecar) < readers.MAX_SIDECAR_BYTES
    write(tmp_path, "story.json", sidecar)
    article = read_article(write(tmp_path, "story.txt", ENGLISH), published="2021-09-06")
    assert article.title == "T"
    assert article.warnings == (
        "5,000 unknown metadata key(s) ignored: 'key0', 'key1', 'key2', 'key3', 'key4' and 4,995 more",
    )
    header = "".join(f"k{i}: v\n" for i in range(40))
    many = article_from_text(f"---\ntitle: T\n{header}---\n{ENGLISH}", published="2021-09-06")
    assert many.warnings == (
        "40 unknown front matter key(s) ignored: 'k0', 'k1', 'k2', 'k3', 'k4' and 35 more",
    )


def test_a_caller_value_replaces_the_files_and_its_warning(tmp_path: Path) -> None:
    write(tmp_path, "story.json", json.dumps({"title": "long " * 100}))
    article = read_article(write(tmp_path, "story.txt", ENGLISH), title="Short", published="2021-09-06")
    assert (article.title, article.warnings) == ("Short", ())


HIDDEN = "\u200b\u2060\ufeff\u00ad\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_hidden_characters_leave_the_text_but_scripts_keep_their_joiners() -> None:
    text = ("Troops reached Ka\u200bbul and Ka\u00adn\u2060da\ufeffhar. The \u202eTaliban\u202c spoke. "
            "Ma\u200dria wrote \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 and sent "
            "\U0001f469\u200d\U0001f469.")
    article = article_from_text(text, published="2021-09-06")
    assert "Kabul and Kandahar." in article.text and "The Taliban spoke." in article.text
    assert "Maria wrote" in article.text
    assert "\u06cc\u200c\u062e" in article.text  # Persian keeps its ZWNJ
    assert "\U0001f469\u200d\U0001f469" in article.text  # an emoji keeps its ZWJ
    assert not any(c in article.text for c in HIDDEN)


def test_controls_and_bidi_never_reach_title_source_or_origin(tmp_path: Path) -> None:
    name = "evil\x1b[31m\u202etxt.md"
    header = "---\ntitle: Ka\u200bbul \x1b[2J falls\u202e now\nsource: Desk\x07\u2066 one\n---\n"
    path = tmp_path / name
    path.write_text(header + ENGLISH, encoding="utf-8")
    article = read_article(path, published="2021-09-06")
    assert article.title == "Kabul [2J falls now"
    assert article.source == "Desk one"
    # Visible escapes: the name stays identifiable.
    assert article.origin == str(tmp_path / "evil\\x1b[31m\\u202etxt.md")
    write(tmp_path, "s.json", json.dumps({"title": "A\nB\tC\u2028D", "source": "\u202dX\u0085Y"}))
    side = read_article(write(tmp_path, "s.txt", ENGLISH), published="2021-09-06")
    assert (side.title, side.source) == ("A B C D", "X Y")
    pasted = article_from_text(ENGLISH, title="\u202eT\x1b", source="S\u200b\x9b", origin="paste\x1b\u2067")
    assert (pasted.title, pasted.source, pasted.origin) == ("T", "S", "paste\\x1b\\u2067")
    for value in (article.title, article.source, article.origin, side.title, pasted.origin):
        assert not any(c in value for c in "\x1b\x07\u202e\u2066\u2067\u200b")


def test_urls_with_hidden_or_control_characters_are_dropped() -> None:
    for url in ("https://example.org/\u202egnp.exe", "https://exa\u200bmple.org/", "https://example.org/a\x9bb"):
        article = article_from_text(ENGLISH, url=url)
        assert article.url == "" and any("dropped" in w for w in article.warnings)
