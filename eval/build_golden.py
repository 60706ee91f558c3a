"""Build eval/golden.jsonl from eval/golden_source.json, checking every gold answer.

The source lists each answerable question with its gold source and a gold answer that must
appear verbatim in that document, English questions likewise, and unanswerable questions with
the key terms that must be absent from the whole sample corpus. The 38 questions of
eval/dev_questions.jsonl (on which the embedding model was first chosen) are added too.
tests/evaluation/test_golden_set.py checks that golden.jsonl is what this script builds.

    python eval/build_golden.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def build_rows(root: Path = ROOT) -> list[dict[str, Any]]:
    """The golden questions, checked against the corpus (SystemExit names what fails)."""
    source = json.loads((root / "eval" / "golden_source.json").read_text("utf-8"))
    corpus = {p.name: p.read_text("utf-8") for p in (root / "corpus").glob("*.txt")}
    everything = "\n".join(corpus.values())
    dev = [
        json.loads(x)
        for x in (root / "eval" / "dev_questions.jsonl").read_text("utf-8").splitlines()
    ]
    english = [tuple(x) for x in source["english"]]
    chinese = [tuple(x) for x in source["answerable"]]
    seen = {q for q, _, _ in chinese + english}
    chinese += [
        (d["question"], d["gold_sources"][0], d["answers"][0])
        for d in dev
        if d["question"] not in seen
    ]
    rows: list[dict[str, Any]] = []
    for n, (q, src, ans) in enumerate(chinese + english, start=1):
        if ans not in corpus[src]:
            raise SystemExit(f"gold answer of {q!r} is not in {src}: {ans!r}")
        lang = "en" if (q, src, ans) in english else "zh"
        rows.append({"id": f"q{n:03d}", "question": q, "gold_sources": [src], "answers": [ans],
                     "answerable": True, "lang": lang})  # fmt: skip
    for n, (q, absent) in enumerate(source["unanswerable"], start=len(rows) + 1):
        present = [t for t in absent if t in everything]
        if present:
            raise SystemExit(f"unanswerable {q!r}: corpus contains {present}")
        lang = "zh" if any("\u4e00" <= c <= "\u9fff" for c in q) else "en"
        rows.append({"id": f"q{n:03d}", "question": q, "gold_sources": [], "answers": [],
                     "answerable": False, "lang": lang})  # fmt: skip
    return rows


def main() -> None:
    rows = build_rows()
    out = ROOT / "eval" / "golden.jsonl"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    n_un = sum(not r["answerable"] for r in rows)
    print(f"wrote {len(rows)} questions ({n_un} unanswerable) to {out}")


if __name__ == "__main__":
    main()
