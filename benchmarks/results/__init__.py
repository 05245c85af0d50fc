"""The files umi-eval reads and writes, one module per format, each holding its schema, reader and writer
(in the manner of inspect_ai's `log/`): the engine writes them, scoring and leaderboards read them, and
nothing else knows their layout.

    files.py         names of a run folder's files; the one atomic JSON writer
    manifest.py      run.json: what produced a run, its status
    trajectories.py  trajectories.jsonl: one record per finished trajectory, the resume point
    converted.py     ToolEval converted answers (tooleval/<group>.json)
    raw_answers.py   ToolBench/StableToolBench raw answers, and their conversion to converted answers
    scores.py        scores.json: one shape with schema_version, whoever scored
    leaderboard.py   leaderboard.json
"""
