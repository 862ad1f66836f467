"""Shared test configuration: hypothesis profiles, the non-interactive matplotlib backend, and
fixtures several test modules use."""
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402 - after choosing the backend

# Deterministic in CI (same examples every run, no flaky database), random locally.
settings.register_profile("ci", derandomize=True, deadline=None, max_examples=60,
                          suppress_health_check=[HealthCheck.too_slow], database=None)
settings.register_profile("dev", deadline=None, max_examples=60,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture
def close_figures():
    """Close every pyplot figure after the test (use with ``pytest.mark.usefixtures``)."""
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def rosenbrock():
    """The Rosenbrock surface with its default parameters, built once per test module."""
    from gradlib import surfaces
    return surfaces.get("rosenbrock")


@pytest.fixture
def closing():
    """Register dashboards to close after the test: ``closing(dash)`` frees widgets and figures."""
    made = []
    yield made.append
    for dash in made:
        dash.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Debian Chromium driven by Playwright for the whole session (Playwright's
    sync API allows one instance per thread, so every browser test shares this one)."""
    sys.path.insert(0, str(Path(__file__).parent / "browser"))
    from lab import CHROMIUM_FLAGS, chromium
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_FLAGS)
        yield b
        b.close()
