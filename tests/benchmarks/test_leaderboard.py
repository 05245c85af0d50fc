"""Leaderboard: entries sorted with their intervals, single vs multi pairs with the paired difference, and
the JSON, Markdown, CSV and HTML renderings (HTML escapes everything)."""
from __future__ import annotations

import csv
import io
import json
import socket
from pathlib import Path

import pytest

from benchmarks.leaderboard import SCHEMA_VERSION, build, render, table
from engine.cli.main import main
from tests.helpers.run_folders import MODEL, fake_run


@pytest.fixture
def runs(tmp_path: Path) -> list[Path]:
    return [fake_run(tmp_path, "single", "single", [True, False, False, True]),
            fake_run(tmp_path, "multi", "multi", [True, True, False, True], models=(MODEL, "other")),
            fake_run(tmp_path, "legacy", "single", [False, False, True, False], models=("m2",), judged=False)]


def test_entries_sorted_and_single_multi_paired(runs: list[Path]) -> None:
    board = build(runs)
    assert board["schema_version"] == SCHEMA_VERSION
    assert [e["run"] for e in board["entries"]] == ["multi", "single", "legacy"]
    [pair] = board["pairs"]
    assert (pair["single"], pair["multi"], pair["backbone"]) == ("single", "multi", [MODEL])
    assert pair["difference"]["diff"] == 25.0 and pair["difference"]["n"] == 4
    low, high = pair["difference"]["ci95"]
    assert low <= 25.0 <= high


def test_explicit_pairs_and_unknown_runs(runs: list[Path]) -> None:
    board = build(runs, [("legacy", "multi")])
    assert [(p["single"], p["multi"]) for p in board["pairs"]] == [("single", "multi"), ("legacy", "multi")]
    assert board["pairs"][1]["difference"]["diff"] == 50.0  # legacy verified per_query (bools) is read too
    with pytest.raises(ValueError, match="unknown run"):
        build(runs, [("nope", "multi")])


def test_markdown_keeps_the_main_table_and_adds_pairs(runs: list[Path]) -> None:
    board = build(runs)
    head = table(board).splitlines()[0]
    assert head.startswith("| run | agent | kind | benchmark | seed | status | n | G1_instruction | overall | SoPR |")
    assert "| multi | multi | multi | embedded | None | finished | 4 | 75.0 [70,80] n=4 | 75.0 [70,80] n=4 | 75.0 +- 1.5 |" in table(board)
    text = render(board, "md")
    assert "single vs multi" in text and "+25.0 [" in text


def test_json_and_csv(runs: list[Path]) -> None:
    board = build(runs)
    assert json.loads(render(board, "json"))["entries"][0]["run"] == "multi"
    rows = list(csv.DictReader(io.StringIO(render(board, "csv"))))
    assert [r["run"] for r in rows] == ["multi", "single", "legacy"]
    assert (rows[0]["overall_rate"], rows[0]["overall_ci95_low"], rows[0]["G1_instruction_n"]) == ("75.0", "70.0", "4")
    assert rows[0]["models"] == f"{MODEL};other" and rows[2]["sopr"] == ""


def test_html_escapes_every_string(tmp_path: Path) -> None:
    evil = '<script>alert("x")</script>'
    board = build([fake_run(tmp_path, "evil", "single", [True], agent=evil, models=(evil,))])
    page = render(board, "html")
    assert "<script>" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


MARKDOWN_ATTACKS = ['<img src=x onerror=alert(1)>', "a\n\n<script>alert(1)</script>", "a|b", "ends\\",
                    "x\r\n| fake | row |", "&lt;already escaped&gt;"]


@pytest.mark.parametrize("evil", MARKDOWN_ATTACKS)
def test_markdown_cells_hold_no_raw_html_and_keep_the_table_shape(tmp_path: Path, evil: str) -> None:
    board = build([fake_run(tmp_path, "evil", "single", [True], agent=evil, models=(evil,))])
    lines = render(board, "md").splitlines()
    assert len(lines) == 3  # header, rule, one row: no line break escaped the table
    assert "<" not in "".join(lines)
    columns = len(lines[0].split(" | "))
    assert len(lines[2].replace("\\\\", "").replace("\\|", "").split(" | ")) == columns
    assert evil.replace("\r\n", " ").replace("\n", " ").replace("&", "&amp;").replace("<", "&lt;").replace(
        ">", "&gt;").replace("\\", "\\\\").replace("|", "\\|") in lines[2]


@pytest.mark.parametrize("evil", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(tmp_path: Path, evil: str) -> None:
    board = build([fake_run(tmp_path, evil.strip(), "single", [True], agent=evil, models=(evil,))])
    [row] = csv.DictReader(io.StringIO(render(board, "csv"), newline=""))
    assert row["agent"] == "'" + evil and row["models"] == "'" + evil
    assert row["overall_rate"] == "100.0"  # numbers are left as they are


def test_a_run_whose_process_died_shows_as_interrupted(tmp_path: Path) -> None:
    run = fake_run(tmp_path, "killed", "single", [True])
    manifest = json.loads((run / "run.json").read_text())
    manifest.update(status="running", process={"host": socket.gethostname(), "pid": 2 ** 22 + 1, "start_ticks": 1})
    (run / "run.json").write_text(json.dumps(manifest))
    [entry] = build([run])["entries"]
    assert entry["status"] == "interrupted" and "ended without recording an end" in entry["status_reason"]


def test_unfinished_runs_are_marked_and_sorted_last(tmp_path: Path) -> None:
    runs = [fake_run(tmp_path, "done", "single", [False, False]), fake_run(tmp_path, "stopped", "single", [True, True], status="failed")]
    board = build(runs)
    assert [e["run"] for e in board["entries"]] == ["done", "stopped"]  # 100% but unfinished: after 0% finished
    lines = table(board).splitlines()
    assert "| finished | 2 |" in lines[2] and "| unfinished: failed | 2 |" in lines[3]


def test_tiny_samples_say_how_small_they_are(tmp_path: Path) -> None:
    small = table(build([fake_run(tmp_path, "small", "single", [False, False])]))
    assert "0.0 [-5,5] n=2" in small
    big = table(build([fake_run(tmp_path / "b", "big", "single", [True] * 40)]))
    assert "100.0 [95,105] |" in big and "n=40" not in big


def test_pairs_follow_run_folders_when_run_names_repeat(tmp_path: Path) -> None:
    """Two output folders hold runs of the same names; each single pairs with the multi of its own folder."""
    runs = [fake_run(tmp_path / "a", "single-run", "single", [False] * 4), fake_run(tmp_path / "a", "multi-run", "multi", [True] * 4),
            fake_run(tmp_path / "b", "single-run", "single", [True] * 4, models=("m2",)),
            fake_run(tmp_path / "b", "multi-run", "multi", [True] * 4, models=("m2",))]
    board = build(runs)
    diffs = {(Path(p["single_dir"]).parent.name, Path(p["multi_dir"]).parent.name): p["difference"]["diff"] for p in board["pairs"]}
    assert diffs == {("a", "a"): 100.0, ("b", "b"): 0.0}
    with pytest.raises(ValueError, match="2 runs have that name"):
        build(runs, [("single-run", str(runs[3]))])
    [explicit] = build(runs[:1] + runs[3:], [(str(runs[0]), str(runs[3]))])["pairs"]
    assert (explicit["single_dir"], explicit["multi_dir"]) == (str(runs[0]), str(runs[3]))


def _cli(*argv: str) -> int:
    return main(["leaderboard", *argv])


def test_command_reads_a_folder_of_runs_and_writes_a_format(runs: list[Path], tmp_path: Path, capsys) -> None:
    out = tmp_path / "board.csv"
    assert _cli(str(tmp_path), "--format", "csv", "--out", str(out)) == 0
    assert out.read_text().count("\n") == 4
    assert _cli(str(runs[0]), str(runs[1])) == 0
    assert "| single |" in capsys.readouterr().out
    assert _cli(str(tmp_path / "nothing")) == 2
    assert "not a run folder" in capsys.readouterr().err
    assert _cli(str(tmp_path), "--pair", "single") == 2
