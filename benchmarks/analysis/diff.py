"""Two runs on the same tasks: per query, whether each passed, the first step where the two trajectories
diverge and the role whose output diverged first; and the paired table of first errors (A's x B's).

With identical cached tool replies, two agents see the same observation for the same call, so the first
differing output is where one model decided otherwise."""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterator

from benchmarks.analysis.aggregate import NO_ERROR
from benchmarks.analysis.chains import Chain, Output, chain_from_record
from benchmarks.analysis.sources import Source
from benchmarks.results.files import TRAJECTORIES_FILE
from benchmarks.results.trajectories import iter_latest_records


def run_chains(source: Source) -> Iterator[tuple[str, Chain]]:
    for record in iter_latest_records(source.path / TRAJECTORIES_FILE):
        yield str(record.get("task_key")), chain_from_record(record, source.agent_kind)


def _outputs(chain: Chain) -> list[tuple[int, Output | None, Any]]:
    """The chain as (step, output, call) events: each output, then the round's call (output None)."""
    events = []
    for round_ in chain.rounds:
        events += [(round_.step, output, None) for output in round_.outputs]
        if round_.call is not None:
            events.append((round_.step, None, (round_.call.name, round_.call.arguments)))
    return events


def divergence(a: Chain, b: Chain) -> dict[str, Any] | None:
    """{"step", "role"} of the first differing output or call, or of the ending; None when the two agree."""
    left, right = _outputs(a), _outputs(b)
    for (step, out_a, call_a), (_, out_b, call_b) in zip(left, right):
        if (out_a, call_a) != (out_b, call_b):
            shown = out_a or out_b
            return {"step": step, "role": shown.role if shown else _last_role(a, step)}
    if len(left) != len(right):
        step, output, _ = (left if len(left) > len(right) else right)[min(len(left), len(right))]
        return {"step": step, "role": output.role if output else "caller"}
    if (a.status, a.final_answer) != (b.status, b.final_answer):
        return {"step": a.rounds[-1].step, "role": "summarizer" if a.kind == "multi" else "backbone"}
    return None


def _last_role(chain: Chain, step: int) -> str:
    outputs = chain.rounds[step - 1].outputs if step - 1 < len(chain.rounds) else []
    makers = [o.role for o in outputs if o.role != "planner"]
    return makers[-1] if makers else "caller"


def _first(entry: dict[str, Any] | None) -> str:
    return entry["first_error"]["category"] if entry and entry["first_error"] else NO_ERROR


def compare(a: dict[str, Any], b: dict[str, Any], chains_a: dict[str, Chain], chains_b: dict[str, Chain]) -> dict[str, Any]:
    """The diff of two analyses (benchmarks.analysis.document) over the tasks both hold."""
    shared = [k for k in a["trajectories"] if k in b["trajectories"]]
    per_query, paired = {}, Counter()
    for key in shared:
        ea, eb = a["trajectories"][key], b["trajectories"][key]
        both = key in chains_a and key in chains_b
        per_query[key] = {"a_passed": ea["passed"], "b_passed": eb["passed"], "a_first_error": ea["first_error"],
                          "b_first_error": eb["first_error"],
                          "divergence": divergence(chains_a[key], chains_b[key]) if both else None}
        paired[(_first(ea), _first(eb))] += 1
    table: dict[str, dict[str, int]] = {}
    for (first_a, first_b), n in sorted(paired.items()):
        table.setdefault(first_a, {})[first_b] = n
    changes = Counter((q["a_passed"], q["b_passed"]) for q in per_query.values())
    return {"a": a["source"]["path"], "b": b["source"]["path"], "n": len(shared),
            "fixed": changes[(False, True)], "broke": changes[(True, False)],
            "diverged": sum(1 for q in per_query.values() if q["divergence"]),
            "first_error_pairs": table, "per_query": per_query}
