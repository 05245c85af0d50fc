"""ToolBench's observation string and status codes (docs/formats.md section 4).

The strings here are the wire contract with ToolBench/StableToolBench: keep them byte-exact.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tools_sim.types import Observation, ObservationSource

# Status codes of ToolBench's rapidapi_wrapper._step (what its client code assigns, not its docstring).
STATUS_OK = 0
STATUS_NO_SUCH_FUNCTION = 1
STATUS_BAD_FINISH_INPUT = 2
STATUS_FINAL_ANSWER = 3
STATUS_GIVE_UP = 4
STATUS_TIMEOUT = 5
STATUS_API_NOT_WORKING = 6
STATUS_UNAUTHORIZED = 7
STATUS_UNSUBSCRIBED = 8
STATUS_TOO_MANY_REQUESTS = 9
STATUS_RATE_LIMIT = 10
STATUS_MESSAGE_ERROR = 11
STATUS_REQUEST_INVALID = 12
# Upstream's client reports 0 for the server's parse-error reply (its error text is not in the table
# below); we report it as an invalid request so metrics can count it.
STATUS_PARSE_ERROR = STATUS_REQUEST_INVALID

MAX_OBSERVATION_CHARS = 1024  # ToolBench's default --max_observation_length
TRUNCATION_MARK = "..."

PARSE_ERROR = "Tool input parse error...\n"  # StableToolBench server/main.py, tool_input not JSON
API_NOT_WORKING_ERROR = "API not working error..."


def no_such_function_error(name: str) -> str:
    return f"No such function name: {name}"


# Server error strings the ToolBench client turns into status codes; any other error text is status 0.
ERROR_STATUS: dict[str, int] = {
    API_NOT_WORKING_ERROR: STATUS_API_NOT_WORKING,
    "Unauthorized error...": STATUS_UNAUTHORIZED,
    "Unsubscribed error...": STATUS_UNSUBSCRIBED,
    "Too many requests error...": STATUS_TOO_MANY_REQUESTS,
    "Rate limit per minute error...": STATUS_RATE_LIMIT,
    "Message error...": STATUS_MESSAGE_ERROR,
}


def status_for_error(error: Any) -> int:
    """The status ToolBench's client gives a server reply with this `error` field."""
    return ERROR_STATUS.get(error, STATUS_OK) if isinstance(error, str) else STATUS_OK


def truncate(text: str) -> tuple[str, bool]:
    """Cut to MAX_OBSERVATION_CHARS + "..." as ToolBench's env.step does; says whether it cut."""
    if len(text) > MAX_OBSERVATION_CHARS:
        return text[:MAX_OBSERVATION_CHARS] + TRUNCATION_MARK, True
    return text, False


def payload_text(payload: Mapping[str, Any]) -> tuple[str, bool]:
    """The observation for a whole server reply dict, keys in its own order (upstream dumps the
    cached record as it is, extra keys included)."""
    return truncate(json.dumps(dict(payload)))


def observation_text(error: str, response: Any) -> tuple[str, bool]:
    """ToolBench's observation: json.dumps({"error", "response"}) cut to 1,024 chars + "..."."""
    return payload_text({"error": error, "response": response})


def make_observation(payload: Mapping[str, Any], source: ObservationSource,
                     function_name: str | None = None, status: int | None = None) -> Observation:
    """An Observation for a server reply; the status is the client's reading of its error unless given."""
    text, cut = payload_text(payload)
    error = payload.get("error", "")
    return Observation(
        text=text,
        status=status_for_error(error) if status is None else status,
        source=source,
        function_name=function_name,
        error=error if isinstance(error, str) else json.dumps(error),
        response=payload.get("response", ""),
        truncated=cut,
    )


def alpha_umi_text(observation: Observation) -> str:
    """What alpha-UMi's real-time environment (ToolBench-multiLLM rapidapi.py) returned for this observation:
    json.dumps of the server's `response` alone, or {"message": <error>} when the response is "", cut to
    1,024 characters + "..." as ToolBench cuts. Its own client errors (no such function) keep ToolBench's
    {"error", "response"} text."""
    if observation.status == STATUS_NO_SUCH_FUNCTION:
        return observation.text
    body = observation.response if observation.response != "" else {"message": observation.error}
    return truncate(json.dumps(body))[0]
