"""Moved to engine.execution (a shim until the house move lands)."""
from engine.execution.executor import Batch, BatchTiming, Executor, FinishedBatch, FinishedRequest, Ticket, make_executor  # noqa: F401
from engine.execution.local import LocalExecutor  # noqa: F401
from engine.execution.ray_executor import RayExecutor, RoleActorLost  # noqa: F401
from engine.execution.ray_start import RayUnavailable, init_ray  # noqa: F401
from engine.execution.worker import RoleWorker, StreamingRoleWorker  # noqa: F401
from engine.streaming import failed_results  # noqa: F401
