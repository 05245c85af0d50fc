"""Argument domains and parameters several categories share (cities, countries, dates)."""
from __future__ import annotations

from benchmarks.embedded.core import TYPE_DATE, Param, dates, names
from benchmarks.embedded.entities import CITIES, COUNTRIES, CURRENCIES, CURRENCY

CITY_ARG = names([c.name for c in CITIES])
COUNTRY_ARG = names([c.name for c in COUNTRIES])
CURRENCY_ARG = names([c.code for c in CURRENCIES])
DATE_ARG = dates()


def city_param(name: str = "city", description: str = "City name, e.g. Lisbon", default: str = "Lisbon") -> Param:
    return Param(name, "STRING", description, default, CITY_ARG)


def date_param(name: str = "date", description: str = "Date in YYYY-MM-DD format",
               default: str = "2024-07-15") -> Param:
    return Param(name, TYPE_DATE, description, default, DATE_ARG)


def money(amount: float, code: str) -> float | int:
    """Currencies worth little per unit are quoted in whole units, the others in cents."""
    return round(amount) if CURRENCY[code].per_usd >= 100 else round(amount, 2)
