"""The HTML report, read as a file: leaderboard rows, plots (PNG files and the same images in the page),
trajectories as inert JSON, model text and run names escaped, pairs by folder."""
from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

import run_eval
from benchmarks.leaderboard import run_dirs
from benchmarks.report import write_report
from benchmarks.report.gather import gather, labels, pairs
from benchmarks.results.trajectories import latest_records
from tests.helpers.report_runs import HOSTILE, RUNS
from tests.helpers.run_folders import MODEL, fake_run

PLOTS = ("leaderboard", "pairs", "roles", "timeline", "why")


def data_block(text: str) -> dict:
    [block] = re.findall(r'<script type="application/json" id="report-data">(.*?)</script>', text, re.S)
    return json.loads(block)


def section(text: str, name: str) -> str:
    return re.search(f'<section id="{name}">(.*?)</section>', text, re.S).group(1)


@pytest.fixture(scope="module")
def report(report_runs: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report")
    assert run_eval.main(["report", str(report_runs), "--out", str(out)]) == 0
    return out / "index.html"


def test_leaderboard_rows_in_rate_order(report: Path) -> None:
    board = section(report.read_text(), "leaderboard")
    rows = re.findall(r'<tr data-run="(r\d+)"><td>([^<]*)</td>', board)
    assert len(rows) == len(RUNS)
    assert rows[0][1] == "oracle"  # 100%, the others 0%
    assert sorted(label for _, label in rows) == sorted(RUNS)


def test_plots_are_png_files_and_the_same_images_in_the_page(report: Path) -> None:
    text = report.read_text()
    for name in PLOTS:
        png = (report.parent / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        [embedded] = re.findall(f'id="plot-{name}"[^>]*src="data:image/png;base64,([^"]+)"', text)
        assert base64.b64decode(embedded) == png


def test_model_text_is_escaped_and_the_data_is_inert(report: Path, report_runs: Path) -> None:
    text = report.read_text()
    assert len(re.findall("<script", text, re.I)) == len(re.findall("</script", text, re.I)) == 2  # the page's own
    assert HOSTILE not in text and "<img src=x" not in text.lower() and "\u2028" not in text
    data = data_block(text)
    answers = {(t["run"], t["task"]): t["answer"] for t in data["trajectories"]}
    key = {r["label"]: r["key"] for r in data["runs"]}
    records = latest_records(report_runs / "single" / "trajectories.jsonl").values()
    assert {answers[key["single"], r["task_key"]] for r in records} == {r["final_answer"] for r in records}
    assert any("<script>alert(1)</script></script><img src=x" in a for a in answers.values())  # it was there to escape
    thoughts = [c["thought"] for t in data["trajectories"] for c in t["calls"]]
    assert any(HOSTILE in thought for thought in thoughts)


def test_every_trajectory_with_its_verdict_and_dfsdt_trees(report: Path, report_runs: Path) -> None:
    data = data_block(report.read_text())
    key = {r["label"]: r["key"] for r in data["runs"]}
    by_run = {k: [t for t in data["trajectories"] if t["run"] == k] for k in key.values()}
    for name in RUNS:
        assert len(by_run[key[name]]) == len(latest_records(report_runs / name / "trajectories.jsonl"))
    assert {t["verdict"] for t in by_run[key["oracle"]]} == {"passed"}
    trees = [t["tree"] for t in by_run[key["dfs"]]]
    assert all(trees) and not any(t["tree"] for t in by_run[key["single"]])
    root = trees[0]
    assert root["type"] == "query" and root["children"][0]["type"] == "Thought"  # not upstream's "Action Input"


def test_the_browser_carries_at_most_max_trajectories_per_run(report_runs: Path, tmp_path: Path) -> None:
    text = write_report(run_dirs([str(report_runs)]), tmp_path, max_trajectories=2).read_text()
    assert len(data_block(text)["trajectories"]) == 2 * len(RUNS)
    assert "the first 2 of 6 trajectories are shown" in text


def test_runs_are_paired_by_folder_when_names_repeat(tmp_path: Path) -> None:
    folders = [fake_run(tmp_path / "a", "single", "single", [True, False, False, False]),
               fake_run(tmp_path / "b", "single", "single", [False, False, False, False]),
               fake_run(tmp_path / "c", "multi", "multi", [True, True, True, True], models=(MODEL, "x"))]
    found = {(p["single"].label, p["multi"].label): p["difference"]["diff"] for p in pairs(gather(folders))}
    assert found == {("a/single", "multi"): 75.0, ("b/single", "multi"): 100.0}


def test_labels_are_unique() -> None:
    folders = [Path("x/a/run"), Path("y/a/run"), Path("z/b/run"), Path("other")]
    assert labels(folders, ["run", "run", "run", "other"]) == ["a/run #0", "a/run #1", "b/run", "other"]


def test_hostile_run_and_agent_names(tmp_path: Path) -> None:
    """Names from run.json are escaped in the page and printed literally in the plots ($ is mathtext there)."""
    folder = fake_run(tmp_path, "rate $\\frac{1$", "single", [True, False], agent="<script>alert(2)</script>")
    text = write_report([folder], tmp_path / "out").read_text()
    assert "<script>alert(2)" not in text and "&lt;script&gt;alert(2)&lt;/script&gt;" in text
    assert (tmp_path / "out" / "leaderboard.png").is_file()


def test_unfinished_runs_come_last_and_are_marked(tmp_path: Path) -> None:
    stopped = fake_run(tmp_path, "stopped", "single", [True, True])
    manifest = json.loads((stopped / "run.json").read_text())
    (stopped / "run.json").write_text(json.dumps({**manifest, "status": "interrupted", "reason": "signal"}))
    done = fake_run(tmp_path, "done", "single", [False, True])
    board = section(write_report([stopped, done], tmp_path / "out").read_text(), "leaderboard")
    assert re.findall(r'<tr data-run="(r\d+)"( class="unfinished")?>', board) == [("r1", ""), ("r0", ' class="unfinished"')]


def test_why_it_failed_section_and_the_browser_data(report: Path) -> None:
    text = report.read_text()
    rows = re.findall(r'<tr data-run="(r\d+)" data-category="([a-z_]+)"><td>([^<]*)</td><td>([^<]*)</td><td>[^<]*</td><td>(\d+)</td>',
                      section(text, "why"))
    assert sorted((label, role, category, n) for _, category, label, role, n in rows) == [
        ("dfs", "backbone", "missing_required_argument", "6"), ("multi", "caller", "missing_required_argument", "6"),
        ("single", "backbone", "missing_required_argument", "6")]  # the oracle made no error
    data = data_block(text)
    by_run = {r["label"]: r["key"] for r in data["runs"]}
    single = next(t for t in data["trajectories"] if t["run"] == by_run["single"] and t["task"] == "G1_instruction/0")
    oracle = next(t for t in data["trajectories"] if t["run"] == by_run["oracle"] and t["task"] == "G1_instruction/0")
    assert single["first_error"] == {"category": "missing_required_argument", "role": "backbone", "detail": "league, season",
                                     "step": 1}
    assert "tool_error" in single["categories"] and oracle["categories"] == []
    assert single["turn_steps"][:3] == [1, 1, 1] and single["turn_steps"][3] == 2  # query, call, observation, answer
    assert data["divergences"][f"{single['id']}|{oracle['id']}"] == {"step": 1, "role": "backbone"}
    assert data["divergences"][f"{oracle['id']}|{single['id']}"] == {"step": 1, "role": "oracle"}


def test_table_1_from_static_reports_sits_below_the_leaderboard(report_runs: Path, tmp_path: Path) -> None:
    static = tmp_path / "static__alpha-umi__gold"
    static.mkdir()
    metrics = {"n": {"samples": 17}, "plan_acc": 70.58, "act_em": 27.3, "hallu": 0.0, "arg_f1": None, "rouge_l": 6.5}
    (static / "static.json").write_text(json.dumps({"agent": {"name": "alpha-umi", "kind": "multi"}, "metrics": metrics}))
    assert run_eval.main(["report", str(report_runs), str(static), "--out", str(tmp_path / "out")]) == 0
    text = (tmp_path / "out" / "index.html").read_text()
    assert text.index('<section id="leaderboard">') < text.index('<section id="static">') < text.index('<section id="pairs">')
    assert re.findall(r"<td>([^<]*)</td>", section(text, "static")) == ["alpha-umi", "multi", "17", "70.6", "27.3", "0.0", "-", "6.5"]
    assert '<a href="#static">static</a>' in text


def test_the_overall_rate_stands_beside_the_run_name(report: Path) -> None:
    heads = re.findall(r"<th>([^<]*)</th>", section(report.read_text(), "leaderboard"))
    assert heads[:3] == ["run", "overall [95% CI]", "n"]
    assert "answered % of queries" in heads and "invalid % of tool calls" in heads


def test_a_trajectory_names_the_planner_shows_the_gold_and_no_blank_call(report: Path) -> None:
    data = data_block(report.read_text())
    key = {r["label"]: r["key"] for r in data["runs"]}
    multi = [t for t in data["trajectories"] if t["run"] == key["multi"]]
    assert {role for t in multi for role, _ in t["turns"]} >= {"planner", "caller"}
    assert "assistant" not in {role for t in multi for role, _ in t["turns"]}
    assert all(t["gold"] for t in data["trajectories"])  # the embedded benchmark's facts, beside the answer
    assert all(c["name"] and c["arguments"] for t in data["trajectories"] for c in t["calls"])


def test_repeated_lines_are_collapsed() -> None:
    from benchmarks.report.page import collapse_repeats

    assert collapse_repeats("a\nb\nb\nb\nc") == "a\nb\n[the line above 2 more times]\nc"
    assert collapse_repeats("a\nb\na") == "a\nb\na"
