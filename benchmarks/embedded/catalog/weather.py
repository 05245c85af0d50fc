"""Weather: current conditions and forecasts, air quality and pollen, sun and moon times."""
from __future__ import annotations

import datetime as dt
import math

from benchmarks.embedded.catalog.common import city_param, date_param
from benchmarks.embedded.core import Api, Args, Param, Response, Tool, between, clock, fields, integer, names, pick
from benchmarks.embedded.entities import CITY

CATEGORY = "Weather"
NOW = dt.date(2024, 6, 15)  # the world's "today" for current conditions
CONDITIONS = ("Sunny", "Clear", "Partly cloudy", "Cloudy", "Overcast", "Light rain", "Showers", "Fog",
              "Thunderstorms", "Drizzle")
LEVELS = ("Very low", "Low", "Moderate", "High", "Very high")


def _temperature_c(city: str, day: dt.date, *key: object) -> float:
    """A plausible temperature: colder towards the poles, seasons flipped south of the equator."""
    c = CITY[city]
    season = math.cos(2 * math.pi * (day.timetuple().tm_yday - 196) / 365) * (1 if c.lat >= 0 else -1)
    return round(29 - 0.4 * abs(c.lat) + 0.25 * abs(c.lat) * season + between(-4, 4, city, day, *key), 1)


def _in_units(celsius: float, units: str) -> tuple[float, str]:
    return (celsius, "Celsius") if units == "metric" else (round(celsius * 9 / 5 + 32, 1), "Fahrenheit")


def _current(a: Args) -> Response:
    temperature, unit = _in_units(_temperature_c(a["city"], NOW, "now"), a["units"])
    wind = between(2, 35, a["city"], "wind")
    return {"location": {"name": a["city"], "country": CITY[a["city"]].country},
            "observation_time": f"{NOW} 12:00", "temperature": temperature, "temperature_unit": unit,
            "condition": pick(CONDITIONS, a["city"], "now"), "humidity": integer(25, 95, a["city"], "humidity"),
            "wind_speed": wind if a["units"] == "metric" else round(wind / 1.609, 1),
            "wind_unit": "km/h" if a["units"] == "metric" else "mph"}


def _forecast(a: Args) -> Response:
    day = dt.date.fromisoformat(a["date"])
    high = _temperature_c(a["city"], day, "high") + 3
    low = high - between(4, 11, a["city"], day, "range")
    return {"city": a["city"], "date": a["date"], "min_temp_c": round(low, 1), "max_temp_c": round(high, 1),
            "chance_of_rain": 10 * integer(0, 9, a["city"], day, "rain"),
            "summary": pick(CONDITIONS, a["city"], day)}


def _aqi_category(aqi: int) -> str:
    for limit, name in ((50, "Good"), (100, "Moderate"), (150, "Unhealthy for Sensitive Groups")):
        if aqi <= limit:
            return name
    return "Unhealthy"


def _air(a: Args) -> Response:
    aqi = integer(12, 190, a["city"], "aqi")
    return {"city": a["city"], "aqi": aqi, "category": _aqi_category(aqi),
            "dominant_pollutant": pick(("pm25", "pm10", "o3", "no2"), a["city"], "pollutant")}


def _pollen(a: Args) -> Response:
    key = (a["city"], a["date"])
    return {"city": a["city"], "date": a["date"], "overall_index": between(0.5, 11.5, *key),
            "tree_pollen": pick(LEVELS, *key, "tree"), "grass_pollen": pick(LEVELS, *key, "grass"),
            "weed_pollen": pick(LEVELS, *key, "weed")}


def _sun(a: Args) -> Response:
    """Sunrise and sunset from the solar declination (local standard time, no equation of time)."""
    c, day = CITY[a["city"]], dt.date.fromisoformat(a["date"])
    declination = -23.44 * math.cos(2 * math.pi * (day.timetuple().tm_yday + 10) / 365)
    cos_h = -math.tan(math.radians(c.lat)) * math.tan(math.radians(declination))
    half_day = math.degrees(math.acos(max(-1.0, min(1.0, cos_h)))) * 4  # minutes
    noon = 720 - 4 * c.lon + c.utc_offset_min
    rise, length = round(noon - half_day), round(2 * half_day)
    return {"city": a["city"], "date": a["date"], "sunrise": clock(rise), "sunset": clock(rise + length),
            "day_length": clock(length), "timezone": c.timezone}


SYNODIC_DAYS = 29.530588
KNOWN_NEW_MOON = dt.datetime(2000, 1, 6, 18, 14)
PHASES = ("New Moon", "Waxing Crescent", "First Quarter", "Waxing Gibbous", "Full Moon", "Waning Gibbous",
          "Last Quarter", "Waning Crescent")


def _moon(a: Args) -> Response:
    noon = dt.datetime.fromisoformat(a["date"] + "T12:00")
    age = ((noon - KNOWN_NEW_MOON).total_seconds() / 86400) % SYNODIC_DAYS
    illumination = round(50 * (1 - math.cos(2 * math.pi * age / SYNODIC_DAYS)))
    return {"date": a["date"], "phase": PHASES[int(age / SYNODIC_DAYS * 8 + 0.5) % 8],
            "illumination_pct": illumination, "moon_age_days": round(age, 1)}


UNITS = Param("units", "ENUM", "Unit system: metric or imperial", "metric", names(("metric", "imperial")))

SKYCAST = Tool("SkyCast Weather", "Current weather and daily forecasts for cities worldwide.", (
    Api("Current Weather", "Current conditions for a city: temperature, sky, humidity and wind.",
        (city_param(),), _current,
        asks=("What's the weather like in {city} right now?",
              "Can you check the current weather conditions in {city}?",
              "Tell me the current temperature and sky conditions in {city}.",
              "How warm is it in {city} at the moment, and what is the sky like?"),
        answer="It is currently {temperature} degrees {temperature_unit} and {condition} in {city}.",
        facts=fields("{temperature}", "{condition}"), optional=(UNITS,)),
    Api("Daily Forecast", "Forecast for one day: minimum and maximum temperature (Celsius) and chance of rain.",
        (city_param(), date_param()), _forecast,
        asks=("What is the forecast high in {city} on {date}, and how likely is rain?",
              "Give me the weather forecast for {city} on {date}, including the chance of rain.",
              "I need the maximum temperature and rain probability for {city} on {date}."),
        answer="On {date} {city} will reach {max_temp_c} C with a {chance_of_rain}% chance of rain.",
        facts=fields("{max_temp_c}", "{chance_of_rain}")),
))

AIRQUALITY = Tool("AirQuality Now", "Air quality index and pollen levels by city.", (
    Api("City Air Quality", "The current air quality index (US AQI) of a city and its category.",
        (city_param(),), _air,
        asks=("How is the air quality in {city} today?",
              "What's the current AQI in {city}?",
              "Check the air quality index for {city} and tell me what category it falls in."),
        answer="The air quality index in {city} is {aqi} ({category}).",
        facts=fields("{aqi}", "{category}")),
    Api("Pollen Forecast", "Pollen levels (tree, grass, weed) and an overall index for a city and day.",
        (city_param(), date_param()), _pollen,
        asks=("What's the pollen forecast for {city} on {date}?",
              "I have hay fever: how bad will the grass pollen be in {city} on {date}?",
              "Get the pollen index for {city} on {date}."),
        answer="On {date} the pollen index in {city} is {overall_index}, with {grass_pollen} grass pollen.",
        facts=fields("{overall_index}", "{grass_pollen}")),
))

SUNTIMES = Tool("SunTimes", "Sunrise, sunset and moon phases.", (
    Api("Sunrise Sunset", "Sunrise and sunset times (local standard time) for a city on a date.",
        (city_param(), date_param()), _sun,
        asks=("When does the sun rise and set in {city} on {date}?",
              "What time are sunrise and sunset in {city} on {date}?",
              "I'm planning a photo shoot in {city} on {date}; tell me the sunrise and sunset times."),
        answer="On {date} in {city} the sun rises at {sunrise} and sets at {sunset}.",
        facts=fields("{sunrise}", "{sunset}")),
    Api("Moon Phase", "The moon phase and illuminated fraction on a date.",
        (date_param(),), _moon,
        asks=("What phase is the moon in on {date}?",
              "How much of the moon is illuminated on {date}, and which phase is it?",
              "Tell me the moon phase for {date}."),
        answer="On {date} the moon is a {phase}, {illumination_pct}% illuminated.",
        facts=fields("{phase}", "{illumination_pct}")),
))

TOOLS = (SKYCAST, AIRQUALITY, SUNTIMES)
