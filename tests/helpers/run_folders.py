"""Run folders written by hand (run.json, scores.json, metrics.json): leaderboards and reports without a run."""
from __future__ import annotations

import json
from pathlib import Path

MODEL = "HuggingFaceTB/SmolLM2-135M-Instruct"


def fake_run(root: Path, name: str, kind: str, passed: list[bool], *, models: tuple[str, ...] = (MODEL,), judged: bool = True,
             agent: str | None = None, status: str = "finished") -> Path:
    """`root/name`: a run of `kind` (finished unless `status` says otherwise) whose tasks G1_instruction/0..
    passed as `passed` says."""
    run = root / name
    run.mkdir(parents=True)
    manifest = {"run_name": name, "agent": {"name": agent or name, "kind": kind}, "benchmark": {"name": "embedded"},
                "models": {f"hf:{m}": {"model": m} for m in models}, "status": status}
    keys = [f"G1_instruction/{n}" for n in range(len(passed))]
    rate = 100 * sum(passed) / len(passed)
    per_query = {k: ({"passed": p, "labels": []} if judged else p) for k, p in zip(keys, passed)}
    scores = {"metric": "pass_rate" if judged else "verified_pass_rate", "judge": {"id": "verified"},
              "groups": {"G1_instruction": {"rate": rate, "ci95": [rate - 5, rate + 5], "n": len(passed)}},
              "overall": {"rate": rate, "ci95": [rate - 5, rate + 5], "n": len(passed)}, "per_query": per_query}
    if judged:
        scores["sopr"] = {"overall": {"rate": rate, "std": 1.5, "runs": [], "ci95": [0, 100], "n": len(passed)}}
    metrics = {"overall": {"answered_rate": 90.0, "invalid_call_rate": 1.0, "mean_steps": 2.0,
                           "tokens": {"backbone": {"prompt_tokens": 10, "completion_tokens": 5}}}, "speed": {"wall_s": 3.0}}
    for file, data in (("run.json", manifest), ("scores.json", scores), ("metrics.json", metrics)):
        (run / file).write_text(json.dumps(data))
    return run
