"""Movies: film facts, cinema showtimes and ticket prices, box office figures."""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from benchmarks.embedded.catalog.common import CITY_ARG, city_param, date_param, money
from benchmarks.embedded.core import Api, Args, Param, Response, Tool, between, clock, fields, integer, names, pick
from benchmarks.embedded.entities import CITY, COUNTRY, CURRENCY, FILM, FILMS

CATEGORY = "Movies"

_FILMS_PER_DIRECTOR = Counter(f.director for f in FILMS)
DIRECTORS = tuple(sorted(_FILMS_PER_DIRECTOR))
PROLIFIC_DIRECTORS = tuple(d for d in DIRECTORS if _FILMS_PER_DIRECTOR[d] >= 2)
TITLE = Param("title", "STRING", "Movie title, e.g. Inception", "Inception", names([f.title for f in FILMS]))


def _details(a: Args) -> Response:
    f = FILM[a["title"]]
    return {"title": f.title, "year": f.year, "director": f.director, "runtime_min": f.runtime_min,
            "genres": list(f.genres), "rating": between(7.0, 9.3, f.title, "rating")}


def _by_director(a: Args) -> Response:
    films = sorted((f for f in FILMS if f.director == a["director"]), key=lambda f: f.year)
    return {"director": a["director"], "movies": [{"title": f.title, "year": f.year} for f in films]}


def _director_facts(ctx: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(m["title"] for m in ctx["movies"])


CINEMAS = ("Odeon", "Cineplex", "Filmhaus", "Lumiere", "Rex", "Palace", "Majestic", "Starlight")


def _showtimes(a: Args) -> Response:
    key = (a["movie"], a["city"], a["date"])
    first = integer(11 * 4, 15 * 4, *key) * 15
    gap = integer(150, 200, *key, "gap")
    return {"movie": a["movie"], "city": a["city"], "date": a["date"],
            "cinema": f"{pick(CINEMAS, a['city'], a['movie'])} {a['city']}",
            "showtimes": [clock(first + i * gap) for i in range(3)]}


FORMAT_FACTOR = {"2D": 1.0, "3D": 1.3, "IMAX": 1.6}


def _tickets(a: Args) -> Response:
    code = COUNTRY[CITY[a["city"]].country].currency
    usd = between(7, 15, a["city"], "ticket", ndigits=2) * FORMAT_FACTOR[a["format"]]
    return {"city": a["city"], "format": a["format"], "price": money(usd * CURRENCY[code].per_usd, code),
            "currency": code}


def _opening(a: Args) -> Response:
    f = FILM[a["title"]]
    return {"title": f.title, "release_year": f.year, "opening_weekend_usd": integer(8_000_000, 160_000_000, f.title),
            "theaters": integer(1800, 4400, f.title, "theaters")}


def _gross(a: Args) -> Response:
    f = FILM[a["title"]]
    domestic = integer(40_000_000, 700_000_000, f.title, "domestic")
    international = integer(30_000_000, 1_500_000_000, f.title, "international")
    return {"title": f.title, "domestic_usd": domestic, "international_usd": international,
            "worldwide_usd": domestic + international}


CINEDB = Tool("CineDB", "A movie database: film facts, directors and filmographies.", (
    Api("Movie Details", "Release year, director, runtime, genres and rating of a movie.", (TITLE,), _details,
        asks=("Who directed {title} and what year did it come out?",
              "Get the movie details for {title}: director and release year.",
              "When was {title} released, and who was the director?"),
        answer="{title} was directed by {director} and released in {year}.",
        facts=fields("{director}", "{year}")),
    Api("Movies By Director", "All movies in the database by one director, oldest first.",
        (Param("director", "STRING", "Director name, e.g. Christopher Nolan", "Christopher Nolan",
               names(DIRECTORS, PROLIFIC_DIRECTORS)),), _by_director,
        asks=("Which movies by {director} are in the database?",
              "List the films directed by {director}.",
              "What has {director} directed? Give me the titles."),
        answer="{director} directed {titles}.",
        answer_fields=lambda a, r: {"titles": ", ".join(m["title"] for m in r["movies"])},
        facts=_director_facts),
))

SHOWTIMES = Tool("ShowtimeNow", "Cinema showtimes and ticket prices in major cities.", (
    Api("Showtimes", "Where and when a movie plays in a city on a date.",
        (Param("movie", "STRING", "Movie title", "Inception", TITLE.domain), city_param(), date_param()), _showtimes,
        asks=("Where can I watch {movie} in {city} on {date}, and when is the first screening?",
              "Find showtimes for {movie} in {city} on {date}.",
              "I'd like to see {movie} in {city} on {date}. Which cinema shows it and at what time?"),
        answer="{movie} plays at {cinema} on {date}; the first showing is at {showtimes[0]}.",
        facts=fields("{cinema}", "{showtimes[0]}")),
    Api("Ticket Prices", "Average cinema ticket price in a city (local currency) for a screening format.",
        (city_param(),), _tickets,
        optional=(Param("format", "ENUM", "Screening format: 2D, 3D or IMAX", "2D", names(tuple(FORMAT_FACTOR))),),
        sample=lambda rng: {"city": CITY_ARG.sample(rng), "format": rng.choice(tuple(FORMAT_FACTOR))},
        asks=("How much does a cinema ticket for {format} cost in {city}?",
              "What does a movie ticket in {format} cost in {city}?",
              "Check the average ticket price for {format} screenings in {city}."),
        answer="A ticket for {format} in {city} costs about {price} {currency}.",
        facts=fields("{price}", "{currency}")),
))

BOXOFFICE = Tool("BoxOffice Stats", "Box office figures for feature films.", (
    Api("Opening Weekend", "Domestic opening-weekend gross (USD) and theater count of a movie.", (TITLE,), _opening,
        asks=("How much did {title} make on its opening weekend?",
              "What was the opening weekend gross of {title}?",
              "Look up {title}'s opening weekend box office."),
        answer="{title} opened with {opening_weekend_usd:,} USD in {theaters} theaters.",
        facts=fields("{opening_weekend_usd}")),
    Api("Worldwide Gross", "Domestic, international and worldwide gross (USD) of a movie.", (TITLE,), _gross,
        asks=("How much did {title} gross worldwide?",
              "What is the total worldwide box office of {title}?",
              "Find the worldwide gross for {title}."),
        answer="{title} grossed {worldwide_usd:,} USD worldwide.",
        facts=fields("{worldwide_usd}")),
))

TOOLS = (CINEDB, SHOWTIMES, BOXOFFICE)
