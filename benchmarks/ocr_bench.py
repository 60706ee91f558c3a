"""OCR and PDF layout on real notices: character error rate and speed of OCR on scans, and
paragraphs, page furniture and metadata on born-digital 公文-layout PDFs.

    python -m benchmarks.ocr_bench [--pages 8] [--out bench-results/ocr.md]

Pages are cut from real documents — the sample corpus and, when present,
``../shared/data/gov-work-reports`` (chosen by a hash of their ids) — about 900 characters
each, drawn as A4 scans by ``benchmarks/scans.py`` at 200 dpi: clean, and noisy (0.2 % salt and
pepper) turned 1.5°. Each scan is made a PDF (reportlab) and read by the PDF loader, OCR
included; CER is the edit distance to the source after whitespace is removed, over the source's
length (both NFKC-normalised: a full-width １９５５ is read as 1955). Born-digital PDFs are
drawn with their visual line breaks, a running header and "— n —" page numbers, and compared
with the source paragraphs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (two rows)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def cer(got: str, want: str) -> float:
    """Edit distance over the source's length, both sides NFKC-normalised (full-width digits
    as the half-width ones OCR reads) and without whitespace."""
    g = re.sub(r"\s+", "", unicodedata.normalize("NFKC", got))
    w = re.sub(r"\s+", "", unicodedata.normalize("NFKC", want))
    return edit_distance(g, w) / max(len(w), 1)


def documents(shared: Path) -> list[tuple[str, str]]:
    docs = [(p.stem, p.read_text("utf-8")) for p in sorted((ROOT / "corpus").glob("gwr-*.txt"))]
    reports = shared / "gov-work-reports" / "reports.jsonl"
    if reports.is_file():
        for line in reports.read_text("utf-8").splitlines():
            d = json.loads(line)
            if (
                d.get("doc_type") == "government_work_report"
                and not (ROOT / "corpus" / f"{d['doc_id']}.txt").exists()
            ):
                docs.append((d["doc_id"], d["text"]))
    return sorted(docs, key=lambda d: hashlib.sha256(d[0].encode()).hexdigest())


def page_text(text: str, chars: int = 900) -> str:
    """About one page of body paragraphs from the middle of a document."""
    paras = [p.strip() for p in text.split("\n") if len(p.strip()) > 60]
    mid = paras[len(paras) // 3 :]
    out: list[str] = []
    for p in mid:
        if sum(len(x) for x in out) + len(p) > chars:
            out.append(p[: max(0, chars - sum(len(x) for x in out))])
            break
        out.append(p)
    return "\n".join(x for x in out if x)


def scanned_pages(text: str, chars: int = 900) -> list[str]:
    """A document cut into page-sized runs of lines (a line longer than a page is split)."""
    pieces: list[str] = []
    for line in text.split("\n"):
        pieces += [line[i : i + chars] for i in range(0, max(len(line), 1), chars)]
    pages, cur = [], ""
    for piece in pieces:
        if cur and len(cur) + len(piece) > chars:
            pages.append(cur)
            cur = ""
        cur += piece + "\n"
    if cur.strip():
        pages.append(cur)
    return [p for p in pages if p.strip()]


def golden_on_scans(stems: list[str], tmp: Path) -> list[str]:
    """The golden questions about ``stems``, asked over the sample corpus as text and over it
    with those documents replaced by their scans (PDF, OCR): recall@5 and answer hit."""
    import shutil

    from assistant import Assistant
    from assistant.core.settings import Settings
    from assistant.evaluation.measures import holds
    from benchmarks.scans import make_scan_pdf

    questions = [
        json.loads(x) for x in (ROOT / "eval" / "golden.jsonl").read_text("utf-8").splitlines()
    ]
    questions = [
        q for q in questions
        if q.get("answerable") and {Path(s).stem for s in q["gold_sources"]} & set(stems)
    ]  # fmt: skip
    results = {}
    for version in ("text", "scans"):
        corpus = tmp / f"corpus-{version}"
        shutil.copytree(ROOT / "corpus", corpus)
        if version == "scans":
            t0 = time.perf_counter()
            pages = 0
            for stem in stems:
                text = (corpus / f"{stem}.txt").read_text("utf-8")
                chunks = scanned_pages(text)
                pages += len(chunks)
                make_scan_pdf(corpus / f"{stem}.pdf", chunks)
                (corpus / f"{stem}.txt").unlink()
            print(f"  scanned {len(stems)} documents, {pages} pages "
                  f"({time.perf_counter() - t0:.0f} s to draw)", flush=True)  # fmt: skip
        settings = Settings(index_dir=tmp / f"index-{version}", corpus_dirs=[corpus])
        t0 = time.perf_counter()
        Assistant(settings).index([corpus])
        print(f"  indexed the {version} version in {time.perf_counter() - t0:.0f} s", flush=True)
        assistant = Assistant(settings)
        r5 = hit = 0
        for q in questions:
            answer = assistant.ask(q["question"])
            gold = {Path(s).stem for s in q["gold_sources"]}
            r5 += any(Path(h.source).stem in gold for h in answer.hits[:5])
            hit += (not answer.abstained) and holds(answer.text, q["answers"])
        results[version] = (r5 / len(questions), hit / len(questions))
    (tr5, thit), (sr5, shit) = results["text"], results["scans"]
    return [
        "",
        f"| golden questions about {', '.join(stems)} ({len(questions)}) | text | scanned (OCR) | "
        "difference |",
        "|---|---|---|---|",
        f"| recall@5 | {tr5:.3f} | {sr5:.3f} | {sr5 - tr5:+.3f} |",
        f"| answer hit | {thit:.3f} | {shit:.3f} | {shit - thit:+.3f} |",
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=8, help="scanned pages per condition")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=ROOT / "bench-results" / "ocr.md")
    ap.add_argument(
        "--scan-docs", nargs="*", default=["gwr-2023", "gwr-2024", "gwr-2025"],
        help="sample-corpus documents replaced by their 200-dpi scans for the golden comparison "
        "(none: skip it)",
    )  # fmt: skip
    args = ap.parse_args()
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from assistant.ingest.loaders import load_file
    from assistant.ingest.metadata import parse_metadata
    from benchmarks.scans import make_scan_pdf

    docs = documents(args.shared)[: args.pages]
    rows = []
    tmp = Path(tempfile.mkdtemp(prefix="ocr-bench-"))
    for label, image in (("clean, 200 dpi", {}), ("noisy + 1.5° turn, 200 dpi",
                                                  {"noise": 0.002, "rotate": 1.5})):  # fmt: skip
        rates, seconds = [], 0.0
        for n, (doc_id, text) in enumerate(docs):
            want = page_text(text)
            pdf = make_scan_pdf(tmp / f"{n}.pdf", [want], **image)
            t0 = time.perf_counter()
            loaded = load_file(pdf, pdf.name)
            seconds += time.perf_counter() - t0
            rates.append(cer(loaded.text, want))
            print(f"  {label} {doc_id}: CER {rates[-1]:.4f}", flush=True)
        rows.append((label, len(docs), statistics.mean(rates), max(rates), len(docs) / seconds))
    # Born-digital: line-broken 公文 pages with a running header and page numbers.
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    whole = total = furniture = 0
    meta_same = meta_total = 0
    for n, (_doc_id, text) in enumerate(docs):
        paras = [p for p in text.split("\n") if p.strip()][:40]
        pdf = tmp / f"digital-{n}.pdf"
        c = canvas.Canvas(str(pdf), pagesize=A4)
        y, page = 780, 1
        c.setFont("STSong-Light", 12)
        for p in paras:
            for i in range(0, len(p), 36):
                if y < 80:
                    c.drawString(270, 40, f"— {page} —")
                    c.showPage()
                    c.setFont("STSong-Light", 12)
                    c.drawString(60, 810, "国务院公报")
                    y, page = 780, page + 1
                c.drawString(60, y, p[i : i + 36])
                y -= 20
        c.drawString(270, 40, f"— {page} —")
        c.showPage()
        c.save()
        loaded = load_file(pdf, pdf.name)
        for p in paras:
            total += 1
            whole += p.strip() in loaded.text
        furniture += len(re.findall(r"— \d+ —|国务院公报", loaded.text))
        a, b = parse_metadata(loaded.text), parse_metadata("\n".join(paras))
        for field in ("title", "doc_number", "issuer", "date"):
            meta_total += 1
            meta_same += getattr(a, field) == getattr(b, field)
    golden = golden_on_scans(args.scan_docs, tmp) if args.scan_docs else []
    lines = [
        "| OCR condition | pages | CER mean | CER worst | pages/s (2 cores, load + OCR) |",
        "|---|---|---|---|---|",
        *[f"| {r[0]} | {r[1]} | {r[2]:.4f} | {r[3]:.4f} | {r[4]:.2f} |" for r in rows],
        "",
        "| born-digital 公文 PDFs | value |",
        "|---|---|",
        f"| documents | {len(docs)} |",
        f"| paragraphs whole (no line break inside) | {whole}/{total} = "
        f"{whole / max(total, 1):.3f} |",
        f"| page numbers / running headers left in the text | {furniture} |",
        f"| metadata fields equal to the same text as .txt | {meta_same}/{meta_total} |",
        *golden,
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"\nwritten: {args.out}")


if __name__ == "__main__":
    main()
