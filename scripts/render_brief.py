"""Render the first page of a Word brief to PNG with LibreOffice (Debian's, headless), for the
README: the answers of a short conversation over the sample corpus, footnotes and all.

    python scripts/render_brief.py [--index indexes/default] [--out docs/brief.png]

Needs ``soffice`` and ``pdftoppm`` (apt install libreoffice-writer-nogui poppler-utils); not run
in CI. LibreOffice writes a PDF (the footnotes at the page foot, as Word puts them), pdftoppm
renders its first page.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

from assistant import Assistant
from assistant.frontends.brief import brief_docx

QUESTIONS = ["2025年拟安排地方政府专项债券多少？", "2024年赤字率是多少？"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default="indexes/default")
    ap.add_argument("--out", type=Path, default=Path("docs/brief.png"))
    args = ap.parse_args()
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    pdftoppm = shutil.which("pdftoppm")
    if not soffice or not pdftoppm:
        raise SystemExit("needs soffice and pdftoppm: apt install libreoffice-writer-nogui "
                         "poppler-utils")  # fmt: skip
    assistant = Assistant.open(args.index)
    answers = [assistant.ask(q) for q in QUESTIONS]
    with tempfile.TemporaryDirectory() as tmp:
        docx = Path(tmp) / "brief.docx"
        docx.write_bytes(brief_docx(answers))
        subprocess.run(
            [soffice, "--headless", "--convert-to", "pdf", "--outdir", tmp, str(docx)],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        page = Path(tmp) / "page"
        subprocess.run(
            [pdftoppm, "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile",
             str(Path(tmp) / "brief.pdf"), str(page)],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        args.out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(page.with_suffix(".png"), args.out)
    print(f"wrote {args.out} ({sum(len(a.citations) for a in answers)} footnotes)")


if __name__ == "__main__":
    main()
