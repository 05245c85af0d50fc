"""The HTML report of many runs (`umi-eval report RUN_DIR... --out DIR`): one static page, index.html, that
opens from the file system with no server and no network, and the plots as PNG files next to it.

The page holds the leaderboard with its intervals, single vs multi paired differences, tokens and time per
role, each actor's busy timeline, why trajectories failed (first errors by role), and a trajectory browser (filters by run, group, status and verdict;
turns, tool calls, observations and DFSDT trees). gather reads the run folders, plots draws with
matplotlib, page writes the HTML (assets: its stylesheet and script).
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from benchmarks.report.gather import gather, leaderboard_order, pairs
from benchmarks.report.page import (actors_section, browser_data, leaderboard_section, page, pairs_section,
                                    plot_html, roles_section, static_section, trajectories_section, why_section)
from benchmarks.report.plots import (leaderboard_figure, pairs_figure, png_bytes, roles_figure, timeline_figure,
                                     why_figure)
from benchmarks.results.files import read_json, write_bytes_atomic

INDEX = "index.html"
DEFAULT_MAX_TRAJECTORIES = 1000  # per run: the page carries every trajectory it shows as JSON


def _plot(out: Path, name: str, figure, alt: str) -> str:
    """Writes `<name>.png` (for papers) and returns the same image embedded in the page."""
    png = png_bytes(figure) if figure is not None else None
    if png is not None:
        write_bytes_atomic(out / f"{name}.png", png)
    return plot_html(png, name, alt)


def write_report(folders: list[Path], out: Path, max_trajectories: int = DEFAULT_MAX_TRAJECTORIES,
                 static_reports: Sequence[Path] = ()) -> Path:
    """Writes the report of the run folders (and of `static` reports: static.json files) into `out`; returns
    the path of its index.html."""
    views = gather(folders)
    ordered, paired = leaderboard_order(views), pairs(views)
    out.mkdir(parents=True, exist_ok=True)
    data, notes = browser_data(views, max_trajectories)
    statics = [read_json(path) for path in static_reports]
    sections = [
        leaderboard_section(ordered, _plot(out, "leaderboard", leaderboard_figure(ordered), "overall pass rate per run")),
        *([static_section(statics)] if statics else []),
        pairs_section(paired, _plot(out, "pairs", pairs_figure(paired), "multi - single per pair")),
        roles_section(views, _plot(out, "roles", roles_figure(views), "tokens and model time per role")),
        actors_section(views, _plot(out, "timeline", timeline_figure(views), "actor busy timelines")),
        why_section(views, _plot(out, "why", why_figure(views), "first errors per run and role")),
        trajectories_section(views, data["trajectories"], notes),
    ]
    index = out / INDEX
    write_bytes_atomic(index, page(views, sections, data).encode("utf-8", "replace"))
    return index
