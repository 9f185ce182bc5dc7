"""Benchmarks: ``python -m bench`` runs them all; each writes its section of docs/benchmarks.md.

- ``python -m bench.ingest``: throughput of the pipeline against bare spaCy, and ``ingest --jobs N``
- ``python -m bench.quality``: geoparsing quality with bootstrap intervals, resolution only
- ``python -m bench.gazetteer``: build, size, load, memory and lookups of the offline gazetteer

They are not tests: nothing here asserts a timing.
"""
