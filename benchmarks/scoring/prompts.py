"""ToolEval's judge prompts and function schemas (evaluator `tooleval_gpt-3.5-turbo_default`), verbatim.

Interface constants: judged scores only compare with published ones when the judge sees exactly these
texts. TEMPLATE is `template.txt`, FUNCTIONS the `functions` of `config.yaml`, JUDGE_SETTINGS the rest of
its completion settings (the shared-data test diffs all three against the files). A prompt is the
function's <description> text with its {slots} filled by str.format, as upstream's `function_call` does.
"""
from __future__ import annotations

import copy
import re
from typing import Any

EVALUATOR = "tooleval_gpt-3.5-turbo_default"

TEMPLATE = (
    '<function>\n'
    '<name>check_answer_status</name>\n'
    '<description>\n'
    'Giving the query and answer, you need give `answer_status` of the answer by following rules:\n'
    '1. If the answer is a sorry message or not a positive/straight response for the given query, return "Unsolved".\n'
    '2. If the answer is a positive/straight response for the given query, you have to further check.\n'
    '2.1 If the answer is not sufficient to determine whether the solve the query or not, return "Unsure".\n'
    '2.2 If you are confident that the answer is sufficient to determine whether the solve the query or not, return "Solved" or "Unsolved".\n'
    '\n'
    'Query:\n'
    '{query}\n'
    'Answer:\n'
    '{answer}\n'
    '\n'
    'Now give your reason in "content" and `answer_status` of JSON to `check_answer_status`.\n'
    '</description>\n'
    '</function>\n'
    '\n'
    '<function>\n'
    '<name>parse_answer_status</name>\n'
    '<description>\n'
    'Giving the query and the correspond execution detail of an answer, you need give `answer_status` of the answer by following rules:\n'
    '1. If all \'tool\' nodes\' message indicate that there are errors happened, return "Unsolved"\n'
    '2. If you find the information in the "final_answer" is not true/valid according to the messages in \'tool\' nodes, return "Unsolved"\n'
    '3. If you are unable to verify the authenticity and validity of the information, return "Unsure"\n'
    '4. If there are \'tool\' node in the chain contains successful func calling and those calling indeed solve the query, return "Solved"\n'
    '\n'
    'Query:\n'
    '{query}\n'
    'Answer:\n'
    '{answer}\n'
    '\n'
    'Now you are requested to give reason in "content" and `answer_status` of JSON to `parse_answer_status`.\n'
    '</description>\n'
    '</function>\n'
    '\n'
    '<function>\n'
    '<name>check_task_solvable</name>\n'
    '<description>\n'
    'Please check whether the given task solvable with following rules:\n'
    '1. If the `query` provide invalid information (e.g. invalid email address or phone number), return "Unsolvable"\n'
    '2. If the `query` needs more information to solve (e.g. the target restaurant name in a navigation task), return "Unsolvable"\n'
    '3. If you are unable to draw a conclusion, return "Unsure"\n'
    '4. If the currently `available_tools` are enough to solve the query, return "Solvable"\n'
    '\n'
    'Task:\n'
    '{task}\n'
    '\n'
    'Now give your reason in "content" and `task_status` of JSON to `check_task_solvable`.\n'
    '</description>\n'
    '</function>\n'
    '\n'
    '\n'
    '\n'
    '<function>\n'
    '<name>select_better_answer</name>\n'
    '<description>\n'
    'Query:\n'
    '{query}\n'
    '\n'
    'Answer_0:\n'
    '{answer_0}\n'
    '\n'
    'Answer_1:\n'
    '{answer_1}\n'
    '\n'
    'Given above query and answers in JSON format, you must follow the rules to select the relatively better answer and give the index of the answer **(0 for Answer_0, 1 for Answer_1)**:\n'
    '1. Compare the value of "final_answer" in following aspects:\n'
    '- Informative: whether it contains all necessary information to reply to the query.\n'
    '- Factuality: whether it accurately describes what has been done, and what failed in the end.\n'
    '- Reasoning: If answer does not solve the query, whether gives a detailed and accurate reason for failure.\n'
    '2. If you cannot determine yet, compare the value of "answer_details" in following aspects:\n'
    '- Tool calling costs: calculating the percentage of failed and replicated tools calling.\n'
    '- Running costs: calculating the total tokens T used in execution.\n'
    '- Milestone: calculating the milestone(fixed subtasks) reached in execution.\n'
    '- Exploration: whether tries potential useful tools in execution. Just count times of successful tool calling with different tools/arguments in execution.\n'
    '\n'
    'If you have made your decision, calling `select_better_answer`, else if you cannot determine, select a random answer.\n'
    '</description>\n'
    '</function>'
)

_ANSWER_STATUS = {"type": "string", "enum": ["Unsure", "Unsolved", "Solved"]}
_LAYERED = "Parse the json answer with layerd nodes and return the answer_status about the answer"
FUNCTIONS: list[dict[str, Any]] = [
    {"name": "check_answer_status", "description": _LAYERED,
     "parameters": {"type": "object", "properties": {"answer_status": _ANSWER_STATUS}, "required": ["answer_status"]}},
    {"name": "parse_answer_status", "description": _LAYERED,
     "parameters": {"type": "object", "properties": {"answer_status": _ANSWER_STATUS}, "required": ["answer_status"]}},
    {"name": "check_task_solvable",
     "description": "Parse the task description and return the task_status about the task",
     "parameters": {"type": "object",
                    "properties": {"task_status": {"type": "string", "enum": ["Unsure", "Unsolvable", "Solvable"]}},
                    "required": ["task_status"]}},
    {"name": "select_better_answer",
     "description": "Select the better answer with a comprehensive investigation on given aspects. You should ignore "
                    "the impact of the order of candidate answers.",
     "parameters": {"type": "object",
                    "properties": {"index": {"type": "number",
                                             "description": "The `index` value in the selected better answer."}},
                    "required": ["index"]}},
]
# config.yaml's completion settings besides the functions (upstream's judge and decoding).
JUDGE_SETTINGS = {"model": "gpt-3.5-turbo-16k", "max_tokens": 1000, "temperature": 0.2, "timeout": 10}
# What upstream appends to a schema when it asks for the judge's reason (return_reason=True, which every
# call that decides a pass-rate or win-rate label makes).
REASON_PROPERTY = {"type": "string", "description": "explain your answer."}

# The field holding each function's verdict, and the values it may take.
VERDICT_FIELDS = {"check_answer_status": "answer_status", "parse_answer_status": "answer_status",
                  "check_task_solvable": "task_status", "select_better_answer": "index"}
VERDICT_VALUES = {"answer_status": ("Unsure", "Unsolved", "Solved"), "task_status": ("Unsure", "Unsolvable", "Solvable"),
                  "index": ("0", "1")}


def _descriptions(template: str) -> dict[str, str]:
    """{function name: <description> text}, parsed with upstream's regular expressions."""
    found = {}
    for block in re.findall(r"<function>(.*?)</function>", template, re.DOTALL):
        name = re.findall(r"<name>(.*?)</name>", block, re.DOTALL)[0]
        found[name] = re.findall(r"<description>(.*?)</description>", block, re.DOTALL)[0]
    return found


DESCRIPTIONS = _descriptions(TEMPLATE)


def function_prompt(function: str, variables: dict[str, str]) -> str:
    """The user message of one judge call (the description, slots filled once by str.format)."""
    return DESCRIPTIONS[function].format(**variables)


def function_schema(function: str) -> dict[str, Any]:
    """The function schema sent with a judge call: config.yaml's, plus the required `reason` argument."""
    schema = copy.deepcopy(next(f for f in FUNCTIONS if f["name"] == function))
    schema["parameters"]["required"].append("reason")
    schema["parameters"]["properties"]["reason"] = dict(REASON_PROPERTY)
    return schema
