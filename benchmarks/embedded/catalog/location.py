"""Location: country facts, time zones and time conversion, coordinates and distances."""
from __future__ import annotations

import math
from random import Random

from benchmarks.embedded.catalog.common import COUNTRY_ARG, city_param
from benchmarks.embedded.core import Api, Args, Param, Response, Tool, clock, clock_times, fields, names
from benchmarks.embedded.entities import CITY, COUNTRY

CATEGORY = "Location"
EARTH_RADIUS_KM = 6371.0
KM_PER_MILE = 1.609344


def _country(a: Args) -> Response:
    c = COUNTRY[a["country"]]
    return {"name": c.name, "capital": c.capital, "population": c.population, "area_km2": c.area_km2,
            "currency": c.currency, "languages": list(c.languages)}


def _calling(a: Args) -> Response:
    c = COUNTRY[a["country"]]
    return {"country": c.name, "calling_code": c.calling_code, "iso2": c.iso2, "tld": f".{c.iso2.lower()}"}


def _offset_text(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _timezone(a: Args) -> Response:
    c = CITY[a["city"]]
    return {"city": c.name, "timezone": c.timezone, "utc_offset": _offset_text(c.utc_offset_min),
            "observes_dst": c.timezone.startswith(("Europe/", "America/New", "America/Chi", "America/Los",
                                                   "America/Tor", "America/Van", "Australia/", "Pacific/"))}


def _convert_time(a: Args) -> Response:
    hours, minutes = map(int, a["time"].split(":"))
    shifted = hours * 60 + minutes + CITY[a["to_city"]].utc_offset_min - CITY[a["from_city"]].utc_offset_min
    return {"from_city": a["from_city"], "to_city": a["to_city"], "time": a["time"],
            "converted_time": clock(shifted), "day_offset": shifted // (24 * 60), "note": "standard time, no DST"}


def _km(a: str, b: str) -> float:
    p, q = CITY[a], CITY[b]
    phi1, phi2 = math.radians(p.lat), math.radians(q.lat)
    h = (math.sin((phi2 - phi1) / 2) ** 2
         + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(q.lon - p.lon) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def _distance(a: Args) -> Response:
    km = _km(a["city_a"], a["city_b"])
    return {"city_a": a["city_a"], "city_b": a["city_b"], "unit": a["unit"],
            "distance": round(km if a["unit"] == "km" else km / KM_PER_MILE, 1)}


def _coordinates(a: Args) -> Response:
    c = CITY[a["city"]]
    return {"city": c.name, "country": c.country, "latitude": c.lat, "longitude": c.lon}


def _two_cities(first: str, second: str, rng: Random) -> Args:
    x, y = rng.sample([c for c in CITY], 2)
    return {first: x, second: y}


def _sample_distance(rng: Random) -> Args:
    return {**_two_cities("city_a", "city_b", rng), "unit": rng.choice(("km", "mi"))}


def _sample_time(rng: Random) -> Args:
    return {"time": clock_times().sample(rng), **_two_cities("from_city", "to_city", rng)}


COUNTRY_PARAM = Param("country", "STRING", "Country name, e.g. Portugal", "Portugal", COUNTRY_ARG)

COUNTRIES_TOOL = Tool("CountryFacts", "Facts about the countries of the world.", (
    Api("Country Info", "Capital, population, area, currency and languages of a country.", (COUNTRY_PARAM,), _country,
        asks=("What is the capital of {country}, and how many people live there?",
              "Give me the capital city and population of {country}.",
              "Look up {country}: its capital and total population."),
        answer="The capital of {country} is {capital}; the population is {population:,}.",
        facts=fields("{capital}", "{population}")),
    Api("Calling Code", "International dialling code and internet domain of a country.", (COUNTRY_PARAM,), _calling,
        asks=("What's the international dialling code for {country}?",
              "Which phone country code does {country} use?",
              "I need to call someone in {country}: what's the calling code?"),
        answer="{country} uses the calling code {calling_code} (internet domain {tld}).",
        facts=fields("{calling_code}")),  # not the domain: ".in" or ".it" would be stated by any sentence
))

ZONES = Tool("ZoneClock", "Time zones of cities and time conversion between them.", (
    Api("City Timezone", "IANA time zone and standard UTC offset of a city.", (city_param(),), _timezone,
        asks=("Which time zone is {city} in?",
              "What's the time zone and UTC offset of {city}?",
              "Tell me the IANA time zone name for {city} and its offset from UTC."),
        answer="{city} is in {timezone} (UTC{utc_offset}).",
        facts=fields("{timezone}", "{utc_offset}")),
    Api("Convert Time", "Convert a clock time (HH:MM, standard time) from one city to another.",
        (Param("time", "TIME (24-hour HH:MM)", "Time in 24-hour HH:MM", "09:00", clock_times()),
         city_param("from_city", "City the time is given in", "London"),
         city_param("to_city", "City to convert to", "Tokyo")), _convert_time, sample=_sample_time,
        asks=("If it is {time} in {from_city}, what time is it in {to_city}?",
              "Convert {time} {from_city} time to {to_city} time.",
              "I have a call at {time} {from_city} time. What time will that be in {to_city}?"),
        answer="{time} in {from_city} is {converted_time} in {to_city}.",
        facts=fields("{converted_time}")),
))

GEO = Tool("GeoDistance", "Coordinates of cities and great-circle distances between them.", (
    Api("City Distance", "Great-circle distance between two cities in km or miles.",
        (city_param("city_a", "First city", "Paris"), city_param("city_b", "Second city", "Berlin")), _distance,
        optional=(Param("unit", "ENUM", "km or mi", "km", names(("km", "mi"))),), sample=_sample_distance,
        asks=("How far is {city_a} from {city_b} in {unit}?",
              "What's the straight-line distance between {city_a} and {city_b}, in {unit}?",
              "Calculate the distance from {city_a} to {city_b} in {unit}."),
        answer="{city_a} and {city_b} are {distance} {unit} apart.",
        facts=fields("{distance}")),
    Api("City Coordinates", "Latitude and longitude of a city.", (city_param(),), _coordinates,
        asks=("What are the GPS coordinates of {city}?",
              "Give me the latitude and longitude of {city}.",
              "Where exactly is {city}? I need its latitude and longitude."),
        answer="{city} lies at latitude {latitude}, longitude {longitude}.",
        facts=fields("{latitude}", "{longitude}")),
))

TOOLS = (COUNTRIES_TOOL, ZONES, GEO)
