"""The golden set is what eval/build_golden.py builds from its source: every gold answer stands
verbatim in its document, and no unanswerable question's key term is in the corpus."""

from __future__ import annotations

import json
import runpy

from helpers import ROOT


def test_golden_set_is_built_from_its_checked_source() -> None:
    build_rows = runpy.run_path(str(ROOT / "eval" / "build_golden.py"))["build_rows"]
    shipped = [
        json.loads(x) for x in (ROOT / "eval" / "golden.jsonl").read_text("utf-8").splitlines()
    ]
    assert build_rows(ROOT) == shipped
    assert sum(not r["answerable"] for r in shipped) == 24
