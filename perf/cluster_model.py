"""A discrete-event model of umi-eval on a GPU cluster: role engines that batch continuously, the replica
router, the driver, and a sweep's runs packed onto nodes. It runs on a virtual clock, so hours of modelled GPU
time take seconds here (the engine's `modelled` backend sleeps in real time and cannot reach 4,096
trajectories on 16 GPUs on a 2-core machine).

What is real and what is modelled:
- the router is the engine's own (engine.execution.routing.Router), as is replica sizing (engine.execution.replicas.dhondt);
- an engine is vLLM-like continuous batching, the step cost of engine.backends.modelled.ContinuousBatchingModel:
  a step costs decode_s, plus prefill_s per prompt token of the requests joining it (minus their cached
  prefix: a trajectory's earlier prompt is in the prefix cache of the replica that served it last), plus a
  share of overhead_s; at most `capacity` requests run at once;
- alpha-UMi trajectories: 1-3 tool rounds (planner, caller, tool) then planner and summarizer; prompts grow
  by each round; reply lengths vary 10x (seeded);
- the driver is one CPU serving every finished role call in turn (DRIVER_S each, measured by
  perf/driver_overhead.py), so a cluster too big for it shows as engines waiting on it.

Calibration (7B model, one H100, vLLM; `H100_7B`): decode 8,100 output tokens/s at 256 sequences (LambdaLabsML/
vllm-benchmark, vLLM 0.6.0, 7-8B on one H100; 3,300 with vLLM 0.5.4); prefill 30,000 tokens/s, an estimate
(2 x 7e9 FLOPs per token at 42% of the H100's 989 dense bf16 TFLOP/s), not a measurement.

    python perf/cluster_model.py            # writes perf/results/cluster_model.json
"""
from __future__ import annotations

import argparse
import heapq
import itertools
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from engine.execution.replicas import dhondt
from engine.execution.routing import Router

OUT = Path(__file__).resolve().parent / "results" / "cluster_model.json"


@dataclass(frozen=True)
class Profile:
    decode_s: float  # one decode step of the running batch
    prefill_s: float  # per prompt token not in the prefix cache
    overhead_s: float  # per full batch of joins
    capacity: int  # sequences at once (vLLM max_num_seqs)


H100_7B = Profile(decode_s=256 / 8100, prefill_s=1 / 30000, overhead_s=0.005, capacity=256)
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


class Engine:
    """One replica on one GPU (or `share` of one: colocated engines take turns, each step at 1/share speed)."""

    def __init__(self, clock: Clock, profile: Profile, share: float = 1.0) -> None:
        self.clock, self.profile, self.slow = clock, profile, 1.0 / share
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
        seconds = self.slow * (self.profile.decode_s + self.profile.prefill_s * prefill
                               + self.profile.overhead_s * len(joined) / self.profile.capacity)
        self.steps += 1
        self.busy_s += seconds
        self.occupancy += len(self.running)
        self.clock.at(self.clock.now + seconds, self._finish_step)

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
    """One run: `trajectories` alpha-UMi trajectories on `replicas` engines per role (on its GPUs)."""
    name: str
    trajectories: int
    replicas: dict[str, int]
    seed: int = 0
    rounds: tuple[int, ...] = (1, 2, 3)
    share: float = 1.0  # GPU share of each engine (colocated roles: 1/3)
    started_at: float = 0.0
    ended_at: float = 0.0
    engines: dict[str, list[Engine]] = field(default_factory=dict)

    @property
    def gpus(self) -> float:
        return sum(self.replicas.values()) * self.share

    def start(self, clock: Clock, driver: Driver, profile: Profile, on_end: Callable[[RunModel], None]) -> None:
        self.started_at = clock.now
        self.engines = {role: [Engine(clock, profile, self.share) for _ in range(n)] for role, n in self.replicas.items()}
        routers = {role: Router(n) for role, n in self.replicas.items()}
        rng = random.Random(self.seed)
        plans = [alpha_umi_calls(rng, rng.choice(self.rounds)) for _ in range(self.trajectories)]
        window = 2 * profile.capacity * sum(self.replicas.values())
        pending = iter(range(self.trajectories))
        left = [self.trajectories]

        def step(t: int, k: int) -> None:
            if k == len(plans[t]):
                left[0] -= 1
                admit(1)
                if left[0] == 0:
                    self.ended_at = clock.now
                    on_end(self)
                return
            role, prompt, reply = plans[t][k]
            request_id = f"{self.name}/{t}|a|0|{k}"
            replica = routers[role].route(request_id)

            def done() -> None:
                routers[role].finished(replica)
                driver.handle(lambda: step(t, k + 1))

            self.engines[role][replica].submit(Call(f"{self.name}/{t}", role, prompt, reply, done))

        def admit(n: int) -> None:
            for t in itertools.islice(pending, n):
                step(t, 0)

        admit(window)

    def busy(self) -> list[float]:
        return [engine.busy_s for engines in self.engines.values() for engine in engines]


def simulate(runs: list[RunModel], gpus: int, profile: Profile = H100_7B, driver_s: float = DRIVER_S["continuous"],
             max_concurrent: int | None = None) -> dict:
    """Runs start in order while their GPUs fit (a placement group per run) and queue otherwise."""
    clock = Clock()
    driver = Driver(clock, driver_s)
    queue, free = list(runs), [float(gpus)]
    running: list[RunModel] = []

    def start_what_fits() -> None:
        while queue and queue[0].gpus <= free[0] + 1e-9 and (max_concurrent is None or len(running) < max_concurrent):
            run = queue.pop(0)
            free[0] -= run.gpus
            running.append(run)
            run.start(clock, driver, profile, ended)

    def ended(run: RunModel) -> None:
        free[0] += run.gpus
        running.remove(run)
        start_what_fits()

    start_what_fits()
    clock.run()
    makespan = max(run.ended_at for run in runs)
    gpu_s = sum(sum(run.busy()) * run.share for run in runs)
    return {"makespan_s": round(makespan, 1), "busy_gpu_s": round(gpu_s, 1), "work_bound_s": round(gpu_s / gpus, 1),
            "makespan_over_work_bound": round(makespan * gpus / gpu_s, 3),
            "cluster_gpu_utilisation": round(gpu_s / (makespan * gpus), 3),
            "driver_busy_fraction": round(driver.busy_s / makespan, 3),
            "runs": [{"run": r.name, "gpus": r.gpus, "replicas": r.replicas, "start_s": round(r.started_at, 1),
                      "end_s": round(r.ended_at, 1)} for r in runs]}


def replicas_figure(trajectories: int, gpus: int) -> dict:
    """alpha-UMi on `gpus` GPUs: one replica per role vs auto (D'Hondt over the roles' work)."""
    work = {role: calls * REPLY_TOKENS[role] for role, calls in {"planner": 3, "caller": 2, "summarizer": 1}.items()}
    out = {}
    for label, replicas in (("one_per_role", dict.fromkeys(work, 1)), ("auto", dhondt(work, dict.fromkeys(work, 1), gpus))):
        run = RunModel(label, trajectories, replicas)
        result = simulate([run], gpus)
        wall = result["makespan_s"]
        busy = [round(engine.busy_s / wall, 3) for engines in run.engines.values() for engine in engines]
        occupancy = [round(engine.occupancy / max(1, engine.steps), 1) for engines in run.engines.values() for engine in engines]
        out[label] = {"replicas": replicas, "wall_s": wall, "gpu_busy_fraction": busy + [0.0] * (gpus - len(busy)),
                      "mean_running_sequences": occupancy}
    out["wall_ratio_one_per_role_over_auto"] = round(out["one_per_role"]["wall_s"] / out["auto"]["wall_s"], 2)
    return out


def sweep_runs(checkpoints: int, trajectories: int, gpus_per_run: int) -> list[RunModel]:
    work = {role: calls * REPLY_TOKENS[role] for role, calls in {"planner": 3, "caller": 2, "summarizer": 1}.items()}
    replicas = dhondt(work, dict.fromkeys(work, 1), gpus_per_run)
    return [RunModel(f"ckpt{n}", trajectories, replicas, seed=n) for n in range(checkpoints)]


def sweep_figure(nodes: int, checkpoints: int = 12, trajectories: int = 300) -> dict:
    """The sweep on `nodes` x 8 GPUs, at each run size from 3 GPUs up to a node; the best is what a sweep
    would pick (`gpus_per_run`)."""
    gpus = 8 * nodes
    tried = {g: simulate(sweep_runs(checkpoints, trajectories, g), gpus) for g in range(3, 9)}
    best = min(tried, key=lambda g: tried[g]["makespan_s"])
    return {"gpus": gpus, "best_gpus_per_run": best, **tried[best],
            "by_gpus_per_run": {g: {k: r[k] for k in ("makespan_s", "makespan_over_work_bound")} for g, r in tried.items()}}


def driver_saturation(driver_s: float, trajectories_per_gpu: int = 512, gpus: tuple[int, ...] = (4, 16, 32, 64)) -> dict:
    """Wall time per GPU count at a fixed load per GPU (weak scaling, auto replicas): where wall time starts to
    grow with the GPUs, one driver is saturated (its busy fraction nears 1)."""
    rows = {}
    for g in gpus:
        result = simulate([RunModel("sat", trajectories_per_gpu * g, _auto(g))], g, driver_s=driver_s)
        rows[g] = {"wall_s": result["makespan_s"], "driver_busy_fraction": result["driver_busy_fraction"]}
    return rows


def _auto(gpus: int) -> dict[str, int]:
    work = {role: calls * REPLY_TOKENS[role] for role, calls in {"planner": 3, "caller": 2, "summarizer": 1}.items()}
    return dhondt(work, dict.fromkeys(work, 1), gpus)


def moonshot(expansions: float = 4.35, queries: int = 765) -> dict:
    """alpha-UMi DFSDT on StableToolBench's 765 solvable queries: each tree modelled as a trajectory of
    `expansions` tool rounds on average (perf/results/dfsdt_vs_cot.json: 4.35 nodes expanded per tree), on one
    8-GPU node (auto replicas) and on one GPU (three colocated engines, each a third of the GPU)."""
    low, high = int(expansions), int(expansions) + 1
    rounds = (low,) * round((high - expansions) * 100) + (high,) * round((expansions - low) * 100)
    node = RunModel("node", queries, _auto(8), rounds=rounds)
    one = RunModel("one-gpu", queries, {"planner": 1, "caller": 1, "summarizer": 1}, rounds=rounds, share=1 / 3)
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
        "replicas_4gpu": replicas_figure(args.trajectories, 4),
        "sweep_2x8": sweeps[2],
        "scaling": {n: {"makespan_s": s["makespan_s"], "best_gpus_per_run": s["best_gpus_per_run"]} for n, s in sweeps.items()},
        "scaling_ratio_per_doubling": [round(sweeps[1]["makespan_s"] / sweeps[2]["makespan_s"], 2),
                                       round(sweeps[2]["makespan_s"] / sweeps[4]["makespan_s"], 2)],
        "driver_saturation": {schedule: driver_saturation(cost) for schedule, cost in DRIVER_S.items()},
        "moonshot_dfsdt": moonshot(),
    }
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k not in ("sweep_2x8",)}, indent=1)[:6000])


if __name__ == "__main__":
    main()
