"""The README stays true: its settings table is the one the code describes."""

from __future__ import annotations

import re
import runpy

from helpers import ROOT


def test_settings_table_matches_the_code() -> None:
    table = runpy.run_path(str(ROOT / "scripts" / "settings_table.py"))["table"]()
    readme = (ROOT / "README.md").read_text("utf-8")
    start = readme.index("<!-- settings-table")
    block = readme[readme.index("\n", start) + 1 : readme.index("<!-- /settings-table -->")]
    assert block.strip() == table, "regenerate with: python scripts/settings_table.py"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "make test" in readme
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("make test")


def test_every_path_the_readme_names_exists() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    named = set(re.findall(r"`((?:tests|assistant|benchmarks|scripts|eval)/[\w/.-]+)`", readme))
    assert named, "the README names no file"
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert not missing, f"the README names files that do not exist: {missing}"
