"""The `llm` miss policy: StableToolBench's GPT simulator prompt through any model, batched.

Upstream (server/main.py, fake_response_function_chat) asks a chat model, in JSON mode at temperature
0 with max_tokens 1024, for `{"error", "response"}` given the API's documentation, up to 5 cached
examples of the same API (fewer while their text exceeds 2,048 chars) and the call's arguments; it
tries 3 times and then answers FAILED_REPLY. Here one tick's misses go to the model as one batch per
try (only the invalid ones are retried), a reply must be a JSON object with "error" and "response",
and valid replies are saved to the cache marked as simulated (source "llm"). A failure is not saved
(upstream caches it for good), so a later run can try again.

The model is any callable `generate(prompts, settings) -> texts` taking chat-message lists and how to
decode them (GenerateSettings; this policy's: temperature 0, up to 1,024 new tokens, JSON-constrained
output where the backend can); the engine wires a backend in, so this module needs nothing of the engine.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from benchmarks.core.types import ToolSpec
from tools_sim.cache import ResponseCache
from tools_sim.keys import canonical_key
from tools_sim.layout import is_safe_path
from tools_sim.observation import make_observation
from tools_sim.policies import Miss
from tools_sim.types import Observation

Messages = list[dict[str, str]]
Generate = Callable[..., list[str]]  # generate(prompts, settings=LLM_SETTINGS) -> one text per prompt

MAX_EXAMPLES = 5
EXAMPLES_MAX_CHARS = 2048
MAX_TRIES = 3
FAILED_REPLY = {"error": "Failed to generate fake response", "response": ""}
# The reply object as a JSON Schema, for backends that decode under one (upstream's JSON mode).
REPLY_SCHEMA = {"type": "object", "properties": {"error": {"type": "string"}, "response": {}},
                "required": ["error", "response"]}


@dataclass(frozen=True)
class GenerateSettings:
    """How a miss policy wants its prompts decoded; the engine maps it onto the backend's sampling."""

    temperature: float = 0.0
    max_new_tokens: int = 1024
    json_schema: dict[str, Any] | None = None  # the reply must match it, where the backend can constrain
    seed: int = 0


LLM_SETTINGS = GenerateSettings(json_schema=REPLY_SCHEMA)  # upstream's JSON mode at temperature 0

# Byte-exact source text of upstream's (non-raw) literal, so its "\n" escapes are newlines, as sent.
SYSTEM_PROMPT = '''
Imagine you are an API Server operating within a specialized tool, which contains a collection of distinct APIs. Your role is to deeply understand the function of each API based on their descriptions in the API documentation. As you receive specific inputs for individual API calls within this tool, analyze these inputs to determine their intended purpose. Your task is to craft a JSON formatted response that aligns with the expected output of the API, guided by the provided examples.\n
Your responses must adhere to a specific JSON structure, which is as follows:\n
{
    "error": "",
    "response": "<Your_Response>"
}\n
The error field should remain empty, indicating no errors in processing. The response field should contain the content you formulate based on the API's functionality and the input provided. Ensure that your responses are meaningful, directly addressing the API's intended functionality. If the provided examples are mostly error messages or lack substantial content, use your judgment to create relevant and accurate responses. The key is to maintain the JSON format's integrity while ensuring that your response is an accurate reflection of the API's intended output within the tool.\n
Please note that your answer should not contain anything other than a json format object, which should be parsable directly to json.
Note that:
- your response should be around 100 to 200 words, containing rich information given the api input parameters. Keep Your answer short and simple.
- your response must be effective and have practical content.
- if the api response example if null or ineffective, ignore the example and give your independent response.

API calls may fail for various reasons, such as invalid input parameters, authentication issues, or server errors. Your goal is to generate a response that accurately reflects the API's intended functionality, even if the input parameters are incorrect. Your response should be informative and relevant to the API's purpose, providing a clear and concise explanation of the expected output based on the input provided.
Here is an example:
API doc
{
    "name": "properties/get-broadband",
    "url": "https://zoopla.p.rapidapi.com/properties/get-broadband",
    "description": "Get broadband information",
    "method": "GET",
    "required_parameters": [
        {
            "name": "listing_id",
            "type": "NUMBER",
            "description": "The value of listing_id field returned in .../properties/list endpoint",
            "default": "56354192"
        }
    ],
    "optional_parameters": [],
    "code": "import requests\n\nurl = \"https://zoopla.p.rapidapi.com/properties/get-broadband\"\nquerystring = {\"listing_id\": \"56354192\"}\n\nheaders = {\n            \"X-RapidAPI-Key\": \"SIGN-UP-FOR-KEY\",\n            \"X-RapidAPI-Host\": \"zoopla.p.rapidapi.com\"\n        }\n\nresponse = requests.get(url, headers=headers, params=querystring)\nprint(response.json())\n",
    "convert_code": "import requests\n\nurl = \"https://zoopla.p.rapidapi.com/properties/get-broadband\"\nquerystring = {\"listing_id\": \"56354192\"}\n\nheaders = {\n            \"X-RapidAPI-Key\": \"SIGN-UP-FOR-KEY\",\n            \"X-RapidAPI-Host\": \"zoopla.p.rapidapi.com\"\n        }\n\nresponse = requests.get(url, headers=headers, params=querystring)\nprint(response.json())\n",
    "test_endpoint": "",
    "statuscode": 200,
    "schema": {}
}
Request:
    data = {
        "category": "Business",
        "tool_name": "zoopla_v2",
        "api_name": "properties_get_broadband",
        "tool_input": {'listing_id': '456789', "abdc": 11123},
        "strip": "",
        "toolbench_key": "xxx"
    }
Response:
    {"error":"Function executing from toolenv.tools.Business.zoopla_v2.api import properties_get_broadband error...\nproperties_get_broadband() got an unexpected keyword argument 'abdc'","response":""}


Your will also be given successful examples of API calls and their expected outputs, based on which you will generate the response for the given input.
    '''


def api_doc(spec: ToolSpec) -> dict[str, Any]:
    """Upstream's api_doc: the tool description and this API's name and description, as its tool file
    gives them (the task's api_list entry holds the same fields); upstream's empty doc when unknown."""
    entry = spec.api_entry
    if not entry:
        return {"tool_description": "", "api_info": ""}
    info = {"name": entry.get("api_name", spec.api), "description": entry.get("api_description", "")}
    return {"tool_description": entry.get("tool_description", ""), "api_info": [info]}


def pick_examples(examples: Sequence[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Upstream's in-context examples: the first 5 records, fewer while their text exceeds 2,048 chars."""
    count = MAX_EXAMPLES
    picked = list(islice(examples, count))
    while len(str(picked)) > EXAMPLES_MAX_CHARS and count > 1:
        count -= 1
        picked = picked[:count]
    return picked


def user_prompt(doc: dict[str, Any], examples: Sequence[tuple[str, Any]], arguments: dict[str, Any]) -> str:
    """Upstream's user message (gpt_simulator_user_prompt_template): Python reprs, examples cut at 2,048."""
    return ("API Documentation:" + str(doc) + "\n" + "API Examples:" + str(list(examples))[:EXAMPLES_MAX_CHARS]
            + "\n" + "API Input:" + str(arguments) + "\n")


def simulator_messages(spec: ToolSpec, examples: Sequence[tuple[str, Any]],
                       arguments: dict[str, Any]) -> Messages:
    return [{"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": user_prompt(api_doc(spec), pick_examples(examples), arguments)}]


def parse_reply(text: Any) -> dict[str, Any] | None:
    """A model reply as a reply object, or None: upstream strips ```json fences, then it must be a JSON
    object with "error" and "response". Never raises (the text is model output)."""
    if not isinstance(text, str):
        return None
    if "```json" in text:
        text = text.replace("```json", "").replace("```", "").strip()
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) and "error" in value and "response" in value else None


class LlmPolicy:
    """Simulates misses with a model; identical calls of one tick share one prompt and one reply. Another
    simulator prompt is a subclass with its own name, `messages`, `parse` and `ask` (tools_sim.mirrorapi)."""

    name = "llm"

    def __init__(self, generate: Generate, cache: ResponseCache | None = None, tries: int = MAX_TRIES) -> None:
        self.generate = generate
        self.cache = cache
        self.tries = tries
        self.counts = {"prompts": 0, "batches": 0, "retries": 0, "failed": 0, "generate_errors": 0,
                       "save_errors": 0}

    def respond(self, misses: Sequence[Miss]) -> list[Observation | None]:
        slots: dict[tuple[Any, str], int] = {}  # (path, canonical key) -> index among unique calls
        unique: list[Miss] = []
        for miss in misses:
            key = (miss.path, canonical_key(miss.arguments))
            if key not in slots:
                slots[key] = len(unique)
                unique.append(miss)
        replies = self._simulate(unique)
        answers = [self._observation(m, r) for m, r in zip(unique, replies, strict=True)]
        return [answers[slots[(m.path, canonical_key(m.arguments))]] for m in misses]

    def _simulate(self, misses: list[Miss]) -> list[dict[str, Any] | None]:
        """Valid replies (saved to the cache), None where every try failed."""
        prompts = [self.messages(m) for m in misses]
        replies: list[dict[str, Any] | None] = [None] * len(misses)
        pending = list(range(len(misses)))
        for attempt in range(self.tries):
            if not pending:
                break
            if attempt:
                self.counts["retries"] += len(pending)
            texts = self._generate([prompts[i] for i in pending], attempt)
            for i, text in zip(pending, texts, strict=True):
                replies[i] = self.parse(text)
            pending = [i for i in pending if replies[i] is None]
        self.counts["failed"] += len(pending)
        return self._save(misses, replies)

    def messages(self, miss: Miss) -> Messages:
        return simulator_messages(miss.spec, self._examples(miss), miss.arguments)

    @staticmethod
    def parse(text: Any) -> dict[str, Any] | None:
        return parse_reply(text)

    def ask(self, prompts: list[Messages], attempt: int) -> list[Any]:
        """The model's texts for one try (this policy's settings are the engine's default)."""
        return list(self.generate(prompts))

    def _generate(self, prompts: list[Messages], attempt: int) -> list[Any]:
        """One batch; a generate that raises fails every prompt of this try (upstream drops into pdb)."""
        self.counts["batches"] += 1
        self.counts["prompts"] += len(prompts)
        try:
            texts = self.ask(prompts, attempt)
        except Exception:
            self.counts["generate_errors"] += 1
            return [None] * len(prompts)
        if len(texts) != len(prompts):
            raise ValueError(f"{self.name} miss policy: generate returned {len(texts)} texts for {len(prompts)} prompts")
        return texts

    def _examples(self, miss: Miss) -> list[tuple[str, Any]]:
        return [] if self.cache is None else self.cache.examples(miss.path, MAX_EXAMPLES)

    def _save(self, misses: list[Miss], replies: list[dict[str, Any] | None]) -> list[dict[str, Any] | None]:
        """Write valid replies back in one transaction; another process's earlier reply wins."""
        done = {i: r for i, r in enumerate(replies) if r is not None and is_safe_path(misses[i].path)}
        if self.cache is None or not done:
            return replies
        try:
            stored = self.cache.save([(misses[i].path, misses[i].arguments, r) for i, r in done.items()], self.name)
        except sqlite3.Error:  # a store that cannot take the write (disk full, locked too long): still answer
            self.counts["save_errors"] += 1
            return replies
        for i, value in zip(done, stored, strict=True):
            replies[i] = value
        return replies

    def _observation(self, miss: Miss, reply: dict[str, Any] | None) -> Observation:
        if reply is None:
            return make_observation(FAILED_REPLY, "error", miss.spec.function_name)
        return make_observation(reply, self.name, miss.spec.function_name)

    def stats(self) -> dict[str, int]:
        return dict(self.counts)


def require_model(name: str, generate: Generate | None) -> Generate:
    if generate is None:
        raise ValueError(f"the {name} miss policy needs a model: pass generate= (a backend's batched chat call)")
    return generate


def llm_policy(cache: ResponseCache | None, generate: Generate | None) -> LlmPolicy:
    return LlmPolicy(require_model("llm", generate), cache)


llm_policy.needs_model = True  # type: ignore[attr-defined]  # the simulator builds --sim-model for it
