"""Precision and recall of the validity rules against a hand-labelled set (pure functions).

A label holds a document's ``effective`` date, its last day ``expires``, an
``expires_condition``, ``interpreted_by`` and the documents it ``repeals`` / ``amends`` /
``revises`` (each ``{title, doc_number, resolves_to}``: ``resolves_to`` the source of the
labelled document it names, "" when that document is not in the set). Dates are compared
exactly; names without punctuation; a reference matches a labelled one of the same relation
by 文号, else by title. Resolution is measured as (naming source, relation, named source)
pairs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from assistant.core.text import comparable
from assistant.core.types import DocRef, Validity
from assistant.core.validity import number_key

RELATIONS = ("repeals", "amends", "revises")
DATE_FIELDS = ("effective", "expires")


def _pr(tp: int, predicted: int, gold: int) -> dict[str, Any]:
    return {
        "gold": gold, "predicted": predicted, "correct": tp,
        "precision": round(tp / predicted, 4) if predicted else None,
        "recall": round(tp / gold, 4) if gold else None,
    }  # fmt: skip


def ref_matches(ref: DocRef, gold: dict[str, str]) -> bool:
    if ref.doc_number and gold.get("doc_number"):
        return number_key(ref.doc_number) == number_key(gold["doc_number"])
    a, b = comparable(ref.title), comparable(gold.get("title", ""))
    return bool(a and b) and (a == b or a.endswith(b) or b.endswith(a))


def score(labels: list[dict[str, Any]], predicted: dict[str, Validity]) -> dict[str, Any]:
    """Per field precision / recall; ``predicted`` maps a label's ``doc_id`` to what the
    rules read."""
    out: dict[str, Any] = {}
    for name in DATE_FIELDS:
        tp = n_pred = n_gold = 0
        for label in labels:
            got, gold = getattr(predicted[label["doc_id"]], name), label.get(name, "")
            n_pred += bool(got)
            n_gold += bool(gold)
            tp += bool(got) and got == gold
        out[name] = _pr(tp, n_pred, n_gold)
    for name in ("expires_condition", "interpreted_by"):
        tp = n_pred = n_gold = 0
        for label in labels:
            got, gold = getattr(predicted[label["doc_id"]], name), label.get(name, "")
            n_pred += bool(got)
            n_gold += bool(gold)
            if name == "interpreted_by":
                tp += bool(got and gold) and comparable(got) == comparable(gold)
            else:
                tp += bool(got and gold)
        out[name] = _pr(tp, n_pred, n_gold)
    tp = n_pred = n_gold = 0
    for label in labels:
        refs = predicted[label["doc_id"]].refs
        golds = [(rel, g) for rel in RELATIONS for g in label.get(rel, [])]
        n_pred += len(refs)
        n_gold += len(golds)
        used: set[int] = set()
        for ref in refs:
            for i, (rel, g) in enumerate(golds):
                if i not in used and rel == ref.relation and ref_matches(ref, g):
                    used.add(i)
                    tp += 1
                    break
    out["relations"] = _pr(tp, n_pred, n_gold)
    return out


def gold_pairs(
    labels: Iterable[dict[str, Any]], source_of: dict[str, str]
) -> set[tuple[str, str, str]]:
    """(naming source, relation, named source) of every labelled reference that resolves."""
    return {
        (source_of[label["doc_id"]], rel, g["resolves_to"])
        for label in labels for rel in RELATIONS for g in label.get(rel, []) if g.get("resolves_to")
    }  # fmt: skip


def resolution_score(
    gold: set[tuple[str, str, str]], predicted: set[tuple[str, str, str]]
) -> dict[str, Any]:
    return _pr(len(gold & predicted), len(predicted), len(gold))
