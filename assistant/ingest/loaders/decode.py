"""Decoding bytes of unknown encoding: BOMs, UTF-8, GB18030/GBK, then statistical detection."""

from __future__ import annotations

import codecs

from assistant.core.errors import DocumentError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    sample = text[:20000]
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v\x1b")
    return bad > max(8, len(sample) // 100)


def decode_bytes(data: bytes, source: str) -> tuple[str, str]:
    """Decode the whole file with one encoding; returns ``(text, encoding)``.

    Order: a byte-order mark; strict UTF-8; strict GB18030 (a superset of GBK and GB2312);
    then charset-normalizer's best guess. Binary data is refused rather than indexed as noise.
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as exc:
                raise DocumentError(
                    source, f"invalid {enc} text after its byte-order mark"
                ) from exc
            return _check(text, enc, source)
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return _check(data.decode(utf16), utf16, source)
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192]:
        raise DocumentError(source, "binary data, not text (NUL bytes)")
    for enc in ("utf-8", "gb18030"):
        try:
            return _check(data.decode(enc), enc, source)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise DocumentError(source, "unknown text encoding; save the file as UTF-8")
    return _check(str(best), best.encoding, source)


def _utf16_without_bom(data: bytes) -> str:
    """'utf-16-le' or 'utf-16-be' when the bytes read as UTF-16 text without a byte-order mark
    (GB18030 would also accept them, as nonsense); otherwise ''."""
    if len(data) % 2:
        return ""
    try:
        data.decode("utf-8")
        return ""
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:65536]).best()
    if best is not None and best.encoding in ("utf_16_le", "utf_16_be"):
        return best.encoding.replace("_", "-")
    return ""


def _check(text: str, enc: str, source: str) -> tuple[str, str]:
    if _looks_binary(text):
        raise DocumentError(source, "binary data, not text (control characters)")
    return text, enc
