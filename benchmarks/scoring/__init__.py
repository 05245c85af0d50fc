"""Scoring of finished runs: ToolEval pass rate and win rate with any judge, StableToolEval SoPR/SoWR,
score and bootstrap intervals, and alpha-UMi's static step metrics.

    judges.make_judge(spec, options, gold_facts)    verified | replay:PATH | hf:DIR | openai:MODEL@URL | embedded
                                                    | fac:BACKEND:MODEL
    procedures.procedure_of(judge)                   the procedure a judge was built for: tooleval or fac
    tooleval.evaluate(examples, judge, times, seed)  ToolEval v2 pass rate, K evaluations per query
    fac.evaluate_fac(examples, judge)                StableToolBench's FAC pass rate, one greedy evaluation
    agreement.agreement(labels_a, labels_b)          agreement rate and Cohen's kappa of two judges
    stable.sopr(results)                             StableToolEval SoPR from those same evaluations
    preference.win_rate(cand, ref, labels.., judge)  ToolEval win rate round by round; stable.sowr(outcomes)
    intervals.paired_difference(a, b)                paired interval of two runs on the same tasks
    static.static_metrics(samples, predictions)      alpha-UMi Plan ACC, Act. EM, Hallu., Arg. F1, R-L
The `score` command lives in engine/cli/score.py; judges that run models in engine/judges.
"""
from benchmarks.scoring.judges import VERIFIED_JUDGE
from benchmarks.scoring.verified_scores import has_gold_facts, verified_scores

__all__ = ["VERIFIED_JUDGE", "has_gold_facts", "verified_scores"]
