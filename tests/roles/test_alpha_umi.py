"""alpha-UMi formats: byte-exact prompts (expected strings written by hand from docs/alpha-umi.md and
the authors' prompt_lib.py) and the routing/parsing rules of the spec."""
from __future__ import annotations

import dataclasses

import pytest

from roles.alpha_umi import AlphaUmi, AlphaUmiBackbone
from roles.types import Action, Plan, Turn
from tests.helpers.role_fixtures import CLIQUE, THOUGHT, WEATHER, context

DOC_TRAINING = (
    r'{"Name": "transfermarkt_search_for_theclique", "function": "This is the subfunction for tool \"theclique\", '
    r'you can use this tool.The description of this function is: \"Search by name\"", "input": {"name": "string, "}}'
    "\n"
    r'{"Name": "forecast_for_weather_api", "function": "This is the subfunction for tool \"weather_api\", '
    r'you can use this tool.The description of this function is: \"forecast_for_weather_api by city. '
    r'Call forecast_for_weather_api daily.\"", "input": {"city_name": "string, City name", "days": "integer,   "}}'
    "\n"
)
DOC_BARE = (
    '{"Name": "transfermarkt_search_for_theclique", "function": "Search by name", "input": {"name": "string"}}\n'
    '{"Name": "forecast_for_weather_api", "function": "forecast_for_weather_api by city. '
    'Call forecast_for_weather_api daily.", "input": {"City Name": "string, City name", "days": "integer"}}\n'
)
HISTORY_TEXT = (
    "user: Weather in Paris?</s>"
    "assistant: I will get the forecast.\n Next: caller.</s>"
    'caller: Action: forecast_for_weather_api\nAction Input: {"city_name": "Paris"}</s>'
    'observation: {"error": "", "response": "sunny"}'
)
NAMES = "transfermarkt_search_for_theclique, forecast_for_weather_api"

PLANNER = (
    "You have assess to the following apis:\n" + DOC_BARE + "\n"
    "The conversation history is:\n" + HISTORY_TEXT + "\n"
    "You are the assistant to plan what to do next and whether is caller's or conclusion's turn to answer.\n"
    "Answer with a following format:\n"
    "The thought of the next step, followed by Next: caller or conclusion or give up. assistant: "
)
CALLER = (
    "You have assess to the following apis:\n" + DOC_BARE + "\n"
    "The conversation history is:\n" + HISTORY_TEXT
    + "assistant: It was sunny; check tomorrow too.\n Next: caller.</s>\n"
    "The thought of this step is:\n"
    "It was sunny; check tomorrow too.\n Next: caller.\n"
    "Base on the thought make an api call in the following format:\n"
    "Action: the name of api that should be called in this step, should be exactly in [" + NAMES + "],\n"
    "Action Input: the api call request. caller: "
)
SUMMARIZER = (
    "Make a conclusion based on the conversation history:\n" + HISTORY_TEXT
    + "assistant: Sunny all week.\n Next: conclusion.</s> conclusion: "
)
BACKBONE = (
    "You have assess to the following apis:\n" + DOC_BARE + "\n"
    "The conversation history is:\n" + HISTORY_TEXT + "\n"
    "You should answer the action of next step in the following format:\n"
    "The thought to solve the question,\n"
    "Action: the name of api that should be called in this step, should be exactly in [" + NAMES + "],\n"
    "Action Input: the api call request.\n"
    "Once you think the question is finished, output conclusion: the final answer of the question or give up "
    "if you think you cannot answer this question.\n assistant: "
)


def test_planner_prompt_is_byte_exact() -> None:
    assert AlphaUmi().planner_prompt(context()) == PLANNER


def test_caller_prompt_is_byte_exact() -> None:
    ctx = context(Turn("assistant", THOUGHT))
    assert AlphaUmi().caller_prompt(ctx, THOUGHT) == CALLER


def test_summarizer_prompt_is_byte_exact() -> None:
    ctx = context(Turn("assistant", "Sunny all week.\n Next: conclusion."))
    assert AlphaUmi().summarizer_prompt(ctx) == SUMMARIZER


def test_backbone_prompt_is_byte_exact() -> None:
    assert AlphaUmiBackbone().step_prompt(context()) == BACKBONE


def test_the_default_doc_is_the_bare_one_of_the_authors_real_time_runner() -> None:
    assert AlphaUmi().doc_style == AlphaUmiBackbone().doc_style == "bare"
    assert AlphaUmi(doc_style="bare").planner_prompt(context()) == PLANNER


def test_training_doc_style_is_an_option() -> None:
    assert AlphaUmi(doc_style="training").planner_prompt(context()) == PLANNER.replace(DOC_BARE, DOC_TRAINING)
    assert AlphaUmiBackbone(doc_style="training").step_prompt(context()) == BACKBONE.replace(DOC_BARE, DOC_TRAINING)


def test_system_prefix_option() -> None:
    assert AlphaUmi(system_prefix=True).planner_prompt(context()) == "system: " + PLANNER
    assert AlphaUmiBackbone(system_prefix=True).step_prompt(context()) == "system: " + BACKBONE


def test_training_doc_cuts_function_head_and_argument_tail() -> None:
    long_tool = dataclasses.replace(
        CLIQUE, description="d" * 250 + "0123456789",
        parameters={"type": "object", "properties": {"q": {"type": "string", "description": "x" * 10 + "y" * 256},
                                                     "n": {"type": "integer"}}})
    prompt = AlphaUmi(doc_style="training").planner_prompt(context(tools=(long_tool,)))
    line = ('{"Name": "transfermarkt_search_for_theclique", "function": "' + "d" * 250 + '012345", '
            '"input": {"q": "string, ' + "y" * 256 + '", "n": "integer"}}\n')
    assert prompt.startswith("You have assess to the following apis:\n" + line + "\nThe conversation history is:\n")


def test_bare_doc_lists_no_inputs_without_required_parameters() -> None:
    no_required = dataclasses.replace(WEATHER, api_entry={**WEATHER.api_entry, "required_parameters": [],
                                                          "api_description": ""})
    prompt = AlphaUmi(doc_style="bare").planner_prompt(context(tools=(no_required,)))
    assert '\n{"Name": "forecast_for_weather_api", "function": "", "input": {}}\n\n' in prompt


def test_placeholders_inside_history_are_not_substituted() -> None:
    ctx = context(Turn("user", "what is {doc} and {thought}?"))
    assert "user: what is {doc} and {thought}?</s>" in AlphaUmi().caller_prompt(ctx, "T Next: caller.")


@pytest.mark.parametrize("option", [{"doc_style": "fancy"}, {"unmarked": "summarizer"}, {"system_prefix": "yes"},
                                    {"observations": "raw"}])
def test_invalid_option_values_are_rejected(option: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=next(iter(option))):
        AlphaUmi(**option)  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "expected"), [
    ("I call it.\n Next: caller.", Plan("caller", "I call it.\n Next: caller.")),
    ("Done.\n Next: conclusion. trailing", Plan("conclusion", "Done.\n Next: conclusion.")),
    ("Stuck.\n Next: give up.", Plan("give_up", "Stuck.\n Next: give up.")),
    # give up wins over conclusion wins over caller, wherever they occur
    ("Next: caller. then Next: give up.", Plan("give_up", "Next: caller. then Next: give up.")),
    ("Next: caller. or Next: conclusion. x", Plan("conclusion", "Next: caller. or Next: conclusion.")),
    (": Try.\n Next: caller.", Plan("caller", "Try.\n Next: caller.")),
    ("", Plan("retry", "")),
    ("  .  ", Plan("retry", "")),
    (",", Plan("retry", "")),
    (": .", Plan("retry", "")),
    (":", Plan("caller", ": Next: caller.", marked=False)),
    ("I will search.", Plan("caller", "I will search. Next: caller.", marked=False)),
    ("next: caller", Plan("caller", "next: caller Next: caller.", marked=False)),
])
def test_parse_plan(text: str, expected: Plan) -> None:
    assert AlphaUmi().parse_plan(text) == expected


def test_unmarked_plan_can_route_to_the_summarizer() -> None:
    plan = AlphaUmi(unmarked="conclusion").parse_plan("It is sunny.")
    assert plan == Plan("conclusion", "It is sunny. Next: conclusion.", marked=False)


@pytest.mark.parametrize(("text", "name", "arguments"), [
    ('Action: forecast_for_weather_api\nAction Input: {"city_name": "Paris"}',
     "forecast_for_weather_api", '{"city_name": "Paris"}'),
    ("Action: a\nAction Input: {}\nAction: b\nAction Input: {\"x\": 1}  ", "b", '{"x": 1}'),
    ("Action: only_name", "only_name", "{}"),
    ("Action Input: {\"x\": 1}", "none", '{"x": 1}'),
    ("nothing at all", "none", "{}"),
    ("Action: a Action Input: 3", "a", "3"),
])
def test_parse_call_takes_the_last_markers(text: str, name: str, arguments: str) -> None:
    action = AlphaUmi().parse_call(text, CALL)
    assert (action.kind, action.name, action.arguments) == ("call", name, arguments)


CONCLUDE = "Sunny all week. Next: conclusion."
# Upstream (utils.collab_agent_parser) reads `plan</s>conclusion: output`: the answer is the text after its last
# "conclusion: " with "</s>" removed, unstripped, ": " kept, an empty one accepted; "Next: give up" gives up.
@pytest.mark.parametrize(("text", "expected"), [
    (" It is sunny. ", Action(kind="answer", answer="It is sunny.")),
    (": It is sunny.", Action(kind="answer", answer=": It is sunny.")),
    ("So conclusion: 20 C, conclusion:  sunny", Action(kind="answer", answer=" sunny")),
    ("conclusion:sunny", Action(kind="answer", answer="conclusion:sunny")),
    ("", Action(kind="answer", answer="")),
    ("I cannot. Next: give up", Action(kind="give_up", thought="Sunny all week. Next: conclusion.</s>conclusion: I cannot.")),
])
def test_parse_summary_reads_the_step_as_upstream(text: str, expected: Action) -> None:
    assert AlphaUmi().parse_summary(text, CONCLUDE) == expected


CALL = "Get it. Next: caller."
@pytest.mark.parametrize(("text", "expected"), [
    ('Action: forecast_for_weather_api\nAction Input: {"city_name": "Rome"}',
     Action(kind="call", name="forecast_for_weather_api", arguments='{"city_name": "Rome"}')),
    # no period: still a Finish where upstream counts it, with the whole step text as the answer
    ("Action: Finish Next: conclusion", Action(kind="answer", thought="Get it. Next: caller.</s>caller: Action: Finish",
                                               answer="Get it. Next: caller.caller: Action: Finish Next: conclusion")),
    ("Next: conclusion. conclusion: 42 C", Action(kind="answer", thought="Get it. Next: caller.</s>caller:",
                                                  answer="42 C")),
    ("Action: none Next: give up", Action(kind="give_up", thought="Get it. Next: caller.</s>caller: Action: none")),
])
def test_parse_call_reads_the_step_as_upstream(text: str, expected: Action) -> None:
    assert AlphaUmi().parse_call(text, CALL) == expected


@pytest.mark.parametrize(("plan", "finish"), [("Stop. Next: give up", "give_up"), ("Done. Next: conclusion", "answer")])
def test_a_plan_marked_without_the_period_goes_to_the_caller_then_finishes(plan: str, finish: str) -> None:
    fmt = AlphaUmi()
    routed = fmt.parse_plan(plan)
    assert routed == Plan("caller", plan + " Next: caller.", marked=False)
    assert fmt.parse_call("Action: x\nAction Input: {}", routed.thought).kind == finish


def test_call_turn_keeps_the_callers_raw_text() -> None:
    text = ' : I call.\nAction:  forecast_for_weather_api \nAction Input:{"city_name": "Rome"}\n'
    fmt = AlphaUmi()
    assert fmt.call_turn(text, fmt.parse_call(text, CALL)) == Turn(
        "caller", ': I call.\nAction:  forecast_for_weather_api \nAction Input:{"city_name": "Rome"}')


@pytest.mark.parametrize(("text", "expected"), [
    ("No data.\nconclusion: give up.", Action(kind="give_up", thought="No data.")),
    ("Got it.\nconclusion: It is sunny.", Action(kind="answer", thought="Got it.", answer="It is sunny.")),
    ("a conclusion: x\nconclusion: y", Action(kind="answer", thought="a conclusion: x", answer="y")),
    # the output is stripped first, so a bare trailing "conclusion:" is no marker (as upstream)
    ("Hmm.\nconclusion: ", Action(kind="call", thought="Hmm.\nconclusion:", name="none", arguments="{}")),
    ('NextStep data.\nAction: forecast_for_weather_api\nAction Input: {"city_name": "Paris"}',
     Action(kind="call", thought="NextStep data.", name="forecast_for_weather_api", arguments='{"city_name": "Paris"}')),
    ("just words", Action(kind="call", thought="just words", name="none", arguments="{}")),
])
def test_backbone_parse_step(text: str, expected: Action) -> None:
    assert AlphaUmiBackbone().parse_step(text) == expected


def test_backbone_records_its_whole_output_as_one_assistant_turn() -> None:
    text = ': NextStep data.\nAction: forecast_for_weather_api\nAction Input: {}  '
    fmt = AlphaUmiBackbone()
    turns = fmt.step_turns(text, fmt.parse_step(text))
    assert turns == (Turn("assistant", "NextStep data.\nAction: forecast_for_weather_api\nAction Input: {}"),)
    ctx = context(*turns)
    recorded = "assistant: NextStep data.\nAction: forecast_for_weather_api\nAction Input: {}</s>"
    assert fmt.step_prompt(ctx).count(recorded) == 1


def test_stop_strings() -> None:
    assert AlphaUmi.stop == AlphaUmiBackbone.stop == ("</s>",)


def test_prompts_from_a_kept_memo_equal_fresh_ones_as_the_history_grows_or_changes():
    from roles.alpha_umi import AlphaUmi
    from roles.types import PromptContext, Turn

    fmt, memo = AlphaUmi(), {}
    turns = [Turn("user", "q")]
    for turn in [Turn("assistant", "plan Next: caller."), Turn("caller", "Action: f"), Turn("observation", "{}")]:
        turns.append(turn)
        kept = PromptContext("q", (), tuple(turns), memo)
        assert fmt.planner_prompt(kept) == fmt.planner_prompt(PromptContext("q", (), tuple(turns)))
    turns[1:] = [Turn("assistant", "another plan Next: caller.")]  # a search tree backs up: not a prefix any more
    assert fmt.planner_prompt(PromptContext("q", (), tuple(turns), memo)) == fmt.planner_prompt(PromptContext("q", (), tuple(turns)))


def test_an_action_with_a_new_thought_keeps_every_other_field() -> None:
    action = Action(**{f.name: f"{f.name} value" for f in dataclasses.fields(Action)})
    assert action.with_thought("new") == dataclasses.replace(action, thought="new")
