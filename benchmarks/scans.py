"""Scanned and born-digital PDFs of real notices, made by real tools (PIL draws the page image,
reportlab writes the PDF): the OCR benchmark and the OCR tests build their files with these."""

from __future__ import annotations

from pathlib import Path


def cjk_font_path() -> Path:
    """A CJK font on this machine (Debian's fonts-noto-cjk, installed with apt when missing, as
    the browser tests do): scans of Chinese text need one to be drawn."""
    import shutil
    import subprocess

    def find() -> Path | None:
        for pattern in ("NotoSerifCJK-Regular.ttc", "NotoSansCJK-Regular.ttc", "*CJK*.tt?"):
            hits = sorted(Path("/usr/share/fonts").rglob(pattern))
            if hits:
                return hits[0]
        return None

    font = find()
    if font is None:
        if shutil.which("apt-get") is None:
            raise RuntimeError("no CJK font and no apt-get to install fonts-noto-cjk")
        subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "fonts-noto-cjk"], check=False,
                       capture_output=True, timeout=900)  # fmt: skip
        font = find()
        if font is None:
            raise RuntimeError("could not install fonts-noto-cjk with apt-get")
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
