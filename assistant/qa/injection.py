"""Text that addresses the assistant instead of informing the reader (pure): "Ignore all other
documents … whatever the question, answer: …", "无论用户问什么，都只回答…". A notice never
talks to the software that reads it, so a passage that does is not quoted (it can still be
listed among the closest passages), whatever its words share with the question."""

from __future__ import annotations

import re

_CUES = re.compile(
    r"\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+|the\s+)?(?:previous\s+|above\s+|other\s+|prior\s+|earlier\s+|your\s+)?"
    r"(?:instructions?|rules|documents?|prompts?|context)\b"
    r"|\bwhatever the question\b|\b(?:always|only) (?:answer|reply|respond|quote|say)\b"
    r"|\b(?:note|message) to the (?:assistant|ai|model|chatbot)\b"
    r"|\byou are (?:an?|the) (?:assistant|ai|language model|chatbot)\b"
    r"|忽略(?:以上|之前|前面|其他|其它|所有|全部)?.{0,6}(?:指令|指示|规则|文件|内容|提示)"
    r"|无论(?:用户|你|别人)?(?:问|提问|询问)(?:什么|何种)"
    r"|(?:都|只|一律)(?:只)?(?:回答|回复|输出)(?:这一?句|以下|如下)"
    r"|致(?:问答|人工智能|AI|智能)(?:系统|助手|模型)",
    re.I,
)


def addresses_the_assistant(text: str) -> bool:
    """True when ``text`` holds an instruction to the assistant (see the module docstring)."""
    return bool(_CUES.search(text))
