"""Prompt formats and output parsers, pure functions of text: what each role model is shown and how its
reply is read (alpha_umi: byte-exact with the released checkpoints; react: ToolLLaMA; chat: any instruct
model). Formats are registry entries (registry.FORMATS). Parsers never raise: model output is untrusted.
Imports only itself and benchmarks.core.
"""
