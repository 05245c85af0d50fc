"""Subcommands are imported only when chosen: the command line starts without matplotlib, Ray or torch."""
from __future__ import annotations

import subprocess
import sys

import pytest

from engine.cli.main import SUBCOMMANDS, build_parser, chosen_command, subcommand

HEAVY = ("matplotlib", "ray", "torch", "vllm", "datasets")


def modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sys.modules))"],
                         capture_output=True, text=True, check=True).stdout
    return {name.split(".")[0] for name in out.split()}


def test_importing_the_command_line_imports_no_heavy_library() -> None:
    assert not modules_after("import engine.cli.main") & set(HEAVY)


def test_the_help_of_one_command_imports_only_what_it_needs() -> None:
    loaded = modules_after("from engine.cli.main import build_parser; build_parser('leaderboard')")
    assert "matplotlib" not in loaded and "ray" not in loaded


@pytest.mark.parametrize("name", list(SUBCOMMANDS))
def test_every_registered_subcommand_builds_its_parser(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    parser, command = build_parser(name)
    assert command is not None and command.name == name
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args([name, "--help"])
    assert exit_info.value.code == 0 and f"usage: umi-eval {name}" in capsys.readouterr().out


def test_the_chosen_command_is_the_first_word_that_is_not_an_option() -> None:
    assert chosen_command(["--version"]) is None
    assert chosen_command(["run", "--agent", "oracle"]) == "run"
    assert chosen_command(["not-a-command"]) is None
    assert subcommand("presets").name == "presets"
