"""The persistent response store behind the in-memory cache: one SQLite file in WAL mode.

Why SQLite (over LMDB, or upstream's one JSON file per API): it is in the standard library (no new
dependency); every write is a row upsert in a transaction, never a whole-file rewrite, so several
processes (concurrent runs, Ray workers, the /virtual server) append records without losing each
other's updates (one writer at a time, others wait on the busy timeout; WAL readers never block); a
transaction is atomic and the WAL is replayed on the next open, so a process killed mid-write leaves a
readable store holding every committed record (synchronous=NORMAL: durable against process crashes, a
power cut may drop the last commits but never corrupts). Lookups never touch it: the whole store is
read into memory once (tools_sim.cache). WAL needs a local file system (not NFS).

Names and keys are stored as UTF-8 bytes with lone surrogates passed through, so whatever a file name
or a JSON key holds comes back unchanged; replies are stored as ASCII JSON text.
"""
from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools_sim.keys import KEYS_VERSION, canonical_of_key
from tools_sim.layout import ApiPath, CacheFormatError, iter_api_files, read_api_file

STORE_FILE = "store.sqlite"
BUSY_TIMEOUT_S = 60.0

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS apis (
        id INTEGER PRIMARY KEY,
        category BLOB NOT NULL, tool BLOB NOT NULL, api BLOB NOT NULL,
        UNIQUE (category, tool, api))""",
    """CREATE TABLE IF NOT EXISTS records (
        id INTEGER PRIMARY KEY,          -- insertion order: the order of upstream's dict, kept for export
        api_id INTEGER NOT NULL REFERENCES apis (id),
        key BLOB NOT NULL,               -- the key text exactly as read or written upstream
        canon BLOB,                      -- canonical key (tools_sim.keys), NULL when key is not a dict
        value TEXT NOT NULL,             -- the reply object as JSON
        source TEXT NOT NULL,            -- import | llm
        UNIQUE (api_id, key))""",
)


def default_store_path() -> Path:
    """`$UMI_EVAL_CACHE/sim/store.sqlite`, the per-user cache folder (default ~/.cache/umi-eval)."""
    return Path(os.environ.get("UMI_EVAL_CACHE", Path.home() / ".cache" / "umi-eval")) / "sim" / STORE_FILE


def _b(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _s(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


def _value_text(value: dict[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"))


@dataclass(frozen=True)
class StoredRecord:
    path: ApiPath
    key: str
    canon: str | None
    value: dict[str, Any]


@dataclass
class ImportReport:
    files: int = 0
    records: int = 0
    skipped: list[str] = field(default_factory=list)  # corrupt files left out (and left untouched)


class Store:
    """One SQLite store; safe to share between processes, one connection per instance."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._api_ids: dict[ApiPath, int] = {}  # cleared on rollback: ids of rolled-back rows are gone
        self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                   check_same_thread=False)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            with self._transaction():
                for statement in _SCHEMA:
                    self._db.execute(statement)
                self._upgrade_keys()
        except sqlite3.DatabaseError as e:
            self._db.close()
            raise CacheFormatError(f"{self.path}: not a usable response store ({e})") from e

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """An immediate (write-locked) transaction: all of it is committed, or none of it."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            self._api_ids.clear()
            raise
        self._db.execute("COMMIT")

    def _upgrade_keys(self) -> None:
        """Recompute stored canonical keys written by another version of canonical_key."""
        if self._db.execute("PRAGMA user_version").fetchone()[0] == KEYS_VERSION:
            return
        rows = self._db.execute("SELECT id, key FROM records").fetchall()
        self._db.executemany("UPDATE records SET canon = ? WHERE id = ?",
                             ((_encode_canon(_s(key)), rid) for rid, key in rows))
        self._db.execute(f"PRAGMA user_version = {KEYS_VERSION:d}")

    def _api_id(self, path: ApiPath) -> int:
        """The row id of an API, created when new (inside the caller's transaction)."""
        found = self._api_ids.get(path)
        if found is None:
            names = tuple(map(_b, path))
            self._db.execute("INSERT INTO apis (category, tool, api) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                             names)
            found = self._db.execute("SELECT id FROM apis WHERE category = ? AND tool = ? AND api = ?",
                                     names).fetchone()[0]
            self._api_ids[path] = found
        return found

    def apis(self) -> list[ApiPath]:
        """Every API the store knows, records or not (an empty upstream file is an API too)."""
        rows = self._db.execute("SELECT category, tool, api FROM apis ORDER BY id")
        return [(_s(c), _s(t), _s(a)) for c, t, a in rows]

    def records(self) -> Iterator[StoredRecord]:
        """Every record, in insertion order."""
        paths = {rid: (_s(c), _s(t), _s(a)) for rid, c, t, a in
                 self._db.execute("SELECT id, category, tool, api FROM apis")}
        for api_id, key, canon, value in self._db.execute(
                "SELECT api_id, key, canon, value FROM records ORDER BY id"):
            yield StoredRecord(paths[api_id], _s(key), None if canon is None else _s(canon), json.loads(value))

    def _upsert(self, path: ApiPath, records: Iterable[tuple[str, dict[str, Any]]], source: str) -> int:
        """Put records of one API inside the caller's transaction (a new key appends, a known key keeps
        its place and takes the new value, like upstream's dict); returns how many."""
        api_id = self._api_id(path)
        rows = [(api_id, _b(key), _encode_canon(key), _value_text(value), source) for key, value in records]
        self._db.executemany(
            "INSERT INTO records (api_id, key, canon, value, source) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (api_id, key) DO UPDATE SET value = excluded.value, source = excluded.source", rows)
        return len(rows)

    def insert_new(self, items: Sequence[tuple[ApiPath, str, dict[str, Any]]], source: str) -> list[dict[str, Any]]:
        """Add records whose keys are new, in one transaction; returns the stored value of each item:
        its own, or the one another process wrote first (so every process serves the same reply)."""
        stored: list[dict[str, Any]] = []
        with self._transaction():
            for path, key, value in items:
                api_id = self._api_id(path)
                self._db.execute("INSERT INTO records (api_id, key, canon, value, source) VALUES (?, ?, ?, ?, ?) "
                                 "ON CONFLICT (api_id, key) DO NOTHING",
                                 (api_id, _b(key), _encode_canon(key), _value_text(value), source))
                text = self._db.execute("SELECT value FROM records WHERE api_id = ? AND key = ?",
                                        (api_id, _b(key))).fetchone()[0]
                stored.append(json.loads(text))
        return stored

    def import_dir(self, root: str | Path, skip_corrupt: bool = False) -> ImportReport:
        """Import a StableToolBench cache folder in one transaction. A corrupt file is an error naming it
        and nothing is written, or with `skip_corrupt` it is listed in the report; it is never modified."""
        report = ImportReport()
        with self._transaction():
            for path, file in iter_api_files(root):
                try:
                    records = read_api_file(file)
                except CacheFormatError as e:
                    if not skip_corrupt:
                        raise
                    report.skipped.append(str(e))
                    continue
                report.records += self._upsert(path, records.items(), "import")
                report.files += 1
        return report

    def summary(self) -> dict[str, Any]:
        """Counts for `sim stats`: records by source, APIs, the file."""
        by_source = dict(self._db.execute("SELECT source, count(*) FROM records GROUP BY source ORDER BY source"))
        apis = self._db.execute("SELECT count(*) FROM apis").fetchone()[0]
        return {"store": str(self.path), "records": sum(by_source.values()), "by_source": by_source, "apis": apis,
                "bytes": sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*"))}


def import_dir(store_path: Path, root: str | Path, skip_corrupt: bool = False) -> ImportReport:
    """Store.import_dir into the store at store_path; a store (and folders) this call created is removed
    again when the import fails, so a corrupt or missing folder leaves no empty store behind."""
    created = [p for p in (store_path, *store_path.parents) if not p.exists()]
    try:
        with Store(store_path) as store:
            return store.import_dir(root, skip_corrupt)
    except BaseException:
        if store_path in created:
            _remove_new_store(store_path, created[1:])
        raise


def _remove_new_store(store_path: Path, new_folders: list[Path]) -> None:
    for file in (store_path, *(store_path.with_name(store_path.name + s) for s in ("-wal", "-shm", "-journal"))):
        file.unlink(missing_ok=True)
    for folder in new_folders:  # innermost first
        try:
            folder.rmdir()
        except OSError:  # someone else's files appeared in it
            return


def _encode_canon(key: str) -> bytes | None:
    canon = canonical_of_key(key)
    return None if canon is None else _b(canon)
