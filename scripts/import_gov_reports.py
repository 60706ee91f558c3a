"""Write Government Work Reports from ../shared/data/gov-work-reports/reports.jsonl into a corpus.

One ``.txt`` file per document (the text exactly as in the data set) and a ``.meta.json``
sidecar with title, issuer, date, type and source URL. The date is taken from the text when the
text states it ("——2024年3月5日在……"), otherwise only the year is given; nothing is invented.

    python scripts/import_gov_reports.py --years 2013-2025 --out corpus   # the shipped sample
    python scripts/import_gov_reports.py --years 1954-2025 --out corpus   # all of them
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/data/gov-work-reports/reports.jsonl"
# The n-th National People's Congress first met in this year; session s meets in year + s - 1.
NPC_FIRST_YEAR = {8: 1993, 9: 1998, 10: 2003, 11: 2008, 12: 2013, 13: 2018, 14: 2023}
DATE_IN_HEAD = re.compile(r"——\s*((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日")


def year_of(doc: dict) -> int | None:
    if doc.get("year"):
        return int(doc["year"])
    m = re.fullmatch(r"npc-resolution-(\d+)-(\d+)", doc["doc_id"])
    if m and int(m.group(1)) in NPC_FIRST_YEAR:
        return NPC_FIRST_YEAR[int(m.group(1))] + int(m.group(2)) - 1
    return None


def sidecar(doc: dict) -> dict[str, str]:
    year = year_of(doc)
    m = DATE_IN_HEAD.search(doc["text"][:300])
    date = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else str(year or "")
    is_resolution = doc["doc_type"] == "npc_resolution_on_gwr"
    return {
        "title": doc["title"],
        "issuer": "全国人民代表大会" if is_resolution else "国务院",
        "date": date,
        "doc_type": "决议" if is_resolution else "报告",
        "url": doc["url"],
    }


def write_document(doc: dict, out: Path) -> Path:
    """``DOC_ID.txt`` (the text as in the data set) and its ``DOC_ID.meta.json`` sidecar."""
    path = out / f"{doc['doc_id']}.txt"
    path.write_text(doc["text"].rstrip() + "\n", encoding="utf-8")
    path.with_suffix(".meta.json").write_text(
        json.dumps(sidecar(doc), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="reports.jsonl")
    ap.add_argument("--years", default="2013-2025", help="FIRST-LAST (inclusive)")
    ap.add_argument("--out", type=Path, default=Path("corpus"))
    args = ap.parse_args()
    first, _, last = args.years.partition("-")
    lo, hi = int(first), int(last or first)
    args.out.mkdir(parents=True, exist_ok=True)
    n = 0
    for line in args.data.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        year = year_of(doc)
        if year is None or not lo <= year <= hi:
            continue
        write_document(doc, args.out)
        n += 1
    print(f"wrote {n} documents to {args.out}")


if __name__ == "__main__":
    main()
