"""Judges that run models: the engine's backends (hf, vllm, scripted, ...) and OpenAI-compatible endpoints as
ToolEval judges. Scoring (benchmarks.scoring) owns the procedure and asks through a Completer; this package
builds the completers and registers the model judges in scoring's judge registry, so `make_judge("hf:DIR")`
works once `engine.judges` is imported (the command line always imports it).
"""
from benchmarks.scoring.judges import BACKEND_JUDGE, JUDGES, check_judge_spec, make_judge

JUDGES.register("openai", "engine.judges.model:openai_judge")
JUDGES.register("embedded", "engine.judges.model:embedded_judge")
JUDGES.register("fac", "engine.judges.fac:fac_judge")
JUDGES.register(BACKEND_JUDGE, "engine.judges.model:backend_judge")

__all__ = ["check_judge_spec", "make_judge"]
