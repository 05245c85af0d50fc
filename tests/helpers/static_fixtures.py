"""alpha-UMi static-eval records (tools, a solved query, a give-up) shared by the static tests; no tests here."""
from __future__ import annotations

TOOLS = [{"Name": "weather_for_meteo", "function": "f", "input": {"city": "string, "}},
         {"Name": "forecast_for_meteo", "function": "f", "input": {}}]
RECORD = {"tools": TOOLS, "instruction": "Weather in Lisbon?", "conversations": [
    {"from": "user", "value": "Weather in Lisbon?"},
    {"from": "assistant", "value": "I should get the weather. Next: caller."},
    {"from": "caller", "value": 'Action: weather_for_meteo\nAction Input: {"city": "Lisbon", "units": "C"}'},
    {"from": "observation", "value": '{"error": "", "response": "14.5"}'},
    {"from": "assistant", "value": "Just thinking aloud, no marker."},  # not a sample
    {"from": "assistant", "value": "Now the forecast. Next: caller."},
    {"from": "caller", "value": "Action: forecast_for_meteo\nAction Input: {}"},
    {"from": "observation", "value": "sunny"},
    {"from": "assistant", "value": "I can answer. Next: conclusion."},
    {"from": "conclusion", "value": "It is 14.5 degrees and sunny in Lisbon."},
]}
GIVE_UP_RECORD = {"tools": TOOLS, "instruction": "q", "conversations": [
    {"from": "user", "value": "q"}, {"from": "assistant", "value": "Nothing works. Next: give up."}]}
