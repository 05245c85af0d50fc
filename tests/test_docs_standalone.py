"""The repository stands alone: no code or doc cites the design notes or format specs it does not ship."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CITATION = re.compile(r"DESIGN\.md|\bspec/[\w-]+\.md")
THIS = Path(__file__).resolve()


def test_no_file_cites_design_notes_or_specs_outside_the_repo():
    files = [p for pattern in ("*.py", "*.md") for p in ROOT.rglob(pattern)
             if ".venv" not in p.parts and ".git" not in p.parts and p.resolve() != THIS]
    cited = [f"{p.relative_to(ROOT)}:{n}" for p in files
             for n, line in enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines(), 1) if CITATION.search(line)]
    assert cited == []
