"""Travel: flight status and search, airport information, hotels."""
from __future__ import annotations

import re
from random import Random
from typing import Any

from benchmarks.embedded.catalog.common import DATE_ARG, city_param, date_param
from benchmarks.embedded.core import (
    Api,
    Args,
    Domain,
    InvalidArguments,
    Param,
    Response,
    Tool,
    between,
    clock,
    fields,
    integer,
    names,
    pick,
    ranked,
    whole,
)
from benchmarks.embedded.entities import AIRLINE, AIRLINES, AIRPORT, AIRPORTS

CATEGORY = "Travel"

# Every ordered airport pair has one flight number per airline: number n of airline A flies route
# ROUTES[(n - 1 + offset(A)) % len(ROUTES)], so status and search always agree on a flight's route.
ROUTES = tuple((o.iata, d.iata) for o in AIRPORTS for d in AIRPORTS if o != d)
ROUTE_INDEX = {r: i for i, r in enumerate(ROUTES)}
_FLIGHT = re.compile(r"([A-Z]{2})\s*-?\s*(\d{1,4})")
# No "On Time": queries ask "is it on time?", so the query itself would state that fact.
STATUSES = ("Scheduled", "Boarding", "Delayed", "Departed", "Landed", "Cancelled")


def _offset(airline: str) -> int:
    return integer(0, len(ROUTES) - 1, airline, "route offset")


def _route(airline: str, number: int) -> tuple[str, str]:
    return ROUTES[(number - 1 + _offset(airline)) % len(ROUTES)]


def _number(airline: str, route: tuple[str, str]) -> int:
    return (ROUTE_INDEX[route] - _offset(airline)) % len(ROUTES) + 1


def _parse_flight(raw: Any) -> str:
    match = _FLIGHT.fullmatch(raw.strip().upper()) if isinstance(raw, str) else None
    if match is None or match[1] not in AIRLINE or not 1 <= int(match[2]) <= len(ROUTES):
        raise InvalidArguments(f"unknown flight number {raw!r}")
    return f"{match[1]}{int(match[2])}"


FLIGHT = Domain(_parse_flight, lambda rng: f"{rng.choice(AIRLINES).code}{rng.randint(1, len(ROUTES))}")
IATA = names([a.iata for a in AIRPORTS])


def _departure(flight: str) -> str:
    return clock(integer(5 * 4, 22 * 4, flight, "departure") * 15)


def _status(a: Args) -> Response:
    code, number = a["flight_number"][:2], int(a["flight_number"][2:])
    origin, destination = _route(code, number)
    status = pick(STATUSES, a["flight_number"], a["date"])
    return {"flight_number": a["flight_number"], "airline": AIRLINE[code].name, "date": a["date"], "origin": origin,
            "destination": destination, "scheduled_departure": _departure(a["flight_number"]), "status": status,
            "delay_min": integer(10, 120, a["flight_number"], a["date"]) if status == "Delayed" else 0}


def _search(a: Args) -> Response:
    route = (a["origin"], a["destination"])
    if route not in ROUTE_INDEX:
        raise InvalidArguments("origin and destination must differ")
    flights = []
    for airline in ranked([x.code for x in AIRLINES], *route)[:3]:
        number = f"{airline}{_number(airline, route)}"
        flights.append({"flight_number": number, "airline": AIRLINE[airline].name, "departure": _departure(number),
                        "price_usd": between(80, 1400, number, a["date"], ndigits=2)})
    return {"origin": a["origin"], "destination": a["destination"], "date": a["date"],
            "flights": sorted(flights, key=lambda f: f["price_usd"])}


def _sample_search(rng: Random) -> Args:
    origin, destination = rng.sample([x.iata for x in AIRPORTS], 2)
    return {"origin": origin, "destination": destination, "date": DATE_ARG.sample(rng)}


def _airport(a: Args) -> Response:
    x = AIRPORT[a["iata"]]
    return {"iata": x.iata, "icao": x.icao, "name": x.name, "city": x.city, "country": x.country}


def _delays(a: Args) -> Response:
    return {"iata": a["iata"], "average_delay_min": integer(4, 55, a["iata"], "delay"),
            "on_time_pct": between(62, 94, a["iata"], "on time"), "cancelled_today": integer(0, 14, a["iata"], "cx")}


HOTEL_PATTERNS = ("Grand {city} Hotel", "{city} Central Suites", "Hotel {word}", "The {word} House",
                  "{city} Harbour Inn", "{word} Boutique Hotel", "{city} Garden Residence", "Casa {word}")
HOTEL_WORDS = ("Aurora", "Belvedere", "Cypress", "Meridian", "Solstice", "Linden", "Marlowe", "Verona")


def _hotels(a: Args) -> Response:
    city = a["city"]
    labels = [p.format(city=city, word=pick(HOTEL_WORDS, city, p)) for p in ranked(HOTEL_PATTERNS, city)[:3]]
    rows = []
    for name in labels:
        nightly = between(60, 420, name, a["checkin"][:7], ndigits=2)
        rows.append({"name": name, "stars": integer(2, 5, name), "price_per_night": nightly,
                     "total_price": round(nightly * a["nights"], 2)})
    return {"city": city, "checkin": a["checkin"], "nights": a["nights"], "currency": "USD",
            "hotels": sorted(rows, key=lambda h: h["total_price"])}


def _average_price(a: Args) -> Response:
    return {"city": a["city"], "stars": a["stars"], "currency": "USD",
            "average_price_per_night": round(between(45, 110, a["city"], "avg", ndigits=2) * (a["stars"] - 1), 2),
            "hotels_sampled": integer(12, 240, a["city"], a["stars"])}


FLIGHTS = Tool("FlightStatus Live", "Live flight status and flight search between airports.", (
    Api("Flight Status", "Route, schedule and status of a flight on a date.",
        (Param("flight_number", "STRING", "IATA flight number, e.g. LH400", "LH400", FLIGHT), date_param()),
        _status,
        asks=("What's the status of flight {flight_number} on {date}, and where is it headed?",
              "Check flight {flight_number} on {date} for me: destination and status.",
              "Is flight {flight_number} on {date} on time, and which airport is it flying to?"),
        answer="Flight {flight_number} to {destination} on {date} is {status}.",
        facts=fields("{destination}", "{status}")),
    Api("Flights Between", "Flights between two airports (IATA codes) on a date, cheapest first.",
        (Param("origin", "STRING", "Departure airport IATA code, e.g. LIS", "LIS", IATA),
         Param("destination", "STRING", "Arrival airport IATA code, e.g. JFK", "JFK", IATA), date_param()),
        _search, sample=_sample_search,
        asks=("Find the cheapest flight from {origin} to {destination} on {date}.",
              "What's the lowest fare from {origin} to {destination} on {date}, and which flight is it?",
              "Search flights {origin} to {destination} for {date} and give me the cheapest option."),
        answer="The cheapest is {flights[0][flight_number]} ({flights[0][airline]}) at {flights[0][price_usd]} USD.",
        facts=fields("{flights[0][flight_number]}", "{flights[0][price_usd]}")),
))

AIRPORTS_TOOL = Tool("Airport Info", "Airport names, codes and punctuality statistics.", (
    Api("Airport By Code", "Name, ICAO code, city and country of an airport by IATA code.",
        (Param("iata", "STRING", "IATA airport code, e.g. CDG", "CDG", IATA),), _airport,
        asks=("Which airport has the code {iata}, and what city is it in?",
              "Look up airport {iata}: full name and city.",
              "What is the full name of the {iata} airport and which city does it serve?"),
        answer="{iata} is {name} in {city}, {country}.",
        facts=fields("{name}", "{city}")),
    Api("Airport Delays", "Today's average departure delay and on-time share at an airport.",
        (Param("iata", "STRING", "IATA airport code, e.g. CDG", "CDG", IATA),), _delays,
        asks=("How delayed are departures at {iata} today?",
              "What's the average delay and on-time rate at {iata} airport today?",
              "Check today's punctuality at {iata}."),
        answer="At {iata} departures average {average_delay_min} minutes late; {on_time_pct}% leave on time.",
        facts=fields("{average_delay_min}", "{on_time_pct}")),
))

HOTELS = Tool("StayFinder", "Hotel search and price statistics.", (
    Api("Search Hotels", "Hotels in a city for a stay (check-in date and number of nights), cheapest first.",
        (city_param(), date_param("checkin", "Check-in date in YYYY-MM-DD format"),
         Param("nights", "NUMBER", "Number of nights (1-14)", 2, whole(1, 14, (1, 2, 3, 4, 5, 7)))), _hotels,
        asks=("Find me the cheapest hotel in {city} for {nights} nights from {checkin}.",
              "I need a hotel in {city}, checking in on {checkin} for {nights} nights. "
              "What's the cheapest and its total price?",
              "Search hotels in {city} from {checkin}, {nights} nights, and tell me the best-priced one."),
        answer="The cheapest is {hotels[0][name]} at {hotels[0][total_price]} USD for {nights} nights.",
        facts=fields("{hotels[0][name]}", "{hotels[0][total_price]}")),
    Api("Average Hotel Price", "Average nightly hotel price in a city for a star rating.",
        (city_param(), Param("stars", "NUMBER", "Star rating (2-5)", 3, whole(2, 5))), _average_price,
        asks=("What does a {stars}-star hotel cost per night on average in {city}?",
              "Average nightly price of {stars}-star hotels in {city}?",
              "How expensive are {stars}-star hotels in {city}, per night?"),
        answer="A {stars}-star hotel in {city} averages {average_price_per_night} USD per night.",
        facts=fields("{average_price_per_night}")),
))

TOOLS = (FLIGHTS, AIRPORTS_TOOL, HOTELS)
