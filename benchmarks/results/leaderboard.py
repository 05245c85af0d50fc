"""leaderboard.json: {"schema_version", "generated_at", "entries": [...], "pairs": [...]}, one entry per run
(benchmarks.leaderboard builds it from run folders and renders it as Markdown, CSV and HTML)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, TypedDict

from benchmarks.results.files import read_json, write_json_atomic

SCHEMA_VERSION = 1  # entries and "pairs" only grew keys; readers of version 1 still work


class LeaderboardDocument(TypedDict):
    schema_version: int
    generated_at: str
    entries: list[dict[str, Any]]  # per run: run, agent, kind, models, benchmark, judge, rates, figures
    pairs: list[dict[str, Any]]  # single vs multi runs of one backbone, with their paired difference


def write_leaderboard(path: Path, board: LeaderboardDocument) -> None:
    write_json_atomic(path, board)


def read_leaderboard(path: Path) -> LeaderboardDocument:
    board = read_json(path)
    if not isinstance(board, dict) or not isinstance(board.get("entries"), list):
        raise ValueError(f"{path}: not a leaderboard (a JSON object with 'entries')")
    return board  # type: ignore[return-value]
