"""Strategies as registry entries: each in its own module, each naming its agents' suffix, so a new strategy
needs no edit of the presets."""
from __future__ import annotations

import pytest

from engine.config.presets import PRESETS, with_strategy
from engine.search import STRATEGIES, make_strategy, strategy_of_name
from engine.search.cot import Cot


class Beam(Cot):
    name = "beam"
    agent_suffix = "-beam"


def test_a_new_strategy_names_its_agents_with_its_own_suffix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(STRATEGIES._entries, "beam", Beam)
    beam = with_strategy(PRESETS["alpha-umi-dfsdt"], "beam")
    assert (beam.name, beam.strategy) == ("alpha-umi-beam", "beam")
    assert strategy_of_name("alpha-umi-beam") == ("alpha-umi", "beam")
    back = with_strategy(beam, "cot")
    assert (back.name, back.strategy) == ("alpha-umi", "cot")
    assert isinstance(make_strategy("beam"), Beam)


@pytest.mark.parametrize("name", list(STRATEGIES))
def test_every_strategy_declares_its_suffix_and_the_presets_follow_it(name: str) -> None:
    strategy = make_strategy(name)
    assert strategy.name == name and isinstance(strategy.agent_suffix, str)
    if strategy.agent_suffix:
        assert PRESETS[f"alpha-umi{strategy.agent_suffix}"].strategy == name
