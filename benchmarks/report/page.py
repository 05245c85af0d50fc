"""index.html: the sections, their tables and plots, and the trajectories as a JSON block for the browser.

Escaping: every string from a run folder goes through html.escape; the trajectories travel as JSON inside
`<script type="application/json">`, with `<`, `>` and `&` written as \\u escapes (and every non-ASCII
character, so U+2028/2029 and lone surrogates too), so no text can close the block or open a tag; the
page's script reads it with JSON.parse and shows it with textContent.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import time
from typing import Any, Iterable

from benchmarks.report.assets import CSS, JS
from benchmarks.analysis.chains import chain_from_record
from benchmarks.analysis.diff import divergence
from benchmarks.report.gather import RunView, actor_timelines, first_errors_by_role, role_usage
from benchmarks.scoring.intervals import rate_text
from benchmarks.scoring.static import STATIC_METRICS
from benchmarks.toolbench import order_groups

MAX_TREE_DEPTH = 300  # deeper nodes (no real tree has them) are left out rather than overflow the stack
# Nothing is fetched, and only the page's own script runs (by its hash): a second line of defence, should
# model text ever reach the HTML parser.
CONTENT_SECURITY_POLICY = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
                           f"script-src 'sha256-{base64.b64encode(hashlib.sha256(JS.encode()).digest()).decode()}'")
_JSON_IN_SCRIPT = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def script_json(data: Any) -> str:
    """JSON that is inert inside a <script> element (and still parses to `data`)."""
    return json.dumps(data, ensure_ascii=True, separators=(",", ":")).translate(_JSON_IN_SCRIPT)


def _text(value: Any) -> str:
    return html.escape("-" if value is None else str(value))


def table(head: list[str], rows: Iterable[tuple[dict[str, str], list[str]]], table_id: str) -> str:
    """A table in a box that scrolls sideways when wide; each row is (attributes, cells): attribute values are
    escaped here, cells are HTML already (callers escape their text with _text)."""
    header = "".join(f"<th>{_text(h)}</th>" for h in head)
    body = "".join("<tr" + "".join(f' {name}="{html.escape(value)}"' for name, value in attrs.items()) + ">"
                   + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>\n" for attrs, cells in rows)
    return f'<div class="wide"><table id="{table_id}"><thead><tr>{header}</tr></thead>\n<tbody>\n{body}</tbody></table></div>'


def plot_html(png: bytes | None, name: str, alt: str) -> str:
    if png is None:
        return '<p class="note">Nothing to plot.</p>'
    data = base64.b64encode(png).decode("ascii")
    return (f'<img class="plot" id="plot-{name}" alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'
            f'<p class="note">Also <a href="{name}.png">{name}.png</a>, next to this page.</p>')


def leaderboard_section(ordered: list[RunView], plot: str) -> str:
    # overall beside the run name: what a reader looks for first stays in view when the table scrolls sideways
    groups = order_groups({g for v in ordered for g in v.entry["groups"]})
    head = ["run", "overall [95% CI]", "n", "agent", "kind", "status", "benchmark", "judge", *groups,
            "answered % of queries", "invalid % of tool calls", "mean steps", "tokens", "wall s", ""]

    def cells(v: RunView) -> list[str]:
        e = v.entry
        return [_text(x) for x in (v.label, _rate(e["overall"]), (e["overall"] or {}).get("n"), e["agent"], e["kind"],
                                   e["status"], e["benchmark"], e["judge"], *(_rate(e["groups"].get(g)) for g in groups),
                                   e["answered_rate"], e["invalid_call_rate"], e["mean_steps"], e["tokens"],
                                   e["wall_s"])] + [f'<a href="#run={v.key}">trajectories</a>']

    rows = (({"data-run": v.key, **({} if v.finished else {"class": "unfinished"})}, cells(v)) for v in ordered)
    return ('<section id="leaderboard"><h2>Leaderboard</h2>' + plot
            + '<p class="note">Rates in %, with 95% intervals over tasks (Wilson score; a bootstrap for fractional scores); unfinished runs last, in grey.</p>'
            + table(head, rows, "leaderboard-table") + "</section>")


def static_section(reports: list[dict[str, Any]]) -> str:
    """alpha-UMi's Table 1: teacher-forced step metrics of `static` reports (static.json), where agents differ
    even when none finishes a task."""
    head = ["agent", "kind", "steps", *(label for _, label in STATIC_METRICS)]
    rows = (({}, [_text(x) for x in (r["agent"]["name"], r["agent"]["kind"], r["metrics"]["n"]["samples"],
                                     *(None if r["metrics"][key] is None else f"{r['metrics'][key]:.1f}"
                                       for key, _ in STATIC_METRICS))]) for r in reports)
    return ('<section id="static"><h2>Static steps (Table 1)</h2><p class="note">Each gold step of the static file '
            "predicted with the gold history before it (teacher-forced); percent.</p>"
            + table(head, rows, "static-table") + "</section>")


def _rate(score: dict[str, Any] | None) -> str:
    return rate_text(score, ci_digits=0, sep=",")


def _difference_text(difference: dict[str, Any]) -> str:
    if difference.get("diff") is None:
        return "- (no task scored in both)"
    low, high = difference["ci95"]
    return f"{difference['diff']:+.1f} [{low:+.1f}, {high:+.1f}] (n={difference['n']})"


def pairs_section(pairs: list[dict[str, Any]], plot: str) -> str:
    if not pairs:
        return ('<section id="pairs"><h2>Single vs multi</h2><p class="note">No single-LLM and multi-LLM runs of one '
                "backbone (same benchmark and judge) among these runs.</p></section>")
    head = ["backbone", "single", "single overall", "multi", "multi overall", "multi - single [95% CI]"]
    rows = (({"data-single": p["single"].key, "data-multi": p["multi"].key},
             [_text(x) for x in (", ".join(p["backbone"]), p["single"].label, rate_text(p["single"].entry["overall"]),
                                 p["multi"].label, rate_text(p["multi"].entry["overall"]), _difference_text(p["difference"]))])
            for p in pairs)
    return ('<section id="pairs"><h2>Single vs multi</h2>' + plot
            + '<p class="note">Runs paired by folder; the difference is paired over the tasks both runs scored.</p>'
            + table(head, rows, "pairs-table") + "</section>")


def roles_section(views: list[RunView], plot: str) -> str:
    head = ["run", "role", "model calls", "prompt tokens", "completion tokens", "model time s"]
    rows = (({"data-run": v.key}, [_text(x) for x in (v.label, role, u["calls"], u["prompt_tokens"], u["completion_tokens"],
                                                      round(u["latency_s"], 3))])
            for v in views for role, u in role_usage(v).items())
    return ('<section id="roles"><h2>Tokens and time per role</h2>' + plot
            + '<p class="note">Model time is each request\'s latency summed over trajectories (batched requests '
              "overlap, so it can exceed the wall time).</p>" + table(head, rows, "roles-table") + "</section>")


def actors_section(views: list[RunView], plot: str) -> str:
    head = ["run", "actor", "batches", "requests", "busy s", "utilisation", "mean batch size", "timeline spans"]
    rows = []
    for v in views:
        timelines = actor_timelines(v)
        for key, actor in v.metrics.get("speed", {}).get("actors", {}).items():
            rows.append(({"data-run": v.key}, [_text(x) for x in (
                v.label, key, actor.get("batches"), actor.get("requests"), actor.get("busy_s"), actor.get("utilisation"),
                actor.get("mean_batch_size"), len(timelines.get(key, [])))]))
    return ('<section id="actors"><h2>Actors: busy timelines</h2>' + plot
            + '<p class="note">One bar per batch, from when the actor started it for as long as its backend worked; '
              "gaps are idle time. Runs recorded before timelines existed show their totals only.</p>"
            + table(head, rows, "actors-table") + "</section>")


def why_section(views: list[RunView], plot: str) -> str:
    head = ["run", "role", "first error", "trajectories", "% of the run"]
    rows = []
    for v in views:
        n = v.analysis.get("overall", {}).get("n", 0)
        for role, counts in first_errors_by_role(v).items():
            rows += [({"data-run": v.key, "data-category": category},
                      [_text(x) for x in (v.label, role, category, count, round(100 * count / n, 1) if n else None)])
                     for category, count in counts.items()]
    return ('<section id="why"><h2>Why it failed</h2>' + plot
            + '<p class="note">Each trajectory\'s first error (benchmarks.analysis: judge-free rules on the run files) '
              "and the role that made it. The trajectory browser filters by category (any step), and a trajectory "
              "opens side by side with the same task in another run, the step where they diverge marked.</p>"
            + table(head, rows, "why-table") + "</section>")


def _select(name: str, options: list[tuple[str, str]]) -> str:
    items = "".join(f'<option value="{html.escape(value)}">{html.escape(label)}</option>' for value, label in options)
    return f'<label>{name} <select id="filter-{name}"><option value="">all</option>{items}</select></label>'


def trajectories_section(views: list[RunView], trajectories: list[dict[str, Any]], notes: list[str]) -> str:
    def values(key: str) -> list[tuple[str, str]]:
        return [(v, v) for v in sorted({t[key] for t in trajectories})]

    filters = [_select("run", [(v.key, v.label) for v in views]),
               _select("group", [(g, g) for g in order_groups({t["group"] for t in trajectories})]),
               _select("status", values("status")), _select("verdict", values("verdict")),
               _select("category", [(c, c) for c in sorted({c for t in trajectories for c in t["categories"]})])]
    head = "".join(f"<th>{h}</th>" for h in ("run", "task", "group", "status", "verdict", "tool calls", "first error"))
    return ('<section id="trajectories"><h2>Trajectories</h2>'
            + "".join(f'<p class="note">{_text(note)}</p>' for note in notes)
            + f'<div id="filters">{"".join(filters)}</div><p id="traj-count" class="note"></p>'
            + f'<table id="traj-list"><thead><tr>{head}</tr></thead><tbody></tbody></table>'
            + '<div id="traj-detail"></div><div id="side-by-side"></div></section>')


def collapse_repeats(text: str) -> str:
    """Runs of one repeated line (a small model looping) shown once, with how often it repeats."""
    lines: list[str] = []
    counts: list[int] = []
    for line in str(text).split("\n"):
        if lines and line == lines[-1]:
            counts[-1] += 1
        else:
            lines.append(line)
            counts.append(1)
    return "\n".join(line if n == 1 else f"{line}\n[the line above {n - 1} more times]" for line, n in zip(lines, counts))


def tree_json(node: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """A DFSDT node as the page shows it: type, text, observation, status code, pruned, children. The root,
    which upstream types as an `Action Input`, is the task's query."""
    children = node.get("children") if depth < MAX_TREE_DEPTH else []
    return {"type": "query" if depth == 0 else str(node.get("node_type", "")), "text": str(node.get("description", "")),
            "obs": str(node.get("observation", "")), "code": node.get("observation_code"),
            "pruned": bool(node.get("pruned")),
            "children": [tree_json(c, depth + 1) for c in children or [] if isinstance(c, dict)]}


def turn_steps(record: dict[str, Any]) -> list[int]:
    """The step (round, from 1) of each turn: one more after each observation (the query is step 1's)."""
    steps, step = [], 1
    for turn in record.get("turns", []):
        steps.append(step)
        step += turn.get("role") == "observation"
    return steps


def _why(view: RunView, task_key: str) -> dict[str, Any]:
    entry = view.analysis.get("trajectories", {}).get(task_key) or {"steps": [], "first_error": None}
    return {"categories": sorted({e["category"] for step in entry["steps"] for e in step["errors"]}),
            "first_error": entry["first_error"],
            "step_errors": [[step["step"], e["category"], e["role"], e["detail"]] for step in entry["steps"]
                            for e in step["errors"]]}


def turn_role(kind: str, role: str) -> str:
    """A turn's speaker: alpha-UMi's records name the planner `assistant` (upstream's literal)."""
    return "planner" if kind == "multi" and role == "assistant" else role


def call_json(call: dict[str, Any]) -> dict[str, Any]:
    """A tool call as the table shows it: a call whose name did not parse says so instead of a blank cell."""
    return {"name": call.get("name") or call.get("function_name") or "(no function parsed)",
            "arguments": call.get("arguments") or "(none)", "observation": collapse_repeats(call.get("observation") or ""),
            "status": call.get("status"), "source": call.get("source"), "thought": collapse_repeats(call.get("thought") or "")}


def trajectory_json(view: RunView, index: int, record: dict[str, Any]) -> dict[str, Any]:
    tree = view.trees.get(record["task_key"])
    kind = view.entry["kind"]
    return {**_why(view, record["task_key"]), "turn_steps": turn_steps(record),
            "id": f"{view.key}-{index}", "run": view.key, "task": record["task_key"], "group": record["group"],
            "status": record["status"], "verdict": view.verdict(record["task_key"]), "steps": record.get("steps", 0),
            "answer": collapse_repeats(record.get("final_answer", "")), "gold": "; ".join(view.gold.get(record["task_key"], ())),
            "finish_thought": record.get("finish_thought", ""), "error": record.get("error", ""),
            "turns": [[turn_role(kind, t["role"]), collapse_repeats(t["text"])] for t in record.get("turns", [])],
            "calls": [call_json(c) for c in record.get("calls", [])],
            "tree": tree_json(tree) if tree else None}


def browser_data(views: list[RunView], max_per_run: int) -> tuple[dict[str, Any], list[str]]:
    """The trajectories the page carries (the first `max_per_run` of each run) and notes on what was left out."""
    trajectories, notes = [], []
    for view in views:
        kept = view.records[:max_per_run]
        trajectories += [trajectory_json(view, i, record) for i, record in enumerate(kept)]
        if len(kept) < len(view.records):
            notes.append(f"{view.label}: the first {len(kept)} of {len(view.records)} trajectories are shown "
                         "(umi-eval report --max-trajectories).")
    return {"runs": [{"key": v.key, "label": v.label} for v in views], "trajectories": trajectories,
            "divergences": divergences(views, max_per_run)}, notes


def divergences(views: list[RunView], max_per_run: int) -> dict[str, Any]:
    """`"<id A>|<id B>"` -> where trajectory B (another run, same task) first differs from A ({step, role}, or
    null when they agree), for every ordered pair of shown trajectories of one task."""
    shown: dict[str, list[tuple[str, Any]]] = {}
    for view in views:
        kind = view.analysis.get("source", {}).get("agent_kind", "single")
        for index, record in enumerate(view.records[:max_per_run]):
            shown.setdefault(record["task_key"], []).append((f"{view.key}-{index}", chain_from_record(record, kind)))
    return {f"{a}|{b}": divergence(chain_a, chain_b) for same_task in shown.values()
            for a, chain_a in same_task for b, chain_b in same_task if a != b}


def page(views: list[RunView], sections: list[str], data: dict[str, Any]) -> str:
    folders = "".join(f"<li>{_text(v.key)}: {_text(v.folder)}</li>" for v in views)
    nav = "".join(f'<a href="#{s}">{s}</a>' for s in ("leaderboard", "static", "pairs", "roles", "actors", "why", "trajectories")
                  if f'<section id="{s}">' in "".join(sections))
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
        f"<title>umi-eval report</title><style>{CSS}</style></head><body>",
        f"<header><h1>umi-eval report</h1><p class=\"note\">generated {_text(time.strftime('%Y-%m-%d %H:%M:%S %z'))} "
        f"from {len(views)} run folder(s)</p><details><summary>run folders</summary><ul>{folders}</ul></details>"
        f"<nav>{nav}</nav></header>",
        *sections,
        f'<script type="application/json" id="report-data">{script_json(data)}</script>',
        f"<script>{JS}</script>", "</body></html>", ""])
