"""Property-based checks (Hypothesis) of what issue 13's hardening touched: the verified-answer rule, the
simulator's argument parsing and keys, the records writer, the openai reply reader, leaderboard cells,
the YAML loader and cache names. Each holds for every input Hypothesis tries, not only the listed cases."""
from __future__ import annotations

import json
import os
import string

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="property tests need hypothesis (the test extra)")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from benchmarks.leaderboard import csv_cell  # noqa: E402
from benchmarks.results.markdown import markdown_cell  # noqa: E402
from benchmarks.scoring.verified import states, tokens  # noqa: E402
from engine.backends.openai import OpenAIBackend  # noqa: E402
from engine.backends.openai_http import EndpointSettings, MalformedReply  # noqa: E402
from benchmarks.results.files import dumps  # noqa: E402
from engine.config.safe_yaml import YamlFileError, load_yaml  # noqa: E402
from tools_sim.keys import MAX_ARGUMENT_DEPTH, canonical_key, parse_key, too_deep, upstream_key  # noqa: E402
from benchmarks.core.naming import MAX_NAME_BYTES  # noqa: E402
from tools_sim.layout import safe_part  # noqa: E402
from tools_sim.simulator import parse_arguments  # noqa: E402

ANY_CHAR = st.integers(0, 0x10FFFF).map(chr)  # surrogates included: model text can hold them
ANY_TEXT = st.lists(ANY_CHAR, max_size=40).map("".join)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                           max_leaves=30)
PROPERTY = settings(deadline=None)  # how many inputs: the profile tests/conftest.py loads


def _depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


# verified answers ----------------------------------------------------------------------------------------

@PROPERTY
@given(ANY_TEXT, ANY_TEXT)
def test_states_never_raises(answer: str, fact: str) -> None:
    assert states(answer, fact) in (True, False)


@PROPERTY
@given(st.text(min_size=1))
def test_a_text_states_itself(text: str) -> None:
    assert states(text, text) == bool(tokens(text))


@PROPERTY
@given(st.integers(0, 10**40), st.text("0123456789", max_size=20), st.integers(0, 5), st.integers(0, 5))
def test_zeros_and_separators_do_not_change_a_number(whole: int, fraction: str, leading: int, trailing: int) -> None:
    plain = f"{whole}.{fraction}" if fraction else str(whole)
    padded = "0" * leading + (f"{whole:,}" if leading == 0 else str(whole)) + (
        "." + fraction + "0" * trailing if fraction or trailing else "")
    assert states(padded, plain) and states(plain, padded)


# simulator arguments and keys ------------------------------------------------------------------------------

@PROPERTY
@given(ANY_TEXT | st.builds(lambda n, body: "[" * n + body + "]" * n, st.integers(0, 3000), st.text(max_size=5)))
def test_parse_arguments_never_raises(text: str) -> None:
    arguments = parse_arguments(text)
    assert arguments is None or (isinstance(arguments, dict) and not too_deep(arguments))


@PROPERTY
@given(st.dictionaries(st.text(), JSON_VALUES, max_size=5))
def test_keys_of_parsed_arguments_never_raise_and_ignore_spelling(arguments: dict) -> None:
    parsed = parse_arguments(json.dumps(arguments))
    assert parsed == arguments
    key = canonical_key(parsed)
    assert canonical_key(dict(reversed(list(parsed.items())))) == key  # argument order does not matter
    assert parse_key(json.dumps(arguments)) == arguments
    upstream_key(parsed)


@PROPERTY
@given(st.integers(0, 400))
def test_nesting_is_refused_exactly_past_the_bound(depth: int) -> None:
    text = '{"a": ' + "[" * depth + "1" + "]" * depth + "}"
    value = json.loads(text)
    assert too_deep(value) == (_depth(value) > MAX_ARGUMENT_DEPTH)
    assert (parse_arguments(text) is None) == (depth + 1 > MAX_ARGUMENT_DEPTH)


@PROPERTY
@given(ANY_TEXT)
def test_cache_names_are_refused_or_fit_a_file_system(name: str) -> None:
    try:
        safe_part(name, ".json.tmp")
    except ValueError:
        return
    assert name not in ("", ".", "..") and not set(name) & {"/", "\\", "\0"}
    assert len(os.fsencode(name + ".json.tmp")) <= MAX_NAME_BYTES


# records -----------------------------------------------------------------------------------------------------

def _cleaned(text: str) -> str:
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


@PROPERTY
@given(st.dictionaries(st.text(), ANY_TEXT | st.lists(ANY_TEXT, max_size=3), max_size=4))
def test_any_model_text_is_written_as_valid_utf8_json(record: dict) -> None:
    back = json.loads(dumps(record).decode("utf-8"))
    assert back.keys() == record.keys()
    for key, value in record.items():
        assert back[key] == (_cleaned(value) if isinstance(value, str) else [_cleaned(v) for v in value])


# openai replies ------------------------------------------------------------------------------------------

READER = OpenAIBackend(EndpointSettings(model="m", base_url="http://127.0.0.1:9"))


@PROPERTY
@given(JSON_VALUES | st.dictionaries(st.sampled_from(["choices", "usage", "model"]), JSON_VALUES, max_size=3)
       | st.builds(lambda c, u: {"choices": c, "usage": u},
                   st.lists(st.dictionaries(st.sampled_from(["message", "text", "finish_reason"]), JSON_VALUES,
                                            max_size=3), max_size=2),
                   JSON_VALUES | st.dictionaries(st.sampled_from(["prompt_tokens", "completion_tokens"]), JSON_VALUES)))
def test_the_reply_reader_returns_typed_parts_or_refuses(reply: object) -> None:
    try:
        read = READER.read_reply(reply)
    except MalformedReply:
        return
    assert isinstance(read.text, str) and read.finish_reason in ("stop", "length")
    for count in (read.prompt_tokens, read.completion_tokens):
        assert isinstance(count, int) and not isinstance(count, bool) and count >= 0


@PROPERTY
@given(st.text(), st.integers(0, 10**6), st.integers(0, 10**6), st.sampled_from(["stop", "length", None]))
def test_a_valid_reply_reads_back(text: str, prompt: int, completion: int, finish: str | None) -> None:
    reply = {"choices": [{"message": {"role": "assistant", "content": text}, "finish_reason": finish}],
             "usage": {"prompt_tokens": prompt, "completion_tokens": completion}}
    read = READER.read_reply(json.loads(json.dumps(reply)))
    assert (read.text, read.prompt_tokens, read.completion_tokens) == (text, prompt, completion)
    assert read.finish_reason == ("length" if finish == "length" else "stop")


# leaderboard cells ---------------------------------------------------------------------------------------

@PROPERTY
@given(st.text())
def test_a_markdown_cell_is_one_literal_cell(text: str) -> None:
    cell = markdown_cell(text)
    assert not set(cell) & {"<", ">", "\n", "\r"} and len(cell.splitlines()) <= 1
    unescaped = cell.replace("\\\\", "").replace("\\|", "")
    assert "|" not in unescaped and not unescaped.endswith("\\")


@PROPERTY
@given(st.text() | st.integers() | st.floats() | st.none())
def test_a_csv_cell_never_starts_a_formula(value: object) -> None:
    cell = csv_cell(value)
    if isinstance(value, str):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) and cell.endswith(value)
    else:
        assert cell is value


# YAML -------------------------------------------------------------------------------------------------

YAML_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(string.ascii_letters + " -_:'\"#&*!"),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(string.ascii_letters, min_size=1), inner, max_size=4),
                           max_leaves=30)


@PROPERTY
@given(YAML_VALUES)
def test_yaml_documents_round_trip(doc: object) -> None:
    import yaml
    assert load_yaml(yaml.safe_dump(doc), "f.yaml") == doc


@PROPERTY
@given(st.text(string.printable + "&*[]{}!|>-:", max_size=200))
def test_any_yaml_text_loads_or_is_refused_naming_the_file(text: str) -> None:
    try:
        load_yaml(text, "conf/f.yaml")
    except YamlFileError as exc:
        assert str(exc).startswith("conf/f.yaml: ")


# issue 21: names that reach paths, record and checkpoint shapes, file shapes, seeds -------------------------------

from benchmarks.core.naming import path_part  # noqa: E402
from benchmarks.core.values import MAX_SEED, seed_problem  # noqa: E402
from benchmarks.results.shapes import problem  # noqa: E402
from benchmarks.results.trajectories import record_problem  # noqa: E402
from benchmarks.results.metrics_file import SHAPE as METRICS_SHAPE  # noqa: E402
from benchmarks.results.scores import SHAPE as SCORES_SHAPE  # noqa: E402
from benchmarks.results.manifest import SHAPE as RUN_SHAPE  # noqa: E402
from engine.runner.checkpoint import _entry, read_journals  # noqa: E402

NAME_PARTS = ANY_TEXT | st.sampled_from(["..", ".", "", "/", "../../X", "/abs", "a\\b", "a\x00b", "G1_instruction", "588"])


@PROPERTY
@given(NAME_PARTS)
def test_a_name_is_kept_as_one_path_component_or_refused(name: str) -> None:
    from pathlib import PurePosixPath
    try:
        kept = path_part(name, "group", "_DFS_woFilter_w2.json")
    except ValueError as exc:
        assert str(exc).startswith("unsafe name: group")
        return
    assert kept == name and PurePosixPath("out", kept).parent == PurePosixPath("out")  # never leaves its folder
    assert PurePosixPath("out", kept).name == name


@PROPERTY
@given(JSON_VALUES | st.dictionaries(st.sampled_from(["task_key", "group", "query_id", "agent", "seed", "status", "tries",
                                                        "turns", "calls", "usage", "started_at", "finished_at", "steps",
                                                        "final_answer", "error"]), JSON_VALUES, max_size=15))
def test_a_record_check_never_raises_and_only_passes_what_readers_can_use(record: object) -> None:
    found = record_problem(record)
    if found is None:
        assert isinstance(record, dict) and record["status"] in ("answered", "gave_up", "max_steps", "failed")
        hash((record["task_key"], record["agent"], record["seed"]))  # a resume's key
        sum(u.get("completion_tokens", 0) for u in record["usage"].values() if isinstance(u.get("completion_tokens", 0), int))
    else:
        assert isinstance(found, str) and found


@PROPERTY
@given(JSON_VALUES | st.dictionaries(st.sampled_from(["key", "run", "tries", "started_at", "from", "events"]),
                                     JSON_VALUES | st.lists(JSON_VALUES, max_size=3), max_size=6))
def test_a_checkpoint_line_is_read_or_skipped_never_raises(line: object) -> None:
    entry = _entry(line)
    if entry is not None:
        key, tries, started_at, start, events = entry
        hash(key)
        assert tries >= 1 and start >= 0 and started_at >= 0 and all(e[0] in ("r", "o") for e in events)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=60) | JSON_VALUES.map(lambda v: json.dumps(v).encode()), max_size=6))
def test_any_checkpoint_file_reads_without_raising(tmp_path_factory, lines: list[bytes]) -> None:
    import warnings
    path = tmp_path_factory.mktemp("cp") / "checkpoint.jsonl"
    path.write_bytes(b"\n".join(lines))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        read_journals(path, "run")


@PROPERTY
@given(JSON_VALUES, st.sampled_from([RUN_SHAPE, SCORES_SHAPE, METRICS_SHAPE]))
def test_a_shape_check_never_raises_and_names_a_field(value: object, shape: dict) -> None:
    found = problem(value, shape)
    assert found is None or found.startswith("field ")


@PROPERTY
@given(st.integers(-2 ** 70, 2 ** 70) | st.booleans() | st.floats() | st.text(max_size=3))
def test_a_seed_is_accepted_exactly_in_its_range(seed: object) -> None:
    ok = seed_problem("--seed", seed) is None
    assert ok == (isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed <= MAX_SEED)
