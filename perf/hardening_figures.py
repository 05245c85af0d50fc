"""Fault figures for issue 13 (hardening): cases tried / survived / lost for hostile inputs to what it hardened.

    python perf/hardening_figures.py    (about 100 s on one CPU; every random choice seeded)

Writes perf/results/hardening_figures.json.
"""
import json, random, tempfile
from pathlib import Path
from benchmarks.scoring.verified import states
from tools_sim.simulator import Simulator
from tools_sim.cache import ResponseCache
from tools_sim.types import ToolCall
from benchmarks.core.naming import function_name
from benchmarks.core.types import ToolSpec
from benchmarks.results.trajectories import TrajectoryWriter, read_records
from engine.backends.openai import OpenAIBackend
from engine.backends.openai_http import EndpointSettings, MalformedReply
from engine.config.safe_yaml import load_yaml, YamlFileError
from benchmarks.leaderboard import csv_cell
from benchmarks.results.markdown import markdown_cell

TOOLS = (ToolSpec(category="Weather", tool="Sky Data", api="Forecast", function_name=function_name("Forecast", "Sky Data"),
                  description="", parameters={}),)


FIGURES = {}


def line(name, tried, survived, lost, note=""):
    FIGURES[name] = {"tried": tried, "survived": survived, "lost": lost, **({"note": note} if note else {})}
    print(f"{name:<38} tried {tried:>9,}  survived {survived:>9,}  lost {lost}  {note}")

# 1 verified: every code point (surrogates included) before a fact
t = 0; ok = 0
for cp in range(0x110000):
    t += 1
    try:
        ok += states(chr(cp) + " Paris 1" + chr(cp) + "2", "Paris")
    except Exception:
        pass
line("verified: every code point", t, ok, t - ok)

# 2 nested tool arguments, depths 0..3000, one tick each with a sound call
sim = Simulator(ResponseCache()); t = ok = 0
for depth in range(0, 3001):
    t += 1
    try:
        deep, fine = sim.call_many([ToolCall(TOOLS, "forecast_for_sky_data", '{"q": ' + "[" * depth + "1" + "]" * depth + "}"),
                                    ToolCall(TOOLS, "forecast_for_sky_data", '{"city": "Paris"}')])
        ok += fine.status == 0 and (deep.status == 0) == (depth < 100)
    except Exception:
        pass
line("tools: nested arguments 0..3000 deep", t, ok, t - ok)

# 3 records: every surrogate code point in a record
d = Path(tempfile.mkdtemp()); w = TrajectoryWriter(d / "t.jsonl"); t = 0
for cp in range(0xD800, 0xE000):
    t += 1
    w.write({"task_key": f"k{cp}", "group": "G1", "query_id": str(cp), "agent": "a", "seed": 0, "steps": 0,
             "final_answer": "x" + chr(cp), "error": "", "status": "answered", "started_at": 0.0, "finished_at": 0.0,
             "turns": [], "calls": [], "usage": {}})  # every field a resume reads (record_problem)
w.close()
back = list(read_records(d / "t.jsonl"))
line("records: lone surrogates", t, len(back), t - len(back))

# 4 openai reply reader: seeded random replies
rng = random.Random(0)
def value(depth=0):
    kinds = ["null", "bool", "int", "neg", "float", "str", "list", "dict"] if depth < 3 else ["null", "int", "str"]
    k = rng.choice(kinds)
    makers = {"null": lambda: None, "bool": lambda: rng.random() < .5, "int": lambda: rng.randint(0, 99),
              "neg": lambda: -rng.randint(1, 9), "float": lambda: rng.random(),
              "str": lambda: rng.choice(["", "hi", "11", "\ud800"]),
              "list": lambda: [value(depth + 1) for _ in range(rng.randint(0, 2))],
              "dict": lambda: {rng.choice(["choices", "usage", "message", "content", "text", "prompt_tokens",
                                           "completion_tokens", "finish_reason", "model", "type"]): value(depth + 1)
                               for _ in range(rng.randint(0, 3))}}
    return makers[k]()
reader = OpenAIBackend(EndpointSettings("m", "http://x")); t = ok = refused = 0
for _ in range(100_000):
    t += 1
    reply = value()
    if rng.random() < 0.5:
        reply = {"choices": [{"message": {"content": value(2)}, "finish_reason": value(2)}], "usage": value(1)}
    try:
        r = reader.read_reply(reply)
        ok += isinstance(r.text, str) and type(r.prompt_tokens) is int and type(r.completion_tokens) is int
    except MalformedReply:
        ok += 1; refused += 1
    except Exception as e:
        print("LOST", repr(reply)[:100], e)
line("openai: random replies", t, ok, t - ok, f"({refused:,} refused as malformed)")

# 5 YAML: seeded random texts from YAML's punctuation
t = ok = 0
for _ in range(20_000):
    t += 1
    text = "".join(rng.choice("ab:-[]{}&*!|>'\"#\n 12\x0c\t?%@`,") for _ in range(rng.randint(0, 40)))
    try:
        load_yaml(text, "f.yaml"); ok += 1
    except YamlFileError as e:
        ok += str(e).startswith("f.yaml: ")
    except Exception as e:
        print("LOST", repr(text), type(e).__name__)
line("yaml: random texts", t, ok, t - ok)

# 6 leaderboard cells
t = ok = 0
for _ in range(20_000):
    t += 1
    text = "".join(rng.choice("<>&|\\\n\r=+-@\tab ") for _ in range(rng.randint(0, 12)))
    md, csv_ = markdown_cell(text), csv_cell(text)
    ok += not set(md) & set("<>\n\r") and not csv_.startswith(("=", "+", "-", "@", "\t", "\r"))
line("leaderboard: random cells", t, ok, t - ok)

# 7 kill-and-resume: `run_eval.py run` SIGKILLed at seeded random moments, rerun until it finishes
# (perf/kill_resume.py). A kill survives when the final records equal the uninterrupted run's and it
# lost at most the model calls in flight (<= max_active); kept: calls of unfinished trajectories the
# checkpoint held after the kill (what a run without checkpoints lost).
from perf.kill_resume import Setting, trial
kill_settings = [Setting("alpha-umi", "cot", "lockstep", speed=2), Setting("alpha-umi", "cot", "pipelined", speed=2),
                 Setting("chat-single", "cot", "lockstep", speed=2), Setting("chat-single", "dfsdt", "pipelined", speed=2)]
kills = []
for n, setting in enumerate(kill_settings):
    result = trial(setting, Path(tempfile.mkdtemp()), seed=n, kills=5)
    for kill in result.kills:
        kills.append((kill, result.identical and 0 <= kill.calls_lost <= setting.max_active))
    FIGURES.setdefault("kill-and-resume runs", []).append(
        {"setting": f"{setting.agent} {setting.strategy} {setting.schedule} max_active={setting.max_active}",
         "kills": len(result.kills), "identical_records": result.identical, "calls_uninterrupted": result.whole_calls,
         "calls_all_attempts": result.calls_total, "calls_lost": [k.calls_lost for k in result.kills],
         "calls_kept_by_checkpoint": [k.calls_in_checkpoint for k in result.kills]})
survived = sum(ok for _, ok in kills)
lost_calls = [kill.calls_lost for kill, _ in kills]
kept_calls = [kill.calls_in_checkpoint for kill, _ in kills]
mid = sum(kill.calls_in_checkpoint > 0 for kill, _ in kills)
line("kill-and-resume: SIGKILLs", len(kills), survived, len(kills) - survived,
     f"({mid} mid-trajectory; model calls lost per kill mean {sum(lost_calls) / len(kills):.2f} max {max(lost_calls)}; "
     f"kept by the checkpoint per kill mean {sum(kept_calls) / len(kills):.1f})")

out = Path(__file__).resolve().parent / "results" / "hardening_figures.json"
out.write_text(json.dumps(FIGURES, indent=2) + "\n")
print("wrote", out)
