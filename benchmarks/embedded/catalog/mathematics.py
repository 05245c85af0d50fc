"""Mathematics: interest and percentages, unit conversion, primes (exact computations)."""
from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from random import Random
from typing import Any

from benchmarks.embedded.core import Api, Args, Param, Response, Tool, decimal, fields, names, whole

CATEGORY = "Mathematics"

METRES_PER = {"mm": 0.001, "cm": 0.01, "m": 1.0, "km": 1000.0, "in": 0.0254, "ft": 0.3048, "yd": 0.9144,
              "mi": 1609.344}
SCALES = ("celsius", "fahrenheit", "kelvin")
MAX_NTH_PRIME = 10_000
SMALL_PRIMES = (7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97)


def _clean(x: float, ndigits: int) -> int | float:
    value = round(x, ndigits)
    return int(value) if float(value).is_integer() else value


def _compound(a: Args) -> Response:
    n = a["compounds_per_year"]
    final = a["principal"] * (1 + a["annual_rate_pct"] / 100 / n) ** (n * a["years"])
    return {**a, "final_amount": round(final, 2), "interest_earned": round(final - a["principal"], 2)}


def _percent(a: Args) -> Response:
    return {**a, "result": _clean(a["percent"] * a["value"] / 100, 4)}


def _length(a: Args) -> Response:
    return {**a, "result": _clean(a["value"] * METRES_PER[a["from_unit"]] / METRES_PER[a["to_unit"]], 4)}


def _to_kelvin(value: float, scale: str) -> float:
    return {"celsius": value + 273.15, "fahrenheit": (value - 32) * 5 / 9 + 273.15, "kelvin": value}[scale]


def _temperature(a: Args) -> Response:
    k = _to_kelvin(a["value"], a["from_scale"])
    result = {"celsius": k - 273.15, "fahrenheit": (k - 273.15) * 9 / 5 + 32, "kelvin": k}[a["to_scale"]]
    return {**a, "result": _clean(result, 2)}


def _factors(n: int) -> list[int]:
    found, p = [], 2
    while p * p <= n:
        while n % p == 0:
            found.append(p)
            n //= p
        p += 1
    return found + ([n] if n > 1 else [])


def _prime_factors(a: Args) -> Response:
    factors = _factors(a["number"])
    return {"number": a["number"], "factors": factors, "distinct": sorted(set(factors)), "is_prime": len(factors) == 1}


def _distinct_facts(ctx: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(p) for p in ctx["distinct"])


@cache
def _primes() -> tuple[int, ...]:
    """The first MAX_NTH_PRIME primes (sieve up to the 10,000th prime, 104,729)."""
    limit = 104_730
    sieve = bytearray([1]) * limit
    sieve[:2] = b"\x00\x00"
    for i in range(2, int(limit**0.5) + 1):
        if sieve[i]:
            sieve[i * i:: i] = bytearray(len(range(i * i, limit, i)))
    return tuple(i for i in range(limit) if sieve[i])


def _nth_prime(a: Args) -> Response:
    return {"n": a["n"], "prime": _primes()[a["n"] - 1]}


def _sample_factors(rng: Random) -> Args:
    """2-3 two-digit primes, the first possibly squared (at most 97^2 x 89 x 83, well under the limit)."""
    first, *others = rng.sample(SMALL_PRIMES, rng.randint(2, 3))
    number = first ** rng.randint(1, 2)
    for p in others:
        number *= p
    return {"number": number}


def _sample_length(rng: Random) -> Args:
    source, target = rng.sample(tuple(METRES_PER), 2)
    return {"value": rng.choice((3, 12, 25, 42, 100, 250, 1500)), "from_unit": source, "to_unit": target}


def _sample_temperature(rng: Random) -> Args:
    source, target = rng.sample(SCALES, 2)
    values = (0, 77, 273.15, 300, 373.15) if source == "kelvin" else (-5, 0, 18, 25, 37, 100)  # not -40: C = F
    return {"value": rng.choice(values), "from_scale": source, "to_scale": target}


UNIT = names(tuple(METRES_PER))
SCALE = names(SCALES)
ANY_NUMBER = decimal(-1e12, 1e12, (0,))

CALC = Tool("CalcPro", "Financial and everyday calculators.", (
    Api("Compound Interest", "Final amount of a deposit with compound interest.",
        (Param("principal", "NUMBER", "Initial deposit", 1000, decimal(0, 1e12, (1000,))),
         Param("annual_rate_pct", "NUMBER", "Annual interest rate in percent", 5, decimal(0, 100, (5,))),
         Param("years", "NUMBER", "Number of years", 10, whole(0, 100))), _compound,
        optional=(Param("compounds_per_year", "NUMBER", "Compounding periods per year", 12, whole(1, 365)),),
        sample=lambda rng: {"principal": rng.choice((500, 1000, 2500, 10000, 25000)),
                            "annual_rate_pct": rng.choice((2, 3.5, 4, 5, 6.25, 8)), "years": rng.randint(1, 30)},
        asks=("If I invest {principal} at {annual_rate_pct}% a year, compounded monthly, how much will I have "
              "after {years} years?",
              "Calculate compound interest on {principal} at {annual_rate_pct}% annual interest over {years} years "
              "(monthly compounding).",
              "What will a deposit of {principal} grow to in {years} years at {annual_rate_pct}% per year, "
              "compounded monthly?"),
        answer="After {years} years the deposit grows to {final_amount}.",
        facts=fields("{final_amount}")),
    Api("Percentage Of", "A percentage of a value.",
        (Param("percent", "NUMBER", "The percentage", 15, ANY_NUMBER),
         Param("value", "NUMBER", "The value", 80, ANY_NUMBER)),
        _percent,
        sample=lambda rng: {"percent": rng.choice((7.5, 12, 15, 18, 22.5, 35, 62)),
                            "value": rng.choice((48, 86, 129.9, 240, 1375, 4820))},
        asks=("What is {percent}% of {value}?",
              "Calculate {percent} percent of {value}.",
              "I need {percent}% of {value}; what does that come to?"),
        answer="{percent}% of {value} is {result}.",
        facts=fields("{result}")),
))

UNITS = Tool("UnitMaster", "Unit conversion for length and temperature.", (
    Api("Convert Length", "Convert a length between mm, cm, m, km, in, ft, yd and mi.",
        (Param("value", "NUMBER", "Length to convert", 1, ANY_NUMBER),
         Param("from_unit", "ENUM", "Unit of the value: mm, cm, m, km, in, ft, yd, mi", "m", UNIT),
         Param("to_unit", "ENUM", "Target unit: mm, cm, m, km, in, ft, yd, mi", "ft", UNIT)), _length,
        sample=_sample_length,
        asks=("Convert {value} {from_unit} to {to_unit}.",
              "How many {to_unit} is {value} {from_unit}?",
              "What is {value} {from_unit} in {to_unit}?"),
        answer="{value} {from_unit} is {result} {to_unit}.",
        facts=fields("{result}")),
    Api("Convert Temperature", "Convert a temperature between celsius, fahrenheit and kelvin.",
        (Param("value", "NUMBER", "Temperature to convert", 0, ANY_NUMBER),
         Param("from_scale", "ENUM", "celsius, fahrenheit or kelvin", "celsius", SCALE),
         Param("to_scale", "ENUM", "celsius, fahrenheit or kelvin", "fahrenheit", SCALE)), _temperature,
        sample=_sample_temperature,
        asks=("Convert {value} degrees {from_scale} to {to_scale}.",
              "What is {value} {from_scale} in {to_scale}?",
              "How much is {value} degrees {from_scale} on the {to_scale} scale?"),
        answer="{value} {from_scale} is {result} {to_scale}.",
        facts=fields("{result}")),
))

PRIMES = Tool("PrimeTools", "Prime numbers: factorisation and the n-th prime.", (
    Api("Prime Factors", "The prime factorisation of a whole number.",
        (Param("number", "NUMBER", "A whole number from 2 to 1,000,000,000", 360, whole(2, 1_000_000_000)),),
        _prime_factors, sample=_sample_factors,
        asks=("What are the prime factors of {number}?",
              "Factorise {number} into primes.",
              "Find the prime factorisation of {number}."),
        answer="{number} = {product}.",
        answer_fields=lambda a, r: {"product": " x ".join(map(str, r["factors"]))},
        facts=_distinct_facts),
    Api("Nth Prime", "The n-th prime number (n up to 10,000).",
        (Param("n", "NUMBER", "Position of the prime (1-10000)", 100, whole(1, MAX_NTH_PRIME)),), _nth_prime,
        asks=("What is the prime number at position {n}?",
              "Which prime comes at position {n}, counting 2 as the first?",
              "Find the prime number at position {n} in the sequence of primes."),
        answer="Prime number {n} is {prime}.",
        facts=fields("{prime}")),
))

TOOLS = (CALC, UNITS, PRIMES)
