"""Hand-made tools and histories shared by the roles tests (as the schema builder would emit them); no tests here."""
from __future__ import annotations

from benchmarks.core.types import ToolSpec
from roles.types import PromptContext, Turn

CLIQUE = ToolSpec(
    category="Data", tool="TheClique", api="Transfermarkt search",
    function_name="transfermarkt_search_for_theclique",
    description='This is the subfunction for tool "theclique", you can use this tool.'
                'The description of this function is: "Search by name"',
    parameters={"type": "object",
                "properties": {"name": {"type": "string", "description": "", "example_value": "messi"}},
                "required": ["name"], "optional": []},
    api_entry={"category_name": "Data", "tool_name": "TheClique", "api_name": "Transfermarkt search",
               "api_description": "Search by name",
               "required_parameters": [{"name": "name", "type": "STRING", "description": "", "default": "messi"}],
               "optional_parameters": [],
               "tool_description": "API for TheClique company"},
    tool_description="API for TheClique company",
)
WEATHER = ToolSpec(
    category="Weather", tool="Weather API", api="Forecast",
    function_name="forecast_for_weather_api",
    description='This is the subfunction for tool "weather_api", you can use this tool.'
                'The description of this function is: "forecast_for_weather_api by city. '
                'Call forecast_for_weather_api daily."',
    parameters={"type": "object",
                "properties": {"city_name": {"type": "string", "description": "City name"},
                               "days": {"type": "integer", "description": "  ", "example_value": 3}},
                "required": ["city_name"], "optional": ["days"]},
    api_entry={"category_name": "Weather", "tool_name": "Weather API", "api_name": "Forecast",
               "api_description": " Forecast by city. Call Forecast daily. ",
               "required_parameters": [{"name": "City Name", "type": "STRING", "description": "City name",
                                        "default": ""}],
               "optional_parameters": [{"name": "days", "type": "NUMBER", "description": "  ", "default": 3}]},
)
TOOLS = (CLIQUE, WEATHER)
QUERY = "Weather in Paris?"
THOUGHT = "It was sunny; check tomorrow too.\n Next: caller."
HISTORY = (
    Turn("user", QUERY),
    Turn("assistant", "I will get the forecast.\n Next: caller."),
    Turn("caller", 'Action: forecast_for_weather_api\nAction Input: {"city_name": "Paris"}'),
    Turn("observation", '{"error": "", "response": "sunny"}'),
)


def context(*extra: Turn, tools: tuple[ToolSpec, ...] = TOOLS) -> PromptContext:
    return PromptContext(query=QUERY, tools=tools, history=HISTORY + extra)
