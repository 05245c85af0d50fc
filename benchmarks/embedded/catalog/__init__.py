"""The embedded world's catalogue: one module per RapidAPI category, each defining CATEGORY and TOOLS."""
from __future__ import annotations

from types import ModuleType

from benchmarks.embedded.catalog import (
    education,
    finance,
    food,
    health,
    location,
    mathematics,
    movies,
    music,
    sports,
    travel,
    weather,
)

MODULES: tuple[ModuleType, ...] = (weather, finance, food, movies, sports, travel, location, health, music,
                                   education, mathematics)
