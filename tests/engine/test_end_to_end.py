"""End to end with the scripted backend on StableToolBench's 3 example queries: every output file."""
from __future__ import annotations

import json

import pytest

import run_eval
from benchmarks.core.schemas import function_schemas
from benchmarks.loading import load_benchmark
from engine.config.presets import PRESETS

AGENTS = ["alpha-umi", "alpha-umi-backbone", "toolllama", "chat-single", "chat-multi"]


@pytest.fixture(scope="module")
def example_dir(shared_data):
    return shared_data / "stabletoolbench" / "solvable_queries_example"


def _run(example_dir, out, agent, *extra):
    argv = ["run", "--agent", agent, "--benchmark", str(example_dir), "--backend", "scripted",
            "--model", "call-once-then-answer", "--executor", "local", "--out", str(out), "--no-progress", *extra]
    assert run_eval.main(argv) == 0
    return out / f"{agent}__solvable_queries_example__seed0"


@pytest.mark.parametrize("agent", AGENTS)
def test_every_agent_calls_once_then_answers(example_dir, tmp_path, agent):
    run_dir = _run(example_dir, tmp_path, agent)
    records = [json.loads(line) for line in (run_dir / "trajectories.jsonl").read_text().splitlines()]
    assert sorted(r["query_id"] for r in records) == ["1073", "588", "608"]
    for record in records:
        assert record["status"] == "answered", record
        assert record["final_answer"] == "Here is the answer from the API."
        assert len(record["calls"]) == 1 and record["calls"][0]["status"] == 0
        assert record["calls"][0]["source"] == "synthesized"
        assert record["parse_failures"] == 0
        if agent in ("alpha-umi", "chat-multi"):  # the thought recorded with a call is the plan
            assert record["calls"][0]["thought"].startswith("I should call ")
        if agent == "toolllama":  # the step's own thought, with the call and with Finish
            assert (record["calls"][0]["thought"], record["finish_thought"]) == ("call it.", "done.")
    roles = set(PRESETS[agent].roles)
    assert set(records[0]["usage"]) == roles


def test_output_files_of_a_multi_agent_run(example_dir, tmp_path):
    run_dir = _run(example_dir, tmp_path, "alpha-umi")
    manifest = json.loads((run_dir / "run.json").read_text())
    assert manifest["status"] == "finished" and manifest["seed"] == 0
    assert manifest["agent"]["name"] == "alpha-umi" and manifest["limits"]["max_steps"] == 4
    assert manifest["limits"]["max_depth"] == 12 and manifest["limits"]["planner_attempts"] == 5
    assert manifest["models"]["scripted:call-once-then-answer:bf16"]["backend"] == "scripted"
    assert any(name.endswith("G1_instruction.json") for name in manifest["benchmark"]["files"])
    assert manifest["versions"]["python"]

    metrics = json.loads((run_dir / "metrics.json").read_text())
    overall = metrics["overall"]
    assert overall["n"] == 3 and overall["answered_rate"] == 100.0 and overall["mean_steps"] == 1.0
    assert overall["invalid_call_rate"] == 0.0 and overall["tokens"]["planner"]["calls"] == 6
    assert metrics["speed"]["role_calls"] == 12 and metrics["speed"]["trajectories_this_invocation"] == 3
    assert "scripted:call-once-then-answer:bf16" in metrics["speed"]["actors"]

    text = (run_dir / "tooleval" / "G1_instruction.json").read_text()
    converted = json.loads(text)
    assert text == json.dumps(converted)  # written as upstream's converter writes
    records = [json.loads(line) for line in (run_dir / "trajectories.jsonl").read_text().splitlines()]
    assert all(c["thought"] and c["thought"] == c["thought"].strip() for r in records for c in r["calls"])
    tasks = {t.query_id: t for t in load_benchmark(str(example_dir)).tasks}
    assert set(converted) == set(tasks)
    for qid, answer in converted.items():
        assert answer["query"] == tasks[qid].query
        assert answer["available_tools"] == function_schemas(tasks[qid])
        final = json.loads(answer["answer"]["final_answer"])
        assert final == {"return_type": "give_answer", "final_answer": "Here is the answer from the API."}
        chain, node = [], answer["answer"]["answer_details"][0]
        while node:
            chain.append(node)
            node = node["next"][0] if node["next"] else None
        assert [n["role"] for n in chain] == ["system", "user", "tool", "tool"]  # thoughts dropped, as upstream
        assert chain[2]["message"]["name"] == tasks[qid].tools[0].function_name
        assert chain[-1]["message"]["name"] == "Finish"
        assert answer["answer"]["total_steps"] == len(chain)


def test_rerun_resumes_without_rewriting(example_dir, tmp_path):
    run_dir = _run(example_dir, tmp_path, "chat-multi", "--limit", "2")
    first = (run_dir / "trajectories.jsonl").read_bytes()
    _run(example_dir, tmp_path, "chat-multi", "--extend")  # more tasks: explicit
    after = (run_dir / "trajectories.jsonl").read_bytes()
    assert after.startswith(first) and after.count(b"\n") == 3
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["overall"]["n"] == 3 and metrics["speed"]["trajectories_this_invocation"] == 1


_TIMING = ("started_at", "finished_at")


def _untimed(run_dir):
    records = [json.loads(line) for line in (run_dir / "trajectories.jsonl").read_text().splitlines()]
    for record in records:
        for key in _TIMING:
            record.pop(key)
        for usage in record["usage"].values():
            usage.pop("latency_s")
    return records


def test_interrupted_then_resumed_equals_uninterrupted(example_dir, tmp_path):
    whole = _run(example_dir, tmp_path / "whole", "alpha-umi")
    resumed_dir = _run(example_dir, tmp_path / "resumed", "alpha-umi", "--limit", "1")
    with (resumed_dir / "trajectories.jsonl").open("ab") as handle:
        handle.write(b'{"task_key": "G1_instruction/608", "agent": "alpha-u')  # killed mid-write
    with pytest.warns(UserWarning, match="torn last line"):
        _run(example_dir, tmp_path / "resumed", "alpha-umi", "--extend")
    assert sorted(_untimed(resumed_dir), key=str) == sorted(_untimed(whole), key=str)
