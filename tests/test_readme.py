"""The README starts small (issue 22, item 3): a try in seconds, then the main job, then a contents list of
tasks; the try's commands run as written; every link into docs/ lands on a heading; the two set-up commands
stay as they are."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import run_eval

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _anchor(heading: str) -> str:
    """GitHub's anchor of a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _headings(text: str, level: str = "##") -> list[str]:
    return [line[len(level) + 1:] for line in text.splitlines() if line.startswith(level + " ")]


def test_a_try_first_then_the_main_job_then_the_tasks():
    assert _headings(README)[:3] == ["Try it in 10 seconds", "The main job", "Tasks"]
    tasks = README.split("## Tasks", 1)[1].split("###", 1)[0]
    listed = re.findall(r"^- \[[^\]]+\]\(#([\w-]+)\)$", tasks, re.M)
    assert len(listed) == 5 and listed == [_anchor(h) for h in _headings(README, "###")[:5]]


def test_the_set_up_commands_stay_as_they_are():
    assert "./setup.sh && .venv/bin/python run_eval.py " in README
    assert "./setup.sh && .venv/bin/python -m pytest -q " in README


def test_every_term_is_explained_before_the_reference():
    terms = README.split("## Terms", 1)[1].split("\n## ", 1)[0]
    defined = " ".join(re.findall(r"\*\*([^*]+)\*\*", terms))
    for term in ("G1-G3", "Verified pass rate", "ToolEval", "SoPR", "FAC", "DFSDT", "Teacher-forced"):
        assert term in defined, term


def test_links_into_docs_land_on_a_heading():
    for path, anchor in re.findall(r"\]\((docs/[\w.-]+\.md)(?:#([\w-]+))?\)", README):
        text = (ROOT / path).read_text(encoding="utf-8")
        if anchor:
            assert anchor in {_anchor(h) for level in ("#", "##", "###") for h in _headings(text, level)}, (path, anchor)


def test_the_ten_second_try_runs_as_written(tmp_path, capsys):
    block = README.split("## Try it in 10 seconds", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [shlex.split(line.split("#")[0]) for line in block.replace("\\\n", " ").splitlines() if line.strip()]
    for argv in commands:
        assert argv[:2] == [".venv/bin/python", "run_eval.py"]
        args = [str(tmp_path / "runs") if a == "runs" else a for a in argv[2:]]
        assert run_eval.main(args + (["--out", str(tmp_path / "runs"), "--no-progress"] if args[0] == "run" else [])) == 0
    printed = capsys.readouterr().out
    assert "verified pass rate 0.0" in printed and "verified pass rate 100.0" in printed
    assert "| chat-multi__embedded__seed0 |" in printed and "| oracle__embedded__seed0 |" in printed
