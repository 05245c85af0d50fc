"""Raw DFSDT answer files as upstream writes them (issue 20, item 7): alpha-UMi's message `value` is what its
`collab_agent_model.prediction` returns, the chosen node's Finish thought is kept, and `total_tokens` is counted
as upstream's `parse` counts it."""
from __future__ import annotations

from engine.types import RoleRequest
from tests.engine.test_search_dfsdt import ANSWER, GIVE_UP, node_path, one_tree, run_trees
from tests.helpers.scheduling import weather_tasks

CALLER = 'Action: forecast_for_weather_api\nAction Input: {"city_name": "Paris"}'


def _assistant_values(tree) -> list[str]:
    return [m["value"] for m in tree.answer_file()["answer_generation"]["train_messages"][-1] if m["role"] == "assistant"]


def _umi_tree(planner_replies: dict[str, str]):
    """An alpha-UMi tree whose planner says `planner_replies[path]` (first reply per node), the caller calls."""
    def script(request: RoleRequest) -> str:
        path = node_path(request)
        if request.role == "planner":
            return planner_replies.get(path, "Done. Next: conclusion.")
        return CALLER if request.role == "caller" else "Sunny."
    return run_trees(script, weather_tasks(1), preset="alpha-umi")["G1_instruction/0"]


def test_alpha_umi_value_is_the_routed_plan() -> None:
    # upstream: ': ' dropped, cut after `Next: caller.`; an unmarked plan gets ' Next: caller.' appended.
    tree = _umi_tree({"0": ": Look it up. Next: caller. Then more", "0.0": "Again"})
    values = _assistant_values(tree)
    assert values[0] == f"Look it up. Next: caller.</s>caller: {CALLER}"
    assert values[1] == f"Again Next: caller.</s>caller: {CALLER}"
    assert values[2] == "Done. Next: conclusion.</s>conclusion: Sunny."


def test_five_empty_plans_give_none_next_caller() -> None:
    tree = _umi_tree({"0": ""})
    assert _assistant_values(tree)[0] == f"none Next: caller.</s>caller: {CALLER}"


def test_a_chosen_give_up_keeps_its_finish_thought() -> None:
    tree, _ = one_tree({}, default="give_up")
    assert tree.trajectory.status == "gave_up" and tree.trajectory.finish_thought == "stuck"
    answered, _ = one_tree({"0": "answer"})
    assert answered.trajectory.finish_thought == "done"
    assert GIVE_UP and ANSWER  # the scripted steps whose thoughts these are


def test_total_tokens_as_upstream_counts_them() -> None:
    # ToolLLaMA's and alpha-UMi's parse add len(tokenizer(prediction)), 2 keys, per query.
    tree, _ = one_tree({}, default="call")
    generation = tree.answer_file()["answer_generation"]
    assert generation["query_count"] > 1 and generation["total_tokens"] == 2 * generation["query_count"]
    assert tree.trajectory.search["upstream_total_tokens"] == generation["total_tokens"]
    usage = tree.trajectory.usage["backbone"]
    assert tree.trajectory.search["total_tokens"] == usage.prompt_tokens + usage.completion_tokens
