"""公文 metadata by rule from the head and tail of a document, overridden by a sidecar file.

Fields: title, issuing body (发文机关), document number (文号), date (成文/发布日期) and type.
A field that the rules cannot find stays empty: nothing is guessed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from assistant.core.errors import DocumentError
from assistant.core.types import DocMeta

DOC_TYPES = (
    "指导意见", "实施意见", "实施方案", "行动方案", "行动计划", "工作方案", "管理办法", "实施细则",
    "政府工作报告", "通知", "通报", "意见", "方案", "规划", "报告", "决议", "决定", "办法", "规定",
    "条例", "细则", "指南", "纲要", "计划", "公告", "通告", "批复", "函", "公报", "白皮书",
)  # fmt: skip
# The type a specific form belongs to.
_TYPE_OF = {
    "指导意见": "意见", "实施意见": "意见", "实施方案": "方案", "行动方案": "方案",
    "工作方案": "方案", "行动计划": "计划", "管理办法": "办法", "实施细则": "细则",
    "政府工作报告": "报告",
}  # fmt: skip

_ORGAN_SUFFIX = (
    "国务院", "办公厅", "办公室", "委员会", "部", "委", "院", "局", "署", "厅", "行", "会", "政府",
    "中心", "总局", "总署", "协会",
)  # fmt: skip

_DOC_NO = re.compile(
    r"[\u4e00-\u9fff]{1,16}\s*[〔\[［【(（]\s*((?:19|20)\d{2})\s*[〕\]］】)）]\s*第?\s*\d{1,5}\s*号"
)
_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_DATE_NUM = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_CN = re.compile(
    r"([〇零○Ｏ一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月"
    r"\s*([一二三四五六七八九十]{1,3})\s*日"
)
_DATE_ISO = re.compile(r"(?<!\d)((?:19|20)\d{2})[-./](\d{1,2})[-./](\d{1,2})(?!\d)")
_DATE_LABEL = re.compile(r"(成文日期|发布日期|印发日期|发文日期|日期)\s*[:：]\s*")

SIDECAR_SUFFIX = ".meta.json"


def _cn_number(s: str) -> int:
    """一..三十一 → 1..31."""
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
            iso = _valid(y, _cn_number(m.group(2)), _cn_number(m.group(3)))
        except KeyError:
            continue
        if iso:
            found.append((m.start(), iso))
    for m in _DATE_ISO.finditer(text):
        iso = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if iso:
            found.append((m.start(), iso))
    return sorted(found)


def doc_type_of(title: str) -> str:
    t = re.sub(r"[（(][^）)]*[）)]$", "", title.strip())  # drop a trailing （试行）/（摘要）
    for word in DOC_TYPES:
        if t.endswith(word):
            return _TYPE_OF.get(word, word)
    return ""


def _head_lines(text: str, n: int = 12) -> list[str]:
    lines = []
    for ln in text.splitlines():
        ln = ln.strip()
        if ln:
            lines.append(ln)
        if len(lines) >= n:
            break
    return lines


def _is_organ(name: str) -> bool:
    return 2 <= len(name) <= 40 and name.endswith(_ORGAN_SUFFIX) and "，" not in name


def _find_title(lines: list[str]) -> str:
    for i, ln in enumerate(lines):
        if len(ln) > 100 or re.search(r"[。！？]$", ln) or _DOC_NO.fullmatch(ln):
            continue
        if doc_type_of(ln):
            # Long titles wrap: "关于……\n的通知" – join the line before when it starts with 关于.
            if i > 0 and "关于" in lines[i - 1] and "关于" not in ln and len(lines[i - 1]) < 60:
                return lines[i - 1] + ln
            return ln
    return ""


def _find_issuer(title: str, lines: list[str], tail: str) -> str:
    for ln in lines[:4]:
        m = re.fullmatch(r"(.{2,40}?)\s*文件", ln)
        if m and _is_organ(m.group(1)):
            return m.group(1)
    m = re.match(r"(.{2,40}?)关于", title)
    if m and _is_organ(m.group(1)):
        return m.group(1)
    # Signature block: an organ's name on its own line followed by the date line.
    tail_lines = [ln.strip() for ln in tail.splitlines() if ln.strip()]
    for i in range(len(tail_lines) - 1, 0, -1):
        if find_dates(tail_lines[i]) and _is_organ(tail_lines[i - 1]):
            return tail_lines[i - 1]
    return ""


def _find_date(text: str) -> str:
    head, tail = text[:1500], text[-400:]
    for part in (head, tail):
        m = _DATE_LABEL.search(part)
        if m:
            dates = find_dates(part[m.end() : m.end() + 30])
            if dates and dates[0][0] == 0:
                return dates[0][1]
    # 成文日期 stands at the end of a notice, under the signature.
    tail_dates = find_dates(tail)
    if tail_dates and len(tail) - tail_dates[-1][0] < 40:
        return tail_dates[-1][1]
    # Reports: "——2024年3月5日在第十四届全国人民代表大会第二次会议上".
    for ln in _head_lines(text, 8):
        if ln.startswith(("——", "—", "（", "(")):
            dates = find_dates(ln)
            if dates:
                return dates[0][1]
    return ""


def parse_metadata(text: str, title_hint: str = "") -> DocMeta:
    """Rule-based 公文 metadata from ``text``; ``title_hint`` comes from the file (HTML title …)."""
    lines = _head_lines(text)
    title = _find_title(lines) or title_hint.strip()
    head = text[:1500]
    number = _DOC_NO.search(head)
    return DocMeta(
        title=title,
        issuer=_find_issuer(title, lines, text[-300:]),
        doc_number=re.sub(r"\s+", "", number.group(0)) if number else "",
        date=_find_date(text),
        doc_type=doc_type_of(title) if title else "",
    )


def sidecar_path(path: Path) -> Path:
    """``notice.pdf`` → ``notice.meta.json`` beside it."""
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def read_sidecar(path: Path, source: str) -> dict[str, str]:
    """The fields of ``path``'s sidecar, or {} when it has none. Unknown keys are an error."""
    side = sidecar_path(path)
    if not side.is_file():
        return {}
    try:
        data = json.loads(side.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DocumentError(source, f"sidecar {side.name} is not valid UTF-8 JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise DocumentError(source, f"sidecar {side.name} must hold a JSON object")
    unknown = sorted(set(data) - set(DocMeta.FIELDS))
    if unknown:
        raise DocumentError(
            source,
            f"sidecar {side.name} has unknown field(s) {unknown}; allowed: {list(DocMeta.FIELDS)}",
        )
    return {k: "" if v is None else str(v).strip() for k, v in data.items()}


def merge(parsed: DocMeta, sidecar: dict[str, str]) -> DocMeta:
    """Sidecar fields win over parsed ones; the type follows a sidecar title unless given."""
    merged = DocMeta(**{**parsed.as_dict(), **sidecar})
    if "title" in sidecar and "doc_type" not in sidecar:
        merged.doc_type = doc_type_of(merged.title) or parsed.doc_type
    return merged
