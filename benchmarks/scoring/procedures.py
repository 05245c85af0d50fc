"""Scoring procedures: how a judge's labels become a pass rate. Each judge names its own (`procedure`,
ToolEval's when it names none), so `score` runs whatever the judge was built for with no case of its own.

tooleval: ToolEval v2's pass rate (tooleval.py), `--times` evaluations per query;
fac: StableToolBench's FAC evaluation (fac.py), one greedy evaluation per query.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from benchmarks.core.registry import Registry

DEFAULT_PROCEDURE = "tooleval"


@dataclass(frozen=True)
class Procedure:
    """`evaluate(examples, judge, times, seed, log) -> [QueryResult]`; `fixed_times`: the evaluations per
    query the procedure always makes, whatever `--times` asks (None: as asked)."""

    name: str
    description: str
    evaluate: Callable[..., list[Any]]
    fixed_times: int | None = None

    def times(self, asked: int) -> int:
        return self.fixed_times or asked

    def run(self, examples: Sequence[Any], judge: Any, times: int, seed: int, log: Any) -> list[Any]:
        return self.evaluate(examples, judge, self.times(times), seed, log)


PROCEDURES: Registry[Procedure] = Registry("scoring procedure")
PROCEDURES.register("tooleval", "benchmarks.scoring.tooleval:TOOLEVAL_PROCEDURE")
PROCEDURES.register("fac", "benchmarks.scoring.fac:FAC_PROCEDURE")


def procedure_of(judge: Any) -> Procedure:
    """The procedure a judge was built for."""
    return PROCEDURES.get(getattr(judge, "procedure", DEFAULT_PROCEDURE))
