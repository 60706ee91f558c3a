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


def cjk_font_path() -> Path:
    """A CJK font on this machine (Debian's fonts-noto-cjk, installed with apt when missing, as
    the browser tests do): scans of Chinese text need one to be drawn."""
    import shutil
    import subprocess

    import pytest

    def find() -> Path | None:
        for pattern in ("NotoSerifCJK-Regular.ttc", "NotoSansCJK-Regular.ttc", "*CJK*.tt?"):
            hits = sorted(Path("/usr/share/fonts").rglob(pattern))
            if hits:
                return hits[0]
        return None

    font = find()
    if font is None:
        if shutil.which("apt-get") is None:
            pytest.fail("no CJK font and no apt-get to install fonts-noto-cjk")
        subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "fonts-noto-cjk"], check=False,
                       capture_output=True, timeout=900)  # fmt: skip
        font = find()
        if font is None:
            pytest.fail("could not install fonts-noto-cjk with apt-get")
    return font


def page_image(text: str, dpi: int = 200, rotate: float = 0.0, noise: float = 0.0) -> object:
    """An A4 page of ``text`` as a scanner would give it: black on white at ``dpi``, 34
    characters a line, optionally turned ``rotate`` degrees and speckled with ``noise``."""
    import random

    from PIL import Image, ImageDraw, ImageFont

    scale = dpi / 200
    width, height = int(1654 * scale), int(2339 * scale)
    font = ImageFont.truetype(str(cjk_font_path()), int(40 * scale), index=2)
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    y = int(160 * scale)
    for para in text.split("\n"):
        for i in range(0, max(len(para), 1), 34):
            draw.text((int(150 * scale), y), para[i : i + 34], font=font, fill=0)
            y += int(60 * scale)
        y += int(20 * scale)
    if noise:
        rng = random.Random(0)
        px = img.load()
        for _ in range(int(width * height * noise)):
            px[rng.randrange(width), rng.randrange(height)] = rng.choice((0, 255))  # type: ignore[index]
    if rotate:
        img = img.rotate(rotate, expand=False, fillcolor=255)
    return img


def make_scan_pdf(path: Path, pages: list[str | None], *, text_layer: list[str] | None = None,
                  **image: float) -> Path:  # fmt: skip
    """A PDF of page images (reportlab): a string is drawn as a scanned page, None is a page
    with a born-digital text layer instead (``text_layer`` gives it, in order); an optional
    ``text_layer`` string over a scanned page stands for a garbage OCR layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    layers = list(text_layer or [])
    c = canvas.Canvas(str(path), pagesize=A4)
    for text in pages:
        if text is None:
            c.setFont("STSong-Light", 11)
            c.drawString(50, 800, layers.pop(0))
        else:
            c.drawImage(ImageReader(page_image(text, **image)), 0, 0, width=A4[0], height=A4[1])
            if layers:
                c.setFont("Helvetica", 10)
                c.drawString(50, 800, layers.pop(0))
        c.showPage()
    c.save()
    return path
