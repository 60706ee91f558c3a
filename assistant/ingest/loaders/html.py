"""HTML: the main text of the page, without scripts, styles, navigation, headers and footers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.core.types import LoadedText, ReadLimits
from assistant.ingest.loaders.decode import decode_bytes

if TYPE_CHECKING:
    import lxml.html

_DROP_TAGS = (
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
    "button", "iframe", "svg", "canvas", "select", "menu",
)  # fmt: skip
_NAV_HINT = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|breadcrumb|footer|header|sidebar|share|toolbar|copyright)"
    r"([\s_-]|$)",
    re.I,
)
_MAIN_HINT = re.compile(r"(content|article|main|zoom|text|detail|body)", re.I)
_BLOCK = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "main",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "table",
        "tr",
        "br",
        "pre",
        "blockquote",
        "dd",
        "dt",
        "dl",
        "center",
        "td",
        "th",
        "title",
    ]
)
_CHARSET_DECL = re.compile(r"<\?xml[^>]*\?>", re.I)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)


def _decode(data: bytes, source: str) -> str:
    m = _CHARSET.search(data[:4096])
    if m:
        enc = m.group(1).decode("ascii", "ignore").lower()
        if enc in ("gb2312", "gbk"):
            enc = "gb18030"
        try:
            return data.decode(enc)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_bytes(data, source)[0]


def _text_of(el: lxml.html.HtmlElement) -> str:
    """Text with a line break around every block element (iterative: no recursion limit)."""
    from lxml import etree

    parts: list[str] = []
    for event, node in etree.iterwalk(el, events=("start", "end")):
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if event == "start":
            if tag in _BLOCK:
                parts.append("\n")
            if node.text and tag:
                parts.append(node.text)
        else:
            if tag in _BLOCK:
                parts.append("\n")
            if node.tail and node is not el:
                parts.append(node.tail)
    raw = "".join(parts)
    lines = [re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in raw.split("\n")]
    return "\n\n".join(ln for ln in lines if ln)


def _crude_text(markup: str) -> str:
    """Tag stripping for pages the parser cannot hold (nesting deeper than libxml2's limit)."""
    import html as html_lib

    drop = "|".join(_DROP_TAGS)
    markup = re.sub(rf"<({drop})\b.*?</\1\s*>", " ", markup, flags=re.I | re.S)
    markup = re.sub(r"<!--.*?-->", " ", markup, flags=re.S)
    blocks = "|".join(sorted(_BLOCK))
    markup = re.sub(rf"</?(?:{blocks})\b[^>]*>", "\n", markup, flags=re.I)
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", markup))
    lines = [re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in text.split("\n")]
    return "\n\n".join(ln for ln in lines if ln)


def load_html(data: bytes, source: str, limits: ReadLimits | None = None) -> LoadedText:
    import lxml.html

    text = _decode(data, source)
    # Deeply nested pages exceed libxml2's default depth; huge_tree lifts that limit.
    parser = lxml.html.HTMLParser(huge_tree=True, remove_comments=True)
    root = lxml.html.document_fromstring(_CHARSET_DECL.sub("", text), parser=parser)
    parsed_chars = len(re.sub(r"\s+", "", root.text_content()))
    title_el = root.find(".//title")
    title = (title_el.text_content().strip() if title_el is not None else "") or ""
    h1 = root.find(".//h1")
    if h1 is not None and h1.text_content().strip():
        title = h1.text_content().strip()
    for bad in root.xpath("//" + " | //".join(_DROP_TAGS)):
        bad.drop_tree()
    for el in root.xpath("//*[@class or @id or @role]"):
        hint = " ".join(filter(None, (el.get("class"), el.get("id"), el.get("role"))))
        if _NAV_HINT.search(hint) and not _MAIN_HINT.search(hint):
            el.drop_tree()
    body = root.find(".//body")
    candidates = root.xpath("//main | //article | //*[@role='main']")
    main = max(candidates, key=lambda e: len(e.text_content())) if candidates else None
    target = main if main is not None else (body if body is not None else root)
    out = _text_of(target)
    if title and not out.startswith(title) and main is not None:
        out = title + "\n\n" + out
    crude = _crude_text(text)
    if parsed_chars < 0.5 * len(re.sub(r"\s+", "", crude)):
        # libxml2 drops content nested deeper than its limit; fall back to tag stripping.
        out = crude
    return LoadedText(text=out, format="html", title_hint=title)
