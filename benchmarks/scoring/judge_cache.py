"""Every judge reply on disk, so re-scoring costs no model call and a crashed scoring resumes.

An append-only JSONL file: one line per reply, keyed by sha256 of (judge id, prompt, sample index,
attempt). The judge id names the model and its revision, so another judge (or a new revision of the same
one) never reuses a reply; the sample index is the evaluation round, so the K evaluations of one answer
stay K independent samples; the attempt is the retry number after an unparsable reply. Lines are flushed
as each batch ends; a torn last line (killed mid-write) is dropped on open.
"""
from __future__ import annotations

import hashlib
import json
import os
import warnings
from pathlib import Path


def cache_key(judge_id: str, prompt: str, sample: int, attempt: int) -> str:
    return hashlib.sha256(json.dumps([judge_id, prompt, sample, attempt]).encode()).hexdigest()


class JudgeCache:
    """Replies by key; `path=None` keeps them in memory only."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._replies: dict[str, str] = {}
        if path is not None and path.exists():
            self._load(path)

    def _load(self, path: Path) -> None:
        data = path.read_bytes()
        keep = len(data) if data.endswith(b"\n") or not data else data.rfind(b"\n") + 1
        if keep < len(data):
            warnings.warn(f"{path}: dropping a torn last line of {len(data) - keep} bytes (interrupted write)")
            with path.open("r+b") as handle:
                handle.truncate(keep)
        for number, line in enumerate(data[:keep].splitlines(), 1):
            try:
                entry = json.loads(line)
                self._replies[entry["key"]] = entry["reply"]
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}: line {number} is not a judge cache entry ({exc})") from None

    def __len__(self) -> int:
        return len(self._replies)

    def get(self, key: str) -> str | None:
        return self._replies.get(key)

    def put_many(self, entries: list[tuple[str, str, str, int, int]]) -> None:
        """Stores (key, reply, judge id, sample, attempt) rows and appends them to the file at once."""
        lines = []
        for key, reply, judge_id, sample, attempt in entries:
            self._replies[key] = reply
            lines.append(json.dumps({"key": key, "judge": judge_id, "sample": sample, "attempt": attempt,
                                     "reply": reply}, ensure_ascii=False) + "\n")
        if self.path is None or not lines:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.writelines(lines)
            handle.flush()
            os.fsync(handle.fileno())
