"""Scoring of finished runs: ToolEval pass rate and win rate with any judge, StableToolEval SoPR/SoWR,
bootstrap intervals, and alpha-UMi's static step metrics.

    tooleval.pass_rate(examples, judge, times, seed)      ToolEval v2 pass rate (+ SoPR from the same labels)
    preference.win_rate(cand, ref, judge, times, seed)    ToolEval win rate; SoWR with times=3
    judges.make_judge(spec)                               verified | replay:PATH | hf:DIR | openai:MODEL@URL | embedded
"""
from benchmarks.scoring.gold import VERIFIED_JUDGE, has_gold_facts, verified_scores

__all__ = ["VERIFIED_JUDGE", "has_gold_facts", "verified_scores"]
