"""A run's tooleval/<group>.json: the converted answers upstream's converter writes from the raw answers
ToolBench's runner would have written for the same trajectories."""
from __future__ import annotations

import json
from pathlib import Path

from benchmarks.results.converted import dumps_converted
from benchmarks.results.raw_answers import convert_folder
from benchmarks.embedded import load_embedded
from benchmarks.results.tooleval_export import GIVE_UP_RESPONSE, converted_group, converted_group_text, raw_answer

TASKS = load_embedded(per_group=1, seed=0).tasks
TASK = TASKS[0]


def _record(status: str, answer: str = "", calls: int = 2, thought_last: str = "I am done. Next: conclusion.") -> dict:
    turns = [{"role": "user", "text": TASK.query}]
    recorded = []
    for n in range(calls):
        turns += [{"role": "assistant", "text": f"plan {n}"}, {"role": "caller", "text": "Action: ..."},
                  {"role": "observation", "text": f"obs {n}"}]
        recorded.append({"name": f"tool_{n}", "arguments": '{"a": 1}', "observation": f"obs {n}", "status": 1 if n else 0,
                         "source": "cache", "function_name": None, "thought": f"plan {n}"})
    return {"task_key": TASK.key, "group": TASK.group, "query_id": TASK.query_id, "status": status,
            "final_answer": answer, "turns": turns, "calls": recorded,
            "finish_thought": thought_last if status in ("answered", "gave_up") else ""}


def _chain(answer: dict) -> list[dict]:
    nodes, following = [], answer["answer"]["answer_details"]
    while following:
        nodes.append(following[0])
        following = following[0]["next"]
    return nodes


def _convert(record: dict) -> dict:
    return converted_group({TASK.key: TASK}, [record])[TASK.query_id]


def test_an_answered_trajectory_keeps_its_calls_and_drops_its_thoughts() -> None:
    answer = _convert(_record("answered", "It is 14.5 degrees, caf\u00e9."))
    nodes = _chain(answer)
    assert [n["role"] for n in nodes] == ["system", "user", "tool", "tool", "tool"]
    assert nodes[2]["message"] == {"name": "tool_0", "arguments": '{"a": 1}', "response": "obs 0"}
    assert nodes[3]["message"]["name"] == "invalid_hallucination_function_name"  # an unknown name, as ToolBench stores it
    finish = '{"return_type": "give_answer", "final_answer": "It is 14.5 degrees, caf\\u00e9."}'  # no indent
    assert nodes[4]["message"] == {"name": "Finish", "arguments": finish, "response": ""}
    assert answer["answer"]["final_answer"] == finish and answer["answer"]["total_steps"] == 5
    assert answer["answer"]["method"] == "CoT@1" and answer["query"] == TASK.query


def test_a_trajectory_that_gave_up_keeps_its_thoughts_and_has_no_final_answer() -> None:
    answer = _convert(_record("gave_up", thought_last="Nothing works. Next: give up."))
    nodes = _chain(answer)
    assert [(n["role"], n["message"] if n["role"] == "assistant" else n["message"]["name"]) for n in nodes[2:]] == [
        ("assistant", "plan 0"), ("tool", "tool_0"), ("assistant", "plan 1"), ("tool", "tool_1"),
        ("assistant", "Nothing works. Next: give up."), ("tool", "Finish")]
    assert nodes[-1]["message"] == {"name": "Finish", "arguments": '{"return_type": "give_up_and_restart"}',
                                    "response": GIVE_UP_RESPONSE}
    assert answer["answer"]["final_answer"] == ""


def test_a_trajectory_out_of_steps_ends_without_finish() -> None:
    nodes = _chain(_convert(_record("max_steps")))
    assert [n["role"] for n in nodes] == ["system", "user", "assistant", "tool", "assistant", "tool"]
    assert nodes[-1]["message"]["name"] == "tool_1"


def test_the_file_is_what_the_converter_writes_from_the_equivalent_raw_answers(tmp_path: Path) -> None:
    records = [_record(status) for status in ("answered", "gave_up", "max_steps", "failed")]
    tasks = {}
    for n, record in enumerate(records):
        record["query_id"] = str(n)
        tasks[record["task_key"]] = TASK
        (tmp_path / f"{n}_CoT@1.json").write_text(json.dumps(raw_answer(TASK, record)))
    text = converted_group_text(tasks, records)
    from_raw = convert_folder(tmp_path)
    assert text == dumps_converted({qid: from_raw[qid] for qid in json.loads(text)})
    assert text.startswith('{"0": {"query": ') and not text.endswith("\n") and text.isascii()
