"""`score PATH --judge SPEC`: ToolEval pass rate (and SoPR) of a finished run or of any ToolEval converted
answers, optionally the win rate against a reference, written to scores.json. Judge replies are cached
next to it, so scoring again costs no model call and an interrupted scoring resumes."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from benchmarks.scoring.agreement import agreement_text
from benchmarks.scoring.intervals import rate_text
from benchmarks.scoring.judges import VERIFIED_JUDGE, JudgeOptions
from engine.cli.base import Subcommand, check_output_file, check_seed
from engine.judges.scoring import CACHE_FILE, ScoreRequest, score
from engine.runner.progress import RequestProgress
from engine.runner.run_lock import RunFolderBusy, hold_if_run_folder


class ScoreCommand(Subcommand):
    output_folders = ("out",)
    name = "score"
    user_errors = (ValueError, FileNotFoundError, RunFolderBusy)

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        add_score_arguments(parser)

    def validate(self, args: argparse.Namespace) -> None:
        check_seed(args.seed)
        check_output_file(args.cache, "--cache")

    def run(self, args: argparse.Namespace, argv: list[str]) -> int:
        print(summary(*score_in_its_folder(request_of(args))))
        return 0


def score_in_its_folder(request: ScoreRequest) -> tuple[Path, dict[str, Any]]:
    """`score`, holding the run folder's lock when the scores go into one: a run or another scoring writing the
    folder is refused (RunFolderBusy) instead of interleaving its files with ours."""
    with hold_if_run_folder(request.out or request.path):
        return score(request)


def add_score_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", help="a run folder, a ToolEval converted-answers file <model>/<group>.json, or <model>/; "
                                "or ToolBench raw answers: <model>/<group>/ of <qid>_<method>.json, or <model>/")
    p.add_argument("--judge", required=True,
                   help="verified | replay:PATH[,PATH] | hf:MODEL_DIR | openai:MODEL@BASE_URL (key: $OPENAI_API_KEY) | embedded"
                        " | fac:BACKEND:MODEL (StableToolBench's FAC judge, e.g. fac:hf:embedded)")
    p.add_argument("--compare-judge", metavar="SPEC",
                   help="a second judge of the same answers: its agreement rate and Cohen's kappa with --judge "
                        "(scores.json: judge_agreement)")
    p.add_argument("--times", type=int, default=3,
                   help="evaluations per query (default 3 as StableToolEval; ToolEval code 4, its published scripts 7)")
    p.add_argument("--reference", help="a run or converted answers to compute the win rate against")
    p.add_argument("--query-ids", help="score only the queries of these ToolEval query-id files (a file, or a folder "
                                       "of <group>.json such as StableToolBench's test_query_ids/)")
    p.add_argument("--out", help="folder for scores.json and the judge cache (default: the run folder; for converted "
                                 "answers ./scores/<name>)")
    p.add_argument("--cache", help=f"judge cache file (default: <out>/{CACHE_FILE})")
    p.add_argument("--seed", type=int, default=0, help="seed of every coin flip and answer order")
    p.add_argument("--judge-temperature", type=float, default=0.2)
    p.add_argument("--judge-max-tokens", type=int, default=1000)
    p.add_argument("--judge-batch-size", type=int, default=64)
    p.add_argument("--judge-dtype", choices=("fp32", "bf16", "fp16"), default="bf16")
    p.add_argument("--judge-timeout", type=float, default=60.0, help="seconds per request (openai judge)")
    p.add_argument("--judge-retries", type=int, default=5, help="retries of a failed request (openai judge)")
    p.add_argument("--judge-concurrency", type=int, default=8, help="requests in flight (openai judge)")


def request_of(args: argparse.Namespace) -> ScoreRequest:
    """The library's request from `score`'s arguments."""
    options = JudgeOptions(temperature=args.judge_temperature, max_new_tokens=args.judge_max_tokens,
                           batch_size=args.judge_batch_size, dtype=args.judge_dtype, timeout_s=args.judge_timeout,
                           retries=args.judge_retries, concurrency=args.judge_concurrency, progress=RequestProgress)
    optional = {name: Path(getattr(args, name)) if getattr(args, name) else None
                for name in ("reference", "query_ids", "out", "cache")}
    return ScoreRequest(Path(args.path), args.judge, args.compare_judge, args.times, seed=args.seed, options=options,
                        **optional)


def _judged_by(document: dict[str, Any]) -> str:
    """The judge and its evaluations per query; a rule gives the same verdict every time, so no count."""
    judge = document["judge"]
    if judge.get("kind") == VERIFIED_JUDGE["kind"]:
        return f"judge {judge['id']} ({VERIFIED_JUDGE['note']})"
    return f"judge {judge['id']}, {document['times']} evaluations per query"


def summary(path: Path, document: dict[str, Any]) -> str:
    stats, sopr = document["judge_stats"], document["sopr"]["overall"]
    lines = [f"{path}: {_judged_by(document)}",
             f"pass rate {rate_text(document['overall'])} (n={document['overall']['n']}); "
             f"SoPR {sopr['rate']:.1f} +- {sopr['std']:.1f}" if sopr["rate"] is not None else "no query scored",
             f"judge: {stats['model_calls']} model calls, {stats['cache_hits']} cached, "
             f"{sum(stats['no_verdict'].values())} without a verdict"]
    if "win_rate" in document:
        win = document["win_rate"]
        lines.append(f"vs {win['reference']['name']}: win rate {rate_text(win['win_rate']['overall'])}, tie rate "
                     f"{rate_text(win['tie_rate']['overall'])}, ties as half {rate_text(win['win_rate_ties_half']['overall'])}")
    if "judge_agreement" in document:
        lines.append(agreement_text(document["judge_agreement"]))
    return "\n".join(lines)
