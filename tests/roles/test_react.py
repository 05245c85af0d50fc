"""ToolLLaMA ReAct format: golden prompt (written by hand from ToolBench's code), the embedded constants
against the upstream prompt files and a real ToolBench answer, and the step parser."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.core.types import ToolSpec
from roles.react import SYSTEM_TEMPLATE, TASK_DESCRIPTION_PREFIX, USER_TEMPLATE, ToolLlama, stored_system_message
from roles.types import Action, PromptContext, Turn
from tests.helpers.role_fixtures import QUERY, TOOLS

STEP = '\nThought: I need the forecast.\nAction: forecast_for_weather_api\nAction Input: {"city_name": "Paris"}'
HISTORY = (Turn("user", QUERY), Turn("assistant", STEP), Turn("observation", '{"error": "", "response": "sunny"}'))

FINISH_REPR = (
    "{'name': 'Finish', 'description': 'If you believe that you have obtained a result that can answer the task, "
    "please call this function to provide the final answer. Alternatively, if you recognize that you are unable "
    "to proceed with the task in the current state, call this function to restart. Remember: you must ALWAYS call "
    "this function at the end of your attempt, and the only part that will be shown to the user is the final "
    "answer, so it should contain sufficient information.', 'parameters': {'type': 'object', 'properties': "
    "{'return_type': {'type': 'string', 'enum': ['give_answer', 'give_up_and_restart']}, 'final_answer': "
    "{'type': 'string', 'description': 'The final answer you want to give the user. You should have this field "
    "if \"return_type\"==\"give_answer\"'}}, 'required': ['return_type']}}"
)
GOLDEN = (
    "System: You are AutoGPT, you can use many tools(functions) to do the following task.\n"
    "First I will give you the task description, and your task start.\n"
    "At each step, you need to give your thought to analyze the status now and what to do next, with a function "
    "call to actually excute your step. Your output should follow this format:\nThought:\nAction\nAction Input:\n\n"
    "After the call, you will get the call result, and you are now in a new state.\n"
    "Then you will analyze your status now, then decide what to do next...\n"
    "After many (Thought-call) pairs, you finally perform the task, then you can give your finial answer.\n"
    "Remember: \n"
    "1.the state change is irreversible, you can't go back to one of the former state, if you want to restart the "
    "task, say \"I give up and restart\".\n"
    "2.All the thought is short, at most in 5 sentence.\n"
    "3.You can do more then one trys, so if your plan is to continusly try some conditions, you can do one of the "
    "conditions per try.\n"
    "Let's Begin!\n"
    "Task description: You should use functions to help handle the real time user querys. Remember:\n"
    "1.ALWAYS call \"Finish\" function at the end of the task. And the final answer should contain enough "
    "information to show to the user,If you can't handle the task, or you find that function calls always "
    "fail(the function is not valid now), use function Finish->give_up_and_restart.\n"
    "2.Do not use origin tool names, use only subfunctions' names.\n"
    "You have access of the following tools:\n"
    "1.theclique: API for TheClique company\n"
    "2.weather_api: None\n"
    "\nSpecifically, you have access to the following APIs: "
    "[{'name': 'transfermarkt_search_for_theclique', 'description': 'This is the subfunction for tool "
    "\"theclique\", you can use this tool.The description of this function is: \"Search by name\"', "
    "'parameters': {'type': 'object', 'properties': {'name': {'type': 'string', 'description': '', "
    "'example_value': 'messi'}}, 'required': ['name'], 'optional': []}}, "
    "{'name': 'forecast_for_weather_api', 'description': 'This is the subfunction for tool \"weather_api\", "
    "you can use this tool.The description of this function is: \"forecast_for_weather_api by city. Call "
    "forecast_for_weather_api daily.\"', 'parameters': {'type': 'object', 'properties': {'city_name': "
    "{'type': 'string', 'description': 'City name'}, 'days': {'type': 'integer', 'description': '  ', "
    "'example_value': 3}}, 'required': ['city_name'], 'optional': ['days']}}, " + FINISH_REPR + "]\n"
    "User: \nWeather in Paris?\nBegin!\n\n"
    "Assistant: \nThought: I need the forecast.\nAction: forecast_for_weather_api\n"
    "Action Input: {\"city_name\": \"Paris\"}\n"
    "Function: {\"error\": \"\", \"response\": \"sunny\"}\n"
    "Assistant:\n"
)


def test_prompt_is_byte_exact() -> None:
    assert ToolLlama().step_prompt(PromptContext(QUERY, TOOLS, HISTORY)) == GOLDEN


def test_only_the_first_user_turn_is_wrapped() -> None:
    ctx = PromptContext(QUERY, TOOLS, (*HISTORY, Turn("user", "Try something else.")))
    assert ToolLlama().step_prompt(ctx).endswith("Function: {\"error\": \"\", \"response\": \"sunny\"}\n"
                                                 "User: Try something else.\nAssistant:\n")


def _prompt_file(shared_data: Path, name: str) -> str:
    return (shared_data / "stabletoolbench" / "prompts" / name).read_text(encoding="utf-8")


def test_constants_match_the_upstream_prompt_files(shared_data: Path) -> None:
    assert SYSTEM_TEMPLATE == _prompt_file(shared_data, "react_FORMAT_INSTRUCTIONS_SYSTEM_FUNCTION.txt")
    assert USER_TEMPLATE == _prompt_file(shared_data, "react_FORMAT_INSTRUCTIONS_USER_FUNCTION.txt")
    prefix_file = _prompt_file(shared_data, "rapidapi_task_description_prefix.txt")
    assert prefix_file.startswith(TASK_DESCRIPTION_PREFIX)
    assert prefix_file[len(TASK_DESCRIPTION_PREFIX):].startswith("{k+1}.{standard_tool_name}")


def test_messages_match_a_real_toolbench_answer(shared_data: Path) -> None:
    path = (shared_data / "stabletoolbench" / "data_example" / "answer" / "virtual_chatgpt_dfs"
            / "G1_instruction" / "588_DFS_woFilter_w2.json")
    generation = json.loads(path.read_text(encoding="utf-8"))["answer_generation"]
    functions = generation["function"]
    tools = tuple(ToolSpec(category="Data", tool="TheClique", api=f["name"], function_name=f["name"],
                           description=f["description"], parameters=f["parameters"],
                           tool_description="API for TheClique company")
                  for f in functions if f["name"] != "Finish")
    ctx = PromptContext(generation["query"], tools, (Turn("user", generation["query"]),))
    system, user = generation["train_messages"][-1][:2]
    assert stored_system_message(ctx) == system["content"]
    prompt = ToolLlama().step_prompt(ctx)
    assert f"\nSpecifically, you have access to the following APIs: {functions}\nUser: " in prompt
    assert prompt.endswith(f"User: {user['content']}\nAssistant:\n")


@pytest.mark.parametrize(("text", "expected"), [
    ('Thought: I need data.\nAction: forecast_for_weather_api\nAction Input: {"city_name": "Paris"}',
     Action(kind="call", thought="I need data.", name="forecast_for_weather_api", arguments='{"city_name": "Paris"}')),
    ("Action: foo_for_bar\nAction Input: {}", Action(kind="call", name="foo_for_bar", arguments="{}")),
    ("Thought: x\nAction: foo_for_bar", Action(kind="call", thought="x", name="foo_for_bar", arguments="")),
    ('Thought: done\nAction: Finish\nAction Input: {"return_type": "give_answer", "final_answer": "Sunny."}',
     Action(kind="answer", thought="done", name="Finish",
            arguments='{"return_type": "give_answer", "final_answer": "Sunny."}', answer="Sunny.")),
    ('Action: Finish\nAction Input: {"return_type": "give_up_and_restart"}',
     Action(kind="give_up", name="Finish", arguments='{"return_type": "give_up_and_restart"}')),
    # not JSON: ToolBench's substring salvage keeps everything after the final_answer quote
    ('Action: Finish\nAction Input: {"return_type": "give_answer", "final_answer": "It is "hot"."}',
     Action(kind="answer", name="Finish",
            arguments='{"return_type": "give_answer", "final_answer": "It is "hot"."}', answer='It is "hot"."}')),
    ('Action: Finish\nAction Input: {"final_answer": "x"}',
     Action(kind="parse_error", name="Finish", arguments='{"final_answer": "x"}',
            error='Finish without "return_type"')),
    ('Action: Finish\nAction Input: {"return_type": "give_answer"}',
     Action(kind="parse_error", name="Finish", arguments='{"return_type": "give_answer"}',
            error='Finish give_answer without "final_answer"')),
    ("Thought: I give up and restart", Action(kind="parse_error", thought="Thought: I give up and restart",
                                              error="no 'Action:' in output")),
])
def test_parse_step(text: str, expected: Action) -> None:
    assert ToolLlama().parse_step(text) == expected


def test_step_turns_record_the_training_form_as_an_option() -> None:
    fmt = ToolLlama(history="training")
    text = 'Thought: I need the forecast.\nAction: forecast_for_weather_api\nAction Input: {"city_name": "Paris"}'
    assert fmt.step_turns(text, fmt.parse_step(text)) == (Turn("assistant", STEP),)
    assert fmt.step_turns("gibberish", fmt.parse_step("gibberish")) == (Turn("assistant", "gibberish"),)


def test_later_prompts_show_past_steps_as_toolbench_inference_does() -> None:
    # tool_llama_model.py: the assistant message's content is react_parser's thought; the prompt shows
    # `Assistant: <content>\n`, never the call.
    fmt = ToolLlama()
    text = 'Thought: I need the forecast.\nAction: forecast_for_weather_api\nAction Input: {"city_name": "Paris"}'
    history = (Turn("user", QUERY), *fmt.step_turns(text, fmt.parse_step(text)), HISTORY[2])
    prompt = fmt.step_prompt(PromptContext(QUERY, TOOLS, history))
    assert prompt.endswith("User: \nWeather in Paris?\nBegin!\n\nAssistant: I need the forecast.\n"
                           'Function: {"error": "", "response": "sunny"}\nAssistant:\n')


@pytest.mark.parametrize(("text", "thought"), [
    ("Thought: a\nb\nAction: f\nAction Input: {}", "a\nb"),
    ("Action: f\nAction Input: {}", "f\nAction Input: {"),  # no "Thought: " (from index 8), no "\nAction: " (to -1)
    ("I will look\nAction: f", "ook"),  # -1 + 9 = 8
    ("Thought: done, no call", "done, no cal"),  # no "\nAction: ": stops before the last character
])
def test_the_kept_thought_is_react_parsers(text: str, thought: str) -> None:
    fmt = ToolLlama()
    assert fmt.step_turns(text, fmt.parse_step(text)) == (Turn("assistant", thought),)


def test_stop_string() -> None:
    assert ToolLlama.stop == ("</s>",)
