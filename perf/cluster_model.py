"""A discrete-event model of umi-eval on a GPU cluster: role engines that batch continuously, the replica
router, the driver, and a sweep's runs packed onto nodes. It runs on a virtual clock, so hours of modelled GPU
time take seconds here (the engine's `modelled` backend sleeps in real time and cannot reach 4,096
trajectories on 16 GPUs on a 2-core machine).

What is real and what is modelled:
- the router is the engine's own (engine.execution.routing.Router), as is replica sizing (engine.execution.replicas.dhondt);
- an engine is vLLM-like continuous batching, the step cost of engine.backends.modelled.ContinuousBatchingModel:
  a step costs decode_s plus decode_per_seq_s per running sequence, plus prefill_s per prompt token of the requests joining it (minus their cached
  prefix: a trajectory's earlier prompt is in the prefix cache of the replica that served it last), plus a
  share of overhead_s; at most `capacity` requests run at once; engines colocated on one GPU take turns
  step by step (an idle one costs its neighbours nothing);
- alpha-UMi trajectories: 1-3 tool rounds (planner, caller, tool) then planner and summarizer; prompts grow
  by each round; reply lengths vary 10x (seeded);
- the driver is one CPU serving every finished role call in turn (DRIVER_S each, measured by
  perf/driver_overhead.py), so a cluster too big for it shows as engines waiting on it;
- a sweep's runs start in order while their GPUs fit; with growth (`grow_cap`), GPUs no queued run can take go
  to running runs by the engine's own decision (engine.execution.growth.plan_growth), checked at the start and
  whenever a run or a trajectory ends; a grown replica has a GPU of its own, is routed to at once (its model
  load, like every run's, takes no modelled time) and stays until its run ends; a run's admission window is
  fixed at its start, as the engine's continuous schedule's is.

Calibration (7B model, one H100, vLLM; `H100_7B`): decode 8,100 output tokens/s at 256 sequences (LambdaLabsML/
vllm-benchmark, vLLM 0.6.0, 7-8B on one H100; 3,300 with vLLM 0.5.4), a step costing 6 ms plus 0.1 ms per
running sequence (6 ms: the weights read once per step from HBM at 3.35 TB/s, plus launch); prefill 30,000
tokens/s, an estimate (2 x 7e9 FLOPs per token at 42% of the H100's 989 dense bf16 TFLOP/s), not a
measurement. Sequences at once: the KV cache of a Llama-2-7B (0.5 MB per token, ~2,400 tokens per sequence)
in 90% of 80 GB less the weights: 48 for an engine alone on its GPU, 8 each for three engines sharing one. `auto` here sizes replicas by each role's GPU-seconds measured in a 512-trajectory pilot on one
replica per role (the engine's own `auto` uses declared tokens: engine.execution.replicas).

    python perf/cluster_model.py            # writes perf/results/cluster_model.json
"""
from __future__ import annotations

import argparse
import dataclasses
import functools
import heapq
import itertools
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from engine.execution.growth import RunLoad, plan_growth
from engine.execution.replicas import dhondt
from engine.execution.routing import Router

OUT = Path(__file__).resolve().parent / "results" / "cluster_model.json"


@dataclass(frozen=True)
class Profile:
    decode_s: float  # one decode step: reading the weights once, whatever the batch
    decode_per_seq_s: float  # and per running sequence (attention over its KV cache, sampling)
    prefill_s: float  # per prompt token not in the prefix cache
    overhead_s: float  # per full batch of joins
    capacity: int  # sequences at once (vLLM max_num_seqs)

    def step_s(self, running: int) -> float:
        return self.decode_s + self.decode_per_seq_s * running


# A step at 256 sequences takes 256 / 8,100 s = 31.6 ms (8,100 tokens/s); at one sequence, 6 ms (14 GB of bf16
# weights read at 3.35 TB/s is 4.2 ms, plus launch and sampling).
# Sequences at once: what the KV cache holds. alpha-UMi's models are Llama-2-7B (no grouped-query attention):
# 2 x 32 layers x 4,096 x 2 bytes = 0.5 MB per token; a sequence holds about CONTEXT_TOKENS. vLLM takes 90% of
# the 80 GB, less 13.5 GB of weights per engine on the GPU.
KV_MB_PER_TOKEN = 0.5
CONTEXT_TOKENS = 2400
GPU_GB, WEIGHTS_GB = 80 * 0.9, 13.5


def kv_capacity(engines_per_gpu: int) -> int:
    free_mb = (GPU_GB - WEIGHTS_GB * engines_per_gpu) * 1000 / engines_per_gpu
    return max(1, min(256, int(free_mb / (KV_MB_PER_TOKEN * CONTEXT_TOKENS))))


H100_7B = Profile(decode_s=0.006, decode_per_seq_s=(256 / 8100 - 0.006) / 256, prefill_s=1 / 30000,
                  overhead_s=0.005, capacity=kv_capacity(1))
DRIVER_S = {"continuous": 1 / 3853, "lockstep": 1 / 5800}  # CPU-s per role call: perf/results/driver_overhead_10k_*.json
REPLY_TOKENS = {"planner": 40, "caller": 30, "summarizer": 80}  # shortest reply; up to 10x longer (spread)
SPREAD = 10.0
PROMPT_TOKENS = 1500  # alpha-UMi system prompt with the tools' documentation
ROUND_TOKENS = 300  # each round adds the reply, the call and its observation to every later prompt


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self._events: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()

    def at(self, when: float, action: Callable[[], None]) -> None:
        heapq.heappush(self._events, (when, next(self._order), action))

    def run(self) -> None:
        while self._events:
            self.now, _, action = heapq.heappop(self._events)
            action()


@dataclass
class Call:
    trajectory: str
    role: str
    prompt: int
    reply: int
    done: Callable[[], None]


class Gpu:
    """One GPU: the engines on it take turns, a step at a time (colocated engines share it, none waits for an
    idle neighbour)."""

    def __init__(self, engines: int = 1) -> None:
        self.free_at = 0.0
        self.busy_s = 0.0
        self.engines = engines  # engines on it: they split its memory, so each holds fewer sequences

    def run(self, now: float, seconds: float) -> float:
        """When a step of `seconds` asked for at `now` ends."""
        self.free_at = max(now, self.free_at) + seconds
        self.busy_s += seconds
        return self.free_at


class Engine:
    """One replica: continuous batching on its GPU (which it may share with other engines)."""

    def __init__(self, clock: Clock, profile: Profile, gpu: Gpu) -> None:
        self.clock, self.gpu = clock, gpu
        self.profile = dataclasses.replace(profile, capacity=kv_capacity(gpu.engines)) if gpu.engines > 1 else profile
        self.queue: list[Call] = []
        self.running: list[tuple[int, int, Call]] = []  # (finish step, order, call)
        self.steps = 0
        self.busy_s = 0.0
        self.occupancy = 0  # sum of running sequences over steps
        self.cached: dict[str, int] = {}  # trajectory -> prompt tokens in the prefix cache
        self.stepping = False
        self._order = itertools.count()

    def submit(self, call: Call) -> None:
        self.queue.append(call)
        if not self.stepping:
            self.stepping = True
            self.clock.at(self.clock.now, self._step)

    def _step(self) -> None:
        joined = self.queue[:self.profile.capacity - len(self.running)]
        del self.queue[:len(joined)]
        if not joined and not self.running:
            self.stepping = False
            return
        prefill = sum(max(0, c.prompt - self.cached.get(c.trajectory, 0)) for c in joined)
        for call in joined:
            self.cached[call.trajectory] = call.prompt + call.reply
            heapq.heappush(self.running, (self.steps + call.reply, next(self._order), call))
        seconds = (self.profile.step_s(len(self.running)) + self.profile.prefill_s * prefill
                   + self.profile.overhead_s * len(joined) / self.profile.capacity)
        self.steps += 1
        self.busy_s += seconds
        self.occupancy += len(self.running)
        self.clock.at(self.gpu.run(self.clock.now, seconds), self._finish_step)

    def _finish_step(self) -> None:
        while self.running and self.running[0][0] <= self.steps:
            heapq.heappop(self.running)[2].done()
        self._step()


class Driver:
    """One CPU: every finished role call costs it `cost_s`, in turn."""

    def __init__(self, clock: Clock, cost_s: float) -> None:
        self.clock, self.cost_s, self.free_at, self.busy_s = clock, cost_s, 0.0, 0.0

    def handle(self, action: Callable[[], None]) -> None:
        self.free_at = max(self.free_at, self.clock.now) + self.cost_s
        self.busy_s += self.cost_s
        self.clock.at(self.free_at, action)


def alpha_umi_calls(rng: random.Random, rounds: int) -> list[tuple[str, int, int]]:
    """(role, prompt tokens, reply tokens) of one trajectory with `rounds` tool rounds."""
    calls = []
    for n, role in enumerate(["planner", "caller"] * rounds + ["planner", "summarizer"]):
        reply = round(REPLY_TOKENS[role] * rng.uniform(1.0, SPREAD))
        calls.append((role, PROMPT_TOKENS + ROUND_TOKENS * (n // 2), reply))
    return calls


@dataclass
class RunModel:
    """One run: `trajectories` alpha-UMi trajectories on `replicas` engines per role (on its GPUs), plus the
    replicas it grows into freed GPUs (`grow`: a GPU each, whatever the layout)."""
    name: str
    trajectories: int
    replicas: dict[str, int]
    seed: int = 0
    rounds: tuple[int, ...] = (1, 2, 3)
    colocated: bool = False  # replica n of every role on GPU n (each GPU a whole agent), else a GPU per replica
    started_at: float = 0.0
    ended_at: float = 0.0
    engines: dict[str, list[Engine]] = field(default_factory=dict)
    gpus_used: list[Gpu] = field(default_factory=list)
    grown: list[tuple[float, str]] = field(default_factory=list)  # (when, role) of each replica grown
    left: int = 0  # trajectories not finished
    routers: dict[str, Router] = field(default_factory=dict)

    @property
    def gpus(self) -> float:
        return (max(self.replicas.values()) if self.colocated else sum(self.replicas.values())) + len(self.grown)

    def start(self, clock: Clock, driver: Driver, profile: Profile, on_end: Callable[[RunModel], None],
              on_trajectory: Callable[[], None] = lambda: None) -> None:
        self.started_at = clock.now
        self.gpus_used = [Gpu(len(self.replicas) if self.colocated else 1) for _ in range(self.gpus)]
        free = iter(self.gpus_used)
        self.engines = {role: [Engine(clock, profile, self.gpus_used[i] if self.colocated else next(free)) for i in range(n)]
                        for role, n in self.replicas.items()}
        self.routers = {role: Router(n) for role, n in self.replicas.items()}
        self._grow_engine = lambda: Engine(clock, profile, self._new_gpu())
        rng = random.Random(self.seed)
        plans = [alpha_umi_calls(rng, rng.choice(self.rounds)) for _ in range(self.trajectories)]
        window = 2 * sum(engine.profile.capacity for engines in self.engines.values() for engine in engines)  # fixed at start, as the engine's
        pending = iter(range(self.trajectories))
        self.left = self.trajectories

        def step(t: int, k: int) -> None:
            if k == len(plans[t]):
                self.left -= 1
                admit(1)
                if self.left == 0:
                    self.ended_at = clock.now
                    on_end(self)
                else:
                    on_trajectory()
                return
            role, prompt, reply = plans[t][k]
            request_id = f"{self.name}/{t}|a|0|{k}"
            replica = self.routers[role].route(request_id)

            def done() -> None:
                self.routers[role].finished(replica)
                driver.handle(lambda: step(t, k + 1))

            self.engines[role][replica].submit(Call(f"{self.name}/{t}", role, prompt, reply, done))

        def admit(n: int) -> None:
            for t in itertools.islice(pending, n):
                step(t, 0)

        admit(window)

    def _new_gpu(self) -> Gpu:
        self.gpus_used.append(Gpu())
        return self.gpus_used[-1]

    def grow(self, role: str, now: float) -> None:
        """One more replica of `role` on a GPU of its own, routed to from now on (its model load not modelled)."""
        self.grown.append((now, role))
        self.engines[role].append(self._grow_engine())
        self.routers[role].grow()

    def load(self, cap: int) -> RunLoad:
        replicas = {role: len(engines) for role, engines in self.engines.items()}
        return RunLoad(self.name, self.left, self.gpus, pilot_work(), replicas, dict.fromkeys(replicas, 1.0),
                       cap - len(self.grown))


def simulate(runs: list[RunModel], gpus: int, profile: Profile = H100_7B, driver_s: float = DRIVER_S["continuous"],
             max_concurrent: int | None = None, grow_cap: int = 0) -> dict:
    """Runs start in order while their GPUs fit (a placement group per run) and queue otherwise. With
    `grow_cap`, GPUs no queued run can take go to running runs (engine.execution.growth.plan_growth, up to
    `grow_cap` replicas per run): at the start, when a run ends, and when a trajectory ends."""
    clock = Clock()
    driver = Driver(clock, driver_s)
    queue, free = list(runs), [float(gpus)]
    running: list[RunModel] = []

    def start_what_fits() -> None:
        while queue and queue[0].gpus <= free[0] + 1e-9 and (max_concurrent is None or len(running) < max_concurrent):
            run = queue.pop(0)
            free[0] -= run.gpus
            running.append(run)
            run.start(clock, driver, profile, ended, grow)
        grow()

    def grow() -> None:
        if not grow_cap or free[0] < 1:  # called after start_what_fits: no queued run fits in what is free
            return
        by_name = {run.name: run for run in running}
        for growth in plan_growth(free[0], [run.load(grow_cap) for run in running]):
            by_name[growth.run].grow(growth.engine, clock.now)
            free[0] -= 1

    def ended(run: RunModel) -> None:
        free[0] += run.gpus
        running.remove(run)
        start_what_fits()

    start_what_fits()
    clock.run()
    makespan = max(run.ended_at for run in runs)
    gpu_s = sum(gpu.busy_s for run in runs for gpu in run.gpus_used)
    return {"makespan_s": round(makespan, 1), "busy_gpu_s": round(gpu_s, 1), "work_bound_s": round(gpu_s / gpus, 1),
            "makespan_over_work_bound": round(makespan * gpus / gpu_s, 3),
            "cluster_gpu_utilisation": round(gpu_s / (makespan * gpus), 3),
            "driver_busy_fraction": round(driver.busy_s / makespan, 3),
            "runs": [{"run": r.name, "gpus": r.gpus - len(r.grown), "replicas": r.replicas, "start_s": round(r.started_at, 1),
                      "end_s": round(r.ended_at, 1), **({"grown": [[round(t, 1), role] for t, role in r.grown]} if r.grown else {})}
                     for r in runs]}


def replicas_figure(trajectories: int, gpus: int) -> dict:
    """alpha-UMi on `gpus` GPUs: one replica per role (a GPU idle), auto (D'Hondt over the roles' measured work,
    a GPU per replica), and colocated (`gpus` replicas of every role, one of each per GPU)."""
    layouts = {"one_per_role": RunModel("one", trajectories, dict.fromkeys(ROLES, 1)),
               "auto": RunModel("auto", trajectories, _auto(gpus)),
               "colocated": RunModel("colocated", trajectories, dict.fromkeys(ROLES, gpus), colocated=True)}
    out = {}
    for label, run in layouts.items():
        wall = simulate([run], gpus)["makespan_s"]
        busy = [round(gpu.busy_s / wall, 3) for gpu in run.gpus_used]
        out[label] = {"replicas": run.replicas, "colocated": run.colocated, "wall_s": wall,
                      "gpu_busy_fraction": busy + [0.0] * (gpus - len(busy))}
    out["wall_ratio_one_per_role_over_auto"] = round(out["one_per_role"]["wall_s"] / out["auto"]["wall_s"], 2)
    out["wall_ratio_one_per_role_over_colocated"] = round(out["one_per_role"]["wall_s"] / out["colocated"]["wall_s"], 2)
    return out


def sweep_runs(checkpoints: int, trajectories: int, gpus_per_run: int, colocated: bool) -> list[RunModel]:
    replicas = dict.fromkeys(ROLES, gpus_per_run) if colocated else _auto(gpus_per_run)
    return [RunModel(f"ckpt{n}", trajectories, replicas, seed=n, colocated=colocated) for n in range(checkpoints)]


GROW_CAP = 8  # replicas a run may grow (the sweep file's grow_cap)


def sweep_figure(nodes: int, checkpoints: int = 12, trajectories: int = 300) -> dict:
    """The sweep on `nodes` x 8 GPUs, each run on g GPUs, split (auto replicas, g from 3) or colocated (g
    whole-agent GPUs, g from 1), g up to a node; split runs also with growth (`+grow`: free GPUs to running
    runs, engine.execution.growth). The best is what a sweep would be told to use; `fixed` is the best without
    growth (the figure before it)."""
    gpus = 8 * nodes
    layouts = [(c, g, cap) for c in (False, True) for g in range(1 if c else 3, 9) for cap in ((0,) if c else (0, GROW_CAP))]
    tried = {f"{'colocated' if c else 'split'}:{g}{'+grow' if cap else ''}":
             simulate(sweep_runs(checkpoints, trajectories, g, c), gpus, grow_cap=cap) for c, g, cap in layouts}
    best = min(tried, key=lambda k: tried[k]["makespan_s"])
    fixed = min((k for k in tried if "+grow" not in k), key=lambda k: tried[k]["makespan_s"])
    return {"gpus": gpus, "best_layout": best, **tried[best],
            "fixed": {"layout": fixed, **{m: tried[fixed][m] for m in ("makespan_s", "makespan_over_work_bound")}},
            "by_layout": {k: {m: r[m] for m in ("makespan_s", "busy_gpu_s", "makespan_over_work_bound")} for k, r in tried.items()}}


def run_size_figure(sizes: tuple[int, ...] = (300, 1500, 3000), gpus_per_run: int = 4) -> dict:
    """The 2-node sweep's 12 runs at more trajectories each (split runs of `gpus_per_run`, growth on): how much
    of the gap to the work bound is each run's own fill and tail, which shrink relative to a longer run."""
    return {n: {m: r[m] for m in ("makespan_s", "makespan_over_work_bound", "cluster_gpu_utilisation")}
            for n in sizes if (r := simulate(sweep_runs(12, n, gpus_per_run, False), 16, grow_cap=GROW_CAP))}


def held_floor(checkpoints: int = 12, trajectories: int = 300, gpus: int = 16) -> dict:
    """The least makespan of a sweep whose runs each hold their GPUs to their end: a run alone on g GPUs (split,
    auto) holds g x its wall GPU-seconds, busy or not; the sweep cannot end before `checkpoints` times the least
    of these over `gpus`, however runs of a fixed size are packed (a grown run, in this model, holds more)."""
    rows = {}
    for g in range(3, 9):
        run = sweep_runs(1, trajectories, g, False)[0]
        result = simulate([run], g)
        rows[g] = {"wall_s": result["makespan_s"], "held_gpu_s": round(g * result["makespan_s"], 1),
                   "busy_gpu_s": result["busy_gpu_s"]}
    least = min(rows, key=lambda g: rows[g]["held_gpu_s"])
    return {"by_run_gpus": rows, "least_held_gpus": least,
            "floor_s": round(checkpoints * rows[least]["held_gpu_s"] / gpus, 1),
            "floor_over_its_work_bound": round(rows[least]["held_gpu_s"] / rows[least]["busy_gpu_s"], 3)}


def driver_saturation(driver_s: float, trajectories_per_gpu: int = 512, gpus: tuple[int, ...] = (4, 16, 32, 64)) -> dict:
    """Wall time per GPU count at a fixed load per GPU (weak scaling, auto replicas): where wall time starts to
    grow with the GPUs, one driver is saturated (its busy fraction nears 1)."""
    rows = {}
    for g in gpus:
        result = simulate([RunModel("sat", trajectories_per_gpu * g, _auto(g))], g, driver_s=driver_s)
        rows[g] = {"wall_s": result["makespan_s"], "driver_busy_fraction": result["driver_busy_fraction"]}
    last = rows[gpus[-1]]
    return {"by_gpus": rows, "saturation_gpus": round(gpus[-1] / last["driver_busy_fraction"])}


ROLES = ("planner", "caller", "summarizer")


@functools.cache
def pilot_work() -> dict[str, float]:
    """Each role's busy GPU-seconds in a 512-trajectory pilot with one replica per role: what auto sizes by."""
    run = RunModel("pilot", 512, dict.fromkeys(ROLES, 1), seed=99)
    simulate([run], 3)
    return {role: engines[0].busy_s for role, engines in run.engines.items()}


def _auto(gpus: int) -> dict[str, int]:
    return dhondt(pilot_work(), dict.fromkeys(ROLES, 1), gpus)


def moonshot(expansions: float = 4.35, queries: int = 765) -> dict:
    """alpha-UMi DFSDT on StableToolBench's 765 solvable queries: each tree modelled as a trajectory of
    `expansions` tool rounds on average (perf/results/dfsdt_vs_cot.json: 4.35 nodes expanded per tree), on one
    8-GPU node (auto replicas) and on one GPU (three colocated engines, each a third of the GPU)."""
    low, high = int(expansions), int(expansions) + 1
    rounds = (low,) * round((high - expansions) * 100) + (high,) * round((expansions - low) * 100)
    node = RunModel("node", queries, _auto(8), rounds=rounds)
    one = RunModel("one-gpu", queries, dict.fromkeys(ROLES, 1), rounds=rounds, colocated=True)
    return {"queries": queries, "mean_tool_rounds": expansions,
            "one_8gpu_node_wall_s": simulate([node], 8)["makespan_s"], "one_gpu_colocated_wall_s": simulate([one], 1)["makespan_s"]}


def main() -> None:
    import json

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trajectories", type=int, default=4096)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    sweeps = {nodes: sweep_figure(nodes) for nodes in (1, 2, 4)}
    result = {
        "what": "discrete-event model of alpha-UMi on H100-class GPUs (perf/cluster_model.py docstring: assumptions)",
        "command": "python perf/cluster_model.py",
        "profile": H100_7B.__dict__, "driver_s_per_call": DRIVER_S, "reply_tokens_min": REPLY_TOKENS, "spread": SPREAD,
        "pilot_work_gpu_s": pilot_work(),
        "replicas_4gpu": replicas_figure(args.trajectories, 4),
        "sweep_2x8": sweeps[2],
        "scaling": {n: {"makespan_s": s["makespan_s"], "best_layout": s["best_layout"],
                        "makespan_over_work_bound": s["makespan_over_work_bound"], "fixed": s["fixed"]} for n, s in sweeps.items()},
        "scaling_ratio_per_doubling": [round(sweeps[1]["makespan_s"] / sweeps[2]["makespan_s"], 2),
                                       round(sweeps[2]["makespan_s"] / sweeps[4]["makespan_s"], 2)],
        "scaling_ratio_per_doubling_fixed": [round(sweeps[1]["fixed"]["makespan_s"] / sweeps[2]["fixed"]["makespan_s"], 2),
                                             round(sweeps[2]["fixed"]["makespan_s"] / sweeps[4]["fixed"]["makespan_s"], 2)],
        "sweep_2x8_by_run_size": run_size_figure(),
        "sweep_2x8_held_floor": held_floor(),
        "driver_saturation": {schedule: driver_saturation(cost) for schedule, cost in DRIVER_S.items()},
        "moonshot_dfsdt": moonshot(),
    }
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k not in ("sweep_2x8",)}, indent=1)[:6000])


if __name__ == "__main__":
    main()
