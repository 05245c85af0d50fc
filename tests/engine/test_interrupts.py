"""Interrupts are never ignored (issue 21, item 4): with an endpoint that never answers, Ctrl-C or SIGTERM stops
a run at once in one line (exit 130 or 143), a second signal while it saves ends it at once without a
traceback, and the request timeout and retries are settings (`--request-timeout`, `--max-retries`, YAML)."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import run_eval
from engine.backends import openai_http
from engine.backends.openai import from_spec
from engine.config.presets import load_agent
from engine.types import ModelSpec

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def silent_endpoint() -> Iterator[tuple[str, list[socket.socket]]]:
    """A server that accepts every connection and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1", held
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def _start_run(url: str, out: Path) -> subprocess.Popen:
    argv = [sys.executable, str(REPO / "run_eval.py"), "run", "--agent", "chat-single", "--backend", "openai",
            "--model", f"m@{url}", "--executor", "local", "--benchmark", "embedded", "--per-group", "1",
            "--request-timeout", "300", "--max-retries", "5", "--out", str(out), "--no-progress"]
    return subprocess.Popen(argv, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for_requests(held: list[socket.socket], proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while not held and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert held, "the run sent no request"
    time.sleep(0.3)


@pytest.mark.parametrize("signum, code, words", [(signal.SIGINT, 130, "interrupted"),
                                                 (signal.SIGTERM, 143, "terminated by SIGTERM")])
def test_a_signal_stops_a_run_on_a_hanging_endpoint_at_once(silent_endpoint, tmp_path: Path, signum, code, words) -> None:
    url, held = silent_endpoint
    proc = _start_run(url, tmp_path)
    _wait_for_requests(held, proc)
    sent = time.monotonic()
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=30)
    assert time.monotonic() - sent < 10
    assert proc.returncode == code
    assert err.strip().splitlines()[-1].startswith(f"umi-eval: {words};") and "Traceback" not in err


_PAIRS = [(signal.SIGINT, signal.SIGINT), (signal.SIGTERM, signal.SIGINT), (signal.SIGHUP, signal.SIGTERM)]


# Each pair once in the fast lane; the race is tried a second time in the slow lane (signal-killed runs).
@pytest.mark.parametrize("first, second", _PAIRS + [pytest.param(*pair, marks=pytest.mark.slow) for pair in _PAIRS])
def test_a_second_signal_sent_back_to_back_ends_at_once_in_one_line(silent_endpoint, tmp_path, first, second) -> None:
    url, held = silent_endpoint
    proc = _start_run(url, tmp_path)
    _wait_for_requests(held, proc)
    proc.send_signal(first)
    proc.send_signal(second)
    _, err = proc.communicate(timeout=30)  # never hangs: the second signal cannot cut the cleanup half-way
    assert proc.returncode in (128 + first, 128 + second) and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and err.startswith("umi-eval: ")


@pytest.mark.parametrize("owned", [True, False])
def test_after_a_signal_the_process_command_keeps_its_ending_handlers_to_the_exit(monkeypatch, owned) -> None:
    """The window the back-to-back test can only sometimes hit: a second signal after the run's block has
    ended. A command that owns the process keeps the handlers that end it at once; a call from Python (tests,
    a notebook) gets its own handlers back."""
    from engine.runner import interrupts

    monkeypatch.setitem(interrupts._process, "owned", owned)
    monkeypatch.setitem(interrupts._process, "signalled", False)
    before = signal.getsignal(signal.SIGINT)
    try:
        with pytest.raises(KeyboardInterrupt), interrupts.signals_end_the_run():
            signal.getsignal(signal.SIGINT)(signal.SIGINT, None)  # the first signal, as Python delivers it
        after = signal.getsignal(signal.SIGINT)
        assert (after is interrupts._exit_now) if owned else (after is before)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, before if sig == signal.SIGINT else signal.SIG_DFL)


@pytest.mark.parametrize("said, lines", [(False, 1), (True, 0)])
def test_a_second_signal_says_one_line_unless_the_command_has_said_its_last(said, lines) -> None:
    code = ("from engine.runner import interrupts\n"
            f"{'interrupts.last_line_said()' if said else ''}\n"
            "interrupts._exit_now(2, None)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 130 and len(done.stderr.strip().splitlines()) == lines


def test_cancelling_ends_an_attempt_and_its_retries_at_once(silent_endpoint) -> None:
    url, _ = silent_endpoint
    settings = openai_http.EndpointSettings(model="m", base_url=url, timeout_s=300, retries=5)
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            openai_http.post(settings, "/completions", {"prompt": "x"})
        except OSError as exc:
            errors.append(exc)

    thread = threading.Thread(target=ask)
    thread.start()
    time.sleep(0.3)
    openai_http.cancel_in_flight()
    try:
        thread.join(5)
        assert not thread.is_alive() and isinstance(errors[0], openai_http.RequestCancelled)
    finally:
        openai_http.allow_requests()


def test_timeout_and_retries_from_flags_and_yaml(tmp_path: Path, capsys) -> None:
    backend = from_spec(ModelSpec(model="m@http://127.0.0.1:9/v1", backend="openai", request_timeout_s=7.5, max_retries=0))
    assert (backend.settings.timeout_s, backend.settings.retries) == (7.5, 0)
    agent = tmp_path / "a.yaml"
    agent.write_text("preset: chat-single\nmodel: {backend: openai, model: m@http://127.0.0.1:9/v1, "
                     "request_timeout_s: 12, max_retries: 1}\n")
    spec = load_agent(str(agent)).roles["backbone"]
    assert (spec.request_timeout_s, spec.max_retries) == (12, 1)
    argv = ["run", "--agent", "chat-single", "--backend", "openai", "--model", "m@http://127.0.0.1:9/v1",
            "--benchmark", "embedded", "--out", str(tmp_path / "o")]
    for flags, problem in ((["--request-timeout", "0"], "--request-timeout must be a number above 0"),
                           (["--max-retries", "-1"], "--max-retries must be a whole number of at least 0")):
        assert run_eval.main(argv + flags) == 2
        assert problem in capsys.readouterr().err
    agent.write_text("preset: chat-single\nmodel: {max_retries: -2}\n")
    assert run_eval.main(["run", "--agent", str(agent), "--benchmark", "embedded", "--out", str(tmp_path / "o")]) == 2
    assert "max_retries must be a whole number of at least 0" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.parametrize("signum, code, words", [(signal.SIGINT, 130, "interrupted"),
                                                 (signal.SIGTERM, 143, "terminated by SIGTERM")])
def test_one_signal_stops_every_run_of_a_concurrent_sweep_at_once(silent_endpoint, tmp_path: Path, signum, code, words) -> None:
    """Two runs in flight on an endpoint that never answers, a third queued: one signal ends the sweep within
    seconds; sweep.json says the two were interrupted (their run.json too: a rerun resumes them) and the third
    never started."""
    url, held = silent_endpoint
    agents = "".join(f"  - {{agent: chat-single, name: {name}, backend: openai, model: m@{url}}}\n" for name in "abc")
    sweep = tmp_path / "night.yaml"
    sweep.write_text(f"out: {tmp_path / 'out'}\nexecutor: local\nmax_concurrent_runs: 2\nagents:\n{agents}"
                     "benchmarks:\n  - {benchmark: embedded, per_group: 1}\n")
    proc = subprocess.Popen([sys.executable, str(REPO / "run_eval.py"), "sweep", str(sweep), "--no-progress"],
                            env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    state_file = tmp_path / "out" / "sweep.json"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        running = state_file.is_file() and '"running"' in state_file.read_text() and state_file.read_text().count('"running"') == 2
        if running and len(held) >= 2:
            break
        time.sleep(0.1)
    time.sleep(0.5)
    sent = time.monotonic()
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert time.monotonic() - sent < 10  # not the 60 s x 6 attempts the requests would hang for
    assert proc.returncode == code
    assert err.strip().splitlines()[-1].startswith(f"umi-eval: {words};") and "Traceback" not in err
    runs = json.loads(state_file.read_text())["runs"]
    names = [f"{name}__embedded__seed0" for name in "abc"]
    assert [runs[name]["status"] for name in names] == ["interrupted", "interrupted", "queued"]
    for name in names[:2]:
        manifest = json.loads((tmp_path / "out" / name / "run.json").read_text())
        assert manifest["status"] == "interrupted" and words.split()[0] in manifest["reason"]
        records = tmp_path / "out" / name / "trajectories.jsonl"  # the cancelled requests failed no trajectory
        assert not records.exists() or not records.read_text()
