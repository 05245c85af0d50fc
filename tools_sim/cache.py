"""StableToolBench's tool response cache, held in memory (docs/formats.md section 5).

Upstream re-reads a per-API JSON file on every call and matches keys exactly. Here the records are read
once (from a cache folder, or from the persistent store, tools_sim.store) into per-API dicts; the exact
upstream key is tried first, then the canonical key (argument order, formatting and "5" vs 5 do not
matter). Each record keeps the key text it was read with, so an export writes the same files back.
"""
from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from tools_sim.keys import canonical_key, canonical_of_key, upstream_key
from tools_sim.layout import ApiPath, api_path, check_path, iter_api_files, read_api_file, write_api_file
from tools_sim.store import Store

Reply = dict[str, Any]


@dataclass
class _ApiRecords:
    """One API's records: by key text (file order, kept for export), and canonical key -> key text."""

    exact: dict[str, Reply] = field(default_factory=dict)
    canonical: dict[str, str] = field(default_factory=dict)

    def put(self, key: str, value: Reply, canon: str | None) -> None:
        """A new key becomes the one its canonical spelling finds (the last record of a spelling wins,
        as the store's insertion order replays it); a known key keeps its place and takes the value."""
        if key not in self.exact and canon is not None:
            self.canonical[canon] = key
        self.exact[key] = value

    def get(self, arguments: Mapping[str, Any]) -> Reply | None:
        hit = self.exact.get(upstream_key(arguments))
        if hit is None:
            key = self.canonical.get(canonical_key(arguments))
            hit = None if key is None else self.exact.get(key)
        return hit


def _checked_reply(path: ApiPath, arguments: Mapping[str, Any], reply: Mapping[str, Any]) -> Reply:
    value = dict(reply)
    try:
        json.dumps(value)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{'/'.join(path)}: response for {dict(arguments)!r} is not JSON ({e})") from e
    return value


class ResponseCache:
    """All cached responses in memory, keyed by API path and arguments; optionally backed by a Store
    that `save` writes through (an `add` stays in memory: a benchmark's own fixtures)."""

    def __init__(self, store: Store | None = None) -> None:
        self.store = store
        self._apis: dict[ApiPath, _ApiRecords] = {}

    def __len__(self) -> int:
        return sum(len(r.exact) for r in self._apis.values())

    @classmethod
    def read_dir(cls, root: str | Path) -> ResponseCache:
        """Read every `<category>/<tool>/<api>.json` under root once (no store); a corrupt file is an
        error naming it."""
        cache = cls()
        for path, file in iter_api_files(root):
            records = cache._apis.setdefault(path, _ApiRecords())
            for key, value in read_api_file(file).items():
                records.put(key, value, canonical_of_key(key))
        return cache._loaded()

    @classmethod
    def open(cls, store: str | Path | Store) -> ResponseCache:
        """Load a persistent store into memory once; later `save`s write through to it."""
        store = store if isinstance(store, Store) else Store(store)
        cache = cls(store)
        for path in store.apis():
            cache._apis[path] = _ApiRecords()
        for record in store.records():
            cache._apis[record.path].put(record.key, record.value, record.canon)
        return cache._loaded()

    def _loaded(self) -> ResponseCache:
        """The records live as long as the process: moved out of the cyclic collector's reach, or every
        full collection walks them again (docs/performance.md)."""
        gc.freeze()
        return self

    def lookup(self, category: str, tool: str, api: str, arguments: Mapping[str, Any]) -> Reply | None:
        """The cached reply `{"error", "response", ...}` for raw ToolBench names, or None."""
        return self.lookup_path(api_path(category, tool, api), arguments)

    def lookup_path(self, path: ApiPath, arguments: Mapping[str, Any]) -> Reply | None:
        records = self._apis.get(path)
        return None if records is None else records.get(arguments)

    def examples(self, path: ApiPath, n: int) -> list[tuple[str, Reply]]:
        """The first n records of an API in file order (upstream's `list(cache.items())[:n]`)."""
        records = self._apis.get(path)
        return [] if records is None else list(islice(records.exact.items(), n))

    def add(self, category: str, tool: str, api: str, arguments: Mapping[str, Any],
            error: str, response: Any) -> None:
        """Put one reply in memory only, under its upstream key (e.g. a benchmark's gold calls)."""
        path = check_path(api_path(category, tool, api))
        value = _checked_reply(path, arguments, {"error": error, "response": response})
        self._apis.setdefault(path, _ApiRecords()).put(upstream_key(arguments), value, canonical_key(arguments))

    def save(self, items: Sequence[tuple[ApiPath, Mapping[str, Any], Mapping[str, Any]]],
             source: str) -> list[Reply]:
        """Remember new replies (path, arguments, reply) in memory and, in one transaction, in the store.
        A key some process already stored keeps its first reply, which is returned in its place."""
        checked = [(check_path(path), upstream_key(arguments), _checked_reply(path, arguments, reply))
                   for path, arguments, reply in items]
        stored = [value for _, _, value in checked] if self.store is None else \
            self.store.insert_new(checked, source)
        for (path, key, _), value in zip(checked, stored, strict=True):
            self._apis.setdefault(path, _ApiRecords()).put(key, value, canonical_of_key(key))
        return stored

    def api_files(self) -> Iterator[tuple[ApiPath, dict[str, Reply]]]:
        """Each API's records as upstream's file holds them, in a stable order."""
        for path, records in sorted(self._apis.items()):
            yield path, records.exact

    def write_dir(self, root: str | Path) -> int:
        """Write the StableToolBench layout: every API file with the key texts it was read with (new
        records have upstream's Python-repr keys), json.dump indent=4 like upstream. Returns the files.
        Every name is checked before the first file is written: a bad one stops the export before it starts."""
        for path, _ in self.api_files():
            check_path(path)
        count = 0
        for path, records in self.api_files():
            write_api_file(root, path, records)
            count += 1
        return count


def write_cache_dir(root: str | Path, responses: Iterable[tuple[str, str, str, Mapping[str, Any], str, Any]]) -> int:
    """Write preloaded responses (category, tool, api, arguments, raw arguments, response) as a cache folder."""
    cache = ResponseCache()
    for response in responses:
        cache.add(*response)
    return cache.write_dir(root)
