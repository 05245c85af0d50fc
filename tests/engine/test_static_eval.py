"""`static`: alpha-UMi's teacher-forced step metrics, run through the executors with scripted and real models.

The test file holds 4 samples: a call with arguments, a call without, a finish, and a give up (the records
of test_scoring_static). Scripts find their sample from the gold history in the prompt.
"""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Callable

import pytest

import run_eval
from roles.alpha_umi_steps import static_samples
from engine.backends.scripted import ScriptedBackend, register_script
from engine.execution.local import LocalExecutor
from engine.execution.placement import distinct_models
from engine.config.presets import PRESETS
from roles.alpha_umi_steps import static_plan
from engine.runner.static_eval import StaticConfig, backbone_history, load_static, predict, run_static
from engine.types import ModelSpec, RoleRequest
from roles.alpha_umi import BACKBONE_TEMPLATE, CALLER_TEMPLATE, PLANNER_TEMPLATE, render_history
from roles.types import Turn
from tests.helpers.static_fixtures import GIVE_UP_RECORD, RECORD, TOOLS

RECORDS = [RECORD, GIVE_UP_RECORD]
ROUGE_14_5 = 100 * 2 * (5 / 9) / (1 + 5 / 9)  # "It is 14.5 degrees." against the reference (test_scoring_static)
WRONG = {  # per sample and role: right plan + arguments F1 0.6 | unmarked plan, hallucinated API | shorter answer | wrong plan
    (0, "planner"): "I should get the weather. Next: caller.",
    (0, "caller"): 'Action: weather_for_meteo\nAction Input: {"city": "Lisbon", "units": "F", "extra": 1}',
    (1, "planner"): "Let me think",
    (1, "caller"): "Action: made_up_api\nAction Input: {}",
    (2, "planner"): "I can answer. Next: conclusion.",
    (2, "summarizer"): "It is 14.5 degrees.",
    (3, "planner"): "Try the API. Next: caller.",
    (3, "caller"): "garbage",
    (0, "backbone"): 'I should get the weather.\nAction: weather_for_meteo\nAction Input: {"city": "Lisbon", "units": "F", "extra": 1}',
    (1, "backbone"): "Action: made_up_api\nAction Input: {}",
    (2, "backbone"): "I can answer.\nconclusion: It is 14.5 degrees.",
    (3, "backbone"): "no idea",
}
# The gold history of samples 1 and 2 as upstream's infer_pipeline.py builds its `dispatch`, written out by hand.
DISPATCH_1 = ('user: Weather in Lisbon?</s>assistant: I should get the weather. Next: caller.</s>caller: Action: weather_for_meteo\n'
              'Action Input: {"city": "Lisbon", "units": "C"}</s>observation: {"error": "", "response": "14.5"}'
              'assistant: Just thinking aloud, no marker.</s>')
DISPATCH_2 = DISPATCH_1 + "assistant: Now the forecast. Next: caller.</s>caller: Action: forecast_for_meteo\nAction Input: {}</s>observation: sunny"
# ... and as prepro_backbone.py records it for the single-LLM backbone (one assistant turn per step).
BACKBONE_DISPATCH_2 = ('user: Weather in Lisbon?</s>assistant: I should get the weather.\nAction: weather_for_meteo\n'
                       'Action Input: {"city": "Lisbon", "units": "C"}</s>observation: {"error": "", "response": "14.5"}'
                       'assistant: Just thinking aloud, no marker.</s>assistant: Now the forecast.\nAction: forecast_for_meteo\n'
                       'Action Input: {}</s>observation: sunny')


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "umi_test.json"
    path.write_text(json.dumps(RECORDS))
    return path


def gold_answers() -> dict[tuple[int, str], str]:
    """What a perfect model says at each sample, per role (the backbone's as its training target)."""
    answers: dict[tuple[int, str], str] = {}
    steps = [(record["conversations"], i) for record in RECORDS for i, turn in enumerate(record["conversations"])
             if turn["from"] == "assistant" and "Next:" in turn["value"]]
    for index, (turns, i) in enumerate(steps):
        answers[index, "planner"] = turns[i]["value"]
        for following in turns[i + 1:i + 2]:
            answers[index, {"caller": "caller", "conclusion": "summarizer"}[following["from"]]] = following["value"]
        step = tuple(Turn(t["from"], t["value"]) for t in turns[:i + 2])
        answers[index, "backbone"] = backbone_history(step)[-1].text  # the step's merged assistant turn
    return answers


class Recorder:
    """A script answering from a table by (sample, role), found from the gold history in the prompt."""

    def __init__(self, data: Path, answers: dict[tuple[int, str], str]) -> None:
        samples = static_samples(data)
        self.histories = {"multi": [render_history(s.history) for s in samples],
                          "single": [render_history(backbone_history(s.history)) for s in samples]}
        self.answers = answers
        self.requests: dict[tuple[int, str], RoleRequest] = {}

    def __call__(self, request: RoleRequest) -> str:
        histories = self.histories["single" if request.role == "backbone" else "multi"]
        cue = "planner: " if request.role in ("caller", "summarizer") else "\nYou"
        [index] = [i for i, h in enumerate(histories) if f":\n{h}{cue}" in request.prompt]
        self.requests[index, request.role] = request
        return self.answers[index, request.role]


def _report(out: Path, agent: str, data: Path) -> dict:
    return json.loads((out / f"static__{agent}__{data.stem}" / "static.json").read_text())


def _run(data: Path, out: Path, agent: str, script: Callable[[RoleRequest], str], *extra: str) -> dict:
    name = f"static-test-{id(script)}"
    register_script(name, script)
    argv = ["static", "--agent", agent, "--data", str(data), "--out", str(out), "--backend", "scripted", "--model", name,
            "--executor", "local", "--no-progress", *extra]
    assert run_eval.main(argv) == 0
    return _report(out, agent, data)


@pytest.mark.parametrize("agent", ["alpha-umi", "alpha-umi-backbone"])
def test_gold_as_prediction_scores_100(data: Path, tmp_path: Path, agent: str, capsys) -> None:
    report = _run(data, tmp_path, agent, Recorder(data, gold_answers()))
    metrics = report["metrics"]
    assert metrics["plan_acc"] == metrics["act_em"] == metrics["arg_f1"] == 100.0 and metrics["hallu"] == 0.0
    assert metrics["rouge_l"] == pytest.approx(100.0, abs=1e-5)
    assert metrics["n"] == {"samples": 4, "calls": 2, "calls_with_json_arguments": 2, "finishes": 1}
    assert [s["predicted"] for s in report["samples"]] == [s["reference"] for s in report["samples"]]
    out = capsys.readouterr().out
    assert "Plan ACC" in out and "R-L" in out and "100.00" in out and "4 samples" in out


@pytest.mark.parametrize("agent", ["alpha-umi", "alpha-umi-backbone"])
def test_wrong_predictions_give_the_hand_computed_numbers(data: Path, tmp_path: Path, agent: str) -> None:
    metrics = _run(data, tmp_path, agent, Recorder(data, WRONG))["metrics"]
    assert metrics["plan_acc"] == 75.0  # sample 3 predicts a call where the reference gives up
    assert metrics["act_em"] == 50.0  # made_up_api instead of forecast_for_meteo
    assert metrics["hallu"] == 25.0  # made_up_api, over all 4 samples (sample 3's `none` is no hallucination)
    assert metrics["arg_f1"] == pytest.approx(30.0)  # (0.6 + 0) / 2
    assert metrics["rouge_l"] == pytest.approx(ROUGE_14_5, rel=1e-6)


def _upstream(template: str, history: str, thought: str, cue: str) -> str:
    """Upstream's chained str.replace on the file's own tool entries."""
    doc = "".join(json.dumps(t) + "\n" for t in TOOLS)
    names = ", ".join(t["Name"] for t in TOOLS)
    return template.replace("{doc}", doc).replace("{tool_names}", names).replace("{thought}", thought).replace("{history}", history) + cue


def test_prompts_are_upstreams_with_the_literal_planner_turn(data: Path, tmp_path: Path) -> None:
    script = Recorder(data, WRONG)
    _run(data, tmp_path, "alpha-umi", script)
    prompts = {key: request.prompt for key, request in script.requests.items()}
    assert set(prompts) == {(i, "planner") for i in range(4)} | {(0, "caller"), (1, "caller"), (2, "summarizer"), (3, "caller")}
    assert prompts[0, "planner"] == _upstream(PLANNER_TEMPLATE, "user: Weather in Lisbon?</s>", "", " assistant: ")
    # unmarked plan: `Next: caller.` glued on without a space, in the history and as the thought
    thought = "Let me thinkNext: caller."
    assert prompts[1, "caller"] == _upstream(CALLER_TEMPLATE, DISPATCH_1 + f"planner: {thought}</s>", thought, " caller: ")
    assert prompts[2, "summarizer"] == ("Make a conclusion based on the conversation history:\n" + DISPATCH_2
                                        + "planner: I can answer. Next: conclusion.</s> conclusion: ")
    backbone = Recorder(data, WRONG)
    _run(data, tmp_path, "alpha-umi-backbone", backbone)
    assert backbone.requests[2, "backbone"].prompt == _upstream(BACKBONE_TEMPLATE, BACKBONE_DISPATCH_2, "", " assistant: ")
    assert "planner: " not in backbone.requests[2, "backbone"].prompt


@pytest.mark.parametrize("text, plan, thought", [
    ("Go. Next: caller. trailing", "call", "Go. Next: caller."),  # cut after the marker
    (": Done. Next: conclusion.", "finish", "Done. Next: conclusion."),  # upstream drops a leading ": "
    ("Let me think", "call", "Let me thinkNext: caller."),  # unmarked: glued on, no space (infer_pipeline.py)
    (" . ", "call", "noneNext: caller."),  # empty output reads `none`
    (" Next: caller.", "call", " Next: caller."),  # as decoded: no whitespace stripped
    ("  I think\n", "call", "  I think\nNext: caller."),
    ("Stop. Next: give up", "call", "Stop. Next: give upNext: caller."),  # routed by the marker WITH its period
])
def test_the_plan_handed_on_is_upstreams_static_one(text: str, plan: str, thought: str) -> None:
    assert static_plan(text) == (plan, thought)


def test_an_empty_thought_reaches_the_caller_unstripped(data: Path, tmp_path: Path) -> None:
    script = Recorder(data, {**WRONG, (0, "planner"): " Next: caller."})
    _run(data, tmp_path, "alpha-umi", script)
    prompt = script.requests[0, "caller"].prompt
    assert "user: Weather in Lisbon?</s>planner:  Next: caller.</s>\n" in prompt
    assert "The thought of this step is:\n Next: caller.\nBase on" in prompt


def test_static_prompts_keep_the_collators_3750_tokens(data: Path, tmp_path: Path) -> None:
    script = Recorder(data, WRONG)
    _run(data, tmp_path, "alpha-umi", script)
    assert {request.sampling.prompt_tokens for request in script.requests.values()} == {3750}
    assert PRESETS["alpha-umi"].roles["planner"].sampling.prompt_tokens == 3576  # real time keeps its own
    other = Recorder(data, WRONG)
    report = _run(data, tmp_path, "alpha-umi", other, "--prompt-tokens", "100")
    assert {request.sampling.prompt_tokens for request in other.requests.values()} == {100} == {report["prompt_tokens"]}


def test_a_failed_request_is_recorded_and_reported(data: Path, tmp_path: Path, capsys) -> None:
    def script(request: RoleRequest) -> str:
        if request.role == "caller":
            raise RuntimeError("CUDA error: device lost")
        return "Next: caller." if request.role == "planner" else "x"

    report = _run(data, tmp_path, "alpha-umi", script)
    assert report["failed_requests"] == 4
    assert report["samples"][0]["errors"] == {"caller": "RuntimeError: CUDA error: device lost"}
    assert report["samples"][0]["predicted"] == {"plan": "call", "action": "none", "arguments": "{}", "answer": None}
    assert "warning: 4 model requests failed" in capsys.readouterr().out


def test_backbone_history_gives_up_as_its_training_data() -> None:
    turns = (Turn("user", "q"), Turn("assistant", "Stuck. Next: give up."))
    assert backbone_history(turns) == (Turn("user", "q"), Turn("assistant", "Stuck.\nconclusion: give up."))
    done = (Turn("assistant", "Done. Next: conclusion."), Turn("conclusion", "42"))
    assert backbone_history(done) == (Turn("assistant", "Done.\nconclusion: 42"),)


class CountingExecutor(LocalExecutor):
    """Records, per executor call, how many requests each actor got."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[dict[str, int]] = []

    def generate(self, batches):
        self.calls.append({key: len(requests) for key, requests in batches.items()})
        return super().generate(batches)


def _separate_actors(script: Recorder) -> tuple:
    roles = {role: ModelSpec(model=f"{role}-model", backend="scripted") for role in ("planner", "caller", "summarizer")}
    agent = dataclasses.replace(PRESETS["alpha-umi"], roles=roles)
    backends = {spec.actor_key: ScriptedBackend(script) for spec in roles.values()}
    return agent, CountingExecutor(distinct_models(roles), backends), {role: backends[spec.actor_key] for role, spec in roles.items()}


def test_each_role_gets_one_batch_and_round_two_runs_its_actors_together(data: Path) -> None:
    script = Recorder(data, WRONG)
    agent, executor, backends = _separate_actors(script)
    steps = predict(agent, load_static(agent, data), executor, seed=0, group="umi_test")
    assert backends["planner"].batches == [4]
    assert backends["caller"].batches == [3] and backends["summarizer"].batches == [1]
    planner, caller, summarizer = (spec.actor_key for spec in agent.roles.values())
    assert executor.calls == [{planner: 4}, {caller: 3, summarizer: 1}]
    assert [sorted(step.texts) for step in steps] == [["caller", "planner"], ["caller", "planner"], ["planner", "summarizer"],
                                                     ["caller", "planner"]]


def test_seeds_are_per_request_and_independent_of_batching(data: Path) -> None:
    def seeds(seed: int, limit: int | None = None) -> dict:
        script = Recorder(data, WRONG)
        agent, executor, _ = _separate_actors(script)
        predict(agent, load_static(agent, data)[:limit], executor, seed=seed, group="umi_test")
        return {key: request.seed for key, request in script.requests.items()}

    full = seeds(0)
    assert len(set(full.values())) == len(full) == 8
    assert seeds(0, limit=1) == {key: s for key, s in full.items() if key[0] == 0}
    assert set(seeds(1).values()).isdisjoint(full.values())


def test_run_static_records_the_inputs_and_every_sample(data: Path, tmp_path: Path) -> None:
    script = Recorder(data, WRONG)
    agent, executor, _ = _separate_actors(script)
    config = StaticConfig(agent=agent, data=data, out_dir=tmp_path / "out", seed=3, limit=3, executor="local")
    path, report = run_static(config, load_static(agent, data), executor)
    assert path == tmp_path / "out" / "static__alpha-umi__umi_test" / "static.json"
    assert json.loads(path.read_text())["samples"] == report["samples"]
    assert report["data"]["sha256"] and report["data"]["samples_in_file"] == 4 and report["seed"] == 3
    assert report["models"] == {spec.actor_key: {"backend": "scripted", "model": "custom"} for spec in agent.roles.values()}
    assert report["metrics"]["n"]["samples"] == 3 and report["speed"]["requests"] == {"planner": 3, "caller": 2, "summarizer": 1}
    second = report["samples"][1]
    assert second["reference"] == {"plan": "call", "action": "forecast_for_meteo", "arguments": "{}", "answer": None}
    assert second["predicted"] == {"plan": "call", "action": "made_up_api", "arguments": "{}", "answer": None}
    assert second["texts"] == {"planner": "Let me think", "caller": "Action: made_up_api\nAction Input: {}"}
    assert second["turn"] == 5 and second["errors"] == {}


def test_model_text_is_stored_never_run(data: Path, tmp_path: Path) -> None:
    evil = "__import__('os').system('touch pwned') Next: conclusion."
    report = _run(data, tmp_path, "alpha-umi", lambda request: evil)
    assert report["samples"][0]["texts"]["planner"] == evil and not Path("pwned").exists()


def test_an_agent_name_cannot_escape_the_output_folder(data: Path, tmp_path: Path, capsys) -> None:
    agent_file = tmp_path / "agent.yaml"
    agent_file.write_text("name: ../../escape\npreset: alpha-umi\n")
    register_script("static-gold", Recorder(data, gold_answers()))
    argv = ["static", "--agent", str(agent_file), "--data", str(data), "--out", str(tmp_path / "out"), "--backend", "scripted",
            "--model", "static-gold", "--executor", "local", "--no-progress"]
    assert run_eval.main(argv) == 2  # refused when the agent file is read, before anything is written
    assert "../../escape" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["agent.yaml", "umi_test.json"]


@pytest.mark.parametrize("content, agent, extra, message", [
    (None, "alpha-umi", [], "{path}: cannot read a static test file ([Errno 2] No such file"),
    ("[{]", "alpha-umi", [], "{path}: cannot read a static test file"),
    ('{"tools": []}', "alpha-umi", [], "{path}: a static test file is a JSON list of records"),
    ('[{"tools": [{}], "instruction": "q", "conversations": []}]', "alpha-umi", [], "{path}: record 0: 'tools'"),
    ('[{"tools": [], "instruction": "q", "conversations": [{"from": "user", "value": "q"}]}]', "alpha-umi", [], "{path}: no samples"),
    (json.dumps(RECORDS), "chat-multi", [], "needs an alpha-UMi agent"),
    (json.dumps(RECORDS), "alpha-umi", ["--limit", "0"], "--limit must be at least 1"),
])
def test_bad_input_is_a_clear_error_and_writes_nothing(tmp_path: Path, capsys, content, agent, extra, message) -> None:
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content)
    out = tmp_path / "out"
    argv = ["static", "--agent", agent, "--data", str(path), "--out", str(out), "--backend", "scripted",
            "--executor", "local", "--no-progress", *extra]
    assert run_eval.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("umi-eval: error: ") and message.format(path=path) in err
    assert not out.exists()


def test_a_real_tiny_model_gives_the_same_predictions_at_any_batch_size(tiny_model_dir: Path, data: Path, tmp_path: Path) -> None:
    agent_file = tmp_path / "tiny.yaml"
    agent_file.write_text(f"name: tiny\npreset: alpha-umi\nmodel: {{model: {tiny_model_dir}, dtype: fp32, sampling: {{max_new_tokens: 8}}}}\n")
    reports = []
    for out, extra in ((tmp_path / "batched", []), (tmp_path / "one", ["--batch-size", "1"])):
        argv = ["static", "--agent", str(agent_file), "--data", str(data), "--out", str(out), "--executor", "local", "--no-progress", *extra]
        assert run_eval.main(argv) == 0
        reports.append(_report(out, "tiny", data))
    batched, one = reports
    assert [s["texts"] for s in batched["samples"]] == [s["texts"] for s in one["samples"]]
    assert {info["backend"] for info in batched["models"].values()} == {"hf"}
    routed = {"call": {"planner", "caller"}, "finish": {"planner", "summarizer"}, "give up": {"planner"}}
    assert [set(s["texts"]) for s in batched["samples"]] == [routed[s["predicted"]["plan"]] for s in batched["samples"]]
    assert batched["metrics"]["n"]["samples"] == 4
