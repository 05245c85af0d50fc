"""Chat formats: message structure and the lenient parsers."""
from __future__ import annotations

import pytest

from roles.chat import CALLER_CUE, PLANNER_CUE, SUMMARIZER_CUE, ChatMulti, ChatSingle
from roles.types import Action, Plan, Turn
from tests.helpers.role_fixtures import QUERY, THOUGHT, context

SCHEMA_LINES = [  # written by hand: one signature line per tool, api description whitespace-normalised
    "- transfermarkt_search_for_theclique(name: string): Search by name",
    "- forecast_for_weather_api(city_name: string, days?: integer): Forecast by city. Call Forecast daily.",
]


def _roles(messages: list[dict[str, str]]) -> list[str]:
    return [m["role"] for m in messages]


def test_planner_messages() -> None:
    messages = ChatMulti().planner_prompt(context())
    assert _roles(messages) == ["system", "user", "assistant", "user"]
    assert all(set(m) == {"role", "content"} for m in messages)
    system = messages[0]["content"]
    assert "\n".join(SCHEMA_LINES) in system and "Next: caller." in system and "Example:" in system
    assert messages[1]["content"] == QUERY
    # the planner's thought and the caller's call merge into one assistant message
    assert messages[2]["content"] == ('I will get the forecast.\n Next: caller.\n'
                                      'Action: forecast_for_weather_api\nAction Input: {"city_name": "Paris"}')
    # observation and cue merge into the final user message
    assert messages[3]["content"] == f'Observation: {{"error": "", "response": "sunny"}}\n{PLANNER_CUE}'


def test_caller_and_summarizer_messages() -> None:
    ctx = context(Turn("assistant", THOUGHT))
    caller = ChatMulti().caller_prompt(ctx, THOUGHT)
    assert _roles(caller) == ["system", "user", "assistant", "user", "assistant", "user"]
    assert caller[4]["content"] == THOUGHT and caller[5]["content"] == CALLER_CUE
    assert "Action Input:" in caller[0]["content"] and SCHEMA_LINES[0] in caller[0]["content"]
    summarizer = ChatMulti().summarizer_prompt(ctx)
    assert summarizer[-1] == {"role": "user", "content": SUMMARIZER_CUE}
    assert "Tools:" not in summarizer[0]["content"]


def test_single_messages_end_with_the_observation() -> None:
    messages = ChatSingle().step_prompt(context())
    assert _roles(messages) == ["system", "user", "assistant", "user"]
    assert "Final Answer:" in messages[0]["content"] and SCHEMA_LINES[1] in messages[0]["content"]
    assert messages[-1]["content"] == 'Observation: {"error": "", "response": "sunny"}'


@pytest.mark.parametrize(("text", "expected"), [
    ("I need data. Next: caller.", Plan("caller", "I need data. Next: caller.")),
    ("I need data.\nnext: Caller", Plan("caller", "I need data.\nnext: Caller")),
    ("Enough. NEXT: conclusion. bla", Plan("conclusion", "Enough. NEXT: conclusion.")),
    ("Hopeless. Next: give_up", Plan("give_up", "Hopeless. Next: give_up")),
    ("Next: caller. Then later Next: conclusion.", Plan("conclusion", "Next: caller. Then later Next: conclusion.")),
    ("I will search.", Plan("caller", "I will search.", marked=False)),
    ("  ", Plan("retry", "")),
])
def test_parse_plan(text: str, expected: Plan) -> None:
    assert ChatMulti().parse_plan(text) == expected


@pytest.mark.parametrize(("text", "name", "arguments"), [
    ('Action: get_x\nAction Input: {"a": 1}', "get_x", '{"a": 1}'),
    ('action:  `get_x`.\naction input: {"a": {"b": [1, 2]}} trailing', "get_x", '{"a": {"b": [1, 2]}}'),
    ('**Action:** get_x\n**Action Input:** {"a": 1}', "get_x", '{"a": 1}'),
    ('```\nAction: get_x\nAction Input: {"a": 1}\n```', "get_x", '{"a": 1}'),
    ('Action: get_x\nAction Input: {"a": 1}\nObservation: {"r": 2}\nAction: other', "get_x", '{"a": 1}'),
    ("Action:\nget_x\nAction Input: city=Paris\nObservation: hot", "get_x", "city=Paris"),
    ("Action: get_x", "get_x", "{}"),
    ('```json\n{"name": "get_x", "arguments": {"a": "é"}}\n```', "get_x", '{"a": "é"}'),
    ('{"action": "get_x", "action_input": "{\\"a\\": 1}"}', "get_x", '{"a": 1}'),
])
def test_parse_call_is_lenient(text: str, name: str, arguments: str) -> None:
    action = ChatMulti().parse_call(text)
    assert (action.kind, action.name, action.arguments) == ("call", name, arguments)


@pytest.mark.parametrize("text", ["I would call get_x.", '{"city": "Paris"}', "Action: \nAction Input: {}", ""])
def test_parse_call_errors(text: str) -> None:
    assert ChatMulti().parse_call(text).kind == "parse_error"


def test_parse_summary_strips_answer_prefixes() -> None:
    assert ChatMulti().parse_summary("Final Answer: It is sunny.") == Action(kind="answer", answer="It is sunny.")
    assert ChatMulti().parse_summary("```\nIt is sunny.\n```") == Action(kind="answer", answer="It is sunny.")
    assert ChatMulti().parse_summary("Answer:  ").kind == "parse_error"


def test_call_turn() -> None:
    action = Action(kind="call", name="get_x", arguments="{}")
    assert ChatMulti().call_turn("raw", action) == Turn("caller", "Action: get_x\nAction Input: {}")


@pytest.mark.parametrize(("text", "expected"), [
    ('Thought: I need it.\nAction: get_x\nAction Input: {"a": 1}',
     Action(kind="call", thought="I need it.", name="get_x", arguments='{"a": 1}')),
    ("Thought: Known.\nFinal Answer: It is sunny.\nAction items: none\nThought: more",
     Action(kind="answer", thought="Known.", answer="It is sunny.\nAction items: none")),
    ("final answer: give up.", Action(kind="give_up")),
    ("Thought: hopeless\nGive up.", Action(kind="give_up", thought="hopeless")),
    # the earliest marker wins: an imagined observation and answer after a call are ignored
    ("Action: get_x\nAction Input: {}\nObservation: 3\nFinal Answer: 3",
     Action(kind="call", name="get_x", arguments="{}")),
    ('Action: Finish\nAction Input: {"return_type": "give_answer", "final_answer": "42"}',
     Action(kind="answer", name="Finish", arguments='{"return_type": "give_answer", "final_answer": "42"}',
            answer="42")),
    ('{"name": "get_x", "arguments": {}}', Action(kind="call", name="get_x", arguments="{}")),
    ("Final Answer:", Action(kind="parse_error", error="empty final answer")),
    ("just chatting", Action(kind="answer", answer="just chatting")),  # prose without a call is an answer
    ("   ", Action(kind="parse_error", error="no 'Action:' line or JSON call object")),
])
def test_single_parse_step(text: str, expected: Action) -> None:
    assert ChatSingle().parse_step(text) == expected


@pytest.mark.parametrize(("text", "turn"), [
    ("Thought: t\nAction: get_x\nAction Input: {}\nObservation: x", "Thought: t\nAction: get_x\nAction Input: {}"),
    ("Final Answer: 42", "Final Answer: 42"),
    ("Thought: no\nGive up.", "Thought: no\nGive up."),
    ("  blah  ", "Final Answer: blah"),
    ("Action:", "Action:"),
])
def test_single_step_turns_are_canonical(text: str, turn: str) -> None:
    fmt = ChatSingle()
    assert fmt.step_turns(text, fmt.parse_step(text)) == (Turn("assistant", turn),)
