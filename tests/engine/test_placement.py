"""Which roles share an engine, and the CPUs and GPUs each role actor gets."""
from __future__ import annotations

import dataclasses

import pytest

from engine.execution.placement import PlacementError, actor_resources, assign_engines, distinct_models
from engine.config.presets import PRESETS, AgentConfigError, agent_from_dict, load_agent

ALPHA_UMI = PRESETS["alpha-umi"]


def placed(placement: str, **model):
    roles = {role: dataclasses.replace(spec, **model) for role, spec in ALPHA_UMI.roles.items()}
    return assign_engines(dataclasses.replace(ALPHA_UMI, placement=placement, roles=roles))


def test_shared_placement_serves_roles_of_one_model_from_one_engine():
    assert len(distinct_models(placed("shared").roles)) == 1


@pytest.mark.parametrize("placement", ["per-role", "colocate"])
def test_per_role_placements_give_each_role_its_own_engine(placement):
    models = distinct_models(placed(placement).roles)
    assert len(models) == 3 and sorted(spec.engine for spec in models.values()) == ["caller", "planner", "summarizer"]


def test_unknown_placement_is_an_error_naming_the_valid_ones():
    with pytest.raises(PlacementError, match="valid: shared, per-role, colocate"):
        placed("everywhere")


def test_cpu_cluster_splits_cpus_and_assigns_no_gpus():
    resources = actor_resources(distinct_models(placed("per-role").roles), "per-role", cluster_cpus=6)
    assert {(r.num_cpus, r.num_gpus) for r in resources.values()} == {(2.0, 0.0)}


def test_one_gpu_per_engine_when_the_cluster_has_enough():
    resources = actor_resources(distinct_models(placed("per-role", backend="vllm").roles), "per-role", 16, cluster_gpus=4)
    assert [r.num_gpus for r in resources.values()] == [1.0, 1.0, 1.0]
    assert all(r.gpu_memory_utilization is None for r in resources.values())  # vllm's default for a lone engine


def test_colocate_shares_one_gpu_and_its_memory():
    resources = actor_resources(distinct_models(placed("colocate", backend="vllm").roles), "colocate", 16, cluster_gpus=8)
    assert [r.num_gpus for r in resources.values()] == [0.3333] * 3
    assert sum(r.gpu_memory_utilization for r in resources.values()) <= 0.9


def test_too_few_gpus_fall_back_to_sharing_one():
    resources = actor_resources(distinct_models(placed("per-role").roles), "per-role", 16, cluster_gpus=2)
    assert [r.num_gpus for r in resources.values()] == [0.3333] * 3


def test_tensor_parallel_engines_take_their_gpus_or_fail_clearly():
    models = distinct_models(placed("per-role", backend="vllm", tensor_parallel_size=2).roles)
    assert [r.num_gpus for r in actor_resources(models, "per-role", 16, cluster_gpus=6).values()] == [2.0] * 3
    with pytest.raises(PlacementError, match="6 GPUs needed"):
        actor_resources(models, "per-role", 16, cluster_gpus=4)


def test_explicit_gpu_requests_are_kept():
    models = distinct_models(placed("shared", num_gpus=0.5).roles)
    assert [r.num_gpus for r in actor_resources(models, "shared", 16, cluster_gpus=1).values()] == [0.5]


def test_agent_files_choose_placement_and_json_schema(tmp_path):
    path = tmp_path / "agent.yaml"
    path.write_text("preset: alpha-umi\nplacement: colocate\nroles:\n  caller:\n    sampling:\n"
                    "      json_schema: {type: object, required: [a]}\n")
    agent = load_agent(str(path))
    assert agent.placement == "colocate" and agent.roles["caller"].engine == "caller"
    assert agent.roles["caller"].sampling.json_schema == '{"required":["a"],"type":"object"}'
    path.write_text("preset: alpha-umi\nplacement: nowhere\n")
    with pytest.raises(AgentConfigError, match="agent.yaml: .*unknown placement 'nowhere'"):
        load_agent(str(path))
    with pytest.raises(AgentConfigError, match="json_schema must be a JSON Schema object"):
        agent_from_dict({"preset": "alpha-umi", "roles": {"caller": {"sampling": {"json_schema": [1]}}}})


def test_more_cpu_actors_than_cpus_get_fractions_so_every_one_starts():
    resources = actor_resources(distinct_models(placed("per-role").roles), "per-role", cluster_cpus=2)
    assert [r.num_cpus for r in resources.values()] == [0.66] * 3


@pytest.mark.slow
@pytest.mark.ray
def test_ray_starts_one_actor_per_role_on_a_small_machine_and_records_resources():
    from engine.execution.ray_executor import RayExecutor
    from engine.types import RoleRequest, SamplingParams

    models = distinct_models(placed("per-role", backend="scripted").roles)
    executor = RayExecutor(models, placement="per-role")
    try:
        request = RoleRequest("r", "planner", "Next?", SamplingParams(), 0)
        results = executor.generate({key: [request] for key in models})
        info = executor.info()
    finally:
        executor.shutdown()
    assert all(batch[0].text and batch[0].error is None for batch in results.values())
    assert set(info) == set(models) and all(entry["resources"]["num_gpus"] == 0 for entry in info.values())


def _node(cpus: float, gpus: float, alive: bool = True) -> dict:
    return {"Alive": alive, "Resources": {"CPU": cpus, **({"GPU": gpus} if gpus else {})}}


NODES = [_node(1, 0), _node(4, 2), _node(4, 2), _node(8, 4, alive=False)]  # the dead 4-GPU node counts for nothing


@pytest.mark.parametrize("bundles, words", [
    ({"planner": {"CPU": 1, "GPU": 4}}, "replica planner asks 1 CPU, 4 GPU on one node, and no node has that much "
                                        "(the largest of 3 alive has 4 CPU, 2 GPU)"),
    ({f"planner#{n}": {"CPU": 0.1, "GPU": 1} for n in range(5)}, "its 5 replicas ask 5 GPU in all, and the cluster's "
                                                                 "3 alive nodes have 4"),
    ({"caller": {"CPU": 0.5, "TPU": 1}}, "replica caller asks 0.5 CPU, 1 TPU on one node"),
])
def test_a_group_that_can_never_fit_is_named_with_what_it_asks_and_what_the_cluster_has(bundles, words):
    from engine.execution.placement import fit_problem

    assert words in fit_problem(bundles, NODES)


def test_a_group_that_fits_once_the_cluster_is_free_has_no_problem():
    from engine.execution.placement import fit_problem

    exactly_full = {f"r#{n}": {"CPU": 0.1 + 1e-9, "GPU": 1} for n in range(4)}  # rounding in the CPU shares
    assert fit_problem(exactly_full, NODES) is None
    assert fit_problem({"r": {"CPU": 3 * 0.1}}, [_node(0.30000000000000004 - 1e-9, 0)]) is None


def test_the_largest_node_is_the_one_with_most_gpus_then_cpus_among_the_alive():
    from engine.execution.placement import largest_node

    assert largest_node(NODES) == {"CPU": 4, "GPU": 2}  # the dead 8-CPU, 4-GPU node is not one
    assert largest_node(NODES, ["CPU"]) == {"CPU": 4, "GPU": 2}
    assert largest_node([_node(1, 0), _node(6, 0)]).get("CPU") == 6 and largest_node([]) == {}
