"""Runs: a run as build -> execute -> record, and the sweeps and static evaluations made of them. Owns the run
folder while a run writes it (run.json, trajectories.jsonl, checkpoint.jsonl, its end-of-run outputs), the
run's identity and provenance, its progress, the tool simulator it builds, and the rule-based metrics. May
import every engine sub-package except engine.cli.
"""
