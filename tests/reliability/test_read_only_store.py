"""Issue 10, item 11: a store on a read-only mount opens for reading, and says editing is off.

The mount is real: the test binds a folder read-only with mount(8), which this machine (and
CI) allows as root. Permission bits would not do: root writes through them.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.config import PROJECT_ROOT
from geo.errors import StoreError
from geo.models import Candidate
from geo.store import Store
from tests.dashboard_events import background, fill_story

APP = str(PROJECT_ROOT / "app.py")


def _mount(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, check=False)


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """(writable folder, the same folder mounted read-only)."""
    source, view = tmp_path / "disk", tmp_path / "ro"
    source.mkdir()
    view.mkdir()
    done = _mount(["--bind", str(source), str(view)])
    if done.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail(f"cannot bind-mount here: {done.stderr.strip()}")
        pytest.skip(f"cannot bind-mount here: {done.stderr.strip()}")
    try:
        remount = _mount(["-o", "remount,bind,ro", str(view)])
        assert remount.returncode == 0, remount.stderr
        yield source, view
    finally:
        subprocess.run(["umount", "-l", str(view)], check=False)


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_a_closed_store_on_a_read_only_mount_reads_and_refuses_writes(
        read_only_dir: tuple[Path, Path]) -> None:
    source, view = read_only_dir
    with Store(f"sqlite:///{source / 'story.sqlite'}") as store:
        fill_story(store)
        expected = (store.counts(), store.events(), store.articles(), store.actors())
    before = _digest(source)
    assert list(before) == ["story.sqlite"]  # closed cleanly: no -wal or -shm to read with
    with Store(f"sqlite:///{view / 'story.sqlite'}") as store:
        assert store.read_only
        assert (store.counts(), store.events(), store.articles(), store.actors()) == expected
        article, events, actors = background()
        writes = [
            lambda: store.add_article(article, events, actors),
            lambda: store.delete_article(expected[2][0][0]),
            lambda: store.set_override("Northtown", lat=1.0, lon=2.0),
            lambda: store.set_override_candidate("Northtown", Candidate("N", 1.0, 2.0, "city")),
            lambda: store.remove_override("Northtown"),
            store.refresh_statistics,
        ]
        for write in writes:
            with pytest.raises(StoreError, match="read-only disk"):
                write()
    assert _digest(source) == before


def test_a_read_only_view_of_a_live_store_sees_new_commits(read_only_dir: tuple[Path, Path]) -> None:
    """A writer elsewhere keeps the -wal and -shm files: the reader must not read a stale file."""
    source, view = read_only_dir
    with Store(f"sqlite:///{source / 'story.sqlite'}") as writer:
        fill_story(writer)
        with Store(f"sqlite:///{view / 'story.sqlite'}") as reader:
            assert reader.read_only
            before = reader.counts()["articles"]
            writer.add_article(*background())  # sits in the WAL until a checkpoint
            assert reader.counts()["articles"] == before + 1


def test_the_app_shows_a_read_only_store_with_editing_off(read_only_dir: tuple[Path, Path],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    source, view = read_only_dir
    with Store(f"sqlite:///{source / 'story.sqlite'}") as store:
        fill_story(store)
    before = _digest(source)
    monkeypatch.setenv("GEOSTORY_DB_URL", f"sqlite:///{view / 'story.sqlite'}")
    monkeypatch.setenv("GEOSTORY_DEMO", "true")  # a read-only store must not try to load the demo
    monkeypatch.syspath_prepend(str(PROJECT_ROOT))
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "5 events shown" in " ".join(c.value for c in at.sidebar.caption)
    for page in ("pages/add.py", "pages/review.py"):
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        assert any("read-only disk" in i.value for i in at.info), page
        assert not at.get("text_area") and not at.get("form")
    for page in ("pages/timeline.py", "pages/actors.py", "pages/sources.py"):
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
    assert _digest(source) == before


def test_ingest_into_a_read_only_store_fails_clearly(read_only_dir: tuple[Path, Path],
                                                    tmp_path: Path) -> None:
    source, view = read_only_dir
    with Store(f"sqlite:///{source / 'story.sqlite'}") as store:
        fill_story(store)
    before = _digest(source)
    article = tmp_path / "a.txt"
    article.write_text("---\npublished: 2021-09-06\n---\nThe minister arrived in Paris on Monday.\n")
    done = subprocess.run([sys.executable, "-m", "geo", "ingest", str(article), "--db",
                           f"sqlite:///{view / 'story.sqlite'}"], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, check=False, timeout=300)
    assert done.returncode != 0
    assert "read-only disk" in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert _digest(source) == before
