"""The report tests' run folders (tests.helpers.report_runs), made once per session."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.report_runs import make_report_runs


@pytest.fixture(scope="session")
def report_runs(tmp_path_factory) -> Path:
    """A folder holding the run folders named as tests.helpers.report_runs.RUNS."""
    return make_report_runs(tmp_path_factory.mktemp("report-runs"))
