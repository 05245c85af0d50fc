"""Run folders for the report tests: the oracle, and single, multi and DFSDT runs of a scripted model whose
every reply carries hostile markup, made by the engine on the embedded benchmark (local executor)."""
from __future__ import annotations

from pathlib import Path

import run_eval
from engine.backends.scripted import call_once_then_answer, register_script
from engine.types import RoleRequest

# Markup a model might write: it must show as text, never become an element or run. (No double quote or
# backslash: the scripted Finish puts it inside a JSON string.)
HOSTILE = "<script>alert(1)</script></script><img src=x onerror=document.title=`pwned`> & <!-- \u2028 </b>"
HOSTILE_SCRIPT = "hostile-markup"


def hostile_markup(request: RoleRequest) -> str:
    reply = call_once_then_answer(request)
    return (reply.replace("Here is the answer from the API.", HOSTILE).replace("Thought: call it.", f"Thought: {HOSTILE}")
            .replace("I should call", f"{HOSTILE} I should call"))


register_script(HOSTILE_SCRIPT, hostile_markup)

RUNS = {  # run name -> extra arguments
    "oracle": ["--agent", "oracle"],
    "single": ["--agent", "chat-single", "--backend", "scripted", "--model", HOSTILE_SCRIPT],
    "multi": ["--agent", "chat-multi", "--backend", "scripted", "--model", HOSTILE_SCRIPT],
    "dfs": ["--agent", "chat-single", "--strategy", "dfsdt", "--backend", "scripted", "--model", HOSTILE_SCRIPT],
}


def make_report_runs(out: Path) -> Path:
    """The RUNS as run folders in `out` (one query per group each)."""
    for name, extra in RUNS.items():
        argv = ["run", *extra, "--benchmark", "embedded", "--per-group", "1", "--executor", "local", "--out", str(out),
                "--run-name", name, "--no-progress"]
        assert run_eval.main(argv) == 0
    return out
