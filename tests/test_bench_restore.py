"""The restore benchmark on a tiny synthetic store: each step of both targets timed, none asserted."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.restore import run


@pytest.mark.gazetteer
def test_the_restore_benchmark_times_every_step(tmp_path: Path, real_gazetteer: object) -> None:
    lines = run(2_000, 1, folder=tmp_path)
    assert lines[0].startswith("Restore of 2,000 events")
    steps = {tuple(c.strip() for c in line.strip("|").split("|")[:2]) for line in lines[4:]}
    for kind in ("new file", "store with data"):
        for step in ("check the backup file", "copy the rows", "check every row",
                     "indexes, migration and SQLite's checks", "replace the store", "total"):
            assert (kind, step) in steps
    assert not list(tmp_path.glob("restore-target-*"))
