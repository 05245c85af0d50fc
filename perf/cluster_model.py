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
  whenever a run or a trajectory ends; a grown replica has a GPU of its own and is routed to once its model is
  loaded; a run's admission window is fixed at its start, as the engine's continuous schedule's is;
- give-back (`GiveBackRule`): a running run gives back a replica with no work for `idle_s` by the engine's own
  decision (perf.giveback.plan_giveback), checked when a trajectory ends and `idle_s` after a
  replica idles, while a queued run waits or growth would give another running run a GPU. The model knows
  each trajectory's calls ahead, so it can also release a role no trajectory will call again
  (`release_finished`). ENGINE_RELEASE is the engine's own rule (engine.schedule.loop, Executor.release):
  only roles no trajectory has ahead as the agents declare it (an alpha-UMi trajectory has its caller ahead
  until its planner concludes), all their replicas at once, whether or not anyone waits for the GPUs. A given-back replica has nothing in flight (it was idle), so
  its GPU is free at once; its trajectories re-home by the router's dead-replica rule (their prefix is
  recomputed on the sibling). A run that has given back grows no more, and while a queued run waits growth
  takes no GPU, so freed GPUs gather for it (so no GPU goes back and forth);
- model loads: every GPU a run takes, at its start or growing, first loads its model for `load_s` (not busy,
  held). The figures before give-back use 0 (as before); giveback_figure charges LOAD_S = 60 s to runs with
  and without give-back alike: vLLM's own reports, an engine answering 59 s after start with weights read
  from cache in 0.9 s and 34 s of engine init (vllm-project/vllm#20264), and 65 s of CUDA-graph capture for
  Llama-2-7B on vLLM 0.8.3 (vllm-project/vllm#16716); a 7B bf16 checkpoint (13.5 GB) read from page cache
  or local NVMe at a few GB/s is the small part.

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
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: perf/ beside engine/

from perf.giveback import RoleIdle, plan_giveback  # noqa: E402
from engine.execution.growth import RunLoad, plan_growth  # noqa: E402
from engine.execution.replicas import dhondt  # noqa: E402
from engine.execution.routing import Router  # noqa: E402
from engine.schedule.continuous import WINDOW_PER_SLOT  # noqa: E402

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

    def __init__(self, engines: int = 1, free_at: float = 0.0) -> None:
        self.free_at = free_at  # a GPU that changes hands loads its model first (`load_s`)
        self.busy_s = 0.0
        self.engines = engines  # engines on it: they split its memory, so each holds fewer sequences

    def run(self, now: float, seconds: float) -> float:
        """When a step of `seconds` asked for at `now` ends."""
        self.free_at = max(now, self.free_at) + seconds
        self.busy_s += seconds
        return self.free_at


class Engine:
    """One replica: continuous batching on its GPU (which it may share with other engines)."""

    def __init__(self, clock: Clock, profile: Profile, gpu: Gpu, on_idle: Callable[[], None] = lambda: None) -> None:
        self.clock, self.gpu, self.on_idle = clock, gpu, on_idle
        self.idle_since: float | None = max(clock.now, gpu.free_at)  # None while it has work
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
        self.idle_since = None
        if not self.stepping:
            self.stepping = True
            self.clock.at(self.clock.now, self._step)

    def _step(self) -> None:
        joined = self.queue[:self.profile.capacity - len(self.running)]
        del self.queue[:len(joined)]
        if not joined and not self.running:
            self.stepping = False
            self.idle_since = self.clock.now
            self.on_idle()
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
    window_per_slot: float = WINDOW_PER_SLOT  # trajectories admitted at once, per engine slot (the engine's default)
    started_at: float = 0.0
    ended_at: float = 0.0
    engines: dict[str, list[Engine]] = field(default_factory=dict)
    gpus_used: list[Gpu] = field(default_factory=list)
    grown: list[tuple[float, str]] = field(default_factory=list)  # (when, role) of each replica grown
    given_back: list[tuple[float, str, int]] = field(default_factory=list)  # (when, role, replica) given back
    left: int = 0  # trajectories not finished
    routers: dict[str, Router] = field(default_factory=dict)
    needing: dict[str, int] = field(default_factory=dict)  # per role: trajectories that will still call it
    loading: dict[str, int] = field(default_factory=dict)  # per role: grown replicas still loading their model

    @property
    def gpus(self) -> float:
        """GPUs it holds now: its placement group's, plus those grown, less those given back."""
        base = max(self.replicas.values()) if self.colocated else sum(self.replicas.values())
        return base + len(self.grown) - len(self.given_back)

    def start(self, clock: Clock, driver: Driver, profile: Profile, on_end: Callable[[RunModel], None],
              on_trajectory: Callable[[], None] = lambda: None, load_s: float = 0.0,
              on_idle: Callable[[], None] = lambda: None) -> None:
        self.started_at = clock.now
        self.gpus_used = [Gpu(len(self.replicas) if self.colocated else 1, clock.now + load_s) for _ in range(self.gpus)]
        free = iter(self.gpus_used)
        self.engines = {role: [Engine(clock, profile, self.gpus_used[i] if self.colocated else next(free), on_idle)
                               for i in range(n)] for role, n in self.replicas.items()}
        self.routers = {role: Router(n) for role, n in self.replicas.items()}
        self.loading = dict.fromkeys(self.replicas, 0)
        self._clock, self._load_s = clock, load_s
        self._grow_engine = lambda: Engine(clock, profile, self._new_gpu(), on_idle)
        rng = random.Random(self.seed)
        plans = [alpha_umi_calls(rng, rng.choice(self.rounds)) for _ in range(self.trajectories)]
        last = [{role: k for k, (role, _, _) in enumerate(plan)} for plan in plans]  # each role's last call
        self.needing = {role: sum(role in ends for ends in last) for role in self.replicas}
        slots = sum(engine.profile.capacity for engines in self.engines.values() for engine in engines)
        window = round(self.window_per_slot * slots)  # fixed at start, as the engine's
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
                if last[t][role] == k:
                    self.needing[role] -= 1
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
        """One more replica of `role` on a GPU of its own: the GPU is held from now, the replica routed to once
        its model is loaded (`load_s` later)."""
        self.grown.append((now, role))
        self.loading[role] += 1
        self._clock.at(now + self._load_s, functools.partial(self._join, role))

    def _join(self, role: str) -> None:
        self.loading[role] -= 1
        if self.left:  # else the run ended while it loaded, and the GPU went back with the run's
            self.engines[role].append(self._grow_engine())
            self.routers[role].grow()

    def give_back(self, role: str, replica: int, now: float) -> None:
        """Stops routing to an idle replica (the router's dead-replica rule re-homes its trajectories); its GPU
        is free at once (it has nothing in flight)."""
        self.routers[role].died(replica)
        self.engines[role][replica].idle_since = None
        self.given_back.append((now, role, replica))

    def idle(self, now: float, declared: bool = False) -> list[RoleIdle]:
        """Each role's replicas as give-back sees them; `declared`: a role's trajectories ahead as the engine's
        agents declare them (the caller is ahead while the planner is), not as the model knows them."""
        needing = dict(self.needing, caller=self.needing["planner"]) if declared and "caller" in self.needing else self.needing
        return [RoleIdle(self.name, role, [None if not self.routers[role].alive[n] or e.idle_since is None
                                           else now - e.idle_since for n, e in enumerate(engines)],
                         sum(self.routers[role].alive), needing[role]) for role, engines in self.engines.items()]

    def load(self, cap: int) -> RunLoad:
        replicas = {role: sum(self.routers[role].alive) + self.loading[role] for role in self.engines}
        can_grow = 0 if self.given_back else cap - len(self.grown)  # a run in its tail grows no more
        return RunLoad(self.name, self.left, self.gpus, pilot_work(), replicas, dict.fromkeys(replicas, 1.0), can_grow)


@dataclass(frozen=True)
class GiveBackRule:
    """When runs give back idle replicas (perf.giveback.plan_giveback)."""
    idle_s: float  # a replica idle this long goes, if someone could use its GPU
    release_finished: bool = False  # a role no trajectory will call again may go to zero replicas
    # The engine's own rule (engine.schedule.loop, Executor.release): only finished roles go, all their replicas
    # at once, whether or not anyone takes the GPUs; "finished" as the agent declares it (engine.agents.
    # roles_ahead: an alpha-UMi trajectory has planner and caller ahead until its planner concludes).
    declared_only: bool = False


ENGINE_RELEASE = GiveBackRule(idle_s=0.0, release_finished=True, declared_only=True)


def simulate(runs: list[RunModel], gpus: int, profile: Profile = H100_7B, driver_s: float = DRIVER_S["continuous"],
             max_concurrent: int | None = None, grow_cap: int = 0, give_back: GiveBackRule | None = None,
             load_s: float = 0.0) -> dict:
    """Runs start in order while their GPUs fit (a placement group per run) and queue otherwise. With
    `grow_cap`, GPUs no queued run can take go to running runs (engine.execution.growth.plan_growth, up to
    `grow_cap` replicas per run): at the start, when a run ends, and when a trajectory ends. With `give_back`,
    running runs give back idle replicas (perf.giveback) while a queued run waits or growth would
    give another running run a GPU: checked when a trajectory ends and `idle_s` after a replica idles; growth
    then waits while a run is queued. Every
    GPU that a run takes (at its start or growing) loads a model for `load_s` first."""
    clock = Clock()
    driver = Driver(clock, driver_s)
    queue, free = list(runs), [float(gpus)]
    running: list[RunModel] = []

    def start_what_fits() -> None:
        while queue and queue[0].gpus <= free[0] + 1e-9 and (max_concurrent is None or len(running) < max_concurrent):
            run = queue.pop(0)
            free[0] -= run.gpus
            running.append(run)
            run.start(clock, driver, profile, ended, trajectory_ended, load_s, idled)
        grow()

    def trajectory_ended() -> None:
        grow()
        give_back_idle()

    def idled() -> None:
        if give_back:
            clock.at(clock.now + give_back.idle_s, give_back_idle)

    def wanted(giver: RunModel) -> bool:
        """Whether a freed GPU has a taker: a queued run, or growth for another running run."""
        others = [run.load(grow_cap) for run in running if run is not giver] if grow_cap else []
        return bool(queue) or bool(plan_growth(1.0, others))

    def give_back_idle() -> None:
        if not give_back:
            return
        for run in [r for r in running if not r.colocated and (give_back.declared_only or wanted(r))]:
            plan = plan_giveback(run.idle(clock.now, give_back.declared_only), give_back.idle_s - 1e-9,
                                 release_finished=give_back.release_finished,
                                 **({"min_trajectories": 0} if give_back.declared_only else {}))
            for item in plan:
                run.give_back(item.role, item.replica, clock.now)
            free[0] += len(plan)
        start_what_fits()

    def grow() -> None:
        if not grow_cap or free[0] < 1:  # called after start_what_fits: no queued run fits in what is free
            return
        if give_back and queue:  # given-back GPUs gather for the queued run (the engine's growth waits so too)
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
    given_back = sum(len(run.given_back) for run in runs)
    return {"makespan_s": round(makespan, 1), "busy_gpu_s": round(gpu_s, 1), "work_bound_s": round(gpu_s / gpus, 1),
            **({"replicas_given_back": given_back} if give_back else {}),
            "makespan_over_work_bound": round(makespan * gpus / gpu_s, 3),
            "cluster_gpu_utilisation": round(gpu_s / (makespan * gpus), 3),
            "driver_busy_fraction": round(driver.busy_s / makespan, 3),
            "runs": [{"run": r.name, "gpus": r.gpus - len(r.grown), "replicas": r.replicas, "start_s": round(r.started_at, 1),
                      "end_s": round(r.ended_at, 1), **({"grown": [[round(t, 1), role] for t, role in r.grown]} if r.grown else {}),
                      **({"given_back": [[round(t, 1), role] for t, role, _ in r.given_back]} if r.given_back else {})}
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
GIVE_BACK = GiveBackRule(idle_s=0.5, release_finished=True)  # in every sweep layout: the best rule of giveback_figure
# A GPU that changes hands loads a model: 60 s, from vLLM's own reports: an engine answered 59 s after start with
# weights read from cache in 0.9 s, torch.compile cached, 34 s of engine init (vllm-project/vllm#20264);
# CUDA-graph capture alone took 65 s for Llama-2-7B on vLLM 0.8.3 (vllm-project/vllm#16716).
LOAD_S = 60.0


def sweep_figure(nodes: int, checkpoints: int = 12, trajectories: int = 300) -> dict:
    """The sweep on `nodes` x 8 GPUs, each run on g GPUs, split (auto replicas, g from 3) or colocated (g
    whole-agent GPUs, g from 1), g up to a node; split runs also with growth (`+grow`: free GPUs to running
    runs, engine.execution.growth). The best is what a sweep would be told to use; `fixed` is the best without
    growth (the figure before it)."""
    gpus = 8 * nodes
    rules = (None, ENGINE_RELEASE, GIVE_BACK)
    layouts = [(c, g, cap, gb) for c in (False, True) for g in range(1 if c else 3, 9)
               for cap, gb in (((0, None),) if c else itertools.product((0, GROW_CAP), rules))]
    tried = {f"{'colocated' if c else 'split'}:{g}{'+grow' if cap else ''}{_rule_label(gb)}":
             simulate(sweep_runs(checkpoints, trajectories, g, c), gpus, grow_cap=cap, give_back=gb) for c, g, cap, gb in layouts}

    def best_of(keep: Callable[[str], bool]) -> str:
        return min((k for k in tried if keep(k)), key=lambda k: tried[k]["makespan_s"])
    best = best_of(lambda k: True)
    summary = {name: {"layout": (layout := best_of(keep)), **{m: tried[layout][m] for m in ("makespan_s", "makespan_over_work_bound")}}
               for name, keep in (("fixed", lambda k: "+" not in k), ("held", lambda k: "+giveback" not in k and "+release" not in k),
                                  ("engine", lambda k: "+giveback" not in k))}
    return {"gpus": gpus, "best_layout": best, **tried[best], **summary,
            "by_layout": {k: {m: r[m] for m in ("makespan_s", "busy_gpu_s", "makespan_over_work_bound")} for k, r in tried.items()}}


def _rule_label(rule: GiveBackRule | None) -> str:
    return "" if rule is None else "+release" if rule.declared_only else "+giveback"


def giveback_figure(checkpoints: int = 12, trajectories: int = 300, nodes: int = 2) -> dict:
    """Give-back's thresholds on the sweep (split runs of 3 and 4 GPUs, with and without growth): each idle
    threshold, with and without releasing finished roles, at no model load and at LOAD_S per GPU that changes
    hands (the runs without give-back charged the same). Makespan, not its ratio to the work bound, is what a
    rule is judged by: growth and give-back change the work itself (smaller batches, prefixes recomputed)."""
    rows = {}
    for load_s, g, cap in itertools.product((0.0, LOAD_S), (3, 4), (0, GROW_CAP)):
        rules = [None, ENGINE_RELEASE] + [GiveBackRule(t, f) for t in (0.5, 2.0, 10.0, 30.0) for f in (False, True)]
        for rule in rules:
            label = f"load{load_s:g}:split:{g}{'+grow' if cap else ''}" + (
                "+release" if rule and rule.declared_only else
                f"+giveback:idle{rule.idle_s:g}{':finished' if rule.release_finished else ''}" if rule else "")
            r = simulate(sweep_runs(checkpoints, trajectories, g, False), 8 * nodes, grow_cap=cap, give_back=rule, load_s=load_s)
            rows[label] = {m: r[m] for m in ("makespan_s", "busy_gpu_s", "makespan_over_work_bound", "cluster_gpu_utilisation")
                           } | {"replicas_given_back": r.get("replicas_given_back", 0)}
    return {"load_s": LOAD_S, "by_rule": rows,
            "best_by_load": {f"{load:g}": min((k for k in rows if k.startswith(f"load{load:g}:")), key=lambda k: rows[k]["makespan_s"])
                             for load in (0.0, LOAD_S)}}


def window_figure(factors: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0), checkpoints: int = 12, trajectories: int = 300) -> dict:
    """The 2-node sweep (runs of 3 and 4 GPUs, growth, the engine's release) with each run admitting
    `factor` trajectories per engine slot instead of the engine's WINDOW_PER_SLOT: fewer at once stagger the
    trajectories, so a run's roles overlap (higher utilisation, a lower ratio to the work bound), but each
    engine runs smaller batches, which costs more GPU-seconds for the same tokens (a longer makespan)."""
    rows = {}
    for factor, g in itertools.product(factors, (3, 4)):
        runs = [dataclasses.replace(run, window_per_slot=factor) for run in sweep_runs(checkpoints, trajectories, g, False)]
        r = simulate(runs, 16, grow_cap=GROW_CAP, give_back=ENGINE_RELEASE)
        rows[f"window{factor:g}:split:{g}+grow+release"] = {m: r[m] for m in ("makespan_s", "busy_gpu_s",
                                                                              "makespan_over_work_bound", "cluster_gpu_utilisation")}
    return rows


def run_size_figure(sizes: tuple[int, ...] = (300, 1500, 3000), gpus_per_run: int = 4) -> dict:
    """The 2-node sweep's 12 runs at more trajectories each (split runs of `gpus_per_run`, growth on, with and
    without the engine's release): how much of the gap to the work bound is each run's own fill and tail, which
    shrink relative to a longer run."""
    return {f"{n}{_rule_label(rule)}": {m: r[m] for m in ("makespan_s", "makespan_over_work_bound", "cluster_gpu_utilisation")}
            for n in sizes for rule in (None, ENGINE_RELEASE)
            if (r := simulate(sweep_runs(12, n, gpus_per_run, False), 16, grow_cap=GROW_CAP, give_back=rule))}


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
                        "makespan_over_work_bound": s["makespan_over_work_bound"], "cluster_gpu_utilisation": s["cluster_gpu_utilisation"],
                        "fixed": s["fixed"], "held": s["held"], "engine": s["engine"]} for n, s in sweeps.items()},
        "scaling_ratio_per_doubling_engine": [round(sweeps[1]["engine"]["makespan_s"] / sweeps[2]["engine"]["makespan_s"], 2),
                                              round(sweeps[2]["engine"]["makespan_s"] / sweeps[4]["engine"]["makespan_s"], 2)],
        "scaling_ratio_per_doubling": [round(sweeps[1]["makespan_s"] / sweeps[2]["makespan_s"], 2),
                                       round(sweeps[2]["makespan_s"] / sweeps[4]["makespan_s"], 2)],
        "scaling_ratio_per_doubling_held": [round(sweeps[1]["held"]["makespan_s"] / sweeps[2]["held"]["makespan_s"], 2),
                                            round(sweeps[2]["held"]["makespan_s"] / sweeps[4]["held"]["makespan_s"], 2)],
        "sweep_2x8_giveback": giveback_figure(),
        "scaling_ratio_per_doubling_fixed": [round(sweeps[1]["fixed"]["makespan_s"] / sweeps[2]["fixed"]["makespan_s"], 2),
                                             round(sweeps[2]["fixed"]["makespan_s"] / sweeps[4]["fixed"]["makespan_s"], 2)],
        "sweep_2x8_by_run_size": run_size_figure(),
        "sweep_2x8_by_window": window_figure(),
        "sweep_2x8_held_floor": held_floor(),
        "driver_saturation": {schedule: driver_saturation(cost) for schedule, cost in DRIVER_S.items()},
        "moonshot_dfsdt": moonshot(),
    }
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k not in ("sweep_2x8",)}, indent=1)[:6000])


if __name__ == "__main__":
    main()
