"""Model backends behind one protocol (base.Backend: generate a batch, describe the model), built by name
from the registry base.BACKENDS: hf (transformers), vllm, openai (any OpenAI-compatible endpoint), scripted
(test double), modelled (scripted replies with a GPU's timing)."""
