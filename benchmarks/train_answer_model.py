"""Train the extractive answer model (assistant/qa/answer_weights.json) and measure it.

For every question of the training sets, the passages the assistant retrieves (k = 5, over the
index ``make eval-dev`` built under indexes/dev-sets/SET/index) are cut into candidate units;
each unit gets its features and a label: it holds the gold answer (≥ 80 % of its characters, in
order) and is no longer than needed (at most ``--slack`` times the shortest unit that holds
it). A logistic model is fitted on that; the figures are 5-fold cross-validated by question:
the unit chosen first holds the answer (hit), its F1, its length, for the hand weights and the
learned ones.

    python -m benchmarks.train_answer_model [--sets ncp-policy-qa cmrc2018-trial] [--write]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from assistant import Assistant, Settings
from assistant.core.text import years_in
from assistant.core.types import Hit
from assistant.evaluation.devsets import load_devset
from assistant.evaluation.measures import holds
from assistant.evaluation.metrics import f1_recall
from assistant.qa.answer_model import FEATURES, HAND, WEIGHTS_FILE, Question
from assistant.qa.extractive import candidates, question_terms
from assistant.qa.linear import PORTABLE, LinearModel, write_models
from assistant.qa.refusal import FEATURES as REFUSAL_FEATURES
from assistant.qa.refusal import WEIGHTS_FILE as REFUSAL_FILE
from assistant.qa.refusal import refusal_features

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Row:
    qid: str
    set_name: str
    x: np.ndarray  # units × features
    texts: list[str]
    holds: np.ndarray  # bool per unit
    answers: list[str]


def collect(set_dir: Path, work: Path) -> list[Row]:
    devset = load_devset(set_dir)
    settings = Settings().model_copy(update={"index_dir": work / devset.name / "index"})
    assistant = Assistant(settings)
    retriever = assistant.retriever()
    rows = []
    for q in devset.questions:
        if not q.answers or not q.score_answer:
            continue
        hits = retriever.search(q.question, 5)
        weights = question_terms(q.question, retriever.lexical)
        question = Question.of(q.question, weights, years_in(q.question))
        cands = candidates(question, hits, retriever.lexical, HAND)
        if not cands:
            continue
        texts = [c.text for c in cands]
        rows.append(
            Row(q.qid, devset.name, np.array([c.features for c in cands], dtype=np.float64),
                texts, np.array([holds(t, q.answers) for t in texts]), q.answers)
        )  # fmt: skip
    print(f"{devset.name}: {len(rows)} questions, {sum(len(r.texts) for r in rows)} units")
    return rows


@dataclass
class RefusalRow:
    qid: str
    set_name: str
    x: list[float]
    answerable: bool


def _renumbered(hits: list[Hit]) -> list[Hit]:
    return [replace(h, rank=i) for i, h in enumerate(hits, start=1)]


def collect_refusal(set_dir: Path, work: Path, model: LinearModel) -> list[RefusalRow]:
    """Two cases per question: the passages the index shows (answerable), and the passages it
    shows once the question's gold documents are left out (cannot be answered)."""
    devset = load_devset(set_dir)
    settings = Settings().model_copy(update={"index_dir": work / devset.name / "index"})
    retriever = Assistant(settings).retriever()
    out = []
    for q in devset.questions:
        if not q.gold_docs:
            continue
        many = retriever.search(q.question, 15)
        weights = question_terms(q.question, retriever.lexical)
        question = Question.of(q.question, weights, years_in(q.question))
        held = [h for h in many if Path(h.source).stem not in q.gold_docs]
        for hits, answerable in ((many[:5], True), (_renumbered(held[:5]), False)):
            ranked = sorted(
                candidates(question, hits, retriever.lexical, model), key=lambda c: -c.p
            )
            if not ranked:
                continue
            terms_of = {h.chunk_id: set(retriever.lexical.terms(f"{h.title} {h.section} {h.text}"))
                        for h in hits}  # fmt: skip
            x = refusal_features(question, hits, ranked, terms_of)
            out.append(RefusalRow(q.qid, devset.name, x, answerable))
    return out


def fit_refusal(rows: list[RefusalRow], l2: float = 1.0) -> LinearModel:
    """Pointwise logistic regression (Newton) of "the passages answer" on standardised
    features."""
    x = np.array([r.x for r in rows], dtype=np.float64)
    y = np.array([r.answerable for r in rows], dtype=np.float64)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    reg = np.full(z.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(z @ w, -30, 30)))
        grad = z.T @ (p - y) + reg * w
        hess = (z * (p * (1 - p))[:, None]).T @ z + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-7:
            break
    return LinearModel(tuple(float(v) for v in w[:-1]), float(w[-1]), tuple(mean), tuple(scale),
                       REFUSAL_FEATURES)  # fmt: skip


def refusal_cv(rows: list[RefusalRow], max_false: float) -> dict[str, dict[str, float]]:
    """Cross-validated: the threshold that keeps false refusals at ``max_false`` on the training
    folds, and the refusal recall / precision it gives on the held-out fold, per set."""
    picks: dict[str, list[tuple[bool, bool]]] = {}
    for k in range(5):
        train = [r for r in rows if fold_of(r.qid) != k]
        test = [r for r in rows if fold_of(r.qid) == k]
        model = fit_refusal(train)
        answerable = sorted(model.probability(r.x) for r in train if r.answerable)
        threshold = answerable[int(max_false * len(answerable))] if answerable else 0.0
        for r in test:
            picks.setdefault(r.set_name, []).append(
                (r.answerable, model.probability(r.x) < threshold)
            )
    out = {}
    for name, v in picks.items():
        must = [refused for ans, refused in v if not ans]
        can = [refused for ans, refused in v if ans]
        n_ref = sum(must) + sum(can)
        out[name] = {"refusal_recall": round(sum(must) / len(must), 4),
                     "refusal_precision": round(sum(must) / n_ref, 4) if n_ref else 1.0,
                     "false_refusals": round(sum(can) / len(can), 4)}  # fmt: skip
    return out


def labels(row: Row, slack: float) -> np.ndarray:
    if not row.holds.any():
        return np.zeros(len(row.texts))
    lengths = np.array([len(t) for t in row.texts])
    shortest = lengths[row.holds].min()
    return (row.holds & (lengths <= slack * shortest + 10)).astype(np.float64)


def fit(rows: list[Row], slack: float, l2: float = 1.0, pointwise: float = 0.2) -> LinearModel:
    """Weights that put the probability mass of each question on its answering units (a
    softmax over the question's units, the conditional logit), plus a small pointwise logistic
    term so that the probability itself stays calibrated for the refusal gate; L2 on the
    standardised weights. Fitted by L-BFGS."""
    from scipy.optimize import minimize

    x = np.vstack([r.x for r in rows])
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    zs = [(r.x - mean) / scale for r in rows]
    ys = [labels(r, slack) for r in rows]
    d = x.shape[1]
    n_units = len(x)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:d], theta[d]
        total = 0.5 * l2 * float(w @ w)
        grad = np.concatenate([l2 * w, [0.0]])
        for z, y in zip(zs, ys, strict=True):
            s = z @ w
            if y.any():
                e = np.exp(s - s.max())
                p = e / e.sum()
                mass = float(p[y > 0].sum())
                total -= np.log(max(mass, 1e-12))
                q = p * (y > 0) / max(mass, 1e-12)
                grad[:d] -= z.T @ (q - p)
            pr = 1 / (1 + np.exp(-np.clip(s + b, -30, 30)))
            weight = pointwise * len(rows) / n_units
            total -= weight * float(
                np.sum(y * np.log(pr + 1e-12) + (1 - y) * np.log(1 - pr + 1e-12))
            )
            grad[:d] += weight * (z.T @ (pr - y))
            grad[d] += weight * float(np.sum(pr - y))
        return total, grad

    res = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", options={"maxiter": 300})
    w = res.x
    return LinearModel(
        tuple(float(v) for v in w[:d]), float(w[d]), tuple(mean), tuple(scale), FEATURES
    )


def choose(model: LinearModel, row: Row) -> int:
    ps = [model.probability(list(v)) for v in row.x]
    return min(range(len(ps)), key=lambda i: (-ps[i], len(row.texts[i])))


def measure(model: LinearModel, rows: list[Row]) -> dict[str, float]:
    hit = f1 = 0.0
    lengths = []
    for row in rows:
        i = choose(model, row)
        hit += bool(row.holds[i])
        f1 += f1_recall(row.texts[i], row.answers)[0]
        lengths.append(len(row.texts[i]))
    n = max(len(rows), 1)
    return {"hit": round(hit / n, 4), "f1": round(f1 / n, 4),
            "chars_p50": float(statistics.median(lengths)) if lengths else 0.0}  # fmt: skip


def fold_of(qid: str) -> int:
    return int(hashlib.sha256(qid.encode()).hexdigest(), 16) % 5


def cross_validate(rows: list[Row], slack: float, l2: float) -> dict[str, dict[str, float]]:
    learned: dict[str, list[tuple[Row, int]]] = {}
    for k in range(5):
        train = [r for r in rows if fold_of(r.qid) != k]
        test = [r for r in rows if fold_of(r.qid) == k]
        model = fit(train, slack, l2)
        for r in test:
            learned.setdefault(r.set_name, []).append((r, choose(model, r)))
    out = {}
    for name, picks in learned.items():
        n = len(picks)
        out[name] = {
            "hit": round(sum(bool(r.holds[i]) for r, i in picks) / n, 4),
            "f1": round(sum(f1_recall(r.texts[i], r.answers)[0] for r, i in picks) / n, 4),
            "chars_p50": float(statistics.median(len(r.texts[i]) for r, i in picks)),
            "units_holding": round(sum(bool(r.holds.any()) for r, _ in picks) / n, 4),
        }
    return out


def without_dense(rows: list[Row]) -> list[Row]:
    """The rows with the dense similarity left out (for the portable model)."""
    col = FEATURES.index("dense")
    out = []
    for r in rows:
        x = r.x.copy()
        x[:, col] = 0.0
        out.append(replace(r, x=x))
    return out


def refusal_without_dense(rows: list[RefusalRow]) -> list[RefusalRow]:
    col = REFUSAL_FEATURES.index("dense")
    return [replace(r, x=[0.0 if i == col else v for i, v in enumerate(r.x)]) for r in rows]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dev-sets", type=Path, default=ROOT.parent / "shared/data/dev-sets")
    ap.add_argument("--work", type=Path, default=ROOT / "indexes/dev-sets")
    ap.add_argument("--sets", nargs="+", default=["ncp-policy-qa", "cmrc2018-trial"])
    ap.add_argument("--slack", type=float, default=3.0)
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--max-false", type=float, default=0.03)
    ap.add_argument("--write", action="store_true", help="write the two weights files")
    args = ap.parse_args()
    embedding = Settings().embedding.model
    rows = [r for name in args.sets for r in collect(args.dev_sets / name, args.work)]
    variants = {embedding: rows, PORTABLE: without_dense(rows)}
    print("\n| set | scorer | hit | F1 | chars p50 |\n|---|---|---|---|---|")
    models, cvs = {}, {}
    for variant, vrows in variants.items():
        cvs[variant] = cross_validate(vrows, args.slack, args.l2)
        models[variant] = fit(vrows, args.slack, args.l2)
    for name in args.sets:
        hand = measure(HAND, [r for r in rows if r.set_name == name])
        print(f"| {name} | hand weights | {hand['hit']} | {hand['f1']} | {hand['chars_p50']} |")
        for variant in variants:
            c = cvs[variant][name]
            print(f"| {name} | learned, {variant} (5-fold CV) | {c['hit']} | {c['f1']} | "
                  f"{c['chars_p50']} |")  # fmt: skip
        print(
            f"| {name} | any unit holds it (ceiling) | {cvs[PORTABLE][name]['units_holding']} | | |"
        )
    top = sorted(zip(FEATURES, models[embedding].weights, strict=True), key=lambda t: -abs(t[1]))
    print("\nlargest weights:", [(n, round(w, 2)) for n, w in top[:12]])
    refusal = {
        embedding: [r for name in args.sets
                    for r in collect_refusal(args.dev_sets / name, args.work, models[embedding])],
        PORTABLE: refusal_without_dense(
            [r for name in args.sets
             for r in collect_refusal(args.dev_sets / name, args.work, models[PORTABLE])]
        ),
    }  # fmt: skip
    print("\nrefusal model (5-fold CV, threshold keeping false refusals at "
          f"{args.max_false:.0%} on the training folds):")  # fmt: skip
    refusal_models, rcvs = {}, {}
    for variant, vrows in refusal.items():
        rcvs[variant] = refusal_cv(vrows, args.max_false)
        refusal_models[variant] = fit_refusal(vrows)
        for name, m in rcvs[variant].items():
            print(f"  {variant}, {name}: {m}")
    if args.write:
        info = {"trained_on": args.sets, "questions": len(rows), "slack": args.slack,
                "l2": args.l2, "cross_validated": cvs,
                "script": "python -m benchmarks.train_answer_model --write"}  # fmt: skip
        WEIGHTS_FILE.write_text(write_models(models, **info), encoding="utf-8")
        info = {"trained_on": args.sets, "cases": len(refusal[embedding]),
                "cross_validated": rcvs,
                "script": "python -m benchmarks.train_answer_model --write"}  # fmt: skip
        REFUSAL_FILE.write_text(write_models(refusal_models, **info), encoding="utf-8")
        print(f"wrote {WEIGHTS_FILE.relative_to(ROOT)} and {REFUSAL_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
