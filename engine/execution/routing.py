"""Which replica of a role's pool serves a request: one `Router` per pool (docs/cluster.md, "The router").

Rules, in order:
1. A trajectory's first request goes to the least-loaded live replica (requests in flight; ties to the lowest
   index, so routing is a pure function of the order of calls: no clock, no randomness).
2. Its later requests go to the same replica (its "home"): the trajectory's prompt prefix is in that engine's
   prefix cache, and every later prompt of a trajectory extends the previous one.
3. Unless the home is overloaded: its load exceeds SPILL_FACTOR x the least-loaded sibling's plus
   SPILL_MARGIN. Then the request goes to the least-loaded sibling, which becomes the new home (the prefix
   is recomputed once there, then cached again).
4. A dead replica takes nothing; its trajectories find a new home by rule 1 on their next request.

This is verl's AsyncLLMServerManager (least requests for a new request id, then sticky through an LRU map)
with SGLang router's cache-aware balance guard (stick unless the queues differ by both an absolute and a
relative threshold). A trajectory is the request id without its last `|` field (engine.agents names requests
`task|agent|seed|n`; a DFSDT tree shares one home, its nodes share prefixes).
"""
from __future__ import annotations

from collections import OrderedDict

SPILL_FACTOR = 2.0  # the home's queue must be over twice the shortest sibling's ...
SPILL_MARGIN = 8  # ... and longer by more than this: small queues never spill (a prefix hit is worth more)
MAX_HOMES = 100_000  # trajectories remembered (LRU): a finished one is forgotten without being told


def trajectory_of(request_id: str) -> str:
    return request_id.rpartition("|")[0] or request_id


class NoLiveReplica(RuntimeError):
    """Every replica of the pool is dead (the executor restarts them before routing again)."""


class Router:
    def __init__(self, replicas: int, spill_factor: float = SPILL_FACTOR, spill_margin: int = SPILL_MARGIN) -> None:
        self.load = [0] * replicas  # requests in flight on each replica
        self.alive = [True] * replicas
        self.spill_factor = spill_factor
        self.spill_margin = spill_margin
        self.homes: OrderedDict[str, int] = OrderedDict()
        self.spills = 0  # requests sent away from their home because it was overloaded

    def route(self, request_id: str) -> int:
        """The replica for this request; counts it as in flight there until `finished`."""
        trajectory = trajectory_of(request_id)
        home = self.homes.get(trajectory)
        least = self._least_loaded()
        if home is None or not self.alive[home]:
            home = least
        elif self._overloaded(home, least):
            home = least
            self.spills += 1
        self.homes[trajectory] = home
        self.homes.move_to_end(trajectory)
        if len(self.homes) > MAX_HOMES:
            self.homes.popitem(last=False)
        self.load[home] += 1
        return home

    def grow(self) -> int:
        """Adds a replica (a sweep's run grown into a freed GPU); returns its index. Idle, it takes the first
        requests of new trajectories (rule 1) and the requests that spill from overloaded homes (rule 3)."""
        self.load.append(0)
        self.alive.append(True)
        return len(self.load) - 1

    def reassign(self, n: int) -> int:
        """Where the `n` in-flight requests of a dead replica go: the least-loaded live sibling."""
        replica = self._least_loaded()
        self.load[replica] += n
        return replica

    def finished(self, replica: int, n: int = 1) -> None:
        self.load[replica] -= n

    def died(self, replica: int) -> None:
        """Takes the replica out of routing; its in-flight requests are rerouted by the executor (each calls
        `finished` on the dead one, then `route` again)."""
        self.alive[replica] = False

    def revived(self, replica: int) -> None:
        self.alive[replica] = True

    def _overloaded(self, home: int, least: int) -> bool:
        return self.load[home] > self.spill_factor * self.load[least] + self.spill_margin

    def _least_loaded(self) -> int:
        live = [i for i, alive in enumerate(self.alive) if alive]
        if not live:
            raise NoLiveReplica("no live replica in the pool")
        return min(live, key=lambda i: (self.load[i], i))
