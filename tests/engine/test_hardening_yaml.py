"""Configuration YAML read safely (issue 13, item 11): alias bombs, recursive aliases, deep nesting and
Python tags are refused with a message naming the file; ordinary anchors still work."""
from __future__ import annotations

import time

import pytest

from engine.config.safe_yaml import MAX_EXPANDED_SIZE, YamlFileError, load_yaml
from tests.helpers.hostile import alias_bomb


@pytest.mark.parametrize("text, message", [
    (alias_bomb(), "expands to more than 1,000,000 characters and nodes"),
    (alias_bomb(levels=30, width=2), "expands to more than"),
    ("a: &a [1, *a]\n", "recursive alias at line 1"),
    ("a: &a {b: {c: *a}}\n", "recursive alias"),
    ("[" * 20_000 + "]" * 20_000, "nested deeper than 100 levels"),
    ("a:\n" + "".join(f"{' ' * i}b:\n" for i in range(1, 150)) + " " * 150 + "c\n", "nested deeper than 100"),
    ("!!python/object/apply:os.system ['echo pwned']\n", "not valid YAML: could not determine a constructor"),
    ("a: [\n", "not valid YAML"),
    ("a: 1\n---\nb: 2\n", "not valid YAML: expected a single document"),
    ("\x0c", "not valid YAML: unacceptable character"),  # found by the property test
    ("a: 2020-13-45\n", "a value cannot be read"),
])
def test_unsafe_or_broken_yaml_is_refused_quickly_naming_the_file(text: str, message: str) -> None:
    start = time.perf_counter()
    with pytest.raises(YamlFileError, match=message) as err:
        load_yaml(text, "conf/agent.yaml")
    assert str(err.value).startswith("conf/agent.yaml: ")
    assert time.perf_counter() - start < 60  # a guard against the unbounded expansion (84 s and 1.2 GB before), not a speed figure


def test_ordinary_anchors_and_merge_keys_still_work() -> None:
    text = ("base: &base {backend: hf, dtype: fp32}\nplanner: {<<: *base, model: p}\ncaller: *base\n"
            "seeds: &s [0, 1]\nagain: *s\n")
    doc = load_yaml(text, "a.yaml")
    assert doc["planner"] == {"backend": "hf", "dtype": "fp32", "model": "p"} and doc["caller"]["backend"] == "hf"
    assert doc["again"] == [0, 1]
    assert load_yaml("", "empty.yaml") is None


def test_the_bound_counts_repetitions_not_distinct_nodes() -> None:
    """Just under the bound passes; one repetition more does not."""
    scalar = "x" * 999  # 1,000 units per scalar node (999 characters + the node)
    per_list = MAX_EXPANDED_SIZE // 1000 - 2  # leaves room for the list and mapping nodes
    fits = f"a: &a {scalar}\nb: [" + ", ".join(["*a"] * per_list) + "]\n"
    assert len(load_yaml(fits, "f.yaml")["b"]) == per_list
    with pytest.raises(YamlFileError, match="expands"):
        load_yaml(fits.replace("]\n", ", *a, *a, *a]\n"), "f.yaml")


def test_a_library_patching_the_shared_safe_loader_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """lm-format-enforcer (imported with vLLM) makes every SafeLoader read timestamps as strings; a
    configuration file reads the same whether or not it was imported first."""
    import yaml
    table = yaml.SafeLoader.yaml_constructors
    monkeypatch.setitem(table, "tag:yaml.org,2002:timestamp", table["tag:yaml.org,2002:str"])
    assert str(load_yaml("a: 2020-01-02\n", "a.yaml")["a"]) == "2020-01-02"
    assert type(load_yaml("a: 2020-01-02\n", "a.yaml")["a"]).__name__ == "date"
    with pytest.raises(YamlFileError, match="a value cannot be read"):
        load_yaml("a: 2020-13-45\n", "a.yaml")
