"""The hostile test of issue 21, re-run: per surface, cases tried, survived, and lost / duplicated / crashed / hung.

    python perf/hardening_round2.py [--ray] [--only=SURFACE,...]    (about 12 minutes on two busy cores; --ray adds
                                                                      the Ray SIGKILL cases)

Each case is a command or a call on a hostile input. A case survives when it ends as the rules say (docs/hardening.md):
a clear error (exit 2, one line, nothing written changed) or the right result; it *lost* records or files, left
*duplicated* records, *crashed* (a traceback, a wrong exit status) or *hung* (past its time limit).
Writes perf/results/hardening_round2.json.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
PY = sys.executable
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
RUN = ["run", "--agent", "oracle", "--benchmark", "embedded", "--per-group", "1", "--executor", "local", "--no-progress"]
TABLE: dict[str, Counter] = {}


def cli(args: list[str], timeout: float = 120, **kwargs) -> tuple[int | None, str]:
    """(exit status or None when it hung, stderr) of one umi-eval command in its own process."""
    try:
        done = subprocess.run([PY, str(REPO / "run_eval.py"), *args], env=ENV, capture_output=True, text=True,
                              timeout=timeout, **kwargs)
    except subprocess.TimeoutExpired:
        return None, ""
    return done.returncode, done.stderr


def clear_error(code: int | None, err: str, words: str = "") -> str:
    if code is None:
        return "hung"
    if code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err and words in err:
        return "survived"
    return "crashed"


def case(surface: str, verdict: Callable[[], str]) -> None:
    try:
        outcome = verdict()
    except Exception as exc:  # the harness itself met an exception: the surface did not hold
        print(f"  {surface}: {type(exc).__name__}: {exc}"[:300])
        outcome = "crashed"
    TABLE.setdefault(surface, Counter())[outcome] += 1


def files_under(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and p.name != "run.lock"}


def oracle_run(out: Path, name: str = "r") -> Path:
    code, err = cli(RUN + ["--out", str(out), "--run-name", name])
    assert code == 0, err[-500:]
    return out / name


# 1 paths from data -------------------------------------------------------------------------------------------
def paths_from_data(tmp: Path) -> None:
    from benchmarks.hf_benchmark import task_row
    from benchmarks.loading import load_benchmark

    row = task_row(load_benchmark("embedded", per_group=1, seed=0).tasks[0])
    values = ["../../../../X", "/tmp/X_abs", "..", ".", "", "a/b", "a\\b", "../" * 30 + "X"]
    for n, (column, value) in enumerate((c, v) for c in ("group", "query_id") for v in values):
        for strategy in ("cot", "dfsdt"):
            root = tmp / f"p{n}{strategy}"
            data = root / "data" / "rows.jsonl"
            data.parent.mkdir(parents=True)
            data.write_text(json.dumps({**row, column: value}) + "\n")
            agent = "oracle" if strategy == "cot" else "chat-single"
            extra = [] if strategy == "cot" else ["--strategy", "dfsdt", "--backend", "scripted", "--model", "seeded-walk"]

            def verdict() -> str:
                out = root / "a" / "b" / "out"
                code, err = cli(["run", "--agent", agent, "--benchmark", str(data), "--executor", "local",
                                 "--out", str(out), "--no-progress", *extra])
                outside = {p for p in root.rglob("*") if p.is_file() and not p.is_relative_to(out)} - {data}
                if outside:
                    return "lost"
                if value == "" and column == "group":  # no group: the dataset's name is the group, a sound run
                    return "survived" if code == 0 else "crashed"
                return clear_error(code, err, "unsafe name")
            case("paths from data (groups, query ids)", verdict)


# 2 run identity ----------------------------------------------------------------------------------------------
def run_identity(tmp: Path) -> None:
    spoils = {"deleted": lambda p: p.unlink(), "truncated": lambda p: p.write_bytes(p.read_bytes()[:40]),
              "a list": lambda p: p.write_text("[]"),
              "no identity": lambda p: p.write_text(json.dumps({k: v for k, v in json.loads(p.read_text()).items()
                                                                if k != "identity"}))}
    for name, spoil in spoils.items():
        for sidecar in ("kept", "deleted", "broken"):
            def verdict() -> str:
                out = tmp / f"id-{name}-{sidecar}".replace(" ", "_")
                argv = ["run", "--agent", "chat-single", "--backend", "scripted", "--model", "call-once-then-answer",
                        "--benchmark", "embedded", "--per-group", "1", "--executor", "local", "--out", str(out),
                        "--run-name", "r", "--no-progress"]
                assert cli(argv)[0] == 0
                run_dir = out / "r"
                spoil(run_dir / "run.json")
                if sidecar == "deleted":
                    (run_dir / "identity.json").unlink()
                elif sidecar == "broken":
                    (run_dir / "identity.json").write_text("{")
                records = (run_dir / "trajectories.jsonl").read_bytes()
                code, err = cli(argv[:6] + ["seeded-walk"] + argv[7:])  # another model
                if (run_dir / "trajectories.jsonl").read_bytes() != records:
                    return "lost"
                return clear_error(code, err, "")
            case("run identity (run.json spoilt, resumed with another model)", verdict)


# 3 one writer per folder -------------------------------------------------------------------------------------
def two_writers(tmp: Path) -> None:
    for n in range(6):
        def verdict() -> str:
            out = tmp / f"w{n}"
            argv = [PY, str(REPO / "run_eval.py"), "run", "--agent", "chat-single", "--backend", "modelled", "--model",
                    "call-once-then-answer@gpu-like,speed=0.3", "--benchmark", "embedded", "--per-group", "2",
                    "--executor", "local", "--out", str(out), "--run-name", "r", "--no-progress"]
            procs = [subprocess.Popen(argv, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for _ in range(2)]
            results = [(p.communicate(timeout=180)[1], p.returncode) for p in procs]
            keys = [json.loads(line)["task_key"] for line in (out / "r" / "trajectories.jsonl").read_text().splitlines()]
            if len(keys) != len(set(keys)):
                return "duplicated"
            if sorted(code for _, code in results) not in ([0, 0], [0, 2]) or any("Traceback" in e for e, _ in results):
                return "crashed"
            refused = [e for e, code in results if code == 2]
            return "survived" if all("pid" in e and len(e.strip().splitlines()) == 1 for e in refused) else "crashed"
        case("two writers on one run folder", verdict)


# 4 interrupts on a hanging endpoint ---------------------------------------------------------------------------
def interrupts(tmp: Path) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    threading.Thread(target=lambda: [held.append(listener.accept()[0]) for _ in iter(int, 1)], daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    for n, signals in enumerate([[signal.SIGINT], [signal.SIGTERM], [signal.SIGINT, signal.SIGINT],
                                 [signal.SIGTERM, signal.SIGINT], [signal.SIGHUP]] * 2):
        def verdict() -> str:
            argv = [PY, str(REPO / "run_eval.py"), "run", "--agent", "chat-single", "--backend", "openai", "--model",
                    f"m@{url}", "--executor", "local", "--benchmark", "embedded", "--per-group", "1",
                    "--request-timeout", "300", "--out", str(tmp / f"i{n}"), "--no-progress"]
            before = len(held)
            proc = subprocess.Popen(argv, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            deadline = time.monotonic() + 60
            while len(held) == before and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.3)
            sent = time.monotonic()
            for signum in signals:
                proc.send_signal(signum)
            try:
                _, err = proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                return "hung"
            expected = 128 + signals[0] if len(signals) == 1 else 128 + signals[-1]
            ok = proc.returncode in (expected, 128 + signals[0]) and "Traceback" not in err and time.monotonic() - sent < 10
            return "survived" if ok and err.strip().startswith("umi-eval:") else "crashed"
        case("interrupts (hanging endpoint; Ctrl-C, SIGTERM, twice)", verdict)
    listener.close()


# 5, 6 engine threads --------------------------------------------------------------------------------------------
ENGINE_DEATH = """
import json, sys
from engine.backends.modelled import TimingProfile
def overflow(self, result): raise OverflowError("cannot convert float infinity to integer")
TimingProfile.decode_steps = overflow
import run_eval
sys.exit(run_eval.main(sys.argv[1:]))
"""


def engine_threads(tmp: Path) -> None:
    for n, (agent, schedule) in enumerate([(a, s) for a in ("chat-single", "alpha-umi") for s in ("continuous", "pipelined", "lockstep")]):
        def verdict() -> str:
            out = tmp / f"e{n}"
            try:
                done = subprocess.run([PY, "-c", ENGINE_DEATH, "run", "--agent", agent, "--backend", "modelled", "--model",
                                       "seeded-walk@gpu-like", "--schedule", schedule, "--executor", "local", "--benchmark",
                                       "embedded", "--per-group", "1", "--out", str(out), "--no-progress"],
                                      env=ENV, capture_output=True, text=True, timeout=120, cwd=REPO)
            except subprocess.TimeoutExpired:
                return "hung"
            records = list(out.glob("*/trajectories.jsonl"))
            lines = records[0].read_text().splitlines() if records else []
            if done.returncode != 0 or "Traceback" in done.stderr:
                return "crashed"
            return "survived" if len(lines) == 6 and all(json.loads(x)["status"] == "failed" for x in lines) else "lost"
        case("a streaming engine thread that dies", verdict)
    for option in ("spread=inf", "speed=inf", "spread=nan", "speed=-1"):
        case("a streaming engine thread that dies", lambda: clear_error(*cli(
            ["run", "--agent", "chat-single", "--backend", "modelled", "--model", f"seeded-walk@gpu-like,{option}",
             *RUN[3:], "--out", str(tmp / "opt")]), "bad option"))
    tiny = tmp / "tiny"
    subprocess.run([PY, "-c", f"from perf.tiny_model import build_tiny_model; build_tiny_model(__import__('pathlib').Path({str(tiny)!r}))"],
                   env=ENV, capture_output=True, cwd=REPO, timeout=300)
    for schedule in ("continuous", "lockstep"):
        case("hf backend exit after a finished run", lambda: "survived" if cli(
            ["run", "--agent", "alpha-umi", "--backend", "hf", "--model", str(tiny), "--dtype", "fp32", "--schedule",
             schedule, "--executor", "local", "--benchmark", "embedded", "--per-group", "1", "--out",
             str(tmp / f"hf{schedule}"), "--no-progress"], timeout=300)[0] == 0 else "crashed")


# 7 long chains ----------------------------------------------------------------------------------------------------
def long_chains(tmp: Path) -> None:
    for steps in ("101", "250", "5000"):
        case("long chains", lambda: clear_error(*cli(RUN + ["--out", str(tmp / "lc"), "--max-steps", steps]), "at most 100"))
    for strategy in ("cot", "dfsdt"):
        def verdict() -> str:
            out = tmp / f"lc-{strategy}"
            code, err = cli(["run", "--agent", "chat-single", "--backend", "scripted", "--model", "seeded-walk",
                             "--strategy", strategy, "--max-steps", "100", "--benchmark", "embedded", "--per-group", "1",
                             "--executor", "local", "--out", str(out), "--run-name", "r", "--no-progress"], timeout=300)
            if code != 0:
                return "crashed"
            code2, _ = cli(["score", str(out / "r"), "--judge", "verified"])
            return "survived" if code2 == 0 else "crashed"
        case("long chains", verdict)


# 8, 9 checkpoint and trajectory lines -------------------------------------------------------------------------------
def journal_lines(tmp: Path) -> None:
    from tests.engine.test_checkpoint import WRONG_SHAPES
    from tests.engine.test_records import WRONG_RECORDS

    base = oracle_run(tmp / "base")
    for n, line in enumerate([*WRONG_SHAPES, "checkpoint is a folder"]):
        def verdict() -> str:
            run_dir = tmp / f"cp{n}" / "r"
            shutil.copytree(base, run_dir)
            records = (run_dir / "trajectories.jsonl").read_bytes()
            if line == "checkpoint is a folder":
                (run_dir / "checkpoint.jsonl").mkdir()
                return clear_error(*cli(RUN + ["--out", str(run_dir.parent), "--run-name", "r"]), "checkpoint")
            (run_dir / "checkpoint.jsonl").write_text(json.dumps(line) + "\n")
            code, err = cli(RUN + ["--out", str(run_dir.parent), "--run-name", "r"])
            if (run_dir / "trajectories.jsonl").read_bytes() != records:
                return "duplicated"
            return "survived" if code == 0 and "Traceback" not in err else "crashed"
        case("checkpoint lines of the wrong shape", verdict)
    for n, (record, _) in enumerate(WRONG_RECORDS):
        def verdict() -> str:
            run_dir = tmp / f"tr{n}" / "r"
            shutil.copytree(base, run_dir)
            path = run_dir / "trajectories.jsonl"
            good = path.read_text()
            path.write_text(good + json.dumps(record) + "\n")
            refused = clear_error(*cli(RUN + ["--out", str(run_dir.parent), "--run-name", "r"]), "not a trajectory record")
            repaired = cli(RUN + ["--out", str(run_dir.parent), "--run-name", "r", "--repair"])[0] == 0
            return refused if refused != "survived" else ("survived" if repaired and path.read_text() == good else "lost")
        case("trajectories.jsonl lines of the wrong shape", verdict)


# 10, 11 convert and nesting ---------------------------------------------------------------------------------------
def convert_and_nesting(tmp: Path) -> None:
    source = REPO.parent / "shared" / "data" / "stabletoolbench" / "data_example" / "answer" / "virtual_chatgpt_cot"
    if source.is_dir():
        files = sorted((source / "G1_instruction").glob("*.json"))
        for n in range(len(files)):
            def verdict() -> str:
                model = tmp / f"cv{n}"
                shutil.copytree(source, model)
                bad = sorted((model / "G1_instruction").glob("*.json"))[n]
                bad.write_bytes(bad.read_bytes()[:100])
                code, err = cli(["convert", str(model), "--out", str(tmp / f"cvo{n}")])
                out = tmp / f"cvo{n}" / "G1_instruction.json"
                if not out.is_file() or len(json.loads(out.read_text())) != len(files) - 1:
                    return "lost"
                return "survived" if code == 1 and str(bad) in err and "Traceback" not in err else "crashed"
            case("convert with a truncated file", verdict)
    deep = "[" * 5000 + "]" * 5000
    inputs = {"empty.jsonl": "", "deep.jsonl": json.dumps({"query_id": 1, "query": "q", "api_list": deep}) + "\n",
              "G1_instruction.json": json.dumps([{"query_id": 1, "query": "q", "api_list": json.loads("[" * 900 + "]" * 900)}])}
    for name, text in inputs.items():
        path = tmp / "nest" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
        case("deep nesting and empty inputs", lambda: clear_error(*cli(["run", "--agent", "oracle", "--benchmark", str(path),
                                                                          "--executor", "local", "--out", str(tmp / "no")])))
    conv = tmp / "nest" / "conv" / "G1_instruction.json"
    conv.parent.mkdir()
    conv.write_text(deep)
    case("deep nesting and empty inputs", lambda: clear_error(*cli(["score", str(conv), "--judge", "verified"]), "nested too deeply"))
    raw = tmp / "nest" / "raw" / "G1_instruction"
    raw.mkdir(parents=True)
    (raw / "1_CoT@1.json").write_text('{"answer_generation": ' + deep + "}")
    case("deep nesting and empty inputs", lambda: "survived" if (lambda r: r[0] in (1, 2) and "Traceback" not in r[1])(
        cli(["convert", str(raw.parent), "--out", str(tmp / "nest" / "rawo")])) else "crashed")


# 12, 17 reading run folders ------------------------------------------------------------------------------------------
def reading_runs(tmp: Path) -> None:
    from tests.benchmarks.test_bad_run_files import SPOILS, _spoilt

    good = oracle_run(tmp / "good")
    for n, name in enumerate(SPOILS):
        for command in ("leaderboard", "report", "export"):
            def verdict() -> str:
                bad, words = _spoilt(good, tmp / f"rd{n}{command}", name)
                out = {"leaderboard": [], "report": ["--out", str(bad.parent / "rep")], "export": ["--out", str(bad.parent / "exp")]}[command]
                code, err = cli([command, str(good), str(bad), *out])
                return "survived" if code == 0 and "Traceback" not in err else "crashed"
            case("report, export, leaderboard on bad run files", verdict)
    hostile = "<img src=x onerror=alert(1)> a|b\nc"
    agent = tmp / "hostile.yaml"
    agent.write_text(json.dumps({"preset": "oracle", "name": hostile.replace("\n", " ")}))

    def card() -> str:
        code, err = cli(["run", "--agent", str(agent), *RUN[3:], "--out", str(tmp / "card"), "--run-name", "h"])
        if code != 0:
            return "crashed"
        code, _ = cli(["export", str(tmp / "card" / "h"), "--out", str(tmp / "card-exp")])
        text = (tmp / "card-exp" / "README.md").read_text()
        return "survived" if code == 0 and "<img" not in text.split("---", 2)[2] else "crashed"
    case("dataset card names", card)


# 13, 14 arguments --------------------------------------------------------------------------------------------------
def arguments(tmp: Path) -> None:
    a_file = tmp / "a_file"
    a_file.write_text("keep")
    run_dir = oracle_run(tmp / "args")
    for argv in (["score", str(run_dir), "--judge", "verified", "--out", str(a_file)],
                 ["score", str(run_dir), "--judge", "verified", "--cache", str(tmp)],
                 ["convert", str(run_dir), "--out", str(a_file)], ["report", str(run_dir), "--out", str(a_file)],
                 ["leaderboard", str(run_dir), "--out", str(a_file / "x.md")], RUN + ["--out", str(a_file)],
                 RUN + ["--out", str(tmp), "--seed=-1"], RUN + ["--out", str(tmp), f"--seed={2 ** 64}"],
                 RUN + ["--out", str(tmp), "--batch-size", "0"], RUN + ["--out", str(tmp), "--max-steps", "0"]):
        case("--out at a file, seeds, numbers", lambda: clear_error(*cli(argv)) if a_file.read_text() == "keep" else "lost")
    for text in ("preset: chat-single\nmodel: {sampling: {temprature: 0.5}}\n", "preset: chat-single\nmodel: {batch_size: 0}\n",
                 "preset: chat-single\nmodel: {sampling: 3}\n", "preset: chat-single\nmax_steps: 250\n"):
        path = tmp / f"agent{abs(hash(text))}.yaml"
        path.write_text(text)
        case("--out at a file, seeds, numbers", lambda: clear_error(*cli(["run", "--agent", str(path), *RUN[3:], "--out", str(tmp / "y")])))


# 15 disk full --------------------------------------------------------------------------------------------------------
DISK_FULL = """
import errno, sys
from benchmarks.results import trajectories
opened = trajectories.TrajectoryWriter.__init__
class Full:
    def __init__(self, handle, n): self.handle, self.left = handle, n
    def write(self, data):
        if self.left <= 0: raise OSError(errno.ENOSPC, "No space left on device")
        self.left -= 1
        return self.handle.write(data)
    def __getattr__(self, name): return getattr(self.handle, name)
def init(self, *a, **k):
    opened(self, *a, **k)
    self._handle = Full(self._handle, int(sys.argv[1]))
trajectories.TrajectoryWriter.__init__ = init
import run_eval
sys.exit(run_eval.main(sys.argv[2:]))
"""


def disk_full(tmp: Path) -> None:
    for after in range(0, 6):
        def verdict() -> str:
            out = tmp / f"df{after}"
            done = subprocess.run([PY, "-c", DISK_FULL, str(after), *RUN, "--out", str(out), "--run-name", "r"], env=ENV,
                                  capture_output=True, text=True, timeout=120, cwd=REPO)
            status = json.loads((out / "r" / "run.json").read_text())["status"]
            if clear_error(done.returncode, done.stderr, "no space left") != "survived" or status != "interrupted":
                return "crashed"
            return "survived" if cli(RUN + ["--out", str(out), "--run-name", "r"])[0] == 0 else "lost"
        case("disk full", verdict)


# 16 the /virtual server -------------------------------------------------------------------------------------------
def virtual_server(tmp: Path) -> None:
    from tools_sim.cache import ResponseCache
    from tools_sim.server import VirtualServer
    from tools_sim.simulator import Simulator

    body = json.dumps({"category": "Data", "tool_name": "sky", "api_name": "forecast", "tool_input": "{}"}).encode()
    request = b"POST /virtual HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    server = VirtualServer(Simulator(ResponseCache()), port=0, request_timeout_s=2.0)
    threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()
    address = ("127.0.0.1", server.server_address[1])
    slow = []
    for _ in range(260):  # the slow clients, a byte at a time
        try:
            conn = socket.create_connection(address, timeout=5)
            conn.sendall(request[:5])
            slow.append(conn)
        except OSError:
            pass
    for n in range(10):
        def verdict() -> str:
            time.sleep(0.3)
            try:
                with socket.create_connection(address, timeout=10, source_address=(f"127.0.0.{2 + n}", 0)) as conn:
                    conn.sendall(request)
                    return "survived" if conn.recv(65536).startswith(b"HTTP/1.1 200") else "crashed"
            except OSError:
                return "hung"
        case("/virtual server under slow clients", verdict)
    for conn in slow:
        conn.close()
    server.shutdown()
    server.server_close()


# 18 Ray leftovers (optional) ---------------------------------------------------------------------------------------
def ray_leftovers(tmp: Path) -> None:
    import psutil

    for n in range(2):
        def verdict() -> str:
            out = tmp / f"ray{n}"
            proc = subprocess.Popen([PY, str(REPO / "run_eval.py"), "run", "--agent", "chat-single", "--benchmark", "embedded",
                                     "--per-group", "3", "--backend", "modelled", "--model",
                                     "call-once-then-answer@gpu-like,speed=0.05", "--executor", "ray", "--max-active", "1",
                                     "--out", str(out), "--run-name", "r", "--no-progress"], env=ENV,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            records = out / "r" / "trajectories.jsonl"
            deadline = time.monotonic() + 150
            while proc.poll() is None and time.monotonic() < deadline and not (records.exists() and records.read_bytes()):
                time.sleep(0.1)
            children = psutil.Process(proc.pid).children(recursive=True)
            proc.kill()
            proc.wait()
            time.sleep(3)
            left = [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE
                    and "ray_reaper" not in " ".join(c.cmdline())]
            for c in left:
                c.kill()
            return "survived" if children and not left else "lost"
        case("Ray processes after SIGKILL of the driver", verdict)


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="hardening-round2-"))
    surfaces = [paths_from_data, run_identity, two_writers, interrupts, engine_threads, long_chains, journal_lines,
                convert_and_nesting, reading_runs, arguments, disk_full, virtual_server]
    if "--ray" in sys.argv:
        surfaces.append(ray_leftovers)
    only = next((a.split("=", 1)[1].split(",") for a in sys.argv if a.startswith("--only=")), None)
    for surface in surfaces:
        if only and surface.__name__ not in only:
            continue
        start = time.monotonic()
        (tmp / surface.__name__).mkdir(parents=True)
        surface(tmp / surface.__name__)
        print(f"{surface.__name__}: {time.monotonic() - start:.0f} s {dict(TABLE)}", flush=True)
    rows = {name: {"tried": sum(c.values()), "survived": c["survived"],
                   **{k: c[k] for k in ("lost", "duplicated", "crashed", "hung")}} for name, c in TABLE.items()}
    print(f"\n{'surface':<58}{'tried':>6}{'survived':>9}  lost/dup/crashed/hung")
    for name, row in rows.items():
        print(f"{name:<58}{row['tried']:>6}{row['survived']:>9}  {row['lost']}/{row['duplicated']}/{row['crashed']}/{row['hung']}")
    total = {k: sum(r[k] for r in rows.values()) for k in ("tried", "survived", "lost", "duplicated", "crashed", "hung")}
    print(f"{'all':<58}{total['tried']:>6}{total['survived']:>9}  {total['lost']}/{total['duplicated']}/{total['crashed']}/{total['hung']}")
    out = REPO / "perf" / "results" / "hardening_round2.json"
    out.write_text(json.dumps({"surfaces": rows, "total": total}, indent=2) + "\n")
    shutil.rmtree(tmp, ignore_errors=True)
    print("wrote", out)


if __name__ == "__main__":
    main()
