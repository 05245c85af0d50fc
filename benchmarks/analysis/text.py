"""The printed tables of an analysis: first errors per run (category, share, role shares), and a diff's
fixed / broke counts with its paired first-error table. Plain text, one line per row."""
from __future__ import annotations

from typing import Any

TOP = 8  # categories shown per run


def _share(n: int, total: int) -> str:
    return f"{100.0 * n / total:5.1f}%" if total else "    -"


def first_errors(document: dict[str, Any], top: int = TOP) -> list[str]:
    """`name: n trajectories`, then the most frequent first errors with their share and the role shares."""
    overall = document["overall"]
    roles = ", ".join(f"{role} {share:.0f}%" for role, share in overall["first_error_roles"].items()) or "-"
    lines = [f"{document['source']['name']}: {overall['n']} trajectories; first error by role: {roles}"]
    ranked = sorted(overall["first_error"].items(), key=lambda item: (-item[1], item[0]))[:top]
    for category, n in ranked:
        given = overall["pass_rate_given"].get(category, {})
        passed = f"  pass {given['rate']:.1f}% of {given['n']}" if given.get("rate") is not None else ""
        lines.append(f"  {category:<27} {n:>7} {_share(n, overall['n'])}{passed}")
    return lines


def diff_lines(diff: dict[str, Any]) -> list[str]:
    lines = [f"{diff['a']} vs {diff['b']}: {diff['n']} shared tasks, B fixed {diff['fixed']}, broke {diff['broke']}, "
             f"diverged on {diff['diverged']}", "  first error: A (rows) x B (columns)"]
    columns = sorted({b for row in diff["first_error_pairs"].values() for b in row})
    lines.append("  " + " " * 27 + "".join(f"{c[:14]:>15}" for c in columns))
    for a, row in diff["first_error_pairs"].items():
        lines.append(f"  {a:<27}" + "".join(f"{row.get(c, 0):>15}" for c in columns))
    return lines
