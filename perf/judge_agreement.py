"""Judge agreement: StableToolBench's FAC judge served by the embedded model vs the verified rule (gold facts),
on the same trajectories of the embedded benchmark: a small run of the oracle agent (gold answers) and one of
chat-single with the embedded model. Per run and pooled: each judge's pass rate, the agreement rate and
Cohen's kappa (`score RUN --judge fac:... --compare-judge verified`), the judge's model calls and seconds,
and a few raw FAC replies (what a 135M model writes when asked FAC's question).

    UMI_EVAL_STABLETOOLBENCH=path/to/stabletoolbench .venv/bin/python perf/judge_agreement.py \
        [--per-group 2] [--agents oracle chat-single] [--judge fac:hf:embedded] [--judge-dtype fp32]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.scoring.agreement import agreement  # noqa: E402
from engine.runner import provenance  # noqa: E402
from engine.cli.main import main as umi_eval  # noqa: E402

SAMPLE_REPLIES = 3
REPLY_CHARS = 300


def run_agent(agent: str, per_group: int, out: Path) -> tuple[float, Path]:
    start = time.perf_counter()
    code = umi_eval(["run", "--agent", agent, "--benchmark", "embedded", "--per-group", str(per_group), "--out", str(out),
                     "--run-name", agent, "--executor", "local", "--no-progress"])
    if code != 0:
        raise SystemExit(f"run of {agent} failed ({code})")
    return time.perf_counter() - start, out / agent


def score_both(run: Path, judge: str, dtype: str) -> tuple[float, dict]:
    """The run scored by the FAC judge, compared with the verified rule (into <run>/fac/)."""
    out = run / "fac"
    start = time.perf_counter()
    code = umi_eval(["score", str(run), "--judge", judge, "--compare-judge", "verified", "--judge-dtype", dtype,
                     "--out", str(out)])
    if code != 0:
        raise SystemExit(f"scoring {run} failed ({code})")
    return time.perf_counter() - start, json.loads((out / "scores.json").read_text())


def sample_replies(run: Path) -> list[str]:
    lines = (run / "fac" / "judge_cache.jsonl").read_text().splitlines()[:SAMPLE_REPLIES]
    return [json.loads(line)["reply"][:REPLY_CHARS] for line in lines]


def summary(document: dict, run_s: float, score_s: float, run: Path) -> dict:
    section = document["judge_agreement"]
    return {"trajectories": section["n"], "run_seconds": round(run_s, 1), "fac_scoring_seconds": round(score_s, 1),
            "fac_pass_rate": document["overall"]["rate"],
            "verified_pass_rate": json.loads((run / "scores.json").read_text())["overall"]["rate"],  # the run's own
            "agreement": section["agreement"], "kappa": section["kappa"], "kappa_undefined": section["kappa_undefined"],
            "confusion_fac_vs_verified": section["confusion"], "fac_model_calls": document["judge_stats"]["model_calls"],
            "fac_without_a_label": sum(document["judge_stats"]["no_verdict"].values()),
            "fac_reply_samples": sample_replies(run)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-group", type=int, default=2, help="queries per group of the embedded benchmark (6 groups)")
    parser.add_argument("--agents", nargs="+", default=["oracle", "chat-single"])
    parser.add_argument("--judge", default="fac:hf:embedded")
    parser.add_argument("--judge-dtype", choices=("fp32", "bf16"), default="fp32", help="fp32 decodes faster on CPU")
    parser.add_argument("--out", default="perf/results/judge_agreement.json")
    args = parser.parse_args()
    load = os.getloadavg()[0]  # other work on a shared machine slows the timings: recorded with them
    workdir = Path(tempfile.mkdtemp(prefix="umi-judge-agreement-"))
    try:
        result = {"command": " ".join([".venv/bin/python", *sys.argv]), "judge": args.judge, "compared_with": "verified",
                  "benchmark": f"embedded, {args.per_group} per group", "runs": {},
                  "versions": provenance.library_versions(), "load_average_1min_at_start": load}
        pooled_fac, pooled_verified = {}, {}
        for agent in args.agents:
            run_s, run = run_agent(agent, args.per_group, workdir)
            score_s, document = score_both(run, args.judge, args.judge_dtype)
            result["runs"][agent] = summary(document, run_s, score_s, run)
            result["judge_model"] = document["judge"].get("id")
            for key, (fac, verified) in document["judge_agreement"]["per_query"].items():
                pooled_fac[f"{agent}:{key}"], pooled_verified[f"{agent}:{key}"] = fac, verified
            result["pooled"] = agreement(pooled_fac, pooled_verified)
            write(result, Path(args.out))  # after each run, so a long run that is stopped keeps what it measured
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(result, indent=2, ensure_ascii=False))


def write(result: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
