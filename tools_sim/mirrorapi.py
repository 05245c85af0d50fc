"""The `mirrorapi` and `mirrorapi-cot` miss policies: StableToolBench's MirrorAPI prompts (server/
main_mirrorapi.py) through any model, batched, validated and cached back as the `llm` policy does.

`mirrorapi` uses SFT_SYSTEM, the prompt upstream's server sends; `mirrorapi-cot` uses COT_SYSTEM, whose
`[CHAIN_OF_THOUGHT]` mark asks MirrorAPI for `{"mechanism_of_the_api", "error", "response"}`, its reasoning
first. Both are read from StableToolBench's data folder (prompts/mirrorapi_SFT_SYSTEM.txt,
mirrorapi_COT_SYSTEM.txt; benchmarks.core.prompt_files), so a missing file fails when the simulator is built.

As upstream: the user message is "API doc:\\n{api_doc}\\n\\nRequest:\\n{request}" with the Python reprs of the
API doc (api_name, api_description, required_parameters, optional_parameters, tool_description from the
API's entry; tool_name the standardized tool name before any `_for_`, tool_category the standardized
category) and of the call's arguments less `toolbench_key`; decoding at temperature 0.1, up to 2,048 new
tokens, seed 42, with no JSON constraint. A reply is read as upstream's extract_attributes_json: JSON with
"error" and "response", else the fields found by its regular expressions (the COT one when the reply names
mechanism_of_the_api); the reasoning is dropped, and a reply whose error and response are both empty is a
failure. Unlike upstream, which keeps them, the closing quote and brace after a response found by regular
expression are cut off; and, like the `llm` policy, an invalid reply is asked again (3 tries in all, seed
42 + the try), and valid replies are saved to the cache (their source: the policy's name).
"""
from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from benchmarks.core.naming import standardize, standardize_category
from benchmarks.core.prompt_files import stabletoolbench_prompt
from benchmarks.core.types import ToolSpec
from tools_sim.cache import ResponseCache
from tools_sim.llm import Generate, GenerateSettings, LlmPolicy, Messages, require_model
from tools_sim.policies import Miss

SFT_PROMPT_FILE = "mirrorapi_SFT_SYSTEM.txt"
COT_PROMPT_FILE = "mirrorapi_COT_SYSTEM.txt"
USER_PROMPT = "API doc:\n{api_doc}\n\nRequest:\n{request}"
# config_mirrorapi.yml's temperature and the server's max_tokens and seed.
MIRRORAPI_SETTINGS = GenerateSettings(temperature=0.1, max_new_tokens=2048, seed=42)
_MAX_CHARS = 50_000  # bounds the regular expressions' work on a runaway reply
# Upstream's COT expression is '"mechanism_of_the_api"\s*:\s*"(.*?)",\s*' '"error"\s*:\s*"(.*?)",\s*'
# '"response"\s*:\s*"(.*)' (DOTALL); its lazy groups backtrack quadratically, so it is matched in three
# searches that find the same groups (the first field head after the one before).
_COT_HEADS = (re.compile(r'"mechanism_of_the_api"\s*:\s*"'), re.compile(r'",\s*"error"\s*:\s*"'),
              re.compile(r'",\s*"response"\s*:\s*"'))
_SFT_FIELDS = re.compile(r'"error":\s*"([^"]*)",\s*"response":\s*"(.*)', re.DOTALL)
_OBJECT_CLOSE = re.compile(r'"\s*}\s*(?:```)?\s*$')


def mirror_api_doc(spec: ToolSpec) -> dict[str, Any]:
    entry = spec.api_entry
    return {"api_name": entry.get("api_name", spec.api), "api_description": entry.get("api_description", ""),
            "required_parameters": entry.get("required_parameters", []),
            "optional_parameters": entry.get("optional_parameters", []),
            "tool_description": entry.get("tool_description", ""),
            "tool_name": standardize(spec.tool).split("_for_")[0], "tool_category": standardize_category(spec.category)}


def mirror_messages(system: str, spec: ToolSpec, arguments: dict[str, Any]) -> Messages:
    request = {k: v for k, v in arguments.items() if k != "toolbench_key"}
    return [{"role": "system", "content": system},
            {"role": "user", "content": USER_PROMPT.format(api_doc=mirror_api_doc(spec), request=request)}]


def parse_mirror_reply(text: Any) -> dict[str, Any] | None:
    """{"error", "response"} from a MirrorAPI reply, or None; never raises (model output)."""
    if not isinstance(text, str):
        return None
    text = text[:_MAX_CHARS]
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        fields = _fields_by_pattern(text)
    else:
        fields = (value["error"], value["response"]) if isinstance(value, dict) and {"error", "response"} <= set(value) \
            else None
    if fields is None or not (fields[0] or fields[1]):
        return None
    return {"error": fields[0], "response": fields[1]}


def _fields_by_pattern(text: str) -> tuple[str, str] | None:
    """(error, response) as upstream's regular expressions find them, or None."""
    if "mechanism_of_the_api" in text:
        fields = _cot_fields(text)
    else:
        match = _SFT_FIELDS.search(text)
        fields = match.groups() if match else None
    return None if fields is None else (fields[0], _OBJECT_CLOSE.sub("", fields[1]))


def _cot_fields(text: str) -> tuple[str, str] | None:
    heads, position = [], 0
    for head in _COT_HEADS:
        match = head.search(text, position)
        if match is None:
            return None
        heads.append(match)
        position = match.end()
    _, error, response = heads
    return text[error.end():response.start()], text[response.end():]


class MirrorApiPolicy(LlmPolicy):
    """The llm policy's batching, retries and cache, with MirrorAPI's prompt, decoding and reply reading."""

    def __init__(self, name: str, system: str, generate: Generate, cache: ResponseCache | None = None) -> None:
        super().__init__(generate, cache)
        self.name = name
        self.system = system

    def messages(self, miss: Miss) -> Messages:
        return mirror_messages(self.system, miss.spec, miss.arguments)

    @staticmethod
    def parse(text: Any) -> dict[str, Any] | None:
        return parse_mirror_reply(text)

    def ask(self, prompts: list[Messages], attempt: int) -> list[Any]:
        return list(self.generate(prompts, replace(MIRRORAPI_SETTINGS, seed=MIRRORAPI_SETTINGS.seed + attempt)))


def mirrorapi_policy(cache: ResponseCache | None, generate: Generate | None) -> MirrorApiPolicy:
    """`mirrorapi`: the SFT prompt, the one upstream's MirrorAPI server sends."""
    system = stabletoolbench_prompt(SFT_PROMPT_FILE)
    return MirrorApiPolicy("mirrorapi", system, require_model("mirrorapi", generate), cache)


def mirrorapi_cot_policy(cache: ResponseCache | None, generate: Generate | None) -> MirrorApiPolicy:
    """`mirrorapi-cot`: the chain-of-thought prompt (reasoning, then error and response)."""
    system = stabletoolbench_prompt(COT_PROMPT_FILE)
    return MirrorApiPolicy("mirrorapi-cot", system, require_model("mirrorapi-cot", generate), cache)


mirrorapi_policy.needs_model = True  # type: ignore[attr-defined]
mirrorapi_cot_policy.needs_model = True  # type: ignore[attr-defined]
