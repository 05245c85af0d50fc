"""The main job (`umi-eval` with no subcommand): single- vs multi-LLM agents from the embedded model on a
slice of the embedded benchmark, through Ray actors; writes the runs and leaderboard.json, prints the table."""
from __future__ import annotations

from pathlib import Path

MAIN_JOB_AGENTS = ("chat-single", "chat-multi")
MAIN_JOB_PER_GROUP = 2  # 12 queries per agent, so that the job stays under 10 minutes on a 2-core CPU


def main_job(per_group: int = MAIN_JOB_PER_GROUP, out: str = "runs", executor: str = "ray") -> int:
    from benchmarks import leaderboard
    from benchmarks.loading import load_benchmark
    from engine.cli.run import default_run_name
    from engine.presets import load_agent
    from benchmarks.results.files import LEADERBOARD_FILE
    from benchmarks.results.leaderboard import write_leaderboard
    from engine.run import Run, RunConfig
    from engine.tool_simulator import build_simulator

    bench = load_benchmark("embedded", per_group=per_group, seed=0)
    run_dirs = []
    for name in MAIN_JOB_AGENTS:
        agent = load_agent(name)
        simulator = build_simulator(bench, None, "synthesize")
        config = RunConfig(agent=agent, out_dir=Path(out), run_name=default_run_name(agent, bench, 0), executor=executor,
                           benchmark=bench.info, command=["umi-eval"])
        run_dirs.append(Run(config, bench.tasks, simulator).execute())
    board = leaderboard.build(run_dirs)
    write_leaderboard(Path(out) / LEADERBOARD_FILE, board)
    print(f"\nembedded benchmark, {per_group} queries per group; verified pass rate % [95% CI]\n")
    print(leaderboard.table(board))
    print(f"\nruns and leaderboard.json under {out}/")
    return 0
