"""One agent step as alpha-UMi's evaluate scripts read it: the plan label, and the call or the answer it led
to. Shared by the readers of step texts (roles.alpha_umi_steps) and the static metrics (benchmarks.scoring.static)."""
from __future__ import annotations

from dataclasses import dataclass

# The plan labels of upstream's evaluate-*.py, and its stand-in for a missing call or answer.
CALL, FINISH, GIVE_UP = "call", "finish", "give up"
NONE = "none"


@dataclass(frozen=True)
class StepOutcome:
    """One step as read from text: the plan, and the call (action, arguments) or the answer it led to."""

    plan: str
    action: str | None = None
    arguments: str | None = None
    answer: str | None = None
