"""`sim import | export | stats` through the parser the lead wires into run_eval.py."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.cli.main import main


def _run(*argv: str) -> int:
    return main(["sim", *argv])


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "Data" / "sky_for_Data" / "forecast.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({str({"city": "Oslo"}): {"error": "", "response": "cold"}}, indent=4))
    return tmp_path / "in"


def test_import_stats_export(cache_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = str(tmp_path / "s.sqlite")
    assert _run("import", str(cache_dir), "--store", store) == 0
    assert "imported 1 records from 1 files" in capsys.readouterr().out
    assert _run("stats", "--store", store) == 0
    stats = json.loads(capsys.readouterr().out)
    assert (stats["records"], stats["by_source"], stats["apis"]) == (1, {"import": 1}, 1)
    assert _run("export", str(tmp_path / "out"), "--store", store) == 0
    exported = tmp_path / "out" / "Data" / "sky_for_Data" / "forecast.json"
    assert exported.read_bytes() == (cache_dir / "Data" / "sky_for_Data" / "forecast.json").read_bytes()


def test_default_store_location(cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UMI_EVAL_CACHE", str(tmp_path / "cache"))
    assert _run("import", str(cache_dir)) == 0
    assert (tmp_path / "cache" / "sim" / "store.sqlite").is_file()


def test_errors_name_the_problem(cache_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("stats", "--store", str(tmp_path / "absent.sqlite")) == 2
    assert "response store not found" in capsys.readouterr().err
    assert not (tmp_path / "absent.sqlite").exists()
    (cache_dir / "Data" / "sky_for_Data" / "bad.json").write_text("{")
    assert _run("import", str(cache_dir), "--store", str(tmp_path / "s.sqlite")) == 2
    assert "bad.json: not valid JSON" in capsys.readouterr().err
    assert _run("import", str(cache_dir), "--store", str(tmp_path / "s.sqlite"), "--skip-corrupt") == 1
    assert "skipped corrupt file (left untouched)" in capsys.readouterr().err
    # the llm policy's model is checked before anything loads or listens
    assert _run("serve", "--store", str(tmp_path / "s.sqlite"), "--miss-policy", "llm",
                "--sim-model", str(tmp_path / "no-model")) == 2
    assert "has no config.json" in capsys.readouterr().err
