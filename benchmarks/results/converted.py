"""ToolEval's converted answers (`<model>/<group>.json`, docs/formats.md): reading, writing, and the few
facts the judging procedures read off an answer (benchmarks.results.raw_answers makes them from raw answers).

An answer is a chain of nodes (`answer_details`), each with one child in `next`; `final_answer` is the
Finish ARGUMENTS string (`""` when the agent never called Finish). Files come from other tools too, so
every record is checked on load and a bad one is reported with its file and query id.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

GIVE_UP = "give_up_and_restart"
_FINISH_MARK = "'name': 'Finish'"  # how upstream spots a Finish step in its printed final step


@dataclass(frozen=True)
class Example:
    """One query's converted answer: what every judge call about it is built from."""

    group: str
    query_id: str
    query: str
    available_tools: list[dict[str, Any]]
    answer: dict[str, Any]

    @property
    def key(self) -> str:
        return f"{self.group}/{self.query_id}"

    @property
    def final_answer(self) -> str:
        return self.answer["final_answer"]


def _nodes(answer: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The chain from the first node along `next[0]` (upstream's linearisation)."""
    details = answer.get("answer_details")
    node = details[0] if isinstance(details, list) and details else None
    while isinstance(node, dict):
        yield node
        following = node.get("next")
        node = following[0] if isinstance(following, list) and following else None


def steps(answer: dict[str, Any]) -> tuple[str, str]:
    """(answer_steps, final_step) exactly as ToolEval's `get_steps` prints them: tool steps numbered, each
    message in Python repr. Recorded judgements (replay) are matched to answers through these strings."""
    lines, final = [], ""
    for node in _nodes(answer):
        if node.get("message") and node.get("role") == "tool":
            lines.append(f"Step {len(lines) + 1}: {node['message']}")
            final = f"Final step: {node['message']}"
    return "\n".join(lines), final


def ends_with_finish(answer: dict[str, Any]) -> bool:
    """Whether the last tool step is Finish (otherwise the query fails with no judge call)."""
    return _FINISH_MARK in steps(answer)[1]


def is_empty_answer(final_answer: str) -> bool:
    """No answer to judge: empty, or a give-up (judged Unsolved with no judge call)."""
    return final_answer == "" or GIVE_UP in final_answer


def answer_text(final_answer: str) -> str:
    """The final_answer value inside Finish's arguments string (the whole string when it is not JSON)."""
    try:
        arguments = json.loads(final_answer)
    except (ValueError, RecursionError):
        return final_answer
    value = arguments.get("final_answer") if isinstance(arguments, dict) else None
    return value if isinstance(value, str) else final_answer


def _check(path: Path, query_id: str, record: Any) -> None:
    def bad(what: str) -> ValueError:
        return ValueError(f"{path}: record {query_id!r}: {what}")

    if not isinstance(record, dict):
        raise bad("not a JSON object")
    if not isinstance(record.get("query"), str):
        raise bad("'query' missing or not a string")
    tools = record.get("available_tools")
    if not isinstance(tools, list) or not all(isinstance(t, dict) for t in tools):
        raise bad("'available_tools' missing or not a list of objects")
    answer = record.get("answer")
    if not isinstance(answer, dict):
        raise bad("'answer' missing or not an object")
    if not isinstance(answer.get("final_answer"), str):
        raise bad("'answer.final_answer' missing or not a string")
    if not isinstance(answer.get("answer_details"), list):
        raise bad("'answer.answer_details' missing or not a list")


def read_converted(path: Path, group: str | None = None) -> list[Example]:
    """The examples of one converted-answers file; the group defaults to the file name (`G1_instruction`)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot read ({exc})") from None
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"{path}: not valid JSON ({'nested too deeply' if isinstance(exc, RecursionError) else exc})") from None
    return converted_examples(data, group or path.stem, path)


def converted_examples(data: Any, group: str, path: Path) -> list[Example]:
    """The examples of one group's converted answers (`path`: where they come from, for errors)."""
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a ToolEval converted-answers file (expected an object keyed by query id)")
    examples = []
    for query_id, record in data.items():
        _check(path, query_id, record)
        examples.append(Example(group, str(query_id), record["query"], record["available_tools"], record["answer"]))
    return examples


def dumps_converted(answers: dict[str, Any], indent: int | None = None) -> str:
    """A converted-answers file's text as upstream's converter writes it (`json.dump`; no newline at the end)."""
    return json.dumps(answers, indent=indent)
