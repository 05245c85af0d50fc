"""The embedded world: size, ToolBench documentation shape, and deterministic, validated answers."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from random import Random

import pytest

from benchmarks.embedded.world import CATEGORIES, ENDPOINTS, Endpoint, endpoint, template_of, world_response
from benchmarks.core.naming import change_name, standardize
from benchmarks.core.schemas import tool_spec

ENTRY_KEYS = ["category_name", "tool_name", "api_name", "api_description", "required_parameters",
              "optional_parameters", "method", "template_response"]
PARAM_TYPES = {"STRING", "NUMBER", "BOOLEAN", "ENUM", "DATE (YYYY-MM-DD)", "TIME (24-hour HH:MM)", "string"}
# sha256 of every API's documented example response. Editing the world changes it: bump
# core.WORLD_VERSION (exports record the version they came from) and update this digest.
PINNED_DIGEST = "83518056d66ba954d61cb884bd94990c495eaee90dded39b8983f30833b0812d"


def _observation(response: object) -> str:
    return json.dumps({"error": "", "response": response})


def test_world_is_big_enough() -> None:
    tools = [t for c in CATEGORIES for t in c.tools]
    assert len(CATEGORIES) >= 8
    assert len(tools) >= 24
    assert len(ENDPOINTS) >= 60
    assert all(len(t.apis) >= 2 for t in tools)  # a G1 query always has a distractor or a second request


def test_entries_have_toolbench_shape() -> None:
    for e in ENDPOINTS:
        assert list(e.entry) == ENTRY_KEYS
        assert e.entry["method"] == "GET"
        assert isinstance(e.entry["template_response"], dict)
        for p in e.entry["required_parameters"] + e.entry["optional_parameters"]:
            assert list(p) == ["name", "type", "description", "default"]
            assert p["type"] in PARAM_TYPES


def test_parameter_names_survive_toolbench_renaming() -> None:
    """Gold arguments use the raw names, so the schema the model sees must use the same ones."""
    for e in ENDPOINTS:
        for p in (*e.api.required, *e.api.optional):
            assert change_name(standardize(p.name)) == p.name
        # Upstream drops optional parameters of an API without required ones: none would be visible.
        assert e.api.required or not e.api.optional
        assert set(e.spec.parameters["properties"]) == {p.name for p in (*e.api.required, *e.api.optional)}


def test_names_are_unique_and_untruncated() -> None:
    names = [e.spec.function_name for e in ENDPOINTS]
    assert len(set(names)) == len(names)
    assert all(len(n) < 64 for n in names)
    assert len({e.tool.name for e in ENDPOINTS}) == sum(len(c.tools) for c in CATEGORIES)


def test_template_is_the_shape_of_the_example_response() -> None:
    for e in ENDPOINTS:
        example = e.api.call(e.api.default_args())
        assert example is not None
        assert e.entry["template_response"] == template_of(example)
        assert tool_spec(e.entry).template_response == e.entry["template_response"]


def test_template_of_follows_toolbench() -> None:
    assert template_of({"a": 1, "b": [{"x": "s"}, {"x": "t"}], "c": ["u"], "d": [], "e": None, "f": 1.5}) == {
        "a": "int", "b": [{"x": "str", "_list_length": 2}], "c": ["list of str with length 1"],
        "d": "empty list", "e": "NoneType", "f": "float"}


def _sampled_calls(per_api: int = 25) -> Iterator[tuple[Endpoint, dict]]:
    for e in ENDPOINTS:
        rng = Random(e.spec.function_name)
        for _ in range(per_api):
            yield e, e.api.draw_args(rng)


def test_sampled_calls_are_valid_short_and_json() -> None:
    for e, args in _sampled_calls():
        response = world_response(e.category, e.tool.name, e.api.name, args)
        assert response is not None, (e.api.name, args)
        assert json.loads(json.dumps(response)) == response  # no tuples or other non-JSON values
        assert len(_observation(response)) < 1024  # facts survive ToolBench's observation cut
        assert response == e.api.call(dict(args))  # pure: same call, same answer


def test_every_api_sample_renders_its_texts() -> None:
    for e, args in _sampled_calls(per_api=5):
        context = e.api.context(args, e.api.call(args))
        assert e.api.answer.format_map(context)
        assert e.api.facts(context)
        for template in e.api.asks:
            template.format_map(args)


def test_world_digest_is_pinned() -> None:
    examples = [[e.category, e.tool.name, e.api.name, e.api.call(e.api.default_args())] for e in ENDPOINTS]
    digest = hashlib.sha256(json.dumps(examples, sort_keys=True).encode()).hexdigest()
    assert digest == PINNED_DIGEST, "the world changed: bump core.WORLD_VERSION and update PINNED_DIGEST"


@pytest.mark.parametrize("args", [
    {},  # missing required
    {"city_a": "Paris"},
    {"city_a": "Atlantis", "city_b": "Berlin"},  # unknown entity
    {"city_a": 3, "city_b": "Berlin"},  # wrong type
    {"city_a": "Paris", "city_b": "Berlin", "unit": "furlong"},  # bad enum
])
def test_invalid_arguments_get_none(args: dict) -> None:
    assert world_response("Location", "GeoDistance", "City Distance", args) is None


def test_lookup_accepts_spellings_and_ignores_extras() -> None:
    reference = world_response("Location", "GeoDistance", "City Distance", {"city_a": "Paris", "city_b": "Berlin"})
    assert reference is not None and 870 < reference["distance"] < 885  # real great-circle distance ~878 km
    assert world_response("location", "geodistance", "city_distance",
                          {"city_a": " paris ", "city_b": "BERLIN", "verbose": True}) == reference
    assert world_response("Location", "GeoDistance", "No Such Api", {}) is None
    assert world_response("Finance", "FX Rates Hub", "Convert Currency",
                          {"source": "usd", "target": "EUR", "amount": "100"}) == \
        world_response("Finance", "FX Rates Hub", "Convert Currency", {"source": "USD", "target": "EUR", "amount": 100})


def test_dates_must_be_iso() -> None:
    good = world_response("Weather", "SunTimes", "Moon Phase", {"date": "2024-07-15"})
    assert good is not None
    for bad in ("15/07/2024", "2024-7-15", "2024-02-30", "July 15, 2024", 20240715):
        assert world_response("Weather", "SunTimes", "Moon Phase", {"date": bad}) is None


def test_computed_answers_are_right() -> None:
    assert world_response("Mathematics", "PrimeTools", "Nth Prime", {"n": 10000})["prime"] == 104729
    factors = world_response("Mathematics", "PrimeTools", "Prime Factors", {"number": 360})["factors"]
    assert factors == [2, 2, 2, 3, 3, 5]
    assert world_response("Mathematics", "UnitMaster", "Convert Length",
                          {"value": 1, "from_unit": "mi", "to_unit": "km"})["result"] == 1.6093
    assert world_response("Mathematics", "UnitMaster", "Convert Temperature",
                          {"value": 100, "from_scale": "celsius", "to_scale": "fahrenheit"})["result"] == 212
    assert world_response("Education", "WordSmith", "Scrabble Score", {"word": "quiz"})["score"] == 22
    assert world_response("Health_and_Fitness", "FitCalc", "BMI", {"weight_kg": 70, "height_cm": 175})["bmi"] == 22.9
    assert world_response("Location", "CountryFacts", "Country Info", {"country": "Portugal"})["capital"] == "Lisbon"
    assert world_response("Location", "ZoneClock", "Convert Time",
                          {"time": "09:00", "from_city": "London", "to_city": "Tokyo"})["converted_time"] == "18:00"


def test_sun_times_follow_latitude_and_season() -> None:
    def day_length(city: str, date: str) -> int:
        hours, minutes = world_response("Weather", "SunTimes", "Sunrise Sunset", {"city": city, "date": date})[
            "day_length"].split(":")
        return int(hours) * 60 + int(minutes)

    assert day_length("Stockholm", "2024-06-21") > 18 * 60 > 6 * 60 > day_length("Stockholm", "2024-12-21")
    assert abs(day_length("Singapore", "2024-06-21") - 12 * 60) < 15
    assert day_length("Sydney", "2024-12-21") > day_length("Sydney", "2024-06-21")


def test_flight_search_and_status_agree() -> None:
    found = world_response("Travel", "FlightStatus Live", "Flights Between",
                           {"origin": "LIS", "destination": "JFK", "date": "2024-05-02"})
    assert [f["price_usd"] for f in found["flights"]] == sorted(f["price_usd"] for f in found["flights"])
    for flight in found["flights"]:
        status = world_response("Travel", "FlightStatus Live", "Flight Status",
                                {"flight_number": flight["flight_number"], "date": "2024-05-02"})
        assert (status["origin"], status["destination"]) == ("LIS", "JFK")


def test_endpoint_lookup_by_raw_and_standardized_names() -> None:
    e = ENDPOINTS[0]
    assert endpoint(e.category, e.tool.name, e.api.name) is e
    assert endpoint(e.category.lower(), standardize(e.tool.name), standardize(e.api.name)) is e
