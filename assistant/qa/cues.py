"""What kind of answer a question asks for, and what kind of content a text holds (pure).

多少/几 ask for a figure, 何时/什么时候 for a date or time, 哪些/有何/措施 for a list, 电话/热线
for a number to call, 账户/账号 for an account, 谁/哪个部门 for an organisation, 哪里 for a
place; English questions likewise (how many, when, which, phone …). The answer should hold that
kind of content; the extractive scorer uses both sides.
"""

from __future__ import annotations

import re

CUES = ("figure", "time", "list", "contact", "organisation", "place", "how", "why", "yesno")

_ASKS: dict[str, re.Pattern[str]] = {
    "figure": re.compile(
        r"多少|几[个家人项条次天年月岁倍名所批万亿%]|几成|数量|比例|金额|资金|规模|比重|多大|多高|多长|多重|"
        r"how (?:many|much)|what (?:percentage|amount|number)|\bhow (?:old|long|far)\b",
        re.I,
    ),
    "time": re.compile(
        r"何时|什么时候|哪天|哪一天|时间|日期|期限|截止|截至|几月|几号|哪一?年|多久|哪个月|起止|"
        r"\bwhen\b|what (?:date|time|year|day)|deadline|how long",
        re.I,
    ),
    "list": re.compile(
        r"哪些|哪几|有何|有什么|措施|举措|步骤|内容|要求|包括|政策|方面|环节|条件|情形|渠道|方式|"
        r"\bwhat (?:are|steps|documents|measures)|\bwhich (?:documents|steps)|\blist\b",
        re.I,
    ),
    "contact": re.compile(
        r"电话|热线|联系|号码|邮箱|网址|网站|账户|账号|开户|户名|二维码|公众号|APP|app|"
        r"phone|call|contact|e-?mail|website|address of|account",
        re.I,
    ),
    "organisation": re.compile(
        r"谁|哪个部门|哪些部门|哪家|哪个单位|什么机构|哪个机构|由.{0,6}负责|牵头|\bwho\b|which (?:agency|office|department)",
        re.I,
    ),
    "place": re.compile(r"哪里|何处|何地|地点|地址|在哪|去哪|\bwhere\b", re.I),
    "how": re.compile(r"如何|怎么|怎样|什么办法|方式|\bhow (?:do|can|to|does|should)\b", re.I),
    "why": re.compile(r"为什么|为何|原因|\bwhy\b", re.I),
    "yesno": re.compile(
        r"是否|能否|可否|能不能|可不可以|吗[？?]?$|^(?:is|are|can|do|does|will|should)\b", re.I
    ),
}

_HOLDS: dict[str, re.Pattern[str]] = {
    "figure": re.compile(
        r"\d[\d,.]*\s*(?:%|％|万|亿|千|百|元|吨|个|家|人|名|项|条|次|倍|天|户|件|台|辆|套|批|所|亩|"
        r"公里|平方米|米|岁|percent|dollars?|\$)|[一二三四五六七八九十百千万两]+[个家人项条次倍天万亿元吨]|"
        r"\$\s?\d|\d+\s*(?:percent|dollars|days|months|years)",
        re.I,
    ),
    "time": re.compile(
        r"\d{4}\s*年|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}\s*月|\d{1,2}[:：]\d{2}|[上下]午|\d+\s*(?:时|点)|"
        r"即日|之日|期间|以前|之前|以后|之后|起|截至|截止|"
        r"\b(?:january|february|march|april|may|june|july|august|september|october|november|"
        r"december|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|"
        r"\b(?:days?|weeks?|months?|years?|hours?)\b",
        re.I,
    ),
    "list": re.compile(
        r"[；;]|、.+、|[一二三四五六七八九十][是、]|第[一二三四五六七八九十]|\d[.．、]"
    ),
    "contact": re.compile(
        r"\d{3,4}-?\d{7,8}|1[3-9]\d{9}|\b\d{5}\b|123\d\d|https?://|www\.|\w+@\w+|账号|户名|开户行|"
        r"公众号|APP|小程序|\(\d{3}\)\s?\d{3}-\d{4}|\d{3}-\d{3}-\d{4}|1-8\d\d",
        re.I,
    ),
    "organisation": re.compile(
        r"[\u4e00-\u9fff]{2,}(?:部|委|局|厅|院|办|署|中心|政府|公司|银行|协会|小组|指挥部)|"
        r"\b(?:Department|Office|Administration|Agency|Service|Board|Bureau|DMV|SSA|VA)\b"
    ),
    "place": re.compile(
        r"[\u4e00-\u9fff]{2,}(?:路|街|号|区|县|市|镇|村|大厅|中心|窗口|网站|平台|医院)|\b(?:at|in) [A-Z]",
    ),
    "how": re.compile(
        r"通过|可以|可在|应当|需要|须|登录|办理|申请|提交|\b(?:by|through|online|must|can)\b", re.I
    ),
    "why": re.compile(r"因为|由于|为了|为|原因|\b(?:because|due to|in order to)\b", re.I),
    "yesno": re.compile(r"可以|不得|不需|无需|须|应当|允许|不予|\b(?:yes|no|not|must|may)\b", re.I),
}


def asks(question: str) -> frozenset[str]:
    """The kinds of answer ``question`` asks for (possibly none)."""
    return frozenset(k for k, p in _ASKS.items() if p.search(question))


def holds_kind(text: str, kind: str) -> bool:
    """True when ``text`` holds content of ``kind`` (a figure, a date, a list …)."""
    return bool(_HOLDS[kind].search(text))


def list_items(text: str) -> int:
    """How many items an enumeration in ``text`` has (；-separated or 、-separated)."""
    return max(len(re.findall(r"[；;]", text)) + 1, len(re.findall(r"、", text)) + 1)
