"""The Ray executor: one Ray actor per replica of every role engine, each in a placement group of its own.

Each replica's placement group is one bundle (its CPUs and GPUs): one per replica, not one per run, so that a
run can give an engine's GPUs back before it ends (Executor.release; Ray cannot shrink a placement group). A
run whose bundles do not fit yet waits for room (how a sweep's concurrent runs queue), up to its deadline
(engine.execution.control), and runs of this process wait one at a time (_ROOM_TURN); one whose bundles no
cluster could hold fails at once (placement.fit_problem). A tensor-parallel engine's bundle holds its GPUs on
one node and vLLM's workers join it (placement_group_capture_child_tasks).

Faults: a replica whose process dies is replaced by this executor (not by Ray), after a backoff that doubles
with each restart of that replica (restart_backoff_s, 2x, 4x, ... capped at MAX_BACKOFF_S), at most
`restart_budget` times per replica in a run; then RoleActorLost ends the run, resumable. The requests in
flight on it go at once to its least-loaded live sibling and are retried there while the replacement starts
in the background (the driver goes on; the router sends it nothing until it answers); a replica without a
live sibling is replaced first, the driver waiting, and its requests retried on the replacement; a part of a batch that dies TRIES_PER_BATCH times per replica of its pool fails, and only it
(per replica: a lost node kills all the replicas it held, and a request sent to a sibling that died with
them is not what killed it; a request that does kill every replica it meets fails after all have died on it). `backends` (tests) are
pickled into their actors, and again into a restarted one.

Growth (a sweep giving a run free GPUs, Executor.grow): a grown replica gets its placement group, then starts
and joins the router in the background as a replacement does (_poll_restarts).

Release (Executor.release: no trajectory will call the engine again): its replicas' actors are killed and their
placement groups removed at once, their GPUs free for a sweep's queued run or another run's growth; where
they ran is kept for run.json.
"""
from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass
from typing import Any

from engine.backends.base import Backend
from engine.execution.executor import Executor
from engine.execution.pool import BatchTiming, Part, replicas_info
from engine.execution import ray_reaper
from engine.execution.ray_start import (RayUnavailable, first_line, init_ray, ray_environment, ray_logs_dir,
                                        worker_failed_to_register)
from engine.execution.worker import RoleWorker, StreamingRoleWorker
from engine.execution.control import WAKE_S, RunControl, wake_steps
from engine.execution.placement import PlacementImpossible, actor_resources, fit_problem, largest_node
from engine.backends.streaming import StreamedResult, failed_results
from engine.types import ModelSpec

Replica = tuple[str, int]  # (actor key, index in its pool)

# Runs wait for room one at a time. With a placement group per replica, two runs waiting at once could each
# get part of what they need and wait for ever for the rest (5 GPUs: one holds 3 of its 4, the other 2 of
# its 4). A sweep's runs are threads of this process: the run holding this lock is the only one whose groups
# are pending, and it gets all of them before the next run asks.
_ROOM_TURN = threading.Lock()


class RoleActorLost(RuntimeError):
    """A role replica is gone for good (it kept dying past its restart budget, or no live node can host a
    replacement): the run stops, resumable, rather than fail every trajectory still to come."""


@dataclass
class Replacement:
    """A dead replica's replacement: started after its backoff, routed to once it answers."""
    start_at: float  # time.monotonic()
    exc: BaseException | None  # the death it replaces (for the messages); None: a grown replica
    ready: Any = None  # its __ray_ready__ call, once started
    deadline: float = 0.0
    placed: Any = None  # a grown replica: its own placement group's ready() until that is ready


@dataclass(eq=False)  # a handle
class Burst:
    """One actor call carrying a wake-up's streamed requests for one replica: its Ray streaming generator
    yields (index in `parts`, StreamedResult) as each request ends (StreamingRoleWorker.generate_burst)."""
    generator: Any
    parts: list[Part]

    def unanswered(self) -> list[Part]:
        return [part for part in self.parts if part.outcome is None]


def _waitable(part: Part) -> Any:
    """What Ray waits on for a part: its batch's object ref, or its burst's generator."""
    return part.future.generator if isinstance(part.future, Burst) else part.future


class PlacementTimeout(RuntimeError):
    """A run's placement group could fit but found no room before its deadline (engine.execution.control)."""


class _RoomWait:
    """A run's wait for room: it says every ROOM_NOTE_S what it waits for; its deadline (control.room_timeout_s)
    counts from when no other run that will free room is in flight (a sweep's), and the run stops then,
    naming what it waited for."""

    def __init__(self, executor: RayExecutor, bundles: dict[str, dict[str, float]]) -> None:
        self.control, self.ray, self.note_s = executor.control, executor.ray, executor.ROOM_NOTE_S
        asked = {k: sum(b.get(k, 0.0) for b in bundles.values()) for k in ("GPU", "CPU")}
        self.waits = f"{len(bundles)} replicas ({', '.join(f'{amount:g} {name}' for name, amount in asked.items() if amount)})"
        self.started = self.noted = self.deadline_from = time.monotonic()

    def tick(self) -> None:
        control, now = self.control, time.monotonic()
        if control.others_running():
            self.deadline_from = now
        if now - self.noted >= self.note_s:
            self.noted = now
            free = self.ray.available_resources()
            control.say(f"{control.label}: waiting {now - self.started:.0f} s for room for {self.waits}; free now: "
                        f"{free.get('GPU', 0.0):g} GPU, {free.get('CPU', 0.0):g} CPU")
        if now - self.deadline_from >= control.room_timeout_s:
            raise PlacementTimeout(
                f"run {control.label} waited {now - self.started:.0f} s for room in the Ray cluster for its {self.waits} "
                f"and got none (the last {control.room_timeout_s:g} s with no other run of its own to end); "
                "other jobs hold the room? `ray status` lists them. Rerun to resume")


class RayExecutor(Executor):
    ROOM_NOTE_S = 60.0  # a run waiting for room says so this often
    RESTART_BUDGET = 4
    RESTART_BACKOFF_S = 1.0
    MAX_BACKOFF_S = 30.0
    TRIES_PER_BATCH = 2
    START_TIMEOUT_S = 900.0  # a replacement that has not loaded its model by then never will (no node fits)
    MAX_REQUESTS_IN_FLIGHT = 10_000  # a streaming actor's concurrent calls (asyncio tasks: cheap); the window is far lower

    def __init__(self, models: dict[str, ModelSpec], address: str | None = None,
                 backends: dict[str, Backend] | None = None, placement: str = "shared",
                 restart_budget: int = RESTART_BUDGET, restart_backoff_s: float = RESTART_BACKOFF_S,
                 streaming: bool = False, control: RunControl | None = None) -> None:
        import ray

        super().__init__(models, control)
        self.owns_ray = not ray.is_initialized()
        if self.owns_ray:
            ray_environment()
            init_ray(ray, address)
            if address is None:  # a Ray of our own: none of its processes may outlive this one (ray_reaper)
                ray_reaper.start(ray)
        self.ray = ray
        self.replicas: list[Replica] = [(key, n) for key, specs in self.pools.specs.items() for n in range(len(specs))]
        cluster = ray.cluster_resources()
        # Sized per replica: every replica is an engine with its own share of the CPUs and its own GPU(s). CPU-only
        # engines share one node's CPUs (the largest's): a bundle of the whole cluster's would fit on no node.
        per_replica = actor_resources({self._name(r): self.pools.specs[r[0]][r[1]] for r in self.replicas}, placement,
                                      largest_node(ray.nodes()).get("CPU", 1.0), cluster.get("GPU", 0.0))
        self.resources = {replica: per_replica[self._name(replica)] for replica in self.replicas}
        self.backends = backends or {}
        self.restart_budget = restart_budget
        self.restart_backoff_s = restart_backoff_s
        self.restarts = dict.fromkeys(self.replicas, 0)
        self.pending: dict[Replica, Replacement] = {}  # dead replicas whose replacement is not yet routed to
        self.streaming = streaming  # async actors that take one request per call (StreamingRoleWorker)
        self.actors: dict[str, list[Any]] = {key: [None] * len(specs) for key, specs in self.pools.specs.items()}
        self.groups: dict[Replica, Any] = {}  # every replica's single-bundle placement group
        self.released_infos: dict[str, list[dict[str, Any]]] = {}  # run.json's replicas of a released engine
        self.released_busy: dict[str, float] = {}  # and its streams' busy seconds (its actors are gone)
        try:
            self._placement_group()
            self._start_actors(self.replicas)
        except BaseException:
            self.shutdown()
            raise

    def _name(self, replica: Replica) -> str:
        """The replica in messages: its engine's key, with `#n` when the engine has several."""
        return replica[0] if self.pools.single[replica[0]] else f"{replica[0]}#{replica[1]}"

    def _placement_group(self) -> None:
        """A single-bundle group per replica (in self.groups, so that shutdown removes them even while they
        wait); refused at once when the cluster could never hold them all, else waited for (_wait_for_room)."""
        bundles = {self._name(r): self._bundle(r) for r in self.replicas}
        problem = fit_problem(bundles, self.ray.nodes())
        if problem:
            raise PlacementImpossible(f"run {self.control.label} can never start on this Ray cluster: {problem}. "
                                      "Give it fewer replicas or GPUs, or add nodes")
        self._wait_for_room(bundles)

    def _own_group(self, replica: Replica) -> Any:
        from ray.util.placement_group import placement_group

        self.groups[replica] = placement_group([self._bundle(replica)], strategy="PACK")
        return self.groups[replica].ready()

    def _wait_for_room(self, bundles: dict[str, dict[str, float]]) -> None:
        """Waits for this process's turn (_ROOM_TURN), then until every replica's group is placed (other runs
        hold the room: how a sweep's runs queue). Both count as waiting for room (control.waiting; _RoomWait:
        its notes and deadline)."""
        room, readies, turn = _RoomWait(self, bundles), [], False
        self.control.waiting(True)
        try:
            for step in wake_steps(None):
                self.control.stop.check()
                if not turn:  # in steps: a sweep's Ctrl-C reaches a run waiting for its turn too
                    turn = _ROOM_TURN.acquire(timeout=step)
                    readies = [self._own_group(replica) for replica in self.replicas] if turn else []
                elif len(self.ray.wait(readies, num_returns=len(readies), timeout=step)[0]) == len(readies):
                    self.ray.get(readies)
                    return
                room.tick()
        except BaseException:
            self._remove_groups()  # before the next run's turn: a part held would keep it waiting
            raise
        finally:
            if turn:
                _ROOM_TURN.release()
            self.control.waiting(False)

    def _bundle(self, replica: Replica) -> dict[str, float]:
        resources = self.resources[replica]
        return {"CPU": resources.num_cpus, **({"GPU": resources.num_gpus} if resources.num_gpus else {})}

    def _add_replica(self, replica: Replica) -> None:
        """A grown replica: its own placement group, then started and put in the router as a dead replica's
        replacement is (_poll_restarts), in the background."""
        key, n = replica
        self.replicas.append(replica)
        self.resources[replica] = self.resources[(key, 0)]
        self.restarts[replica] = 0
        self.actors[key].append(None)
        self.pools.routers[key].died(n)  # routed to once it answers
        self.pending[replica] = Replacement(time.monotonic(), None, placed=self._own_group(replica))

    def growing_gpus(self) -> float:
        """GPUs of replicas asked for and not yet placed (a sweep's grower counts them as taken). Any thread."""
        asked = [key for key in list(self.growth_asked) if key not in self.released_unix_s]
        placing = [r for r, pending in list(self.pending.items()) if pending.placed is not None]
        return sum(self.resources[(key, 0)].num_gpus for key in asked) + sum(self.resources[r].num_gpus for r in placing)

    def _start_actors(self, replicas: list[Replica]) -> None:
        """Starts the replicas together and waits until each runs. One whose worker failed to register with its
        raylet (a transient Ray fault) is started once more; a second failure stops the run in one sentence.
        Any other start error (a model that does not load) is raised as it is."""
        for replica in replicas:
            self._set_actor(replica, self._start_actor(replica))
        unregistered = self._unregistered(replicas)
        for replica in unregistered:
            self.ray.kill(self._actor(replica), no_restart=True)
            self._set_actor(replica, self._start_actor(replica))
        again = self._unregistered(list(unregistered))
        if again:
            replica, exc = next(iter(again.items()))
            raise RayUnavailable(f"role actor {self._name(replica)} could not start: its Ray worker failed to register "
                                 f"with the raylet twice ({first_line(exc)}). Ray's logs are in {ray_logs_dir()}")

    def _unregistered(self, replicas: list[Replica]) -> dict[Replica, BaseException]:
        """The replicas whose worker failed to register, with the error; waits until the others run."""
        failed = {}
        for replica in replicas:
            try:
                self.ray.get(self._actor(replica).__ray_ready__.remote())
            except self.ray.exceptions.RayActorError as exc:
                if not worker_failed_to_register(exc):
                    raise
                failed[replica] = exc
        return failed

    def _actor(self, replica: Replica) -> Any:
        return self.actors[replica[0]][replica[1]]

    def _set_actor(self, replica: Replica, actor: Any) -> None:
        self.actors[replica[0]][replica[1]] = actor

    def _start_actor(self, replica: Replica) -> Any:
        """The replica's actor in its placement group, with its CPUs and GPUs."""
        resources = self.resources[replica]
        spec = dataclasses.replace(self.pools.specs[replica[0]][replica[1]], num_cpus=resources.num_cpus,
                                   num_gpus=resources.num_gpus, gpu_memory_utilization=resources.gpu_memory_utilization)
        options: dict[str, Any] = {"num_cpus": resources.num_cpus, "num_gpus": resources.num_gpus,
                                   **self._in_bundle(replica)}
        if self.streaming:
            options["max_concurrency"] = self.MAX_REQUESTS_IN_FLIGHT
        worker_class = StreamingRoleWorker if self.streaming else RoleWorker
        remote_worker = self.ray.remote(max_restarts=0, max_task_retries=0)(worker_class)  # restarts: _schedule_restart
        return remote_worker.options(**options).remote(spec, self.backends.get(replica[0]))

    def _in_bundle(self, replica: Replica) -> dict[str, Any]:
        """The actor options that put a replica in its placement group's bundle (and the engine's own workers,
        vLLM's tensor-parallel ones, with it). A restarted replica goes back to its group, which Ray moves to
        a live node when its node dies."""
        from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

        return {"scheduling_strategy": PlacementGroupSchedulingStrategy(
            self.groups[replica], placement_group_bundle_index=0, placement_group_capture_child_tasks=True)}

    def _start(self, part: Part) -> Any:
        if part.streamed:
            return self._start_streamed([part])[0]
        self._claim(part)
        return part.actor.generate.remote(part.requests)

    def _start_streamed(self, parts: list[Part]) -> list[Any]:
        """One actor call per replica for its share of a wake-up's requests (a Burst: its streaming generator
        yields each request's result as it ends); returns each part's Burst, in `parts` order."""
        if not self.streaming:
            raise TypeError("this RayExecutor runs batch actors: build it with streaming=True to stream requests")
        by_replica: dict[Replica, list[Part]] = {}
        for part in parts:
            self._claim(part)
            by_replica.setdefault((part.key, part.replica), []).append(part)
        for share in by_replica.values():
            generator = share[0].actor.generate_burst.options(num_returns="streaming").remote(
                [part.requests[0] for part in share])
            burst = Burst(generator, share)
            for part in share:
                part.future = burst
        return [part.future for part in parts]

    def _claim(self, part: Part) -> None:
        """The part's actor: its replica's, once it runs (a pool of one is not routed: it waits for its replacement)."""
        if (part.key, part.replica) in self.pending:
            self._wait_for_a_replacement(part.key)
        part.actor = self.actors[part.key][part.replica]

    def _settle(self, parts: list[Part], timeout: float | None) -> bool:
        """The one Ray wait: batches (an object ref each) and bursts of streamed requests (a generator each)."""
        if self.growth_asked:
            self._take_growth()
        if self.pending:
            self._poll_restarts()
        waitables = list(dict.fromkeys(_waitable(part) for part in parts))  # a burst's parts share its generator
        for step in wake_steps(timeout):  # woken to look at the run's stop flag (a sweep's run in a thread)
            self.control.stop.check()
            ready, rest = self.ray.wait(waitables, num_returns=1, timeout=step)
            if ready:
                break
        if ready and rest:  # sweep up whatever else is done too
            ready += self.ray.wait(rest, num_returns=len(rest), timeout=0)[0]
        ready_set = set(ready)
        bursts = {}
        for part in [part for part in parts if _waitable(part) in ready_set]:
            if isinstance(part.future, Burst):
                bursts[part.future] = None
            else:
                self._collect(part)
        for burst in bursts:
            self._drain(burst)
        return bool(ready)

    def _collect(self, part: Part) -> None:
        """The part's outcome; when its replica died, the part goes to a sibling (outcome left unset)."""
        try:
            self._finish(part, self.ray.get(part.future))
        except self.ray.exceptions.RayActorError as exc:  # died, or unreachable: replaced either way
            if self._reassign(part, exc):
                part.future = self._start(part)
        except self.ray.exceptions.RayError as exc:  # the call failed, the actor lives on
            self._finish(part, self._failed(part, f"actor failed: {first_line(exc)}"))

    def _drain(self, burst: Burst) -> None:
        """Every result of the burst that is ready. When its replica died, its requests not yet answered go on
        together, in one call, to a sibling (or its replacement); when the call failed, they fail."""
        while True:
            try:
                n, streamed = self.ray.get(next(burst.generator))
            except StopIteration:
                return
            except self.ray.exceptions.RayActorError as exc:
                again = [part for part in burst.unanswered() if self._reassign(part, exc)]
                for part, future in zip(again, self._start_streamed(again) if again else []):
                    part.future = future
                return
            except self.ray.exceptions.RayError as exc:
                for part in burst.unanswered():
                    self._finish(part, self._failed(part, f"actor failed: {first_line(exc)}"))
                return
            self._finish(burst.parts[n], streamed)
            if not burst.unanswered() or not self.ray.wait([burst.generator], timeout=0)[0]:
                return

    def _reassign(self, part: Part, exc: BaseException) -> bool:
        """Moves a part of a dead replica to the least-loaded live sibling, to be started again (True); the dead
        replica is replaced meanwhile (the driver goes on), or, when no sibling lives, before the part goes back
        to it (the driver waits). Every part in flight on it fails: the first one to tell starts the
        replacement. A part that died too often gets its failed outcome instead (False)."""
        self.pools.finished(part)
        key, dead = part.key, part.replica
        if key in self.released_unix_s:  # killed by its release: no replacement comes
            part.outcome = self._failed(part, "actor failed: its engine was given back (Executor.release)")
            return False
        router = self.pools.routers[key]
        if part.actor is self.actors[key][dead] and (key, dead) not in self.pending:  # the first news of this death
            router.died(dead)
            self._schedule_restart((key, dead), exc)
        if part.tries >= self.TRIES_PER_BATCH * len(router.alive):  # a node lost kills its replicas together
            part.outcome = self._failed(part, f"actor failed: it died on this {'request' if part.streamed else 'batch'} "
                                              f"{part.tries} times: {first_line(exc)}")
            return False
        part.tries += 1
        if not any(router.alive):  # no sibling: wait for a replacement
            self._wait_for_a_replacement(key)
        part.replica = router.reassign(len(part.requests))
        return True

    @staticmethod
    def _failed(part: Part, error: str) -> Any:
        if part.streamed:
            return StreamedResult(failed_results(part.requests, error)[0], time.time(), 0)
        return failed_results(part.requests, error), BatchTiming(time.time(), 0.0, 0)

    def stream_busy_seconds(self) -> dict[str, float]:
        if not self.streaming:
            return super().stream_busy_seconds()
        return {key: self.released_busy[key] if key in self.released_unix_s else self._stream_busy(key)
                for key in self.actors}

    def _stream_busy(self, key: str) -> float:
        return sum(seconds for n, actor in enumerate(self.actors[key]) if (key, n) not in self.pending
                   if (seconds := self._ask(actor.stream_busy_seconds)) is not None)  # a dead one's died with it

    def _ask(self, method: Any) -> Any:
        """An actor method's answer; None when the actor died since its last request (its node removed, say):
        the figures it held died with it, and no request of the run is lost."""
        try:
            return self.ray.get(method.remote())
        except self.ray.exceptions.RayActorError:
            return None

    def _schedule_restart(self, replica: Replica, exc: BaseException) -> None:
        """Books a dead replica's replacement, started once its backoff has passed (_poll_restarts), or raises
        RoleActorLost when its budget is spent (a released engine's deaths never come here: _reassign)."""
        self.restarts[replica] += 1
        if self.restarts[replica] > self.restart_budget:
            raise RoleActorLost(
                f"role actor {self._name(replica)} died {self.restarts[replica]} times, over its restart budget of "
                f"{self.restart_budget}; the run stops here and resumes with the same command. "
                f"Last death: {first_line(exc)}") from None
        self.ray.kill(self._actor(replica), no_restart=True)
        backoff = min(self.MAX_BACKOFF_S, self.restart_backoff_s * 2 ** (self.restarts[replica] - 1))
        self.pending[replica] = Replacement(time.monotonic() + backoff, exc)

    def _poll_restarts(self) -> None:
        """Starts the replacements whose backoff has passed and puts back in the router those that run; one not
        answering within START_TIMEOUT_S of its start stops the run."""
        for replica, replacement in list(self.pending.items()):
            if replacement.placed is not None:  # a grown replica waits for its GPUs (a sweep asked: they are free)
                if not self.ray.wait([replacement.placed], timeout=0)[0]:
                    continue
                replacement.placed = None
            if replacement.ready is None and time.monotonic() >= replacement.start_at:
                if replacement.exc is not None:
                    self._check_room(replica, replacement.exc)
                self._set_actor(replica, self._start_actor(replica))
                replacement.ready = self._actor(replica).__ray_ready__.remote()
                replacement.deadline = time.monotonic() + self.START_TIMEOUT_S
            if replacement.ready is None:
                continue
            if self.ray.wait([replacement.ready], timeout=0)[0]:
                self._replacement_started(replica, replacement)
            elif time.monotonic() >= replacement.deadline:
                what = f"Last death: {first_line(replacement.exc)}" if replacement.exc else "It was a grown replica."
                raise RoleActorLost(f"the replacement of role actor {self._name(replica)} did not start within "
                                    f"{self.START_TIMEOUT_S:g} s; the run stops here. {what}")

    def _replacement_started(self, replica: Replica, replacement: Replacement) -> None:
        del self.pending[replica]
        try:
            self.ray.get(replacement.ready)
        except self.ray.exceptions.RayActorError as exc:  # it died starting: another restart
            self._schedule_restart(replica, exc)
            return
        self.pools.routers[replica[0]].revived(replica[1])

    def _wait_for_a_replacement(self, key: str) -> None:
        """Blocks until some replica of `key` lives again."""
        self._wait_until(key, lambda router: any(router.alive))

    def _wait_for_all_replacements(self, key: str) -> None:
        self._wait_until(key, lambda router: not any(k == key for k, _ in self.pending))

    def _wait_until(self, key: str, done: Any) -> None:
        """Polls the replacements (and grown replicas waiting for their GPUs) until `done`, waking every WAKE_S
        to look at the run's stop flag: a sweep's Ctrl-C must not wait out a backoff or a model load."""
        router = self.pools.routers[key]
        while not done(router):
            self.control.stop.check()
            self._poll_restarts()
            if not done(router):
                time.sleep(WAKE_S)

    def _check_room(self, replica: Replica, exc: BaseException) -> None:
        """A replacement needs a live node with its CPUs and GPUs: when its node died (a raylet gone, a
        machine lost), Ray would keep it pending for ever."""
        cluster = self.ray.cluster_resources()  # live nodes only
        needs = self.resources[replica]
        if cluster.get("CPU", 0.0) < needs.num_cpus or cluster.get("GPU", 0.0) < needs.num_gpus:
            have = f"{cluster.get('CPU', 0.0):g} CPU, {cluster.get('GPU', 0.0):g} GPU"
            raise RoleActorLost(
                f"role actor {self._name(replica)} died and no live Ray node can host it (it needs {needs.num_cpus:g} "
                f"CPU, {needs.num_gpus:g} GPU; the live nodes have {have}): its node died? The run stops here and "
                f"resumes with the same command. Last death: {first_line(exc)}")

    def info(self) -> dict[str, Any]:
        """Per actor key, every replica's backend info, where it ran (Ray node id, GPU ids) and its resources
        (replacements still starting are waited for: where they run is what is recorded)."""
        self._give_up_unplaced()
        for key in {key for key, _ in self.pending}:
            self._wait_for_all_replacements(key)
        return {key: {**replicas_info(self._replica_infos(key)), **self._released(key)} for key in self.actors}

    def _replica_infos(self, key: str) -> list[dict[str, Any]]:
        if key in self.released_infos:  # captured as it was given back: its actors are gone
            return self.released_infos[key]
        return [self._replica_info(key, n, actor) for n, actor in enumerate(self.actors[key])]

    def _give_up_unplaced(self) -> None:
        """Grown replicas still waiting for GPUs are not waited for (another run may hold them to its end)."""
        self.growth_asked.clear()  # asked for too late: the run has ended
        for replica, replacement in list(self.pending.items()):
            if replacement.placed is not None and not self.ray.wait([replacement.placed], timeout=0)[0]:
                del self.pending[replica]
                self._remove_groups([replica])

    def _replica_info(self, key: str, n: int, actor: Any) -> dict[str, Any]:
        resources = {"resources": dataclasses.asdict(self.resources[(key, n)])}
        grown = self._grown((key, n))
        if actor is None:  # grown, and given up before its GPUs were free
            return {"died": "grown, never placed (no GPU came free before the run ended)", **grown, **resources}
        info, where = self._ask(actor.info), self._ask(actor.where)
        if info is None or where is None:
            return {"died": "after its last request (its node removed?)", **grown, **resources}
        return {**info, **where, **grown, **resources}

    def _release_replicas(self, actor_key: str) -> None:
        """Where its replicas ran is kept for run.json (and their streams' busy time); then their actors are
        killed and their placement groups removed: the GPUs are the cluster's again at once. Replacements
        still pending (a dead replica, a grown one not yet placed) are dropped, never started."""
        replicas = [(actor_key, n) for n in range(len(self.actors[actor_key]))]
        self.released_busy[actor_key] = self._stream_busy(actor_key) if self.streaming else 0.0
        self.released_infos[actor_key] = [self._released_info(replica) for replica in replicas]
        for replica in replicas:
            self.pending.pop(replica, None)
            self._kill(replica)
            self._remove_groups([replica])

    def _released_info(self, replica: Replica) -> dict[str, Any]:
        """A replica's run.json info as it is given back; one not running then is not waited for (a model load)."""
        if replica not in self.pending:
            return self._replica_info(*replica, self._actor(replica))
        what = "placed" if self.pending[replica].placed is not None else "started"
        return {"died": f"given back before it {what}", **self._grown(replica),
                "resources": dataclasses.asdict(self.resources[replica])}

    def _kill(self, replica: Replica) -> None:
        if self._actor(replica) is not None:
            self.ray.kill(self._actor(replica))
            self._set_actor(replica, None)

    def _remove_groups(self, replicas: list[Replica] | None = None) -> None:
        """Removes the replicas' placement groups (default: all), waiting or placed."""
        groups = [self.groups.pop(r) for r in (list(self.groups) if replicas is None else replicas) if r in self.groups]
        if groups:  # (Ray's module only where there are groups: tests run the executor on a double of Ray)
            from ray.util.placement_group import remove_placement_group

            for group in groups:
                remove_placement_group(group)

    def shutdown(self) -> None:
        for actors in self.actors.values():
            for actor in actors:
                if actor is not None:
                    self.ray.kill(actor)
        self.actors.clear()
        self._remove_groups()
        if self.owns_ray:
            self.ray.shutdown()
