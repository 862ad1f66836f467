"""Fixtures for the real-browser tests: one JupyterLab for the session (the one Chromium,
shared with tests/test_instructor.py, is in tests/conftest.py)."""
from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from lab import Lab  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SCREENSHOTS = Path(os.environ.get("GRADLIB_SCREENSHOTS", ROOT / "build" / "browser-screenshots"))


@pytest.fixture(scope="session")
def lab(browser: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """The JupyterLab server; it asks for the browser first, so that a missing browser fails
    every test at once instead of after a JupyterLab start."""
    with Lab(NOTEBOOKS, tmp_path_factory.mktemp("lab")) as server:
        yield server


_FIGURES_THIS_RUN: list[bool] = []  # a run without the fixture must not show an old run's figures


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "browser-figures.txt").write_text("")
    _FIGURES_THIS_RUN.append(True)
    return SCREENSHOTS


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001 - pytest hook
    figures = SCREENSHOTS / "browser-figures.txt"
    if _FIGURES_THIS_RUN and figures.exists() and figures.read_text().strip():
        terminalreporter.section("browser figures")
        terminalreporter.write(figures.read_text())
        terminalreporter.write_line(f"explorer screenshots (before/after): {SCREENSHOTS}")
