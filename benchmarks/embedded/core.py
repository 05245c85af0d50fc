"""The building blocks of the embedded world: stable pseudo-random draws, argument domains, APIs, tools.

Every value the world returns is a pure function of the call's arguments: "random" numbers come from a
keyed hash (`unit`), never from a random generator's state, so any call answers the same in any order,
process or Python version, and the simulator can answer calls the benchmark never generated.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from random import Random
from typing import Any

WORLD_VERSION = "embedded-world-v1"  # part of every draw: changing it changes every value of the world

Response = dict[str, Any]
Args = dict[str, Any]
TYPE_DATE = "DATE (YYYY-MM-DD)"


class InvalidArguments(ValueError):
    """A call the world cannot answer (unknown entity, bad value, missing parameter)."""


# ---- stable draws -----------------------------------------------------------------------------------

def unit(*key: object) -> float:
    """A number in [0, 1) fixed by the key (and the world version)."""
    text = "\x1f".join((WORLD_VERSION, *map(str, key)))
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def between(low: float, high: float, *key: object, ndigits: int = 1) -> float:
    return round(low + (high - low) * unit(*key), ndigits)


def integer(low: int, high: int, *key: object) -> int:
    """An int in [low, high], both ends included."""
    return low + int(unit(*key) * (high - low + 1))


def pick(options: Sequence[Any], *key: object) -> Any:
    return options[int(unit(*key) * len(options))]


def ranked(options: Sequence[Any], *key: object) -> list[Any]:
    """The options in an order fixed by the key (a stable shuffle)."""
    return sorted(options, key=lambda o: unit(*key, o))


def clock(minutes: int) -> str:
    """Minutes after midnight as "HH:MM" (wrapping past midnight)."""
    minutes %= 24 * 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# ---- argument domains -------------------------------------------------------------------------------

def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Domain:
    """The values a parameter takes: `parse` maps a raw argument to its canonical value (raising
    InvalidArguments), `sample` draws a value a query may ask about."""

    parse: Callable[[Any], Any]
    sample: Callable[[Random], Any]


def names(options: Sequence[str], ask: Sequence[str] | None = None) -> Domain:
    """One of fixed names, matched ignoring case and spacing; queries ask about `ask` (default all)."""
    table = {_fold(o): o for o in options}
    asked = tuple(ask if ask is not None else options)

    def parse(raw: Any) -> str:
        if isinstance(raw, str) and _fold(raw) in table:
            return table[_fold(raw)]
        raise InvalidArguments(f"unknown value {raw!r}")

    return Domain(parse, lambda rng: rng.choice(asked))


def free_text(ask: Sequence[str]) -> Domain:
    """Any non-empty text (stripped); queries ask about `ask`."""
    def parse(raw: Any) -> str:
        if isinstance(raw, str) and raw.strip():
            return " ".join(raw.split())
        raise InvalidArguments(f"expected text, got {raw!r}")

    return Domain(parse, lambda rng: rng.choice(tuple(ask)))


def _number(raw: Any) -> float:
    if isinstance(raw, bool):
        raise InvalidArguments(f"expected a number, got {raw!r}")
    if isinstance(raw, (int, float)):
        return float(raw)
    if isinstance(raw, str):
        try:
            return float(raw.strip().replace(",", ""))
        except ValueError:
            pass
    raise InvalidArguments(f"expected a number, got {raw!r}")


def whole(low: int, high: int, ask: Sequence[int] | None = None) -> Domain:
    """An integer in [low, high] ("5", 5 and 5.0 are the same); queries ask about `ask` or any."""
    def parse(raw: Any) -> int:
        value = _number(raw)
        if not value.is_integer() or not low <= value <= high:
            raise InvalidArguments(f"expected a whole number in [{low}, {high}], got {raw!r}")
        return int(value)

    def sample(rng: Random) -> int:
        return rng.choice(tuple(ask)) if ask is not None else rng.randint(low, high)

    return Domain(parse, sample)


def decimal(low: float, high: float, ask: Sequence[float]) -> Domain:
    """A number in [low, high] (ints stay ints, so the echo in a response reads as asked)."""
    def parse(raw: Any) -> int | float:
        value = _number(raw)
        if not low <= value <= high:
            raise InvalidArguments(f"expected a number in [{low}, {high}], got {raw!r}")
        return int(value) if value.is_integer() else value

    return Domain(parse, lambda rng: rng.choice(tuple(ask)))


FIRST_DAY, LAST_DAY = dt.date(2023, 1, 1), dt.date(2025, 12, 31)


def dates(first: dt.date = FIRST_DAY, last: dt.date = LAST_DAY) -> Domain:
    """A "YYYY-MM-DD" date within [first, last]."""
    span = (last - first).days

    def parse(raw: Any) -> str:
        try:
            day = dt.date.fromisoformat(raw.strip()) if isinstance(raw, str) and len(raw.strip()) == 10 else None
        except ValueError:
            day = None
        if day is None or not first <= day <= last:
            raise InvalidArguments(f"expected a date YYYY-MM-DD in [{first}, {last}], got {raw!r}")
        return day.isoformat()

    return Domain(parse, lambda rng: (first + dt.timedelta(days=rng.randint(0, span))).isoformat())


def clock_times() -> Domain:
    """A 24-hour "HH:MM" time."""
    def parse(raw: Any) -> str:
        parts = raw.strip().split(":") if isinstance(raw, str) else []
        if len(parts) == 2 and all(p.isdigit() for p in parts) and int(parts[0]) < 24 and int(parts[1]) < 60:
            return clock(int(parts[0]) * 60 + int(parts[1]))
        raise InvalidArguments(f"expected a time HH:MM, got {raw!r}")

    return Domain(parse, lambda rng: clock(rng.randrange(6 * 4, 23 * 4) * 15))


# ---- APIs and tools ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Param:
    """One parameter as ToolBench documents it (`type` keeps ToolBench's un-normalised spellings)."""

    name: str
    type: str
    description: str
    default: Any
    domain: Domain

    def entry(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "description": self.description, "default": self.default}

    def parse(self, raw: Any) -> Any:
        """The canonical value; InvalidArguments naming this parameter."""
        try:
            return self.domain.parse(raw)
        except InvalidArguments as e:
            raise InvalidArguments(f"{self.name}: {e}") from None


Respond = Callable[[Args], Response]
Facts = Callable[[Mapping[str, Any]], tuple[str, ...]]
AnswerFields = Callable[[Args, Response], dict[str, str]]


def fields(*templates: str) -> Facts:
    """Facts given as format strings over the call's arguments and response ("{temperature}")."""
    return lambda ctx: tuple(t.format_map(ctx) for t in templates)


@dataclass(frozen=True)
class Api:
    """One endpoint: documentation, the pure function behind it, and how a user asks for it.

    `asks` are request phrasings over the sampled arguments ("{city}"), with `ask_fields` overriding how
    an argument reads in a sentence (a list of codes as "EUR, GBP and JPY"); `answer` states the result over
    the context (arguments, response fields, and `answer_fields` for values needing code, like lists);
    `facts` are the values a correct answer must contain, over the same context. `sample` draws the
    arguments of a query (default: every required parameter from its domain).
    """

    name: str
    description: str
    required: tuple[Param, ...]
    respond: Respond
    asks: tuple[str, ...]
    answer: str
    facts: Facts
    optional: tuple[Param, ...] = ()
    sample: Callable[[Random], Args] | None = None
    answer_fields: AnswerFields | None = None
    ask_fields: Callable[[Args], dict[str, str]] | None = None

    def draw_args(self, rng: Random) -> Args:
        if self.sample is not None:
            return self.sample(rng)
        return {p.name: p.domain.sample(rng) for p in self.required}

    def canonical_args(self, args: Mapping[str, Any]) -> Args:
        """Every parameter parsed (defaults for absent optional ones); InvalidArguments when invalid.
        Unknown extra arguments are ignored, as a real HTTP API ignores unknown query parameters."""
        out: Args = {}
        for p in self.required:
            if p.name not in args:
                raise InvalidArguments(f"missing required parameter {p.name!r}")
            out[p.name] = p.parse(args[p.name])
        for p in self.optional:
            absent = args.get(p.name) in (None, "")
            out[p.name] = p.parse(p.default if absent else args[p.name])
        return out

    def reply(self, args: Mapping[str, Any]) -> Response:
        """The world's answer to a call; InvalidArguments saying why there is none."""
        return self.respond(self.canonical_args(args))

    def call(self, args: Mapping[str, Any]) -> Response | None:
        """The world's answer to a call, or None when the arguments are invalid."""
        try:
            return self.reply(args)
        except InvalidArguments:
            return None

    def default_args(self) -> Args:
        return {p.name: p.default for p in self.required}

    def context(self, args: Args, response: Response) -> dict[str, Any]:
        """What `answer` and `facts` are formatted over."""
        extra = self.answer_fields(args, response) if self.answer_fields is not None else {}
        return {**args, **response, **extra}


@dataclass(frozen=True)
class Tool:
    """A RapidAPI tool: a named bundle of APIs of one category."""

    name: str
    description: str
    apis: tuple[Api, ...]
