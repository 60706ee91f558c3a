"""Real document files for tests, made by real tools: reportlab (PDF), python-docx (DOCX)."""

from __future__ import annotations

from pathlib import Path


def make_pdf(path: Path, pages: list[str], *, encrypt: str | None = None) -> Path:
    """A PDF with Chinese text, one string per page (reportlab with the STSong-Light CID font)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    kwargs = {}
    if encrypt:
        from reportlab.lib import pdfencrypt

        kwargs["encrypt"] = pdfencrypt.StandardEncryption(encrypt, canPrint=0)
    c = canvas.Canvas(str(path), pagesize=A4, **kwargs)
    for text in pages:
        c.setFont("STSong-Light", 11)
        y = 800
        for line in text.split("\n"):
            while line:
                c.drawString(50, y, line[:40])
                line = line[40:]
                y -= 18
        c.showPage()
    c.save()
    return path


def make_image_pdf(path: Path) -> Path:
    """A PDF whose only page is a picture of text: no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img = Image.new("RGB", (400, 200), "white")
    ImageDraw.Draw(img).rectangle([20, 20, 380, 180], outline="black", width=5)
    c = canvas.Canvas(str(path), pagesize=A4)
    c.drawImage(ImageReader(img), 50, 500, width=400, height=200)
    c.showPage()
    c.save()
    return path


def make_docx(path: Path, title: str, paragraphs: list[str]) -> Path:
    import docx

    d = docx.Document()
    d.add_heading(title, level=1)
    for p in paragraphs:
        d.add_paragraph(p)
    table = d.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "指标"
    table.rows[0].cells[1].text = "目标值"
    d.save(str(path))
    return path


from benchmarks.scans import make_scan_pdf, page_image  # noqa: E402  (scans of real notices)

__all__ = ["make_docx", "make_image_pdf", "make_pdf", "make_scan_pdf", "page_image"]
