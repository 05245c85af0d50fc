"""The persistent store: lossless import/export, concurrent writers, kills, corrupt files, default path."""
from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sqlite3
from pathlib import Path

import pytest

from tools_sim.cache import ResponseCache
from tools_sim.keys import KEYS_VERSION
from tools_sim.layout import CacheFormatError, api_path
from tools_sim.store import Store, default_store_path

FORK = multiprocessing.get_context("fork")  # children inherit the imports: fast, and no __main__ guard needed
PATH = ("Data", "weather_for_Data", "forecast")


def _upstream_file(path: Path, records: dict) -> None:
    """A per-API file exactly as StableToolBench's save_cache writes it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as f:
        json.dump(records, f, indent=4)


@pytest.fixture
def upstream_cache(tmp_path: Path) -> Path:
    root = tmp_path / "tool_response_cache"
    _upstream_file(root / "Data" / "weather_for_Data" / "forecast.json", {
        str({"city": "Zürich", "days": 3}): {"error": "", "response": {"temp": [21.5, -0.0, 1e22, 1e-07], "ok": True,
                                                                       "note": None, "city": "Zürich 🌤 北京"}},
        str({"city": "Oslo"}): {"error": "Rate limit per minute error...", "response": "", "extra": 1},
        '{"city":"Rome","days":2}': {"response": "compact key, response first", "error": ""},
        "not a dict key": {"error": "", "response": "odd"},
        str({"n": 123456789012345678901234567890}): {"error": "", "response": "big int"},
    })
    _upstream_file(root / "Data" / "weather_for_Data" / "alerts.json", {})  # an API without records
    _upstream_file(root / "News_Media" / "daily_for_News_Media" / "get_article.json",
                   {str({"id": 5}): {"error": "", "response": "'a Python repr string cut at 2048 chars..."}})
    return root


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_import_export_round_trip_is_byte_identical(upstream_cache: Path, tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        report = store.import_dir(upstream_cache)
    assert (report.files, report.records, report.skipped) == (3, 6, [])
    out = tmp_path / "export"
    assert ResponseCache.open(tmp_path / "s.sqlite").write_dir(out) == 3
    assert _files(out) == _files(upstream_cache)


def test_reimport_is_idempotent_and_new_records_append(upstream_cache: Path, tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        store.import_dir(upstream_cache)
        store.import_dir(upstream_cache)
        assert store.summary()["records"] == 6
    cache = ResponseCache.open(tmp_path / "s.sqlite")
    cache.save([(PATH, {"city": "Lima"}, {"error": "", "response": "new"})], "llm")
    cache.write_dir(tmp_path / "out")
    written = json.loads((tmp_path / "out" / "Data" / "weather_for_Data" / "forecast.json").read_text())
    assert list(written)[-1] == "{'city': 'Lima'}" and list(written)[0] == str({"city": "Zürich", "days": 3})


def test_open_store_matches_both_key_styles_and_canonically(upstream_cache: Path, tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        store.import_dir(upstream_cache)
    cache = ResponseCache.open(tmp_path / "s.sqlite")
    assert len(cache) == 6
    assert cache.lookup_path(PATH, {"days": "3", "city": " Zürich"})["response"]["temp"][0] == 21.5
    assert cache.lookup_path(PATH, {"days": 2, "city": "Rome"})["response"] == "compact key, response first"
    assert cache.lookup("News, Media", "Daily", "Get Article", {"id": "5"}) is not None
    assert cache.lookup_path(PATH, {"city": "Paris"}) is None


def test_keys_are_kept_whatever_they_hold(tmp_path: Path) -> None:
    """Lone surrogates (a JSON key may hold one) go through SQLite and come back unchanged."""
    root = tmp_path / "cache"
    _upstream_file(root / "Data" / "weather_for_Data" / "forecast.json",
                   {"{'q': '\ud83d'}": {"error": "", "response": "\udc00 half"}})
    with Store(tmp_path / "s.sqlite") as store:
        store.import_dir(root)
    ResponseCache.open(tmp_path / "s.sqlite").write_dir(tmp_path / "out")
    assert _files(tmp_path / "out") == _files(root)


def test_corrupt_file_is_named_nothing_imported_file_untouched(upstream_cache: Path, tmp_path: Path) -> None:
    bad = upstream_cache / "Data" / "weather_for_Data" / "broken.json"
    bad.write_bytes(b'{"{\'a\': 1}": {"error": "", "resp')
    with Store(tmp_path / "s.sqlite") as store:
        with pytest.raises(CacheFormatError, match=r"broken\.json: not valid JSON"):
            store.import_dir(upstream_cache)
        assert store.summary()["records"] == 0 and store.apis() == []
        report = store.import_dir(upstream_cache, skip_corrupt=True)
        assert report.records == 6 and len(report.skipped) == 1 and "broken.json" in report.skipped[0]
    assert bad.read_bytes() == b'{"{\'a\': 1}": {"error": "", "resp'


def test_a_file_that_is_not_a_store_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    path.write_bytes(b"this is not SQLite at all, just bytes" * 100)
    with pytest.raises(CacheFormatError, match=r"s\.sqlite: not a usable response store"):
        Store(path)
    assert path.read_bytes().startswith(b"this is not SQLite")


def test_canonical_keys_are_recomputed_for_another_keys_version(upstream_cache: Path, tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        store.import_dir(upstream_cache)
    db = sqlite3.connect(tmp_path / "s.sqlite")
    db.execute("UPDATE records SET canon = NULL")
    db.execute(f"PRAGMA user_version = {KEYS_VERSION + 1}")
    db.commit()
    db.close()
    cache = ResponseCache.open(tmp_path / "s.sqlite")
    assert cache.lookup_path(PATH, {"city": "Oslo "}) is not None  # found through the recomputed key


def test_default_store_path_follows_umi_eval_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("UMI_EVAL_CACHE", str(tmp_path))
    assert default_store_path() == tmp_path / "sim" / "store.sqlite"
    monkeypatch.delenv("UMI_EVAL_CACHE")
    assert default_store_path() == Path.home() / ".cache" / "umi-eval" / "sim" / "store.sqlite"


def _write_many(store_path: str, worker: int, count: int) -> dict:
    """A writer process: its own keys of one API, plus one key every writer also writes."""
    cache = ResponseCache.open(store_path)
    for i in range(count):
        cache.save([(PATH, {"worker": worker, "i": i}, {"error": "", "response": f"{worker}-{i}"})], "llm")
    [shared] = cache.save([(PATH, {"shared": True}, {"error": "", "response": f"from {worker}"})], "llm")
    return shared


def test_concurrent_writers_from_several_processes_lose_nothing(tmp_path: Path) -> None:
    store_path = str(tmp_path / "s.sqlite")
    Store(store_path).close()
    workers, count = 4, 60
    with FORK.Pool(workers) as pool:
        shared = pool.starmap(_write_many, [(store_path, w, count) for w in range(workers)])
    cache = ResponseCache.open(store_path)
    assert len(cache) == workers * count + 1
    for w in range(workers):
        for i in range(count):
            assert cache.lookup_path(PATH, {"worker": w, "i": i}) == {"error": "", "response": f"{w}-{i}"}
    assert all(s == shared[0] for s in shared)  # the first writer's reply is everyone's
    assert cache.lookup_path(PATH, {"shared": True}) == shared[0]


BATCH = 25


def _write_until_killed(store_path: str, sender) -> None:  # type: ignore[no-untyped-def]
    cache = ResponseCache.open(store_path)
    for batch in range(1_000_000):
        cache.save([(PATH, {"batch": batch, "i": i}, {"error": "", "response": "x" * 2000}) for i in range(BATCH)],
                   "llm")
        sender.send(batch)


def test_kill_during_writes_leaves_a_readable_store_with_every_commit(tmp_path: Path) -> None:
    store_path = str(tmp_path / "s.sqlite")
    Store(store_path).close()
    receiver, sender = FORK.Pipe(duplex=False)
    child = FORK.Process(target=_write_until_killed, args=(store_path, sender))
    child.start()
    committed = -1
    while committed < 40:
        committed = receiver.recv()
    os.kill(child.pid, signal.SIGKILL)  # lands while the child is inside its write loop
    child.join()
    while receiver.poll():
        committed = receiver.recv()

    db = sqlite3.connect(store_path)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    db.close()
    cache = ResponseCache.open(store_path)
    assert len(cache) % BATCH == 0  # a transaction is all there or not at all
    assert len(cache) >= (committed + 1) * BATCH
    assert all(cache.lookup_path(PATH, {"batch": b, "i": BATCH - 1}) for b in range(committed + 1))


def test_save_refuses_escaping_names_and_non_json(tmp_path: Path) -> None:
    cache = ResponseCache.open(tmp_path / "s.sqlite")
    with pytest.raises(ValueError, match="unsafe name"):
        cache.save([(("..", "t_for_..", "api"), {}, {"error": "", "response": ""})], "llm")
    with pytest.raises(ValueError, match="not JSON"):
        cache.save([(PATH, {}, {"error": "", "response": {1, 2}})], "llm")
    assert len(cache) == 0 and cache.store.summary()["records"] == 0  # type: ignore[union-attr]


def test_export_refuses_names_that_escape(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        store.insert_new([(("..", "evil", "api"), "{}", {"error": "", "response": ""})], "llm")
    with pytest.raises(ValueError, match="unsafe name"):
        ResponseCache.open(tmp_path / "s.sqlite").write_dir(tmp_path / "out" / "inner")
    assert not (tmp_path / "out" / "evil").exists()


def test_api_path_of_raw_names() -> None:
    assert api_path("News, Media", "Daily", "Get Article") == ("News_Media", "daily_for_News_Media", "get_article")
