"""Every `choices=` of the command line comes from its registry: a new entry is offered with no CLI edit."""
from __future__ import annotations

import pytest

from benchmarks.leaderboard import LEADERBOARD_FORMATS, render
from benchmarks.results.dataset_formats import DATASET_FORMATS, DatasetFormat
from engine.cli.main import build_parser
from engine.schedule import SCHEDULES
from engine.search import STRATEGIES


def choices(command: str, option: str, *positionals: str) -> list[str]:
    parser, _ = build_parser(command)
    sub = parser._subparsers._group_actions[0].choices[command]  # noqa: SLF001 - the subparser argparse built
    if positionals:
        sub = sub._subparsers._group_actions[0].choices[positionals[0]]  # noqa: SLF001
    return list(next(a for a in sub._actions if option in a.option_strings).choices)  # noqa: SLF001


def test_a_new_dataset_format_is_offered_by_export_and_benchmark_write(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(DATASET_FORMATS._entries, "arrow", DatasetFormat("arrow", lambda d, f, p: None, lambda s, p: None))
    assert "arrow" in choices("export", "--format")
    assert "arrow" in choices("benchmark", "--format", "write")


def test_a_new_leaderboard_format_is_offered_and_rendered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(LEADERBOARD_FORMATS._entries, "tsv", lambda board: "tsv!")
    assert "tsv" in choices("leaderboard", "--format")
    assert render({}, "tsv") == "tsv!"


def test_schedules_and_strategies_are_offered_from_their_registries() -> None:
    assert choices("run", "--schedule") == SCHEDULES.names()
    assert choices("run", "--strategy") == STRATEGIES.names()
