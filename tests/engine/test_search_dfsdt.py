"""DFSDT (ToolBench's DFS_woFilter_w2) on hand-built scripted trees: order, prompts, limits, batching, files."""
from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path
from typing import Any, Callable

import pytest

from benchmarks.core.types import Task
from engine.backends.scripted import ScriptedBackend
from engine.execution.local import LocalExecutor
from engine.execution.placement import distinct_models
from engine.runner.run import Run, RunConfig
from engine.schedule import SCHEDULES
from engine.search import make_strategy
from engine.search.answer_files import answer_path, read_answer_file
from engine.search.dfsdt import DFSDT_LIMITS, DfsLimits
from engine.types import AgentSpec, RoleRequest
from tests.helpers.scheduling import scripted, untimed, weather_tasks
from tools_sim.cache import ResponseCache
from tools_sim.simulator import Simulator

CALL = 'Thought: look it up {path}\nAction: forecast_for_weather_api\nAction Input: {{"city_name": "c{path}"}}'
ANSWER = 'Thought: done\nAction: Finish\nAction Input: {{"return_type": "give_answer", "final_answer": "A{path}"}}'
GIVE_UP = 'Thought: stuck\nAction: Finish\nAction Input: {{"return_type": "give_up_and_restart"}}'
BAD_CALL = 'Thought: guess\nAction: no_such_function\nAction Input: {{}}'
REPLIES = {"call": CALL, "answer": ANSWER, "give_up": GIVE_UP, "bad_call": BAD_CALL}


def node_path(request: RoleRequest) -> str:
    """The tree position a request was asked from: `<node path>/<request index in the query>`."""
    return request.request_id.rsplit("|", 1)[1].split("/")[0]


class TreeScript:
    """Replies by node path (`default` elsewhere) and remembers the order in which paths were asked."""

    def __init__(self, plan: dict[str, str], default: str = "call") -> None:
        self.plan, self.default, self.asked, self.prompts = plan, default, [], {}

    def __call__(self, request: RoleRequest) -> str:
        path = node_path(request)
        self.asked.append(path)
        self.prompts[path] = request.prompt
        kind = self.plan.get(path, self.default)
        if kind == "raise":
            raise RuntimeError("backend down")
        return role_reply(request.role, kind, path)


PLANS = {"call": "Look it up. Next: caller.", "answer": "Done. Next: conclusion.", "give_up": "No. Next: give up.",
         "bad_call": "Guess. Next: caller."}


def role_reply(role: str, kind: str, path: str) -> str:
    """A single-LLM step, or alpha-UMi's role outputs for the same decision."""
    if role == "planner":
        return PLANS[kind]
    if role == "summarizer":
        return f"A{path}"
    return REPLIES["call" if role == "caller" and kind != "bad_call" else kind].format(path=path)


def agent_for(script: Callable[[RoleRequest], str], preset: str = "toolllama", batch_size: int = 64) -> AgentSpec:
    agent = scripted(preset, "embedded", batch_size=batch_size)
    roles = {role: dataclasses.replace(spec, model=f"custom{id(script)}") for role, spec in agent.roles.items()}
    return dataclasses.replace(agent, roles=roles)


def run_trees(script, tasks: list[Task], *, limits: DfsLimits = DFSDT_LIMITS, schedule: str = "lockstep",
              max_active: int | None = None, batch_size: int = 64, preset: str = "toolllama", batches: list | None = None):
    """Runs DFSDT trees with `script` behind every role; returns {task key: finished tree}. The sizes of the
    batches the actors ran are appended to `batches`."""
    agent = agent_for(script, preset, batch_size)
    strategy = make_strategy("dfsdt", limits)
    executor = LocalExecutor(distinct_models(agent.roles), backends={key: ScriptedBackend(script)
                                                                    for key in distinct_models(agent.roles)})
    scheduler = SCHEDULES.get(schedule)(strategy.agent(agent), executor, Simulator(ResponseCache()), max_active)
    done: dict[str, Any] = {}
    scheduler.run((strategy.start(t, agent, 0) for t in tasks), lambda tree: done.setdefault(tree.task.key, tree))
    if batches is not None:
        batches += [size for actor in scheduler.stats.actors.values() for size in actor.batch_sizes]
    return done


def one_tree(plan: dict[str, str], default: str = "call", **kwargs):
    script = TreeScript(plan, default)
    tree = run_trees(script, weather_tasks(1), **kwargs)["G1_instruction/0"]
    return tree, script


def shape(node, out=None) -> list[tuple]:
    """(node type, depth, pruned, finished, observation code, expand_num) in preorder."""
    out = [] if out is None else out
    out.append((node.node_type, node.depth, node.pruned, node.finished, node.observation_code, node.expand_num))
    for child in node.children:
        shape(child, out)
    return out


def test_answer_on_the_first_chain_stops_the_search():
    tree, script = one_tree({"0.0.0": "answer"})
    assert script.asked == ["0", "0.0", "0.0.0"]
    assert tree.trajectory.status == "answered" and tree.trajectory.final_answer == "A0.0.0"
    assert len(tree.trajectory.calls) == 2
    assert shape(tree.root) == [
        ("Action Input", 0, False, False, None, 0),
        ("Thought", 1, False, False, None, 0), ("Action", 2, False, False, None, 0),
        ("Action Input", 3, False, True, 0, 1),  # make_finish(2) reaches the third Action Input up
        ("Thought", 4, False, True, None, 0), ("Action", 5, False, True, None, 0),
        ("Action Input", 6, False, True, 0, 2),
        ("Thought", 7, False, True, None, 0), ("Action", 8, False, True, None, 0),
        ("Action Input", 9, False, True, 3, 3),
    ]
    figures = tree.trajectory.search
    assert (figures["model_queries"], figures["nodes_expanded"], figures["nodes"], figures["backtracks"]) == (3, 4, 10, 0)
    assert figures["answer_found"] and figures["chosen_depth"] == 9


def test_give_up_prunes_and_backtracks_two_levels():
    """A give-up under node 0 skips node 0's second child and goes on from the root's second slot."""
    tree, script = one_tree({"0.0": "give_up", "1": "answer"})
    assert script.asked == ["0", "0.0", "1"]
    give_up = tree.root.children[0].children[0].children[0].children[0].children[0].children[0]
    assert give_up.pruned and give_up.observation_code == 4 and give_up.depth == 6
    assert tree.trajectory.search["give_ups"] == 1 and tree.trajectory.search["backtracks"] == 1
    assert tree.trajectory.status == "answered"


def test_dead_end_backtracks_one_level_and_the_depth_limit_is_twelve_nodes():
    """Calls only: every chain stops at depth 12 (4 queries), each node gets 2 children: 2+4+8+16 queries."""
    tree, script = one_tree({})
    assert script.asked[:6] == ["0", "0.0", "0.0.0", "0.0.0.0", "0.0.0.1", "0.0.1"]
    assert len(script.asked) == 30 and len(set(script.asked)) == 30
    figures = tree.trajectory.search
    assert (figures["model_queries"], figures["nodes"], figures["max_depth"], figures["backtracks"]) == (30, 91, 12, 15)
    leaves = [n for n in shape(tree.root) if n[1] == 12]
    assert len(leaves) == 16 and all(pruned for _, _, pruned, *_ in leaves)
    assert tree.trajectory.status == "max_steps" and not figures["answer_found"]


def test_answer_backtracks_two_levels_when_more_answers_are_wanted():
    tree, script = one_tree({"0.0": "answer", "1": "answer"}, limits=DfsLimits(answer=2))
    assert script.asked == ["0", "0.0", "1"]
    assert tree.trajectory.final_answer == "A0.0"  # the first answer is the one reported, as upstream


def test_query_budget_ends_the_search_and_drops_the_last_reply():
    tree, script = one_tree({}, limits=DfsLimits(max_query_count=5))
    assert script.asked == ["0", "0.0", "0.0.0", "0.0.0.0", "0.0.0.1"]
    figures = tree.trajectory.search
    assert figures["model_queries"] == 5 and figures["budget_exhausted"]
    assert figures["nodes"] == 1 + 4 * 3  # the query that hit the budget adds no node


def test_the_tree_depth_follows_the_agents_chain_limit():
    script = TreeScript({})
    agent = dataclasses.replace(agent_for(script), max_steps=2)
    strategy = make_strategy("dfsdt")
    assert strategy.limits(agent)["single_chain_max_step"] == 6
    tree = strategy.start(weather_tasks(1)[0], agent, 0)
    assert tree.limits.single_chain_max_step == 6


def test_upstream_limits_in_one_place():
    assert DFSDT_LIMITS.forward_args() == {"single_chain_max_step": 12, "tree_beam_size": 2, "max_query_count": 200,
                                           "answer": 1, "with_filter": False}


def test_a_failed_request_is_a_pruned_thought_and_the_sibling_is_tried():
    tree, script = one_tree({"0": "raise", "1": "answer"})
    assert script.asked == ["0", "1"]
    failed = tree.root.children[0]
    assert (failed.node_type, failed.pruned, failed.observation_code) == ("Thought", True, -1)
    assert "backend down" in failed.description
    assert tree.trajectory.status == "answered"


def test_a_hallucinated_function_is_renamed_in_the_messages_and_the_chain_goes_on():
    tree, script = one_tree({"0": "bad_call", "0.0": "answer"})
    assert script.asked == ["0", "0.0"]
    action = tree.root.children[0].children[0]
    leaf = action.children[0]
    assert (action.description, leaf.observation_code, leaf.pruned) == ("no_such_function", 1, False)
    assert leaf.messages[-2]["function_call"]["name"] == "invalid_hallucination_function_name"
    assert leaf.messages[-1] == {"role": "function", "name": "invalid_hallucination_function_name",
                                 "content": leaf.observation}


def _diversity_text(template: str, candidates: list[dict[str, Any]], observation: str = "") -> str:
    previous = json.dumps(candidates, indent=2) + "\n"
    if observation:
        previous += f"again, your former observation: {observation}\n"
    return template.replace("{previous_candidate}", previous)


def test_second_child_gets_the_diversity_prompt_with_the_former_call_and_observation(shared_data):
    template = (shared_data / "stabletoolbench" / "prompts" / "dfs_DIVERSITY_PROMPT.txt").read_text()
    tree, script = one_tree({"0.0.0": "give_up", "0.1": "answer"})
    assert script.asked == ["0", "0.0", "0.0.0", "0.1"]
    node = tree.root.children[0].children[0].children[0]  # the Action Input under which slot 1 is asked
    first = node.children[0].children[0].children[0]
    expected = _diversity_text(template, [{"name": "forecast_for_weather_api", "arguments": '{"city_name": "c0.0"}',
                                           "function_output": first.observation, "mento-carlo-action-value": 0.0}],
                               node.observation)
    assert f"User: {expected}\nAssistant:\n" in script.prompts["0.1"]  # ToolLLaMA renders it as the last turn
    assert expected not in script.prompts["0.0"]
    diversity = [m for m in node.messages if m["role"] == "user"][-1]
    assert diversity == {"role": "user", "content": expected, "valid": False}  # marked invalid after the query


def test_diversity_message_is_dropped_from_chat_descendants_but_kept_for_toolllama():
    plan = {"0.0": "give_up", "1.0": "answer"}
    for preset, kept in (("toolllama", True), ("chat-single", False), ("alpha-umi", True), ("chat-multi", False)):
        tree, script = one_tree(plan, preset=preset)
        assert list(dict.fromkeys(script.asked)) == ["0", "0.0", "1", "1.0"]
        rendered = json.dumps(script.prompts["1.0"])
        assert ("This is not the first time you try this task" in rendered) is kept, preset
        assert "This is not the first time" in json.dumps(script.prompts["1"])
        assert all(t.role != "user" for t in tree.trajectory.turns[1:])  # the record holds the chain only


def random_script(request: RoleRequest) -> str:
    """A sampled model: the reply depends only on the request's seed (alpha-UMi's roles answer in kind)."""
    kind = random.Random(request.seed).choices(["call", "answer", "give_up"], weights=[6, 1, 2])[0]
    return role_reply(request.role, kind, node_path(request))


def _trees_json(trees) -> dict[str, Any]:
    return {key: (untimed(tree.trajectory.to_record()), tree.answer_file()) for key, tree in trees.items()}


@pytest.mark.parametrize("preset", ["toolllama", "alpha-umi"])
def test_trees_are_identical_whatever_the_batch_size_or_trees_in_flight(preset):
    tasks = weather_tasks(20)  # more tasks than a batch holds: 20 trees over batches of 16
    batches: list[int] = []
    reference = _trees_json(run_trees(random_script, tasks, batch_size=1, max_active=1, preset=preset, batches=batches))
    assert set(batches) == {1}
    assert {r["status"] for r, _ in reference.values()} >= {"answered", "gave_up"}
    assert len({a["answer_generation"]["query_count"] for _, a in reference.values()}) > 3
    for schedule, max_active, batch_size, largest in (("lockstep", None, 16, 20), ("pipelined", None, 16, 16),
                                                      ("pipelined", 3, 2, 2), ("continuous", None, 16, 1),
                                                      ("continuous", 3, 2, 1)):  # continuous: a request per node
        batches = []
        trees = run_trees(random_script, tasks, schedule=schedule, max_active=max_active, batch_size=batch_size,
                          preset=preset, batches=batches)
        assert max(batches) == largest
        assert _trees_json(trees) == reference, (schedule, max_active, batch_size)


def test_frontier_requests_of_many_trees_share_batches():
    backend_batches: list[int] = []

    def script(request):
        return random_script(request)

    tasks = weather_tasks(16)
    agent = agent_for(script)
    strategy = make_strategy("dfsdt")
    backend = ScriptedBackend(script)
    executor = LocalExecutor(distinct_models(agent.roles), backends={k: backend for k in distinct_models(agent.roles)})
    scheduler = SCHEDULES.get("lockstep")(strategy.agent(agent), executor, Simulator(ResponseCache()), None)
    scheduler.run((strategy.start(t, agent, 0) for t in tasks), lambda tree: None)
    backend_batches = backend.batches
    assert backend_batches[0] == 16 and sum(backend_batches) == scheduler.stats.role_calls


# -- a whole run: raw answer files, metrics, resume ------------------------------------------------------


def _run(tmp_path: Path, script, name: str = "r", tasks=None) -> Path:
    agent = dataclasses.replace(agent_for(script), strategy="dfsdt", name="toolllama-dfsdt")
    config = RunConfig(agent=agent, out_dir=tmp_path, run_name=name, executor="local", progress=False, max_active=2)
    return Run(config, tasks or weather_tasks(6), Simulator(ResponseCache())).execute()


@pytest.fixture()
def registered_random_script():
    from engine.backends.scripted import register_script

    register_script(f"custom{id(random_script)}", random_script)
    return random_script


def test_run_writes_raw_answer_files_and_tree_metrics(tmp_path, registered_random_script):
    run_dir = _run(tmp_path, registered_random_script)
    records = [json.loads(line) for line in (run_dir / "trajectories.jsonl").read_text().splitlines()]
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["search"]["trees"] == 6 and set(metrics["search"]["per_tree"]) == {r["task_key"] for r in records}
    for record in records:
        raw_path = answer_path(run_dir, record["group"], record["query_id"])
        assert raw_path.name == f"{record['query_id']}_DFS_woFilter_w2.json"
        raw = read_answer_file(raw_path)
        generation = raw["answer_generation"]
        assert generation["query_count"] == record["search"]["model_queries"]
        assert raw["win"] == (record["status"] == "answered")
        assert generation["finish_type"] == {"answered": "give_answer", "gave_up": "give_up"}.get(record["status"], "give_answer")
        if record["status"] == "answered":
            assert json.loads(generation["final_answer"])["final_answer"] == record["final_answer"]
            last = generation["train_messages"][-1]
            assert last[-1]["function_call"]["name"] == "Finish"
            assert [m["role"] for m in last[:2]] == ["system", "user"]
    converted = json.loads((run_dir / "tooleval" / "G1_instruction.json").read_text())
    assert set(converted) == {r["query_id"] for r in records}  # ToolBench's converter read every raw file back
    for record in records:
        answer = converted[record["query_id"]]["answer"]
        assert answer["method"] == "DFS_woFilter_w2"
        if record["status"] == "answered":
            assert json.loads(answer["final_answer"])["final_answer"] == record["final_answer"]
    run_json = json.loads((run_dir / "run.json").read_text())
    assert run_json["limits"]["search"]["max_query_count"] == 200 and run_json["agent"]["strategy"] == "dfsdt"


def _key_shape(value: Any) -> Any:
    """Keys (in order) and value types, recursively, with every node's children merged into one shape."""
    if isinstance(value, dict):
        return [(k, _key_shape(v)) for k, v in value.items() if k != "children"]
    if isinstance(value, list):
        return type(value).__name__
    return type(value).__name__


def _nodes(node: dict[str, Any]):
    yield node
    for child in node["children"]:
        yield from _nodes(child)


def test_raw_answer_file_has_upstreams_keys(tmp_path, shared_data, registered_random_script):
    example = shared_data / "stabletoolbench" / "data_example" / "answer" / "virtual_chatgpt_dfs" / "G1_instruction"
    theirs = json.loads((example / "588_DFS_woFilter_w2.json").read_text())
    run_dir = _run(tmp_path, registered_random_script)
    ours = [read_answer_file(p) for p in sorted((run_dir / "answer").rglob("*.json"))]
    assert ours and list(ours[0]) == list(theirs)
    assert list(ours[0]["tree"]) == list(theirs["tree"]) and ours[0]["forward_args"] == theirs["forward_args"]
    their_nodes = {(n["node_type"], "observation" in n): _key_shape(n) for n in _nodes(theirs["tree"]["tree"])}
    won = next(o for o in ours if o["win"])
    for node in _nodes(won["tree"]["tree"]):
        assert _key_shape(node) == their_nodes[(node["node_type"], "observation" in node)]
    assert list(won["answer_generation"]) == list(theirs["answer_generation"])
    their_candidates = {(n["node_type"], "observation" in n): list(n) for n in theirs["compare_candidates"][0]}
    for node in won["compare_candidates"][0]:
        assert list(node) == their_candidates.get((node["node_type"], "observation" in node), list(node))
    assert [n["node_type"] for n in won["compare_candidates"][0][-3:]] == ["Thought", "Action", "Action Input"]


def test_killed_run_resumes_per_tree_without_losing_or_duplicating(tmp_path, registered_random_script):
    whole = _run(tmp_path, registered_random_script, "whole")

    class KilledSimulator(Simulator):
        """The process is killed (Ctrl-C) in the middle of the run, while trees are in flight."""

        batches = 0

        def call_many(self, calls):
            self.batches += 1
            if self.batches == 6:
                raise KeyboardInterrupt
            return super().call_many(calls)

    agent = dataclasses.replace(agent_for(random_script), strategy="dfsdt", name="toolllama-dfsdt")
    config = RunConfig(agent=agent, out_dir=tmp_path, run_name="resumed", executor="local", progress=False, max_active=2)
    with pytest.raises(KeyboardInterrupt):
        Run(config, weather_tasks(6), KilledSimulator(ResponseCache())).execute()
    partial = (tmp_path / "resumed" / "trajectories.jsonl").read_text().splitlines()
    assert 0 < len(partial) < 6
    resumed = _run(tmp_path, registered_random_script, "resumed")

    def records(run_dir):
        return sorted((untimed(json.loads(line)) for line in (run_dir / "trajectories.jsonl").read_text().splitlines()),
                      key=lambda r: r["task_key"])

    assert records(resumed) == records(whole)
    for path in sorted((whole / "answer").rglob("*.json")):
        assert read_answer_file(resumed / path.relative_to(whole)) == read_answer_file(path)


# -- choosing the strategy: presets, --strategy, agent YAML ----------------------------------------------


def test_dfsdt_presets_and_yaml_strategy(tmp_path):
    from engine.config.presets import PRESETS, AgentConfigError, load_agent

    assert PRESETS["alpha-umi-dfsdt"].strategy == "dfsdt" and PRESETS["alpha-umi"].strategy == "cot"
    assert "oracle-dfsdt" not in PRESETS
    yaml_file = tmp_path / "agent.yaml"
    yaml_file.write_text("preset: chat-single\nstrategy: dfsdt\n")
    agent = load_agent(str(yaml_file))
    assert (agent.strategy, agent.name) == ("dfsdt", "chat-single-dfsdt")
    yaml_file.write_text("preset: chat-single\nstrategy: beam\n")
    with pytest.raises(AgentConfigError, match="unknown search strategy"):
        load_agent(str(yaml_file))


@pytest.mark.parametrize("argv_agent", [["--agent", "alpha-umi", "--strategy", "dfsdt"], ["--agent", "alpha-umi-dfsdt"]])
def test_run_with_strategy_dfsdt_from_the_command_line(shared_data, tmp_path, argv_agent):
    import run_eval

    example = shared_data / "stabletoolbench" / "solvable_queries_example"
    argv = ["run", *argv_agent, "--benchmark", str(example), "--backend", "scripted", "--model", "call-once-then-answer",
            "--executor", "local", "--out", str(tmp_path), "--no-progress"]
    assert run_eval.main(argv) == 0
    run_dir = tmp_path / "alpha-umi-dfsdt__solvable_queries_example__seed0"
    records = [json.loads(line) for line in (run_dir / "trajectories.jsonl").read_text().splitlines()]
    assert len(records) == 3 and all(r["status"] == "answered" and r["search"]["model_queries"] == 2 for r in records)
    assert (run_dir / "tooleval" / "G1_instruction.json").is_file()
    raw = read_answer_file(answer_path(run_dir, "G1_instruction", records[0]["query_id"]))
    messages = raw["answer_generation"]["train_messages"][-1]
    assert messages[0] == {"role": "user", "content": records[0]["turns"][0]["text"], "value": records[0]["turns"][0]["text"]}
    assert [m["role"] for m in messages] == ["user", "assistant", "observation", "assistant"]
    assert messages[-1]["value"].endswith("</s>conclusion: Here is the answer from the API.")
    assert raw["forward_args"]["prompt_type"]["planner"] == "toolbench_planner"
