"""One leaderboard from many run folders: leaderboard.json (benchmarks.results.leaderboard), Markdown, CSV and HTML.

Entries are sorted by overall rate, unfinished runs last and marked so; runs are told apart by their folders. Single- and multi-LLM runs of the same backbone (same benchmark and
judge, the single run's model among the multi run's models, or paired explicitly) are also shown side by
side with the paired difference of their pass rates (multi - single, paired interval over the tasks both
scored). Every string that comes from data or model output is escaped in HTML and Markdown, and CSV
cells that a spreadsheet would read as formulas are neutralised.
"""
from __future__ import annotations

import csv
import html
import io
import json
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from benchmarks.core.registry import Registry
from benchmarks.results.files import RUN_FILE, SCORES_FILE
from benchmarks.results.metrics_file import read_metrics
from benchmarks.results.shapes import readable_runs
from benchmarks.results.leaderboard import SCHEMA_VERSION, LeaderboardDocument
from benchmarks.results.manifest import read_manifest
from benchmarks.results.markdown import markdown_table as _markdown_table
from benchmarks.results.scores import passed_by_query, read_scores
from benchmarks.scoring.intervals import paired_difference, rate_text
from benchmarks.toolbench import order_groups
from benchmarks.results.manifest import effective_status

COLUMNS = ("errors",)  # optional column sets: `errors` adds each run's first errors (benchmarks.analysis)
TOP_ERRORS = 3


def entry(run_dir: Path) -> dict[str, Any]:
    """A run's row: its scores with intervals, its rule-based figures and what produced it."""
    manifest, metrics = read_manifest(run_dir), read_metrics(run_dir)
    scores = read_scores(run_dir / SCORES_FILE)
    if not manifest:
        raise ValueError(f"{run_dir}: not a run folder (no run.json)")
    overall = metrics.get("overall", {})
    judge, win = scores.get("judge", {}), scores.get("win_rate", {})
    return {
        "run": manifest["run_name"],
        "dir": str(run_dir),  # run names repeat across output folders: the folder is what identifies a run
        "agent": manifest["agent"]["name"],
        "kind": manifest["agent"]["kind"],
        "models": sorted({m.get("model", "") for m in manifest.get("models", {}).values()}),
        "benchmark": manifest.get("benchmark", {}).get("name"),
        "seed": manifest.get("seed"),
        "judge": judge.get("id"),
        "judge_revision": judge.get("revision"),
        "metric": scores.get("metric"),
        "overall": scores.get("overall"),
        "groups": scores.get("groups", {}),
        "sopr": scores.get("sopr", {}).get("overall"),
        "win_rate": win.get("win_rate_ties_half", {}).get("overall"),
        "win_reference": win.get("reference", {}).get("name"),
        "answered_rate": overall.get("answered_rate"),
        "invalid_call_rate": overall.get("invalid_call_rate"),
        "mean_steps": overall.get("mean_steps"),
        "tokens": sum(u["prompt_tokens"] + u["completion_tokens"] for u in overall.get("tokens", {}).values()),
        "wall_s": metrics.get("speed", {}).get("wall_s"),
        **dict(zip(("status", "status_reason"), effective_status(manifest))),
    }


def pairable(single: dict[str, Any], multi: dict[str, Any]) -> bool:
    """A single-LLM run and a multi-LLM run of one backbone: same benchmark and judge, the single model among the multi's."""
    return (single["kind"], multi["kind"]) == ("single", "multi") and single["benchmark"] == multi["benchmark"] \
        and single["judge"] == multi["judge"] and bool(single["models"]) and set(single["models"]) <= set(multi["models"])


def _pair(single: dict[str, Any], multi: dict[str, Any], passed: dict[str, dict[str, float]]) -> dict[str, Any]:
    return {"backbone": single["models"], "single": single["run"], "multi": multi["run"],
            "single_dir": single["dir"], "multi_dir": multi["dir"],
            "single_rate": single["overall"], "multi_rate": multi["overall"],
            "difference": paired_difference(passed[single["dir"]], passed[multi["dir"]])}


def _named(entries: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """The entry a --pair name means: a run folder, or a run name that only one of the runs has."""
    path = str(Path(name))
    found = [e for e in entries if e["dir"] == path] or [e for e in entries if e["run"] == name]
    if not found:
        raise ValueError(f"--pair names unknown run {name!r}; runs: {', '.join(sorted({e['run'] for e in entries}))}")
    if len(found) > 1:
        raise ValueError(f"--pair {name!r}: {len(found)} runs have that name ({', '.join(e['dir'] for e in found)}); "
                         "give the run folder instead")
    return found[0]


def is_finished(entry: dict[str, Any]) -> bool:
    return entry.get("status") == "finished"


def _order(entry: dict[str, Any]) -> tuple[bool, float, str, str]:
    """Finished runs first (an unfinished run's rate covers only what it did), then by overall rate."""
    return not is_finished(entry), -((entry["overall"] or {}).get("rate") or 0.0), entry["run"], entry["dir"]


def build(run_dirs: list[Path], pairs: Sequence[tuple[str, str]] = (), columns: Sequence[str] = ()) -> LeaderboardDocument:
    """The leaderboard; `pairs` adds (single run, multi run) pairs, each a run folder or an unambiguous run
    name, to the automatic ones. Runs are told apart by folder: names repeat (one per output folder)."""
    def read(run_dir: Path) -> dict[str, Any]:
        run_entry = entry(run_dir)
        if "errors" in columns:
            from benchmarks.analysis import run_errors

            run_entry["errors"] = run_errors(run_dir)
        return run_entry

    read_ones = readable_runs(run_dirs, read)  # a run with an unreadable file is skipped, with a warning
    entries = [e for _, e in read_ones]
    passed = {e["dir"]: passed_by_query(read_scores(d / SCORES_FILE)) for d, e in read_ones}
    chosen = [(s, m) for s in entries for m in entries if pairable(s, m)]
    for single, multi in pairs:
        pair = (_named(entries, single), _named(entries, multi))
        if pair not in chosen:
            chosen.append(pair)
    entries.sort(key=_order)
    return {"schema_version": SCHEMA_VERSION, "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "entries": entries,
            "pairs": [_pair(s, m, passed) for s, m in chosen]}


TINY_SAMPLE = 30  # below this many queries an interval says how few it rests on


def _rate(score: dict[str, Any] | None) -> str:
    text = rate_text(score, ci_digits=0, sep=",")
    n = (score or {}).get("n")
    return f"{text} n={n}" if text != "-" and n is not None and n < TINY_SAMPLE else text


def _status(entry: dict[str, Any]) -> str:
    return entry["status"] if is_finished(entry) else f"unfinished: {entry['status']}"


def _sopr(score: dict[str, Any] | None) -> str:
    return "-" if not score or score.get("rate") is None else f"{score['rate']:.1f} +- {score['std']:.1f}"


def _diff(score: dict[str, Any]) -> str:
    if score.get("diff") is None:
        return "-"
    low, high = score["ci95"]
    return f"{score['diff']:+.1f} [{low:+.0f},{high:+.0f}] (n={score['n']})"


def _optional_columns(board: dict[str, Any]) -> list[tuple[str, Any]]:
    """SoPR and win-rate columns, only when some run was scored with them."""
    entries, columns = board["entries"], []
    if any(e["sopr"] for e in entries):
        columns.append(("SoPR", lambda e: _sopr(e["sopr"])))
    if any(e["win_rate"] for e in entries):
        columns.append(("win % (ties half)", lambda e: _rate(e["win_rate"])))
    if any("errors" in e for e in entries):
        columns += [("first errors", _first_errors), ("first error by role", _error_roles)]
    return columns


def _first_errors(entry: dict[str, Any]) -> str:
    errors = entry.get("errors") or {}
    ranked = sorted(errors.get("first_error", {}).items(), key=lambda item: (-item[1], item[0]))[:TOP_ERRORS]
    return ", ".join(f"{name} {100 * n / errors['n']:.0f}%" for name, n in ranked) or "-"


def _error_roles(entry: dict[str, Any]) -> str:
    roles = (entry.get("errors") or {}).get("first_error_roles", {})
    return ", ".join(f"{role} {share:.0f}%" for role, share in roles.items()) or "-"


def rows(board: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Header and cells of the entries table (shared by Markdown and HTML)."""
    groups = order_groups({g for e in board["entries"] for g in e["groups"]})
    optional = _optional_columns(board)
    head = ["run", "agent", "kind", "benchmark", "seed", "status", "n", *groups, "overall", *(name for name, _ in optional),
            "judge", "answered %", "invalid call %", "mean steps", "tokens", "wall s"]
    cells = [[e["run"], e["agent"], e["kind"], str(e["benchmark"]), str(e["seed"]), _status(e),
              str((e["overall"] or {}).get("n", "-")), *(_rate(e["groups"].get(g)) for g in groups), _rate(e["overall"]),
              *(cell(e) for _, cell in optional), str(e["judge"]), str(e["answered_rate"]), str(e["invalid_call_rate"]),
              str(e["mean_steps"]), str(e["tokens"]), str(e["wall_s"])] for e in board["entries"]]
    return head, cells


def pair_rows(board: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    head = ["backbone", "single", "single overall", "multi", "multi overall", "multi - single [95% CI]"]
    cells = [[", ".join(p["backbone"]), p["single"], _rate(p["single_rate"]), p["multi"], _rate(p["multi_rate"]),
              _diff(p["difference"])] for p in board.get("pairs", [])]
    return head, cells


def table(board: dict[str, Any]) -> str:
    """A Markdown table: per group the verified/judged pass rate with its 95% interval, then run figures."""
    return _markdown_table(*rows(board))


def markdown(board: dict[str, Any]) -> str:
    text = table(board)
    if board.get("pairs"):
        text += "\n\nsingle vs multi, same backbone (paired interval over common tasks)\n\n" + _markdown_table(*pair_rows(board))
    return text


CSV_GROUP_FIELDS = ("rate", "ci95_low", "ci95_high", "n")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet reads such a cell as a formula


def csv_cell(value: Any) -> Any:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe; numbers stay as they are."""
    return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_STARTS) else value


def to_csv(board: dict[str, Any]) -> str:
    """One row per run; per group and overall: rate, interval bounds and n."""
    groups = order_groups({g for e in board["entries"] for g in e["groups"]})
    scopes = [*groups, "overall"]
    head = ["run", "dir", "status", "agent", "kind", "models", "benchmark", "judge", "judge_revision", "metric",
            *(f"{s}_{f}" for s in scopes for f in CSV_GROUP_FIELDS), "sopr", "sopr_std", "win_rate_ties_half",
            "win_reference", "answered_rate", "invalid_call_rate", "mean_steps", "tokens", "wall_s"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180; also makes the writer quote cells holding \r
    writer.writerow(head)
    for e in board["entries"]:
        scores = [e["groups"].get(g) for g in groups] + [e["overall"]]
        writer.writerow(map(csv_cell, [
            e["run"], e["dir"], e["status"], e["agent"], e["kind"], ";".join(e["models"]), e["benchmark"], e["judge"], e["judge_revision"],
            e["metric"], *(v for s in scores for v in _csv_score(s)), *_csv_sopr(e["sopr"]),
            (e["win_rate"] or {}).get("rate"), e["win_reference"], e["answered_rate"], e["invalid_call_rate"],
            e["mean_steps"], e["tokens"], e["wall_s"]]))
    return out.getvalue()


def _csv_score(score: dict[str, Any] | None) -> list[Any]:
    if not score or score.get("rate") is None:
        return [None, None, None, (score or {}).get("n")]
    return [score["rate"], score["ci95"][0], score["ci95"][1], score["n"]]


def _csv_sopr(score: dict[str, Any] | None) -> list[Any]:
    return [None, None] if not score else [score.get("rate"), score.get("std")]


def _html_table(head: list[str], cells: list[list[str]]) -> str:
    header = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in cells)
    return f"<table>\n<thead><tr>{header}</tr></thead>\n<tbody>{body}</tbody>\n</table>"


def to_html(board: dict[str, Any]) -> str:
    """A standalone page; every cell is escaped (agent names, models and runs come from user files)."""
    parts = ["<!DOCTYPE html>", '<html><head><meta charset="utf-8"><title>umi-eval leaderboard</title>',
             "<style>table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px}</style></head><body>",
             f"<h1>umi-eval leaderboard</h1><p>generated {html.escape(board['generated_at'])}; rates in % with 95% "
             "intervals (Wilson's; a bootstrap for fractional scores)</p>", _html_table(*rows(board))]
    if board.get("pairs"):
        parts += ["<h2>single vs multi, same backbone</h2>", _html_table(*pair_rows(board))]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def to_json(board: dict[str, Any]) -> str:
    return json.dumps(board, indent=2, ensure_ascii=False) + "\n"


# Renderers by format name (`leaderboard --format`); adding a format is its function plus one line here.
LEADERBOARD_FORMATS: Registry[Callable[[dict[str, Any]], str]] = Registry("leaderboard format")
LEADERBOARD_FORMATS.register("json", to_json)
LEADERBOARD_FORMATS.register("md", lambda board: markdown(board) + "\n")
LEADERBOARD_FORMATS.register("csv", to_csv)
LEADERBOARD_FORMATS.register("html", to_html)


def render(board: dict[str, Any], fmt: str) -> str:
    return LEADERBOARD_FORMATS.get(fmt)(board)


def run_dirs(paths: Sequence[str]) -> list[Path]:
    """Run folders among the paths: a run folder itself, or every run folder directly inside a folder."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if (path / RUN_FILE).is_file():
            found.append(path)
        elif path.is_dir() and (inside := sorted(p.parent for p in path.glob(f"*/{RUN_FILE}"))):
            found.extend(inside)
        else:
            raise ValueError(f"{path}: not a run folder (no run.json) nor a folder of runs")
    return found
