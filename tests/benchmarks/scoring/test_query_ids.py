"""A query-id file restricts scoring to the queries it lists; an id that matches no query is an error."""
from __future__ import annotations

import json

import pytest

from benchmarks.results.converted import Example
from benchmarks.scoring.inputs import restrict_to_ids


def _examples(*ids):
    return [Example("G1_instruction", i, "q", [], {}) for i in ids]


def test_listed_ids_are_kept(tmp_path):
    path = tmp_path / "ids.json"
    path.write_text(json.dumps({"1": 0}))
    assert [e.query_id for e in restrict_to_ids(_examples("1", "2"), path)] == ["1"]


def test_an_id_matching_no_query_is_named(tmp_path):
    path = tmp_path / "ids.json"
    path.write_text(json.dumps({"1": 0, "99": 0}))
    with pytest.raises(ValueError, match=r"ids\.json: 1 listed query id\(s\) match no query: 99"):
        restrict_to_ids(_examples("1", "2"), path)
