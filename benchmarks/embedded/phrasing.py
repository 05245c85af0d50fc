"""How a user words a query: an optional scenario opener, one request per API call (each API has
several templates), connectors between requests, and dates written either way a person would.

All choices come from the query's own seeded Random, so a query's text depends only on the seed.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from random import Random
from typing import Any

from benchmarks.embedded.core import TYPE_DATE, Api

OPENERS: dict[str, tuple[str, ...]] = {
    "Weather": ("I'm planning a weekend outdoors.", "I'm organising a trip and want to be ready for the weather."),
    "Finance": ("I'm reviewing my investments.", "I'm preparing a budget for an overseas trip."),
    "Food": ("I'm planning dinner for my family.", "I'm trying to eat more healthily."),
    "Movies": ("My friends and I are planning a movie night.", "I'm a big film buff."),
    "Sports": ("I'm settling a sports debate with my friends.", "I'm writing questions for a sports quiz."),
    "Travel": ("I'm organising a business trip.", "My partner and I are planning a vacation."),
    "Location": ("I work with colleagues all around the world.", "I'm preparing a geography lesson."),
    "Health_and_Fitness": ("I've just started a new fitness plan.", "I'm trying to get in shape."),
    "Music": ("I'm putting together a playlist for a party.", "I love discovering new music."),
    "Education": ("I'm helping my kid with homework.", "I'm preparing study material for a class."),
    "Mathematics": ("I'm working through some calculations.", "I need help with a few numbers."),
}
GENERAL_OPENERS = ("I have a few questions for you.", "Could you help me with a couple of things?",
                   "I'm juggling several errands today.")
CONNECTORS = ("Also,", "Additionally,", "Furthermore,", "On top of that,", "Besides that,", "And", "Next,")
CLOSINGS = ("Thanks!", "Thank you in advance.", "I appreciate your help.")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def date_spellings(iso: str) -> tuple[str, ...]:
    """Ways a person writes a YYYY-MM-DD date (the model must convert the others back)."""
    day = dt.date.fromisoformat(iso)
    month = MONTHS[day.month - 1]
    return iso, f"{month} {day.day}, {day.year}", f"{day.day} {month} {day.year}"


def request(api: Api, args: dict[str, Any], rng: Random) -> str:
    """One sentence asking for one call, with the call's arguments written in."""
    dates = {p.name for p in (*api.required, *api.optional) if p.type == TYPE_DATE}
    shown = {k: rng.choice(date_spellings(v)) if k in dates else v for k, v in args.items()}
    if api.ask_fields is not None:
        shown.update(api.ask_fields(args))
    return rng.choice(api.asks).format_map(shown)


def _after_connector(sentence: str) -> str:
    """Lowercase the first word after a connector, except "I" and its contractions."""
    first = sentence.split(" ", 1)[0]
    return sentence if first == "I" or first.startswith("I'") else sentence[0].lower() + sentence[1:]


def query(requests: Sequence[str], categories: Sequence[str], rng: Random) -> str:
    """Join the requests into one message: maybe an opener, connectors, maybe a closing."""
    parts: list[str] = []
    if rng.random() < 0.6:
        openers = OPENERS[categories[0]] if len(set(categories)) == 1 else GENERAL_OPENERS
        parts.append(rng.choice(openers))
    for i, sentence in enumerate(requests):
        parts.append(f"{rng.choice(CONNECTORS)} {_after_connector(sentence)}" if i else sentence)
    if rng.random() < 0.25:
        parts.append(rng.choice(CLOSINGS))
    return " ".join(parts)


def answer(api: Api, context: Mapping[str, Any]) -> str:
    """The gold answer sentence of one call."""
    return api.answer.format_map(context)
