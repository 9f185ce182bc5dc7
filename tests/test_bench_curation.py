"""The curation benchmark on a tiny synthetic store: every edit and both ingest cases timed, none asserted."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.curation import run


@pytest.mark.gazetteer
def test_the_curation_benchmark_times_every_edit(tmp_path: Path, real_gazetteer: object) -> None:
    lines = run(2_000, 1, 5, folder=tmp_path)
    assert lines[0].startswith("Curation on a store of 2,000 events")
    edits = [line.split("|")[1].strip() for line in lines[4:11]]
    assert len(edits) == 7 and all(edits)
    assert all(int(line.split("|")[2].replace(",", "")) >= 1 for line in lines[4:11] if "type" not in line)
    assert [line.split("|")[1].strip() for line in lines[-2:]] == ["no rules", "5 rules"]
    assert not list(tmp_path.glob("curation-*"))
