"""The replica router (engine.execution.routing) and replica sizing (engine.execution.replicas)."""
from __future__ import annotations

import pytest

import dataclasses

from engine.execution.replicas import (ReplicaSpecError, apply_replicas, auto_replicas, dhondt, parse_replicas,
                                      replicas_record, with_replicas)
from engine.execution.routing import NoLiveReplica, Router, trajectory_of
from engine.execution.placement import assign_engines
from engine.config.presets import load_agent


def test_first_request_goes_to_the_least_loaded_replica():
    router = Router(3)
    router.load[:] = [4, 1, 2]
    assert router.route("t1|a|0|0") == 1


def test_later_requests_stick_to_the_trajectorys_replica():
    router = Router(2)
    home = router.route("t1|a|0|0")
    router.route("t2|a|0|0")  # goes to the other replica
    router.load[home] += 3  # its home is busier, not overloaded
    assert router.route("t1|a|0|1") == home


def test_an_overloaded_home_spills_to_the_least_loaded_sibling_which_becomes_home():
    router = Router(2, spill_factor=2.0, spill_margin=2)
    assert router.route("t1|a|0|0") == 0
    router.load[0] = 10  # > 2 x 0 + 2
    assert router.route("t1|a|0|1") == 1
    assert router.spills == 1
    router.load[0] = 0
    assert router.route("t1|a|0|2") == 1  # sticky to its new home


def test_a_dead_replica_takes_nothing_and_its_trajectories_rehome():
    router = Router(2)
    assert router.route("t1|a|0|0") == 0
    router.died(0)
    assert router.route("t1|a|0|1") == 1
    router.died(1)
    with pytest.raises(NoLiveReplica):
        router.route("t2|a|0|0")


def test_a_finished_request_frees_its_place():
    router = Router(2)
    replica = router.route("t1|a|0|0")
    router.finished(replica)
    assert router.load == [0, 0]


def test_a_dfsdt_tree_is_one_trajectory():
    assert trajectory_of("g/1|alpha|0|0.1.2") == trajectory_of("g/1|alpha|0|3") == "g/1|alpha|0"


def test_parse_replicas():
    assert parse_replicas("planner=2,caller=1", ["planner", "caller"]) == {"planner": 2, "caller": 1}
    assert parse_replicas("auto", ["planner"]) == "auto"
    with pytest.raises(ReplicaSpecError, match="unknown role"):
        parse_replicas("judge=2", ["planner"])
    with pytest.raises(ReplicaSpecError, match="at least 1"):
        parse_replicas("planner=0", ["planner"])


def test_dhondt_gives_the_busiest_engine_the_spare_gpus():
    assert dhondt({"p": 3.0, "c": 2.0, "s": 1.0}, {"p": 1, "c": 1, "s": 1}, 4) == {"p": 2, "c": 1, "s": 1}
    assert dhondt({"p": 3.0, "c": 2.0, "s": 1.0}, {"p": 1, "c": 1, "s": 1}, 8) == {"p": 4, "c": 3, "s": 1}
    assert dhondt({"p": 1.0}, {"p": 2}, 3) == {"p": 1}  # a tensor-parallel engine needs 2 more GPUs


def test_auto_replicas_of_alpha_umi_on_four_gpus_are_recorded():
    agent = assign_engines(dataclasses.replace(load_agent("alpha-umi"), placement="per-role"))
    sized = auto_replicas(agent, 4)
    assert {role: spec.replicas for role, spec in sized.roles.items()} == {"planner": 2, "caller": 1, "summarizer": 1}
    record = replicas_record(sized)
    assert sum(record["replicas"].values()) == 4 and set(record["work"]) == set(record["replicas"])


def test_given_replicas_change_only_the_roles_named():
    agent = with_replicas(load_agent("alpha-umi"), {"planner": 3})
    assert {role: spec.replicas for role, spec in agent.roles.items()} == {"planner": 3, "caller": 1, "summarizer": 1}


def test_auto_needs_the_runs_gpus():
    with pytest.raises(ReplicaSpecError, match="--gpus"):
        apply_replicas(load_agent("alpha-umi"), "auto", None)
    assert apply_replicas(load_agent("alpha-umi"), None, None) == load_agent("alpha-umi")


def test_an_actor_found_dead_while_reading_figures_is_recorded_not_raised() -> None:
    """A replica whose node was removed after its last request: the end-of-run figures skip it, no error."""
    from types import SimpleNamespace

    from engine.execution.pool import replicas_info
    from engine.execution.ray_executor import RayExecutor

    class Died(Exception):
        pass

    def get(value):
        if value == "dead":
            raise Died("the actor died unexpectedly")
        return value

    executor = object.__new__(RayExecutor)
    executor.ray = SimpleNamespace(get=get, exceptions=SimpleNamespace(RayActorError=Died))
    alive, dead = SimpleNamespace(remote=lambda: 2.5), SimpleNamespace(remote=lambda: "dead")
    assert (executor._ask(alive), executor._ask(dead)) == (2.5, None)
    infos = [{"died": "after its last request", "resources": {}}, {"backend": "vllm", "node_id": "ab", "resources": {}}]
    assert replicas_info(infos)["backend"] == "vllm" and replicas_info(infos)["replicas"] == infos
