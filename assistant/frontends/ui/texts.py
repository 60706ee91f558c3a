"""The web UI's words and styles: labels (Chinese first, with English), example questions,
CSS, and the script that makes a clicked marker [n] open and scroll to its passage."""

from __future__ import annotations

EXAMPLES = [
    "2025年拟安排地方政府专项债券多少？",
    "如何推进“人工智能+”行动？",
    "工业互联网有哪些部署？",
    "What is the GDP growth target for 2025?",
    "2024年和2025年的赤字率目标分别是多少？",
]

CSS = """
.cite-link { font-weight: 600; text-decoration: none; cursor: pointer; padding: 0 1px; }
.short-answer { font-weight: 700; background: #fff3c4; padding: 0 2px; border-radius: 2px; }
.source-card { border: 1px solid #ddd; border-radius: 6px; padding: 8px; margin-bottom: 8px; }
.source-card .meta { font-size: 0.85em; color: #555; }
.docview { max-height: 420px; overflow-y: auto; white-space: pre-wrap; border: 1px solid #ccc;
           padding: 8px; font-size: 0.92em; line-height: 1.6; }
.docview .passage { background: #fff7d6; }
.docview .passage.active { outline: 2px solid #e0a800; }
mark.quote { background: #ffe066; }
.flag { color: #b00020; }
.validity-warning { color: #8a1c00; background: #fdecea; border-left: 3px solid #d93025;
                    padding: 2px 6px; margin: 4px 0; }
.validity-note { color: #5f4b00; font-size: 0.9em; }
table.comparison { border-collapse: collapse; margin: 4px 0; }
table.comparison th, table.comparison td { border: 1px solid #ccc; padding: 4px 6px;
                                           vertical-align: top; }
table.comparison tr.not-found td { color: #777; font-style: italic; }
.timeline { border: 1px solid #ddd; border-radius: 6px; padding: 8px; margin-bottom: 8px; }
.timeline .evidence { font-size: 0.85em; color: #555; }
"""

# Clicking a marker [n] opens the document view of citation n and scrolls it to the passage.
HEAD = """
<script>
document.addEventListener("click", function (ev) {
  const link = ev.target.closest && ev.target.closest("a.cite-link");
  if (!link) return;
  ev.preventDefault();
  ev.stopPropagation();
  const id = (link.getAttribute("href") || "").replace(/^#/, "");
  const passage = document.getElementById(id);
  if (!passage) return;
  const details = passage.closest("details");
  if (details) details.open = true;
  document.querySelectorAll(".passage.active").forEach(function (p) {
    p.classList.remove("active");
  });
  passage.classList.add("active");
  passage.scrollIntoView({block: "center"});
}, true);
</script>
"""

MODE = {"extractive": "摘录式（离线）· extractive (offline)", "llm": "大模型生成 · LLM"}
TITLE = "政策文件问答 · Policy Assistant"
ASK = "提问 Ask"
PLACEHOLDER = "输入问题，例如：2025年拟安排地方政府专项债券多少？ · Ask a question"
SOURCES = "引用来源 · Sources"
NEAREST = "未找到答案，最接近的段落 · Not found — the closest passages"
FILTERS = "筛选 · Filters"
EXPORT = "导出对话 Markdown · Export"
EXPORT_DOCX = "导出 Word 简报 · Word brief"
CLEAR = "清空 · Clear"
ERROR = "⚠ 出错了 · Error"
INTERNAL_ERROR = "内部错误，请稍后再试 · internal error, please retry"

IN_FORCE = "仅现行有效 · In force only"
AS_OF = "截至日期 · As of (YYYY-MM-DD)"
DOCUMENTS_TAB = "文件 · Documents"
