"""ToolBench's observation string: exact text, the 1,024-char cut, error strings and status codes."""
from __future__ import annotations

import json

from tools_sim.observation import (
    PARSE_ERROR,
    STATUS_API_NOT_WORKING,
    STATUS_OK,
    STATUS_UNAUTHORIZED,
    make_observation,
    no_such_function_error,
    observation_text,
    payload_text,
    status_for_error,
)

_EMPTY_LEN = len(json.dumps({"error": "", "response": ""}))  # the wrapper around the response text


def test_short_observation_is_toolbench_json_dumps() -> None:
    text, cut = observation_text("", {"city": "Zürich", "n": 5})
    assert text == json.dumps({"error": "", "response": {"city": "Zürich", "n": 5}})
    assert '"Z\\u00fcrich"' in text and not cut  # json.dumps' default ASCII escaping, like upstream


def test_exactly_1024_chars_is_not_cut() -> None:
    text, cut = observation_text("", "x" * (1024 - _EMPTY_LEN))
    assert len(text) == 1024 and not cut and not text.endswith("...")


def test_1025_chars_are_cut_to_1024_plus_dots() -> None:
    full = json.dumps({"error": "", "response": "y" * (1025 - _EMPTY_LEN)})
    text, cut = observation_text("", "y" * (1025 - _EMPTY_LEN))
    assert cut and text == full[:1024] + "..." and len(text) == 1027


def test_error_strings_are_upstreams() -> None:
    assert observation_text(no_such_function_error("get_x"), "")[0] == \
        '{"error": "No such function name: get_x", "response": ""}'
    assert observation_text(PARSE_ERROR, "")[0] == '{"error": "Tool input parse error...\\n", "response": ""}'


def test_status_follows_the_toolbench_client_table() -> None:
    assert status_for_error("API not working error...") == STATUS_API_NOT_WORKING == 6
    assert status_for_error("Unauthorized error...") == STATUS_UNAUTHORIZED == 7
    assert status_for_error("some other failure") == STATUS_OK
    assert status_for_error({"unhashable": []}) == STATUS_OK


def test_payload_keeps_its_key_order_and_extra_keys() -> None:
    payload = {"response": "r", "error": "", "extra": 1}
    assert payload_text(payload)[0] == '{"response": "r", "error": "", "extra": 1}'


def test_make_observation_reads_error_and_status() -> None:
    obs = make_observation({"error": "Unauthorized error...", "response": "no"}, "cache", "f_for_t")
    assert (obs.status, obs.error, obs.response, obs.source, obs.function_name) == \
        (STATUS_UNAUTHORIZED, "Unauthorized error...", "no", "cache", "f_for_t")
    assert make_observation({"error": "", "response": ""}, "error", status=12).status == 12
