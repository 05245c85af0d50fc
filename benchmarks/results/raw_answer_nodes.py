"""What one model reply adds to a ToolBench raw answer: its search nodes and its `train_messages` message.

The rules ToolBench's runners follow (toolbench/inference/Algorithms/single_chain.py and DFS.py), shared by the
DFSDT trees (engine.search.dfsdt) and the ToolEval export of chains (benchmarks.results.tooleval_export), so the
two cannot drift apart:
- ReAct runners (ToolLLaMA, text chat formats, alpha-UMi) add a Thought node for every reply, an empty one
  included, then Action and Action Input for its call;
- ChatGPT's function-calling runner (`native_calls`) adds a Thought node only when the reply has `content`: a call
  said without text is Action and Action Input alone, and its assistant message has no `content` key (as the
  ChatGPT answer files hold it); a reply without a call is a Thought node alone.
"""
from __future__ import annotations

from typing import Any

FINISH = "Finish"
HALLUCINATED_NAME = "invalid_hallucination_function_name"  # what ToolBench's runner stores for an unknown name
# ToolBench's environment's Finish responses, verbatim
ANSWER_RESPONSE = '{"response":"successfully giving the final answer."}'
GIVE_UP_RESPONSE = '{"response":"chose to give up and restart"}'


def has_thought_node(thought: str, native_calls: bool) -> bool:
    """Whether a reply with a call adds a Thought node before its Action."""
    return bool(thought) or not native_calls


def assistant_message(thought: str, call: tuple[str, str] | None, native_calls: bool) -> dict[str, Any]:
    """The assistant message a reply stores: its text as `content`, its (name, arguments) call as `function_call`."""
    message: dict[str, Any] = {"role": "assistant", "content": thought}
    if call is not None:
        message["function_call"] = {"name": call[0], "arguments": call[1]}
        if not has_thought_node(thought, native_calls):
            del message["content"]
    return message


def function_message(name: str, observation: str) -> dict[str, Any]:
    """The tool's reply to a call, as ToolBench's runner stores it."""
    return {"role": "function", "name": name, "content": observation}
