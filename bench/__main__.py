"""Run every benchmark, one after another, each in its own process.

    python -m bench [ingest quality gazetteer startup dashboard analysis attribution event_types]

Separate processes keep one benchmark's memory out of the next one's peak RSS
and its warm caches out of the next one's timings.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence

from bench.common import PROJECT_ROOT

BENCHMARKS = (
    "ingest", "quality", "gazetteer", "startup", "dashboard", "analysis", "attribution", "event_types",
)


def main(argv: Sequence[str] | None = None) -> int:
    names = list(argv if argv is not None else sys.argv[1:]) or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        sys.stderr.write(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}\n")
        return 2
    worst = 0
    for name in names:
        sys.stderr.write(f"== bench.{name}\n")
        done = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=PROJECT_ROOT, check=False)
        worst = max(worst, done.returncode)
    return worst


if __name__ == "__main__":
    raise SystemExit(main())
