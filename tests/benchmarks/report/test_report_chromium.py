"""The report in headless Chromium (Debian's `chromium`): the DOM after the page's script has run, for views
opened through the URL fragment (as a click on a trajectory row sets it): leaderboard rows, the filtered
list, an opened trajectory with its hostile text shown as text, a DFSDT tree, and no injected element.

Without Chromium the test skips, except where UMI_EVAL_REQUIRE_CHROMIUM is set (CI), where it fails."""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from benchmarks.leaderboard import run_dirs
from benchmarks.report import write_report
from tests.helpers.report_runs import HOSTILE, RUNS

pytestmark = pytest.mark.slow

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list["Element | str"] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def find_all(self, tag: str, **attrs: str) -> list["Element"]:
        found = []
        for child in self.children:
            if isinstance(child, Element):
                if child.tag == tag and all(child.attrs.get(k.rstrip("_")) == v for k, v in attrs.items()):
                    found.append(child)
                found += child.find_all(tag, **attrs)
        return found

    def find(self, tag: str, **attrs: str) -> "Element":
        [one] = self.find_all(tag, **attrs)
        return one


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag):
        while len(self.stack) > 1 and self.stack.pop().tag != tag:
            pass

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(dom: str) -> Element:
    builder = _Builder()
    builder.feed(dom)
    return builder.root


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("UMI_EVAL_REQUIRE_CHROMIUM"):
            pytest.fail("chromium is not installed, and UMI_EVAL_REQUIRE_CHROMIUM is set (CI installs it: .ci/run)")
        pytest.skip("chromium (Debian package `chromium`) is not installed; the report's DOM test needs it")
    return path


@pytest.fixture(scope="module")
def index(report_runs: Path, tmp_path_factory) -> Path:
    return write_report(run_dirs([str(report_runs)]), tmp_path_factory.mktemp("report"))


def dom(chromium: str, index: Path, fragment: str, profile: Path) -> Element:
    """The page's DOM once loaded, with `fragment` as its URL fragment."""
    done = subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", f"{index.as_uri()}#{fragment}"],
                          capture_output=True, text=True, timeout=120, check=True)
    return parse(done.stdout)


def keys(root: Element) -> dict[str, str]:
    """Run label -> page key, from the run filter's options."""
    return {o.text(): o.attrs["value"] for o in root.find("select", id="filter-run").find_all("option") if o.attrs["value"]}


def listed(root: Element) -> list[str]:
    return [row.attrs["data-traj"] for row in root.find("table", id="traj-list").find("tbody").find_all("tr")]


def test_leaderboard_and_an_opened_trajectory_with_its_text_as_text(chromium, index, tmp_path):
    first = dom(chromium, index, "", tmp_path / "profile")
    run = keys(first)
    opened = f"{run['single']}-0"
    root = dom(chromium, index, f"run={run['single']}&traj={opened}", tmp_path / "profile")
    assert len(root.find("table", id="leaderboard-table").find_all("tr", **{"data-run": run["oracle"]})) == 1
    assert len(root.find("table", id="leaderboard-table").find("tbody").find_all("tr")) == len(RUNS)
    assert listed(root) == [f"{run['single']}-{i}" for i in range(6)]  # the run filter, applied by the script
    assert root.find("tr", **{"data-traj": opened}).attrs.get("class") == "open"
    detail = root.find("div", id="traj-detail")
    assert detail.find("h3").text().startswith("G1_instruction/")
    shown = [pre.text() for pre in detail.find_all("pre")]
    assert any(HOSTILE.replace("\u2028", "") in text.replace("\u2028", "") for text in shown)  # markup shown as text
    assert len(detail.find("table").find_all("tr")) == 2  # the header and the one tool call
    facts = [dt.text() for dt in detail.find("dl").find_all("dt")]
    assert facts[facts.index("final answer") + 1] == "gold facts (a right answer states each)"
    assert_nothing_injected(root)


def test_a_multi_llm_trajectory_names_its_planner(chromium, index, tmp_path):
    run = keys(dom(chromium, index, "", tmp_path / "profile"))
    detail = dom(chromium, index, f"traj={run['multi']}-0", tmp_path / "profile").find("div", id="traj-detail")
    roles = [span.text() for span in detail.find_all("span", class_="role")]
    assert "planner" in roles and "assistant" not in roles


def test_filters_and_a_dfsdt_tree(chromium, index, tmp_path):
    run = keys(dom(chromium, index, "", tmp_path / "profile"))
    passed = dom(chromium, index, "verdict=passed", tmp_path / "profile")
    assert listed(passed) and all(key.startswith(f"{run['oracle']}-") for key in listed(passed))
    root = dom(chromium, index, f"traj={run['dfs']}-0", tmp_path / "profile")
    tree = root.find("div", id="traj-detail").find_all("ul", class_="tree")[0]
    types = [span.text() for span in tree.find_all("span", class_="node-type")]
    assert types[:4] == ["query", "Thought", "Action", "Action Input"]  # root, then one round, nested
    assert len(tree.find_all("ul", class_="tree")) >= 3
    assert_nothing_injected(root)


def test_why_filter_by_category_and_two_runs_side_by_side(chromium, index, tmp_path):
    run = keys(dom(chromium, index, "", tmp_path / "profile"))
    filtered = dom(chromium, index, "category=missing_required_argument", tmp_path / "profile")
    assert len(listed(filtered)) == 18 and not [k for k in listed(filtered) if k.startswith(f"{run['oracle']}-")]
    assert len(filtered.find("table", id="why-table").find("tbody").find_all("tr")) == 3
    opened = dom(chromium, index, f"traj={run['single']}-0", tmp_path / "profile")
    detail = opened.find("div", id="traj-detail")
    assert detail.find("ul", class_="step-errors").find_all("li")[0].text().startswith("step 1: missing_required_argument (backbone)")
    assert len(detail.find_all("a", class_="side-link")) == 3  # the same task in the three other runs
    pair = f"{run['single']}-0,{run['oracle']}-0"
    side = dom(chromium, index, f"side={pair}", tmp_path / "profile").find("div", id="side-by-side")
    assert side.find("p", class_="divergence").text() == "They diverge at step 1 (backbone)."
    columns = side.find_all("div", class_="side-col")
    assert len(columns) == 2
    for column in columns:
        marked = column.find_all("li", class_="diverged")
        assert marked and {li.attrs["data-step"] for li in marked} == {"1"}
    assert any(HOSTILE.replace("\u2028", "") in pre.text().replace("\u2028", "") for pre in columns[0].find_all("pre"))
    assert_nothing_injected(dom(chromium, index, f"side={pair}", tmp_path / "profile"))


def assert_nothing_injected(root: Element) -> None:
    scripts = root.find_all("script")
    assert [s.attrs.get("type") for s in scripts] == ["application/json", None]  # the page's data, the page's code
    assert not [img for img in root.find_all("img") if img.attrs.get("src") == "x"]
    assert root.find("title").text() == "umi-eval report"  # the hostile onerror would have renamed it
