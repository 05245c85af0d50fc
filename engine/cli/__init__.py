"""The command line, one module per subcommand (run, benchmark, score, leaderboard, sim, inspect, sweep,
static, convert), each a Subcommand declaring its parser, validation and run (engine.cli.base); engine.cli.main
builds the parser and dispatches. run_eval.py is the thin entry point. Subcommand modules import only
light modules at the top, so `leaderboard` or `sim import` never pay torch's or Ray's import.
"""
