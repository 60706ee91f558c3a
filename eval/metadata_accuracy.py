"""Per-field accuracy of the metadata rules on the hand-labelled set eval/metadata_labels.jsonl.

The labels (facts only: title, 文号, issuer, date, type) cover 136 notices and news items of
../shared/data/dev-sets/ncp-policy-qa (flattened web text; read from there, never copied), 56
English pages of doc2dial-gov-en, and the 25 documents of the sample corpus (line-broken; their
sidecars are not used here). The
sample documents are also measured flattened (line breaks replaced by spaces), the shape text
from web pages and PDFs often has.

    python -m eval.metadata_accuracy [--dev-sets ../shared/data/dev-sets] [--errors FIELD]
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from assistant.evaluation.metadata_accuracy import FIELDS, errors, score
from assistant.ingest.metadata import parse_metadata

ROOT = Path(__file__).resolve().parents[1]


def texts(dev_sets: Path) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for name in ("ncp-policy-qa", "doc2dial-gov-en"):
        corpus = dev_sets / name / "corpus.jsonl"
        if corpus.is_file():
            for line in corpus.read_text("utf-8").splitlines():
                row = json.loads(line)
                out[(name, row["doc_id"])] = row["text"]
    for path in (ROOT / "corpus").glob("*.txt"):
        out[("sample", path.stem)] = path.read_text("utf-8")
    return out


def flatten(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text)


def run(labels: list[dict[str, Any]], docs: dict[tuple[str, str], str], flat: bool = False):
    predicted = {}
    for label in labels:
        text = docs[(label["set"], label["doc_id"])]
        predicted[label["doc_id"]] = parse_metadata(flatten(text) if flat else text).as_dict()
    return predicted


def render(name: str, result: dict[str, dict[str, Any]]) -> str:
    lines = [
        f"**{name}**",
        "",
        "| field | documents with it | read right | accuracy | false finds (documents without) |",
        "|---|---|---|---|---|",
    ]
    for field in FIELDS:
        r = result[field]
        acc = "–" if r["accuracy"] is None else f"{r['accuracy']:.3f}"
        false = "–" if field == "doc_type" else f"{r['false_finds']} ({r['without']})"
        lines.append(f"| {field} | {r['labelled']} | {r['correct']} | {acc} | {false} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dev-sets", type=Path, default=ROOT.parent / "shared/data/dev-sets")
    ap.add_argument("--labels", type=Path, default=ROOT / "eval" / "metadata_labels.jsonl")
    ap.add_argument("--errors", choices=FIELDS, help="list the documents this field gets wrong")
    args = ap.parse_args()
    labels = [json.loads(x) for x in args.labels.read_text("utf-8").splitlines() if x.strip()]
    docs = texts(args.dev_sets)
    labels = [lab for lab in labels if (lab["set"], lab["doc_id"]) in docs]
    groups = [
        (
            "ncp-policy-qa (flattened web text)",
            [x for x in labels if x["set"] == "ncp-policy-qa"],
            False,
        ),
        (
            "doc2dial-gov-en (English pages)",
            [x for x in labels if x["set"] == "doc2dial-gov-en"],
            False,
        ),
        ("sample corpus (line-broken)", [x for x in labels if x["set"] == "sample"], False),
        ("sample corpus, flattened", [x for x in labels if x["set"] == "sample"], True),
    ]
    for name, group, flat in groups:
        if not group:
            continue
        predicted = run(group, docs, flat)
        print(render(f"{name}: {len(group)} documents", score(group, predicted)))
        print()
        if args.errors:
            for doc_id, gold, got in errors(group, predicted, args.errors):
                print(f"  {doc_id[:12]}  label={gold!r}  read={got!r}")
            print()


if __name__ == "__main__":
    main()
