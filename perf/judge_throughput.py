"""Judge throughput, the two figures of the scoring issue:

1. re-scoring a scored run of 600 trajectories (the embedded benchmark, 100 per group) from the judge
   cache: model calls (must be 0) and seconds. The first scoring fills the cache with a scripted judge (an
   instant stand-in for a model: the cache path is the same whatever model filled it);
2. judgements per second with the embedded model as judge (check_answer_status prompts of that run),
   batched vs one at a time, one attempt each, short generations so the script stays within minutes, on
   the hf and the vllm backend.

    .venv/bin/python perf/judge_throughput.py [--per-group 100] [--judgements 8] [--max-new-tokens 16] [--dtype fp32]
                                              [--backends hf vllm]
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from perf.common import write_result  # noqa: E402
from benchmarks.embedded import load_embedded  # noqa: E402
from engine.judges.scoring import ScoreRequest, score  # noqa: E402
from benchmarks.scoring.inputs import load_input  # noqa: E402
from benchmarks.scoring.judges import JudgeOptions  # noqa: E402
from benchmarks.scoring.model_judge import ModelJudge  # noqa: E402
from engine.judges.model import model_judge  # noqa: E402
from benchmarks.scoring.tooleval import judge_call  # noqa: E402
from engine.runner import provenance  # noqa: E402
from engine.backends.base import backend_names  # noqa: E402
from engine.backends.scripted import register_script  # noqa: E402
from benchmarks.results.tooleval_export import converted_group  # noqa: E402
from engine.types import RoleRequest  # noqa: E402

STATUSES = ("Solved", "Unsolved", "Unsure")


def scripted_verdict(request: RoleRequest) -> str:
    """A verdict that depends on the prompt only, mixing every branch of the procedure."""
    digest = hashlib.sha256(str(request.prompt).encode()).digest()
    return json.dumps({"answer_status": STATUSES[digest[0] % 3], "task_status": "Unsure", "index": digest[1] % 2})


def build_run(root: Path, per_group: int) -> Path:
    """A finished run folder: even tasks answered with the gold answer, odd ones with a wrong one."""
    bench = load_embedded(per_group=per_group, seed=0)
    tasks = {t.key: t for t in bench.tasks}
    records = [{"task_key": t.key, "group": t.group, "query_id": t.query_id, "status": "answered",
                "final_answer": t.gold.answer if n % 2 == 0 else "I could not find it.",
                "turns": [{"role": "user", "text": t.query}], "calls": []} for n, t in enumerate(bench.tasks)]
    run = root / "run"
    (run / "tooleval").mkdir(parents=True)
    (run / "run.json").write_text(json.dumps({"run_name": "perf", "benchmark": bench.info}))
    for group in sorted({r["group"] for r in records}):
        group_records = [r for r in records if r["group"] == group]
        (run / "tooleval" / f"{group}.json").write_text(json.dumps(converted_group(tasks, group_records)))
    return run


def timed_score(run: Path, judge: str) -> tuple[float, dict]:
    start = time.perf_counter()
    _, document = score(ScoreRequest(run, judge))
    return time.perf_counter() - start, document


def rescoring(run: Path) -> dict:
    register_script("perf-judge", scripted_verdict)
    backend_names()  # import the backends now, so the first scoring's time is scoring, not imports
    first_s, first = timed_score(run, "scripted:perf-judge")
    second_s, second = timed_score(run, "scripted:perf-judge")
    assert second["per_query"] == first["per_query"]
    return {"trajectories": first["overall"]["n"], "evaluations_per_query": first["times"],
            "judge_questions": sum(first["judge_stats"]["asked"].values()),
            "first_scoring": {"seconds": round(first_s, 2), "model_calls": first["judge_stats"]["model_calls"]},
            "rescoring_from_cache": {"seconds": round(second_s, 2), "model_calls": second["judge_stats"]["model_calls"],
                                     "cache_hits": second["judge_stats"]["cache_hits"]}}


def throughput(run: Path, judgements: int, max_new_tokens: int, dtype: str, backend: str) -> dict:
    """Judgements per second of the embedded model on one backend, batched and one at a time (one engine,
    loaded before timing; each way with its own empty cache)."""
    examples = load_input(run).examples[:judgements]
    calls = [judge_call("check_answer_status", e, 0, {"query": e.query, "answer": e.final_answer}) for e in examples]
    result: dict = {"judgements": len(calls), "max_new_tokens": max_new_tokens, "model": f"embedded (SmolLM2-135M {dtype})"}
    options = JudgeOptions(max_new_tokens=max_new_tokens, batch_size=len(calls), attempts=1, dtype=dtype)
    engine = model_judge("embedded", backend, "embedded", options)
    engine.completer.backend.load()  # the model loads at the first uncached question: not timed here
    for name, batch_size in (("batched", len(calls)), ("one_at_a_time", 1)):
        judge = ModelJudge(engine.spec, engine.id, engine.completer, dataclasses.replace(options, batch_size=batch_size))
        start = time.perf_counter()
        verdicts = judge.judge(calls)
        seconds = time.perf_counter() - start
        result[name] = {"batch_size": batch_size, "seconds": round(seconds, 2),
                        "judgements_per_s": round(len(calls) / seconds, 2),
                        "parsed": sum(v.label is not None for v in verdicts)}
    result["speedup_batched"] = round(result["batched"]["judgements_per_s"] / result["one_at_a_time"]["judgements_per_s"], 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-group", type=int, default=100, help="trajectories per group (6 groups)")
    parser.add_argument("--judgements", type=int, default=8)
    parser.add_argument("--max-new-tokens", type=int, default=16)
    parser.add_argument("--dtype", choices=("fp32", "bf16"), default="fp32", help="fp32 decodes faster on this CPU")
    parser.add_argument("--backends", nargs="+", default=["hf", "vllm"], help="backends of the embedded judge")
    parser.add_argument("--out", default="perf/results/judge_throughput.json")
    args = parser.parse_args()
    load = os.getloadavg()[0]  # other work on this 2-core machine slows every figure: recorded with them
    workdir = Path(tempfile.mkdtemp(prefix="umi-judge-perf-"))
    try:
        run = build_run(workdir, args.per_group)
        result = {"command": " ".join([".venv/bin/python", *sys.argv]), "rescoring": rescoring(run),
                  "embedded_judge": {backend: throughput(run, args.judgements, args.max_new_tokens, args.dtype, backend)
                                     for backend in args.backends},
                  "versions": provenance.library_versions(), "load_average_1min_at_start": load}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    write_result(args.out, result)


if __name__ == "__main__":
    main()
