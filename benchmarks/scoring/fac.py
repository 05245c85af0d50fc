"""StableToolBench's FAC evaluation (toolbench/tooleval/fac_eval.py): a fine-tuned judge that sees only the
query and the final answer, asked once, greedily.

As upstream: the prompt is its PROMPT (read from StableToolBench's data folder, prompts/fac_eval_PROMPT.txt)
filled by str.format with the query and the converted answer's `final_answer` string as it stands (the
Finish arguments JSON: upstream unwraps only a string starting with `{\\"`, which can never parse as JSON,
so its json.loads would raise; such text is sent as it is); it goes to the model as one user message at
temperature 0 with at most 512 new tokens. The reply, lowercased, is Unsolved if it contains "unsolved", else Solved if it contains "solved"; anything else is no
verdict, which counts as Unsolved as upstream's 0. An empty final answer is Unsolved with no model call. The
pass rate is the share of queries judged Solved.
"""
from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any, Sequence

from benchmarks.core.prompt_files import PromptFileError, stabletoolbench_prompt
from benchmarks.results.converted import Example
from benchmarks.scoring.judges import Judge, JudgeCall, JudgeError, JudgeLog, JudgeOptions
from benchmarks.scoring.procedures import Procedure
from benchmarks.scoring.tooleval import (EMPTY_ANSWER, FAILED, PASSED, SOLVED, UNSOLVED, Evaluation, QueryResult,
                                         judge_call)

FAC_PROMPT_FILE = "fac_eval_PROMPT.txt"
FAC_QUESTION = "fac_answer_status"  # the JudgeCall function of FAC's one question
# fac_eval.py's SamplingParams(temperature=0, max_tokens=512), asked once.
FAC_TEMPERATURE = 0.0
FAC_MAX_NEW_TOKENS = 512
FAC_ATTEMPTS = 1


def load_fac_template() -> str:
    """Upstream's PROMPT; a template that str.format cannot fill with query and answer is refused now."""
    template = stabletoolbench_prompt(FAC_PROMPT_FILE)
    try:
        template.format(query="", answer="")
    except (KeyError, IndexError, ValueError) as exc:
        raise PromptFileError(f"{FAC_PROMPT_FILE} is not FAC's prompt: str.format with query and answer fails "
                              f"({type(exc).__name__}: {exc})") from None
    return template


def fac_prompt(template: str, query: str, answer: str) -> str:
    return template.format(query=query, answer=answer)


def parse_fac_reply(text: Any) -> str | None:
    """Upstream's get_response: "unsolved" anywhere (case ignored) is Unsolved, else "solved" is Solved; None
    for anything else (upstream's 0: the procedure counts it Unsolved)."""
    if not isinstance(text, str):
        return None
    text = text.lower().strip()
    if "unsolved" in text:
        return UNSOLVED
    return SOLVED if "solved" in text else None


class FacForm:
    """FAC's question for a model judge: its prompt as a plain user message, its reply parsing."""

    procedure = "fac"

    def __init__(self, template: str) -> None:
        self.template = template
        digest = hashlib.sha256(template.encode()).hexdigest()[:16]
        self.name = f"StableToolBench FAC ({FAC_PROMPT_FILE}, sha256 {digest})"

    def prompt(self, call: JudgeCall) -> str:
        if call.function != FAC_QUESTION:
            raise JudgeError(f"a FAC judge answers only FAC's Solved/Unsolved question, not {call.function} "
                             "(the win rate, --reference, needs a ToolEval judge)")
        return fac_prompt(self.template, call.variables["query"], call.variables["answer"])

    def schema(self, call: JudgeCall) -> None:
        return None

    def parse(self, reply: str, call: JudgeCall) -> str | None:
        return parse_fac_reply(reply)


def fac_options(options: JudgeOptions) -> JudgeOptions:
    """Upstream's decoding, whatever --judge-temperature and --judge-max-tokens say."""
    return replace(options, temperature=FAC_TEMPERATURE, max_new_tokens=FAC_MAX_NEW_TOKENS, attempts=FAC_ATTEMPTS)


def evaluate_fac(examples: Sequence[Example], judge: Judge, times: int = 1, seed: int = 0,
                 log: JudgeLog | None = None) -> list[QueryResult]:
    """One evaluation per example, every question in one batch (`times` and `seed` decide nothing here)."""
    log = log if log is not None else JudgeLog()
    asked = [e for e in examples if e.final_answer != ""]
    labels = log.ask(judge, [judge_call(FAC_QUESTION, e, 0, {"query": e.query, "answer": e.final_answer})
                             for e in asked])
    judged = {e.key: label for e, label in zip(asked, labels)}
    return [QueryResult(e.key, e.group, e.query_id, (_evaluation(judged.get(e.key), e.key in judged),))
            for e in examples]


def _evaluation(label: str | None, asked: bool) -> Evaluation:
    status = label or UNSOLVED
    outcome = PASSED if status == SOLVED else FAILED
    return Evaluation(status, None, outcome, outcome, "" if asked else EMPTY_ANSWER)


FAC_PROCEDURE = Procedure("fac", "StableToolBench FAC pass rate (fac_eval.py)", evaluate_fac, fixed_times=1)
