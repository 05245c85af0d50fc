"""Judge dispersion: where a judge labelled each query several times (ToolEval's repeated evaluations), how
much its labels agree. Per query: `n` labels, the `majority` label, `agreement` (its share) and whether the
labels `flipped` (not all equal); overall: the queries judged at least twice, the mean agreement and the
flip rate (the share of those queries whose labels flipped). Ties go to the label first seen."""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Mapping


def query_dispersion(labels: Iterable[Any]) -> dict[str, Any]:
    labels = [str(label) for label in labels]
    if not labels:
        return {"n": 0, "majority": None, "agreement": None, "flipped": False}
    majority, count = Counter(labels).most_common(1)[0]
    return {"n": len(labels), "majority": majority, "agreement": round(count / len(labels), 4),
            "flipped": len(set(labels)) > 1}


def judge_dispersion(labels_by_query: Mapping[str, Iterable[Any]]) -> dict[str, Any]:
    """{"n": queries judged at least twice, "mean_agreement", "flip_rate" (%), "flipped", "per_query"}."""
    per_query = {key: query_dispersion(labels) for key, labels in labels_by_query.items()}
    repeated = [q for q in per_query.values() if q["n"] >= 2]
    flipped = sum(q["flipped"] for q in repeated)
    return {"n": len(repeated),
            "mean_agreement": round(sum(q["agreement"] for q in repeated) / len(repeated), 4) if repeated else None,
            "flip_rate": round(100.0 * flipped / len(repeated), 2) if repeated else None,
            "flipped": flipped, "per_query": per_query}


def scores_labels(per_query: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The labels of each query of a scores.json `per_query` (entries without labels are left out)."""
    return {key: list(entry["labels"]) for key, entry in per_query.items()
            if isinstance(entry, dict) and isinstance(entry.get("labels"), list)}


def upstream_labels(pass_rate_results: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The labels of ToolEval's pass-rate results file (`{qid: {"is_solved": {evaluation: "AnswerStatus.X"}}}`),
    in evaluation order."""
    labels = {}
    for qid, entry in pass_rate_results.items():
        solved = entry.get("is_solved") if isinstance(entry, dict) else None
        if isinstance(solved, dict):
            labels[qid] = [str(solved[k]).removeprefix("AnswerStatus.") for k in sorted(solved, key=str)]
    return labels
