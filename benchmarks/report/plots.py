"""The report's plots, drawn by matplotlib (Figure objects on the Agg canvas: no pyplot, no global backend).

Each function returns a Figure, or None when there is nothing to draw. Labels come from run folders and
are shown as plain text: matplotlib would read `$...$` as mathematics (and fail on a bad formula).
"""
from __future__ import annotations

import io
from typing import Any

from matplotlib.figure import Figure

from benchmarks.report.gather import RunView, actor_timelines, first_errors_by_role, role_usage

PNG_DPI = 150
LABEL_CHARS = 48
ROW_INCHES = 0.42  # height per bar or per timeline row


def plain(text: str) -> str:
    """A label as matplotlib prints it literally: `$` escaped, long ones cut."""
    text = text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 3] + "..."
    return text.replace("$", r"\$")


def png_bytes(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=PNG_DPI, metadata={"Software": None})  # constrained layout: no second "tight" pass
    return out.getvalue()


def _figure(rows: int, width: float = 8.0) -> Figure:
    return Figure(figsize=(width, 1.2 + ROW_INCHES * max(rows, 1)), layout="constrained")


def _interval_rows(ax: Any, labels: list[str], values: list[float | None], intervals: list[list[float] | None],
                   hollow: list[bool]) -> None:
    """One row per label (already plain): a point at the value with its 95% interval (hollow: unfinished runs)."""
    for row, (value, interval, open_point) in enumerate(zip(values, intervals, hollow)):
        if value is None or interval is None:
            ax.text(0.5, row, "not scored", transform=ax.get_yaxis_transform(), va="center", ha="center", color="grey")
            continue
        ax.errorbar([value], [row], xerr=[[value - interval[0]], [interval[1] - value]], fmt="o", capsize=4,
                    color="C0", markerfacecolor="white" if open_point else "C0")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)  # first row on top, as in the table
    ax.grid(axis="x", alpha=0.3)


def leaderboard_figure(ordered: list[RunView]) -> Figure | None:
    """Overall pass rate with its 95% interval per run, in leaderboard order."""
    if not ordered:
        return None
    figure = _figure(len(ordered))
    ax = figure.add_subplot()
    overall = [v.entry["overall"] or {} for v in ordered]
    names = [f"{plain(v.label)} (n={o.get('n', 0)})" + ("" if v.finished else f" [{plain(str(v.entry['status']))}]")
             for v, o in zip(ordered, overall)]
    _interval_rows(ax, names, [o.get("rate") for o in overall], [o.get("ci95") for o in overall],
                   [not v.finished for v in ordered])
    ax.set_xlim(-2, 102)
    ax.set_xlabel("overall pass rate, % (95% interval; hollow: unfinished)")
    return figure


def pairs_figure(pairs: list[dict[str, Any]]) -> Figure | None:
    """Multi - single pass rate in points per pair, with its paired 95% interval."""
    if not pairs:
        return None
    figure = _figure(len(pairs))
    ax = figure.add_subplot()
    names = [f"{plain(p['multi'].label)}\nminus {plain(p['single'].label)} (n={p['difference']['n']})" for p in pairs]
    _interval_rows(ax, names, [p["difference"]["diff"] for p in pairs], [p["difference"]["ci95"] for p in pairs],
                   [not (p["single"].finished and p["multi"].finished) for p in pairs])
    ax.axvline(0, color="grey", linewidth=1)
    bounds = [bound for p in pairs for bound in p["difference"]["ci95"] or []]
    ax.set_xlim(min([-5.0, *bounds]) - 2, max([5.0, *bounds]) + 2)  # zero stays in view, with some room
    ax.set_xlabel("multi - single, points (paired 95% interval)")
    return figure


def roles_figure(views: list[RunView]) -> Figure | None:
    """Per run and role: prompt and completion tokens (stacked), and model time."""
    rows = [(v.label, role, used) for v in views for role, used in role_usage(v).items()]
    if not rows:
        return None
    figure = _figure(len(rows), width=10.0)
    tokens, seconds = figure.subplots(1, 2, sharey=True)
    names = [plain(f"{label}: {role}") for label, role, _ in rows]
    prompt = [used["prompt_tokens"] for _, _, used in rows]
    tokens.barh(names, prompt, color="C0", label="prompt")
    tokens.barh(names, [used["completion_tokens"] for _, _, used in rows], left=prompt, color="C1", label="completion")
    tokens.set_xlabel("tokens")
    tokens.legend(loc="lower left", bbox_to_anchor=(0, 1), ncols=2, frameon=False)
    seconds.barh(names, [used["latency_s"] for _, _, used in rows], color="C2")
    seconds.set_xlabel("model time, s (summed over trajectories)")
    tokens.invert_yaxis()
    return figure


def timeline_figure(views: list[RunView]) -> Figure | None:
    """Each actor's batches as bars along time: busy where a bar is, idle between (one panel per run)."""
    shown = [(v, timelines) for v in views if any((timelines := actor_timelines(v)).values())]
    if not shown:
        return None
    figure = _figure(sum(len(t) + 1 for _, t in shown), width=10.0)
    for ax, (view, timelines) in zip(figure.subplots(len(shown), 1, squeeze=False)[:, 0], shown):
        for row, spans in enumerate(timelines.values()):
            ax.broken_barh([(start, busy) for start, busy, _ in spans], (row - 0.35, 0.7), color=f"C{row % 10}")
        ax.set_yticks(range(len(timelines)), [plain(key) for key in timelines])
        ax.set_ylim(len(timelines) - 0.5, -0.5)
        ax.set_title(plain(view.label), loc="left", fontsize="medium")
        ax.set_xlabel("seconds since scheduling began")
        ax.grid(axis="x", alpha=0.3)
    return figure


def why_figure(views: list[RunView]) -> Figure | None:
    """Per run and role: its trajectories' first errors, one bar stacked by category (a colour per category)."""
    rows = [(v.label, role, counts) for v in views for role, counts in first_errors_by_role(v).items()]
    if not rows:
        return None
    categories = sorted({c for _, _, counts in rows for c in counts})
    figure = _figure(len(rows) + 1, width=10.0)
    ax = figure.add_subplot()
    names = [plain(f"{label}: {role}") for label, role, _ in rows]
    left = [0] * len(rows)
    for index, category in enumerate(categories):
        widths = [counts.get(category, 0) for _, _, counts in rows]
        ax.barh(names, widths, left=left, color=f"C{index % 10}", hatch="//" if index >= 10 else None, label=category)
        left = [a + b for a, b in zip(left, widths)]
    ax.set_xlabel("trajectories, by their first error")
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1), ncols=3, frameon=False, fontsize="small")
    ax.invert_yaxis()
    return figure
