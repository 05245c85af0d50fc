"""What every subcommand is: its parser, its validation and its run, in the manner of vLLM's
`entrypoints/cli/types.py` CLISubcommand. Adding a subcommand is its module plus one line in engine.cli.main.
"""
from __future__ import annotations

import argparse
import functools
from pathlib import Path
from typing import Callable, TypeVar

from benchmarks.core.values import seed_problem
from benchmarks.results.files import out_problem
from engine.backends.embedded_model import EmbeddedModelMissing

F = TypeVar("F", bound=Callable)


class UserError(Exception):
    """A mistake in what the user asked for; printed without a traceback, exit status 2."""


# What resolving the user's arguments may raise: wrong names, values, files (all ValueError subclasses but
# the embedded model's absence and missing files).
RESOLVE_ERRORS = (ValueError, FileNotFoundError, EmbeddedModelMissing)


def guarded(fn: F) -> F:
    """`fn` with RESOLVE_ERRORS turned into UserError: for the steps that read what the user gave."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except RESOLVE_ERRORS as exc:
            raise UserError(str(exc)) from exc
    return wrapper  # type: ignore[return-value]


class Subcommand:
    name = ""
    # Errors of this subcommand's whole run that are the user's (printed, exit 2); resolving steps
    # raise UserError themselves.
    user_errors: tuple[type[BaseException], ...] = ()
    # Options naming folders this subcommand writes into: checked before any work (engine.cli.main), so a file
    # given as a folder fails at once instead of after minutes of generation.
    output_folders: tuple[str, ...] = ()

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        raise NotImplementedError

    def validate(self, args: argparse.Namespace) -> None:
        """Refuses bad values before anything is written (raise UserError)."""

    def run(self, args: argparse.Namespace, argv: list[str]) -> int:
        raise NotImplementedError


def check_output_folder(value: str | None, flag: str) -> None:
    """The folder `value` can be created or written into: neither it nor its nearest existing parent is a file."""
    if value is not None and (problem := out_problem(Path(value), flag)):
        raise UserError(problem)


def check_output_file(value: str | None, flag: str) -> None:
    """The file `value` can be written: it is no folder, and no file stands where a folder on its way must be."""
    if value is not None and (problem := out_problem(Path(value), flag, folder=False)):
        raise UserError(problem)


def at_least(value: int | None, minimum: int, flag: str) -> None:
    if value is not None and value < minimum:
        raise UserError(f"{flag} must be at least {minimum}, got {value}")


def check_seed(value: int | None, flag: str = "--seed") -> None:
    """The seed check of every subcommand that takes one (benchmarks.core.values.seed_problem)."""
    if value is not None and (problem := seed_problem(flag, value)):
        raise UserError(problem)
