"""Agent kinds and format attributes: what a kind or a format is, told by its registry entry, not by lists of
names spread over the engine."""
from __future__ import annotations

import pytest

from engine.agents import AGENT_KINDS, AgentKind, SingleAgent, agent_kind, make_agent
from engine.config.presets import PRESETS, agent_from_dict
from roles.registry import FORMATS


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_has_the_roles_and_the_agent_of_its_kind(name: str) -> None:
    spec = PRESETS[name]
    kind = agent_kind(spec)
    assert tuple(spec.roles) == kind.roles
    assert isinstance(make_agent(spec), kind.agent_class)


def test_a_new_kind_is_one_registry_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(AGENT_KINDS._entries, "solo", AgentKind("solo", ("backbone",), SingleAgent, collaborative=False,
                                                                 replays_gold=False, model_calls_per_step=1))
    spec = agent_from_dict({"kind": "solo", "format": "chat-single", "name": "solo-agent"}, source="solo.yaml")
    assert spec.kind == "solo" and tuple(spec.roles) == ("backbone",)
    assert isinstance(make_agent(spec), SingleAgent)


def test_an_unknown_or_unhashable_kind_is_a_clear_error() -> None:
    for kind in ("multy", ["multi"]):
        with pytest.raises(ValueError, match="kind must be one of multi, oracle, single"):
            agent_from_dict({"kind": kind, "format": "chat-single"}, source="a.yaml")


def test_format_attributes_say_how_upstream_served_each_format() -> None:
    served = {name: FORMATS.get(name).served_by for name in FORMATS}
    assert set(served.values()) <= {"local", "chat-api"}
    assert {name: served[name] for name in ("alpha-umi", "alpha-umi-backbone", "toolllama", "chat-multi", "chat-single")} == {
        "alpha-umi": "local", "alpha-umi-backbone": "local", "toolllama": "local",
        "chat-multi": "chat-api", "chat-single": "chat-api"}
    assert {name for name in FORMATS if FORMATS.get(name).static_eval} == {"alpha-umi", "alpha-umi-backbone"}
