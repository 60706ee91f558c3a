"""Per-field accuracy of document metadata against a hand-labelled set (pure functions).

A label line holds ``title`` (with acceptable ``title_alt`` forms), ``doc_number``, ``issuer``
(with ``issuer_alt``), ``date`` and ``doc_type``; an empty field means the text does not carry
it. Titles and issuers are compared without spaces and punctuation; 文号 and dates exactly.
For each field: accuracy where the text has it, and false finds where it does not.
"""

from __future__ import annotations

from typing import Any

from assistant.core.text import comparable

FIELDS = ("title", "doc_number", "issuer", "date", "doc_type")


def field_correct(name: str, label: dict[str, Any], predicted: str) -> bool:
    gold = str(label.get(name) or "")
    if name in ("title", "issuer"):
        accepted = [gold, *(label.get(f"{name}_alt") or [])]
        return any(comparable(predicted) == comparable(a) for a in accepted if a)
    if name == "doc_number":
        return "".join(predicted.split()) == "".join(gold.split())
    return predicted == gold


def score(
    labels: list[dict[str, Any]], predicted: dict[str, dict[str, str]]
) -> dict[str, dict[str, Any]]:
    """Per field: documents whose text has it, how many of them were read right, the accuracy,
    how many were found at all, and false finds on documents without it. ``predicted`` maps a
    label's ``doc_id`` to the fields read."""
    out: dict[str, dict[str, Any]] = {}
    for name in FIELDS:
        have = correct = found = false_finds = without = 0
        for label in labels:
            got = predicted[label["doc_id"]].get(name, "")
            if label.get(name):
                have += 1
                found += bool(got)
                correct += field_correct(name, label, got)
            else:
                without += 1
                false_finds += bool(got) and name != "doc_type"
        out[name] = {
            "labelled": have,
            "correct": correct,
            "accuracy": round(correct / have, 4) if have else None,
            "found": found,
            "without": without,
            "false_finds": false_finds,
        }
    return out


def errors(
    labels: list[dict[str, Any]], predicted: dict[str, dict[str, str]], name: str
) -> list[tuple[str, str, str]]:
    """``(doc_id, label, predicted)`` of every document where field ``name`` is wrong."""
    out = []
    for label in labels:
        got = predicted[label["doc_id"]].get(name, "")
        gold = str(label.get(name) or "")
        wrong = gold and not field_correct(name, label, got)
        if wrong or (not gold and got and name != "doc_type"):
            out.append((label["doc_id"], gold, got))
    return out
