"""`score PATH --judge SPEC`: ToolEval pass rate (and SoPR) of a finished run or of any ToolEval converted
answers, optionally the win rate against a reference, written to scores.json. Judge replies are cached
next to it, so scoring again costs no model call and an interrupted scoring resumes."""
from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

from benchmarks.scoring.verified_scores import regenerated_gold_facts
from benchmarks.results.files import SCORES_FILE
from benchmarks.scoring.intervals import rate_text
from benchmarks.scoring.inputs import ScoringInput, load_input, restrict_to_ids
from benchmarks.scoring.agreement import agreement_section, agreement_text
from benchmarks.scoring.judges import VERIFIED_JUDGE, Judge, JudgeLog, JudgeOptions
from benchmarks.scoring.model_judge import ModelJudge
from benchmarks.scoring.preference import side_labels, win_rate
from benchmarks.scoring.procedures import procedure_of
from benchmarks.results.scores import write_scores
from benchmarks.scoring.scores import judged_scores, passed_values, win_section
from benchmarks.scoring.tooleval import QueryResult
from engine.cli.base import Subcommand
from engine.judges import make_judge
from engine.runner.progress import RequestProgress

CACHE_FILE = "judge_cache.jsonl"


class ScoreCommand(Subcommand):
    output_folders = ("out",)
    name = "score"
    help = "score a run folder or ToolEval converted answers with a judge"
    user_errors = (ValueError, FileNotFoundError)

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        add_score_arguments(parser)

    def validate(self, args: argparse.Namespace) -> None:
        if args.times < 1:
            raise ValueError(f"--times must be at least 1, got {args.times}")

    def run(self, args: argparse.Namespace, argv: list[str]) -> int:
        print(summary(*score(args)))
        return 0


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


def _out_dir(args: argparse.Namespace, source: ScoringInput) -> Path:
    if args.out:
        return Path(args.out)
    return source.path if source.kind == "run" else Path("scores") / source.name


def score(args: argparse.Namespace) -> tuple[Path, dict[str, Any]]:
    ScoreCommand().validate(args)
    source = _selected(load_input(Path(args.path)), args.query_ids)
    reference = _selected(load_input(Path(args.reference)), args.query_ids) if args.reference else None
    out = _out_dir(args, source)
    options = JudgeOptions(temperature=args.judge_temperature, max_new_tokens=args.judge_max_tokens,
                           batch_size=args.judge_batch_size, dtype=args.judge_dtype,
                           cache_path=Path(args.cache) if args.cache else out / CACHE_FILE, timeout_s=args.judge_timeout,
                           retries=args.judge_retries, concurrency=args.judge_concurrency)
    judge = _judge(args.judge, options, source)
    other = _judge(args.compare_judge, options, source) if args.compare_judge else None  # a bad spec fails now
    for model_judge in (judge, other):
        if isinstance(model_judge, ModelJudge):
            model_judge.progress = RequestProgress
    procedure, log = procedure_of(judge), JudgeLog()
    times = procedure.times(args.times)
    results = procedure.run(source.examples, judge, times, args.seed, log)
    win = None
    if reference is not None:
        reference_results = procedure.run(reference.examples, judge, times, args.seed, log)
        outcomes = win_rate(source.examples, reference.examples, side_labels(results), side_labels(reference_results),
                            judge, times, args.seed, log)
        win = win_section(reference, outcomes, results, reference_results, times, args.seed)
    document = judged_scores(source, judge.info(), results, times, args.seed, log, win, procedure.description)
    if other is not None:
        document["judge_agreement"] = compared_judge(other, source, results, args.times, args.seed)
    write_scores(out / SCORES_FILE, document)
    return out / SCORES_FILE, document


def score_with_defaults(path: Path, judge: str) -> tuple[Path, dict[str, Any]]:
    """`score PATH --judge JUDGE` with every other option at its default."""
    parser = argparse.ArgumentParser()
    add_score_arguments(parser)
    return score(parser.parse_args([str(path), "--judge", judge]))


def _selected(source: ScoringInput, query_ids: str | None) -> ScoringInput:
    if not query_ids:
        return source
    return dataclasses.replace(source, examples=restrict_to_ids(source.examples, Path(query_ids)))


def _judge(spec: str, options: JudgeOptions, source: ScoringInput) -> Judge:
    return make_judge(spec, options, _gold_facts(source) if spec == "verified" else None)


def compared_judge(other: Judge, source: ScoringInput, results: list[QueryResult], times: int,
                   seed: int) -> dict[str, Any]:
    """`--compare-judge`: the second judge's own procedure on the same answers, and how often it agrees."""
    procedure, log = procedure_of(other), JudgeLog()
    other_results = procedure.run(source.examples, other, times, seed, log)
    return agreement_section(other.info(), passed_values(results), passed_values(other_results), log.to_json(), seed)


def _gold_facts(source: ScoringInput) -> dict[str, tuple[str, ...]]:
    if source.manifest is None:
        raise ValueError("the verified judge needs a run folder of the embedded benchmark (its gold facts are "
                         "regenerated from run.json)")
    return regenerated_gold_facts(source.manifest)


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
