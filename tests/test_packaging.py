"""Packaging metadata that setuptools reads without deprecation warnings."""
from __future__ import annotations

import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_license_is_an_spdx_string_with_a_setuptools_that_reads_it():
    data = tomllib.loads(PYPROJECT.read_text())
    assert isinstance(data["project"]["license"], str)  # a table is deprecated (setuptools >= 77 warns)
    assert "setuptools>=77" in data["build-system"]["requires"]  # the first to read an SPDX string
