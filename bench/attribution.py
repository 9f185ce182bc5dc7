"""Who was where: actor-place attribution on the hand-annotated dev set, with intervals and baselines.

    python -m bench.attribution [--bootstrap 2000] [--work DIR] [--output docs/benchmarks.md]

What ``../shared/eval/attribution/run_example.sh`` does, in one process: the 60 dev articles of
``attribution-dev.jsonl`` are ingested into a fresh SQLite store (published 2018-01-01, source
"gold", url ``https://gold.invalid/<id>``), the events are exported as the ``events`` command's
CSV, and the set's own scorer (``score_attribution.py``, run as it ships) scores them: micro
precision, recall and F1 with 95% intervals from resampling articles, overall and per corpus.

Beside it:

- the naive baseline the scorer computes: every gold actor with every gold place named in the
  same sentence, with perfect entities;
- the same build without attribution: every actor named in an event's sentence put at its
  place (``actors`` + ``mentioned_actors``), what co-mention gives with today's extraction;
- the product before issue 11, as ATTRIBUTION.md measured it (commit 92a7ffd), quoted.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bench.common import RESULTS, SHARED, environment_line, md_table, timed, write_section

log = logging.getLogger(__name__)

ATTRIBUTION_DIR = SHARED / "eval" / "attribution"
GOLD = ATTRIBUTION_DIR / "attribution-dev.jsonl"
SCORER = ATTRIBUTION_DIR / "score_attribution.py"
PUBLISHED = date(2018, 1, 1)  # what run_example.sh passes with --published
TARGET_PRECISION, TARGET_RECALL = 0.75, 0.45
# The product before issue 11 on this set, as ATTRIBUTION.md reports it (commit 92a7ffd):
# P, R, F1, the F1 interval, tp / fp / fn. A quoted measurement, not one this script makes.
BEFORE = {"precision": 0.246, "recall": 0.455, "f1": 0.319, "f1_ci": (0.22, 0.39), "counts": (110, 337, 132)}
# The attribution rules before the recall work of issue 11 (commit 71f3ce6), as this script
# measured them on 2026-12-04 (docs/benchmarks.md then): quoted, for the change it made.
RULES_BEFORE = {"precision": 0.903, "recall": 0.384, "f1": 0.539, "f1_ci": (0.43, 0.62),
                "counts": (93, 10, 149)}


@dataclass(frozen=True)
class Score:
    name: str
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float
    ci: dict[str, list[float]]  # precision / recall / f1 -> [low, high]; empty without bootstrap

    def cell(self, key: str) -> str:
        value = getattr(self, key)
        low_high = self.ci.get(key)
        return f"{value:.3f} ({low_high[0]:.2f}–{low_high[1]:.2f})" if low_high else f"{value:.3f}"


def gold_records(path: Path = GOLD) -> list[dict[str, Any]]:
    if not path.is_file():
        raise SystemExit(f"the attribution dev set is not here: {path} "
                         "(it lives in ../shared beside the repository)")
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def gold_texts(gold: Sequence[dict[str, Any]], texts_dir: Path) -> dict[str, str]:
    wanted = {g["id"] for g in gold}
    out: dict[str, str] = {}
    for source in sorted({g["source_file"] for g in gold}):
        with open(texts_dir / source, encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                if rec["id"] in wanted:
                    out[rec["id"]] = rec["text"]
    return out


def export_dev_events(gold: Sequence[dict[str, Any]], texts: dict[str, str], work: Path) -> tuple[Path, int]:
    """Ingest the dev articles into a fresh store in ``work``; the events CSV and how many failed."""
    from geo.frames import events_frame, export_bytes
    from geo.models import Article
    from geo.pipeline import Pipeline, ingest
    from geo.store import Store

    articles = [Article(text=texts[g["id"]], title=g["id"], published=PUBLISHED, source="gold",
                        url=f"https://gold.invalid/{g['id']}", origin=g["id"]) for g in gold]
    db = work / "dev.sqlite"
    for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        stale.unlink(missing_ok=True)
    with Store(f"sqlite:///{db}") as store:
        summary = ingest(articles, Pipeline.from_settings(), store)
        events = list(store.events())
    out = work / "events.csv"
    out.write_bytes(export_bytes(events_frame(events), "csv"))
    return out, len(summary.failed)


def co_mention(events_csv: Path, out: Path) -> Path:
    """The same rows with every named actor put at the place: ``actors`` + ``mentioned_actors``."""
    csv.field_size_limit(1 << 24)
    with open(events_csv, newline="", encoding="utf-8") as src, \
            open(out, "w", newline="", encoding="utf-8") as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=list(reader.fieldnames or ()))
        writer.writeheader()
        for row in reader:
            if row["place_name"]:
                names = [n for n in (row["actors"] + ";" + row["mentioned_actors"]).split(";") if n.strip()]
                row["actors"] = ";".join(dict.fromkeys(names))
            writer.writerow(row)
    return out


def score(gold_path: Path, events_csv: Path, work: Path, *, bootstrap: int, texts_dir: Path,
          tag: str) -> dict[str, Any]:
    """Run the set's scorer as it ships; its results JSON."""
    results = work / f"results-{tag}.json"
    cmd = [sys.executable, str(SCORER), str(gold_path), str(events_csv), str(ATTRIBUTION_DIR / "MAP.json"),
           "--texts-dir", str(texts_dir), "--out", str(results),
           "--examples", str(work / f"examples-{tag}.md"), "--bootstrap", str(bootstrap)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the scorer failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return json.loads(results.read_text(encoding="utf-8"))


def as_score(name: str, block: dict[str, Any]) -> Score:
    return Score(name, block["tp"], block["fp"], block["fn"], block["precision"], block["recall"],
                 block["f1"], block.get("ci95", {}))


def _scorer_module() -> Any:
    """The set's scorer as a module, for its name matching (standard library only)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("score_attribution", SCORER)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load the scorer {SCORER}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def miss_kinds(gold: Sequence[dict[str, Any]], events_csv: Path) -> dict[str, int]:
    """Each missed gold pair by what the pipeline found in its article: the place among the
    events' places and the actor among every actor named (attributed or only mentioned), matched
    as the scorer matches (an event's place counts whether or not it was located). "both found"
    is what attribution itself missed."""
    scorer = _scorer_module()
    amap = json.loads((ATTRIBUTION_DIR / "MAP.json").read_text(encoding="utf-8"))
    csv.field_size_limit(1 << 24)
    rows: dict[str, list[dict[str, str]]] = {}
    with open(events_csv, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            rows.setdefault(row["url"].rsplit("/", 1)[-1], []).append(row)
    out = {"both found": 0, "place not found": 0, "actor not found": 0, "neither found": 0}
    for g in gold:
        place_forms = {n: g.get("place_aliases", {}).get(n, []) for n in g["places"]}
        pm = scorer.Matcher(place_forms, amap["places"], False)
        am = scorer.Matcher({n: g.get("actor_aliases", {}).get(n, []) for n in g["actors"]}, amap["actors"],
                            True, {scorer.norm(f) for fs in pm.forms.values() for f in fs})
        predicted, places, actors = set(), set(), set()
        for row in rows.get(g["id"], []):
            place = pm.match(row["place_name"])[0] if row["place_name"] else None
            places.add(place)
            named = (row["actors"] + ";" + row["mentioned_actors"]).split(";")
            actors.update(am.match(name.strip())[0] for name in named if name.strip())
            for name in filter(None, (x.strip() for x in row["actors"].split(";"))):
                predicted.add((am.match(name)[0], place))
        for actor, place in (tuple(p) for p in g["pairs"]):
            if (actor, place) in predicted:
                continue
            kind = ("both found" if actor in actors and place in places else "place not found"
                    if actor in actors else "actor not found" if place in places else "neither found")
            out[kind] += 1
    return out


def per_corpus(gold: Sequence[dict[str, Any]], events_csv: Path, work: Path, *, bootstrap: int,
               texts_dir: Path) -> list[tuple[str, int, Score, Score]]:
    rows = []
    for source in sorted({g["source_file"] for g in gold}):
        subset = [g for g in gold if g["source_file"] == source]
        path = work / f"gold-{source}"
        path.write_text("".join(json.dumps(g) + "\n" for g in subset), encoding="utf-8")
        res = score(path, events_csv, work, bootstrap=bootstrap, texts_dir=texts_dir, tag=source)
        rows.append((source.removesuffix("-dev.jsonl"), len(subset), as_score("Geostory", res["geostory"]),
                     as_score("naive", res["naive_cooccurrence"])))
    return rows


def format_section(main: dict[str, Any], comention: dict[str, Any],
                   corpora: Sequence[tuple[str, int, Score, Score]], *, failed: int, seconds: float,
                   bootstrap: int, misses: dict[str, int] | None = None) -> str:
    ours = as_score("Geostory (attribution rules)", main["geostory"])
    naive = as_score("naive same-sentence baseline (gold entities)", main["naive_cooccurrence"])
    plain = as_score("today's extraction, every named actor at every place (co-mention)",
                     comention["geostory"])
    rows = [[s.name, s.cell("precision"), s.cell("recall"), s.cell("f1"), f"{s.tp} / {s.fp} / {s.fn}"]
            for s in (ours, plain, naive)]
    for label, b in (("Geostory's attribution rules before the recall work (commit 71f3ce6; quoted)",
                      RULES_BEFORE),
                     ("Geostory before issue 11 (ATTRIBUTION.md, commit 92a7ffd; quoted)", BEFORE)):
        rows.append([label, f"{b['precision']:.3f}", f"{b['recall']:.3f}",
                     f"{b['f1']:.3f} ({b['f1_ci'][0]:.2f}–{b['f1_ci'][1]:.2f})",
                     " / ".join(str(n) for n in b["counts"])])
    met_p = "met" if ours.precision >= TARGET_PRECISION else "missed"
    met_r = "met" if ours.recall >= TARGET_RECALL else "missed"
    table = md_table(["system", "precision (95% CI)", "recall (95% CI)", "F1 (95% CI)", "tp / fp / fn"], rows)
    corpus_rows = [[name, n, g.cell("precision"), g.cell("recall"), g.cell("f1"), f"{g.tp} / {g.fp} / {g.fn}",
                    f"{v.precision:.3f} / {v.recall:.3f} / {v.f1:.3f}"] for name, n, g, v in corpora]
    corpus_table = md_table(["corpus", "articles", "precision", "recall", "F1", "tp / fp / fn",
                             "naive P / R / F1"], corpus_rows)
    fp_kinds = ", ".join(f"{k} {v}" for k, v in sorted(main.get("fp_breakdown", {}).items()))
    fn_kinds = ", ".join(f"{k} {v}" for k, v in sorted(main.get("fn_breakdown", {}).items()))
    cond = as_score("if both extracted", main["geostory_if_both_extracted"])
    found = ""
    if misses:
        kinds = ", ".join(f"{k} {v}" for k, v in misses.items())
        found = (" By what the pipeline found in the article (every actor it names, attributed or "
                 f"only mentioned, and every place it has an event at, located or not): {kinds}; had "
                 "attribution paired every "
                 f"pair with both found, recall would be "
                 f"{(ours.tp + misses['both found']) / main['gold_pairs']:.2f}.")
    return "\n".join([
        environment_line(), "",
        f"The {main['articles']} dev articles of `attribution-dev.jsonl` ({main['gold_pairs']} gold "
        "actor-place pairs), ingested, exported and scored by `score_attribution.py` as `run_example.sh` "
        f"does ({failed} article(s) refused by ingest; {seconds:.0f} s in all). Intervals: {bootstrap} "
        "resamples of articles.", "",
        table, "",
        f"Target (issue 11): precision ≥ {TARGET_PRECISION} ({met_p}) with recall ≥ {TARGET_RECALL} "
        f"({met_r}).",
        f"The scorer's own breakdown, where \"extracted\" means attributed somewhere in the article: "
        f"precision {cond.precision:.3f} and recall {cond.recall:.3f} on pairs whose actor and place were "
        f"both extracted; false positives by kind: {fp_kinds}; misses by kind: {fn_kinds}.{found}", "",
        "Per corpus (the same export, scored on each corpus's articles):", "",
        corpus_table,
    ])


def run(*, bootstrap: int = 2000, work: Path | None = None, output: Path = RESULTS,
        texts_dir: Path | None = None) -> str:
    texts_dir = texts_dir or ATTRIBUTION_DIR.parent
    gold = gold_records()
    texts = gold_texts(gold, texts_dir)
    with tempfile.TemporaryDirectory(prefix="bench-attribution-") as tmp:
        folder = work or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        with timed() as clock:
            events_csv, failed = export_dev_events(gold, texts, folder)
            main = score(GOLD, events_csv, folder, bootstrap=bootstrap, texts_dir=texts_dir, tag="dev")
        comention = score(GOLD, co_mention(events_csv, folder / "events-co-mention.csv"), folder,
                          bootstrap=bootstrap, texts_dir=texts_dir, tag="co-mention")
        corpora = per_corpus(gold, events_csv, folder, bootstrap=bootstrap, texts_dir=texts_dir)
        misses = miss_kinds(gold, events_csv)
    body = format_section(main, comention, corpora, failed=failed, seconds=clock.seconds, bootstrap=bootstrap,
                          misses=misses)
    write_section("attribution", body, output)
    return body


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.attribution", description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", type=int, default=2000, help="article resamples for the intervals")
    parser.add_argument("--work", type=Path, help="keep the store, export and scorer files here")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("geo").setLevel(logging.WARNING)  # not a line per stored article
    body = run(bootstrap=args.bootstrap, work=args.work, output=args.output)
    sys.stdout.write(body + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
