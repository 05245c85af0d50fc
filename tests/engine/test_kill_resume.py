"""Kill-and-resume at random points (issue 13's fault suite): `run_eval.py run` is SIGKILLed at seeded random
moments, mid-trajectory included, and rerun until it finishes. The records equal an uninterrupted run's,
and each kill loses only the model calls running at that moment (engine.runner.checkpoint)."""
from __future__ import annotations

import pytest

from perf.kill_resume import Setting, trial


@pytest.mark.slow  # SIGKILLs subprocess runs: seconds each
@pytest.mark.parametrize("setting,kills", [(Setting("alpha-umi", "cot", "lockstep", speed=2), 2),
                                           (Setting("chat-single", "dfsdt", "pipelined", speed=2), 1)], ids=["cot", "dfsdt"])
def test_a_run_killed_at_random_points_resumes_to_the_uninterrupted_records(tmp_path, setting, kills):
    result = trial(setting, tmp_path, seed=13, kills=kills)
    assert result.kills, "no kill landed before the run finished"
    assert result.identical
    for kill in result.kills:  # at most the requests of the batch running at the kill
        assert 0 <= kill.calls_lost <= setting.max_active, kill
    assert result.calls_total - sum(kill.calls_lost for kill in result.kills) == result.whole_calls
    assert sum(kill.calls_in_checkpoint for kill in result.kills) > 0  # steps of unfinished trajectories were kept
