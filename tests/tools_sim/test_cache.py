"""The StableToolBench response cache: both key styles, canonical matching, bad files, safe paths, export."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools_sim.cache import ResponseCache
from tools_sim.keys import canonical_key, parse_key
from tools_sim.layout import CacheFormatError, api_path, safe_part

CATEGORY, TOOL, API = "News, Media", "Daily News", "Get Article"
FOLDER = ("News_Media", "daily_news_for_News_Media")


def _write(root: Path, stem: str, records: dict) -> Path:
    path = root.joinpath(*FOLDER, f"{stem}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def _reply(text: str) -> dict:
    return {"error": "", "response": text}


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    _write(tmp_path, "get_article", {  # upstream style: str(dict) keys
        str({"id": 5, "lang": "en"}): _reply("five"),
        str({"flag": True, "q": None}): _reply("flag"),
        "{}": _reply("empty"),
    })
    _write(tmp_path, "list_articles", {  # third-party style: compact JSON keys
        json.dumps({"page": 2, "tags": ["a", "b"]}, separators=(",", ":")): _reply("page2"),
        "not a key at all": _reply("odd"),
    })
    return tmp_path


def test_api_path_follows_the_server_naming() -> None:
    assert api_path(CATEGORY, TOOL, API) == (*FOLDER, "get_article")
    assert api_path("Data", "Tool", "id")[2] == "is_id"  # change_name applies to api file names


def test_reads_python_repr_keys(cache_dir: Path) -> None:
    cache = ResponseCache.read_dir(cache_dir)
    assert len(cache) == 5
    assert cache.lookup(CATEGORY, TOOL, API, {"id": 5, "lang": "en"}) == _reply("five")
    assert cache.lookup(CATEGORY, TOOL, API, {"flag": True, "q": None}) == _reply("flag")
    assert cache.lookup(CATEGORY, TOOL, API, {}) == _reply("empty")


def test_reads_compact_json_keys(cache_dir: Path) -> None:
    cache = ResponseCache.read_dir(cache_dir)
    assert cache.lookup(CATEGORY, TOOL, "List Articles", {"page": 2, "tags": ["a", "b"]}) == _reply("page2")


def test_canonical_match_ignores_order_spelling_and_number_types(cache_dir: Path) -> None:
    cache = ResponseCache.read_dir(cache_dir)
    for args in ({"lang": "en", "id": 5}, {"id": "5", "lang": "en"}, {"id": 5.0, "lang": " en "}):
        assert cache.lookup(CATEGORY, TOOL, API, args) == _reply("five"), args
    assert cache.lookup(CATEGORY, TOOL, API, {"q": None, "flag": "true"}) == _reply("flag")
    assert cache.lookup(CATEGORY, TOOL, "List Articles", {"tags": ["a", "b"], "page": "2"}) == _reply("page2")


def test_canonical_match_does_not_merge_different_values(cache_dir: Path) -> None:
    cache = ResponseCache.read_dir(cache_dir)
    assert cache.lookup(CATEGORY, TOOL, API, {"id": 6, "lang": "en"}) is None
    assert cache.lookup(CATEGORY, TOOL, API, {"id": "05", "lang": "en"}) is None  # a code, not a number
    assert cache.lookup(CATEGORY, TOOL, "List Articles", {"page": 2, "tags": ["b", "a"]}) is None
    assert cache.lookup(CATEGORY, "Other Tool", API, {"id": 5, "lang": "en"}) is None


def test_exact_upstream_key_wins_over_canonical(tmp_path: Path) -> None:
    _write(tmp_path, "get_article", {str({"id": 5}): _reply("int"), str({"id": "5"}): _reply("str")})
    cache = ResponseCache.read_dir(tmp_path)
    assert cache.lookup(CATEGORY, TOOL, API, {"id": 5}) == _reply("int")
    assert cache.lookup(CATEGORY, TOOL, API, {"id": "5"}) == _reply("str")


def test_unparsable_keys_match_exactly_only(cache_dir: Path) -> None:
    assert parse_key("not a key at all") is None
    records = ResponseCache.read_dir(cache_dir)._apis[(*FOLDER, "list_articles")]
    assert records.exact["not a key at all"] == _reply("odd")
    assert len(records.canonical) == 1


def test_parse_key_never_evaluates_code() -> None:
    assert parse_key("__import__('os').system('echo pwned')") is None
    assert parse_key("{'a': (1).__class__}") is None
    assert parse_key("[1, 2]") is None  # not an argument dict
    assert parse_key('{"a": true}') == {"a": True} and parse_key("{'a': True}") == {"a": True}


def test_a_deeply_nested_key_matches_exactly_only(tmp_path: Path) -> None:
    """A cache file written by anyone may hold such a key: it loads, and only its own text finds it."""
    deep = "{'id': " + "[" * 500 + "1" + "]" * 500 + "}"
    assert parse_key(deep) is None and parse_key(deep.replace("'", '"')) is None
    _write(tmp_path, "get_article", {deep: _reply("deep"), str({"id": 5}): _reply("five")})
    cache = ResponseCache.read_dir(tmp_path)
    assert cache.lookup(CATEGORY, TOOL, API, {"id": "5"}) == _reply("five")


def test_canonical_key_is_compact_and_sorted() -> None:
    assert canonical_key({"b": 1.0, "a": [True, None]}) == '{"a":["true",null],"b":"1"}'


def test_corrupt_file_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "get_article", {})
    path.write_text("{'not': json", encoding="utf-8")
    with pytest.raises(CacheFormatError, match=r"get_article\.json: not valid JSON"):
        ResponseCache.read_dir(tmp_path)


def test_bad_record_names_the_file_and_the_key(tmp_path: Path) -> None:
    _write(tmp_path, "get_article", {"{'id': 1}": "just a string"})
    with pytest.raises(CacheFormatError, match=r"get_article.json: record \"\{'id': 1\}\""):
        ResponseCache.read_dir(tmp_path)
    _write(tmp_path, "get_article", [1, 2])
    with pytest.raises(CacheFormatError, match="expected a JSON object of records"):
        ResponseCache.read_dir(tmp_path)


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="response cache folder not found"):
        ResponseCache.read_dir(tmp_path / "absent")


@pytest.mark.parametrize("name", ["", ".", "..", "a/b", "/etc", "a\\b", "a\x00b"])
def test_unsafe_path_parts_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="unsafe name"):
        safe_part(name)


def test_add_refuses_names_that_escape(tmp_path: Path) -> None:
    cache = ResponseCache()
    with pytest.raises(ValueError, match="unsafe name"):
        cache.add("..", "tool", "api", {}, "", "r")  # categories are not standardized away from ".."
    assert len(cache) == 0


def test_link_leading_outside_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text("{}", encoding="utf-8")
    root = tmp_path / "cache"
    (root / "Cat" / "tool_for_Cat").mkdir(parents=True)
    (root / "Cat" / "tool_for_Cat" / "api.json").symlink_to(outside)
    with pytest.raises(CacheFormatError, match="leads outside"):
        ResponseCache.read_dir(root)


def test_add_then_lookup_and_non_json_response_refused() -> None:
    cache = ResponseCache()
    cache.add(CATEGORY, TOOL, API, {"id": 1}, "", {"title": "x"})
    assert cache.lookup(CATEGORY, TOOL, API, {"id": "1"}) == {"error": "", "response": {"title": "x"}}
    with pytest.raises(ValueError, match="not JSON"):
        cache.add(CATEGORY, TOOL, API, {"id": 2}, "", {1, 2})


def test_write_dir_round_trip_in_upstream_layout(cache_dir: Path, tmp_path: Path) -> None:
    cache = ResponseCache.read_dir(cache_dir)
    cache.add("Data", "Weather Now", "Forecast", {"city": "Paris", "days": 3}, "", {"t": [1, 2]})
    out = tmp_path / "export"
    cache.write_dir(out)

    written = json.loads((out / "Data" / "weather_now_for_Data" / "forecast.json").read_text("utf-8"))
    assert written == {"{'city': 'Paris', 'days': 3}": {"error": "", "response": {"t": [1, 2]}}}
    listed = json.loads(out.joinpath(*FOLDER, "list_articles.json").read_text("utf-8"))
    assert list(listed) == ['{"page":2,"tags":["a","b"]}', "not a key at all"]  # keys as they were read
    assert out.joinpath(*FOLDER, "get_article.json").read_text("utf-8").startswith('{\n    "{')  # indent=4
    assert not list(out.rglob("*.tmp"))

    back = ResponseCache.read_dir(out)
    assert len(back) == len(cache) == 6
    for api, args in ((API, {"id": 5, "lang": "en"}), ("List Articles", {"page": 2, "tags": ["a", "b"]})):
        assert back.lookup(CATEGORY, TOOL, api, args) == cache.lookup(CATEGORY, TOOL, api, args) is not None
    forecast = back.lookup("Data", "Weather Now", "Forecast", {"days": "3", "city": "Paris"})
    assert forecast == {"error": "", "response": {"t": [1, 2]}}


def test_record_without_error_or_response_is_named(tmp_path: Path) -> None:
    _write(tmp_path, "get_article", {"{'id': 1}": {"response": "ok"}})
    with pytest.raises(CacheFormatError, match=r"get_article.json: record \"\{'id': 1\}\""):
        ResponseCache.read_dir(tmp_path)
    _write(tmp_path, "get_article", {"{'id': 1}": {"error": ""}})
    with pytest.raises(CacheFormatError, match=r"expected an object"):
        ResponseCache.read_dir(tmp_path)
