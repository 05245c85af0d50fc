"""`fac:BACKEND:MODEL`: StableToolBench's FAC judge served by any model judge (fac:hf:embedded, fac:embedded,
fac:vllm:MODEL_DIR, fac:openai:MODEL@BASE_URL). The model is built as that judge spec would build it (same
backend, same content-pinned id, same cache file); the questions, decoding and procedure are FAC's."""
from __future__ import annotations

from benchmarks.scoring.fac import FacForm, fac_options, load_fac_template
from benchmarks.scoring.judges import JudgeError, JudgeSpec, make_judge
from benchmarks.scoring.model_judge import ModelJudge, ToolEvalForm


def fac_judge(spec: JudgeSpec) -> ModelJudge:
    if not spec.rest:
        raise JudgeError(f"the FAC judge needs a model: fac:BACKEND:MODEL (e.g. fac:hf:embedded), got {spec.text!r}")
    form = FacForm(load_fac_template())  # a missing prompt file fails before any model is resolved
    options = fac_options(spec.options)
    model = make_judge(spec.rest, options, gold_facts={})
    if not isinstance(model, ModelJudge) or not isinstance(model.form, ToolEvalForm):
        raise JudgeError(f"the FAC judge needs a model judge after 'fac:' (BACKEND:MODEL, openai:MODEL@URL or "
                         f"embedded), got {spec.rest!r}")
    return ModelJudge(spec.text, f"fac:{model.id}", model.completer, options, model.cache, form)
