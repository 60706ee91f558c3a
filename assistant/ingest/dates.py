"""Dates as official texts write them — 2024年3月5日, 二〇二六年三月十二日, 2024-03-05,
January 14, 2026, 14 Jan 2026 — read into ISO form (pure)."""

from __future__ import annotations

import re

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "两": 2, "三": 3,
              "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_DATE_NUM = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_CN = re.compile(
    r"([〇零○Ｏ一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月"
    r"\s*([一二三四五六七八九十]{1,3})\s*日"
)
_DATE_ISO = re.compile(r"(?<!\d)((?:19|20)\d{2})[-./](\d{1,2})[-./](\d{1,2})(?!\d)")
_MONTHS = {m: n for n, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
)}  # fmt: skip
_MONTH = (r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")  # fmt: skip
_DATE_EN_MDY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d{{2}})\b")
_DATE_EN_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+((?:19|20)\d{{2}})\b")


# A date in running text as the patterns above read it (no groups): for rules that quote one.
DATE_TEXT = (
    r"(?:(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
    r"|[〇零○Ｏ一二三四五六七八九]{4}\s*年\s*[一二三四五六七八九十]{1,3}\s*月"
    r"\s*[一二三四五六七八九十]{1,3}\s*日)"
)


def cn_number(s: str) -> int:
    """一..九十九 (and 两) → 1..99; Arabic digits as they are."""
    if s.isdigit():
        return int(s)
    if s == "十":
        return 10
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return _CN_DIGITS[s]


def _valid(y: int, m: int, d: int) -> str:
    if 1 <= m <= 12 and 1 <= d <= 31:
        return f"{y:04d}-{m:02d}-{d:02d}"
    return ""


def find_dates(text: str) -> list[tuple[int, str]]:
    """Every date in ``text`` as ``(offset, ISO date)``, in the order they appear."""
    found: list[tuple[int, str]] = []
    for m in _DATE_NUM.finditer(text):
        iso = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if iso:
            found.append((m.start(), iso))
    for m in _DATE_CN.finditer(text):
        try:
            y = int("".join(str(_CN_DIGITS[c]) for c in m.group(1)))
            iso = _valid(y, cn_number(m.group(2)), cn_number(m.group(3)))
        except KeyError:
            continue
        if iso:
            found.append((m.start(), iso))
    for m in _DATE_ISO.finditer(text):
        iso = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if iso:
            found.append((m.start(), iso))
    for m in _DATE_EN_MDY.finditer(text):  # January 14, 2026 / Jan. 14 2026
        iso = _valid(int(m.group(3)), _MONTHS[m.group(1)[:3].lower()], int(m.group(2)))
        if iso:
            found.append((m.start(), iso))
    for m in _DATE_EN_DMY.finditer(text):  # 14 January 2026 / 14 Jan 2026
        iso = _valid(int(m.group(3)), _MONTHS[m.group(2)[:3].lower()], int(m.group(1)))
        if iso:
            found.append((m.start(), iso))
    return sorted(found)


def only_date(segment: str) -> bool:
    """True when ``segment`` is a date and nothing more (a signature's date line), brackets and
    spaces aside."""
    rest = segment
    for pattern in (_DATE_NUM, _DATE_CN, _DATE_ISO, _DATE_EN_MDY, _DATE_EN_DMY):
        rest = pattern.sub("", rest)
    return bool(find_dates(segment)) and not re.sub(r"[\s（）()]", "", rest)
