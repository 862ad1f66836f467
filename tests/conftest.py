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


# --- the browser for the browser tests (tests/browser/lab.py finds it) -------------------------
_BROWSER: dict[str, str] = {}  # {"path": ...} or {"problem": advice}, settled once per session
NO_BROWSER = ("no Chromium or Chrome for the browser tests: what to install is under "
              "'no browser for the browser tests' near the end of this report")


def _lab():  # noqa: ANN202 - the module tests/browser/lab.py
    browser_dir = str(Path(__file__).parent / "browser")
    if browser_dir not in sys.path:
        sys.path.insert(0, browser_dir)
    import lab
    return lab


def _settle_browser(managed: object = None) -> dict[str, str]:
    """Find the browser once (installing it where that is possible, see lab.find_browser)."""
    if not _BROWSER:
        lab = _lab()
        try:
            _BROWSER["path"] = lab.find_browser(managed=managed or lab.playwright_chromium)
        except lab.BrowserNotFound as e:
            _BROWSER["problem"] = str(e)
    return _BROWSER


def pytest_report_collectionfinish(config: pytest.Config, items: list[pytest.Item]) -> list[str]:
    """Say at the start, not after the whole suite, when the browser tests cannot run."""
    chosen = sum(1 for item in items if item.get_closest_marker("browser"))
    if not chosen or config.option.collectonly or "problem" not in _settle_browser():
        return []
    return [f"NOTE: no Chromium or Chrome was found, so the {chosen} browser tests will fail; "
            "what to install is at the end (to skip them: python3 dev.py test -m \"not browser\")"]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium (or Chrome) driven by Playwright for the whole session (Playwright's
    sync API allows one instance per thread, so every browser test shares this one). No browser:
    every browser test errors with one line, and the advice is printed once, at the end."""
    lab = _lab()
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        found = _settle_browser(p.chromium.executable_path)
        if "problem" in found:
            pytest.fail(NO_BROWSER, pytrace=False)
        try:
            b = p.chromium.launch(executable_path=found["path"], args=lab.CHROMIUM_FLAGS)
        except PlaywrightError as e:
            _BROWSER["problem"] = lab.launch_advice(found["path"], e)
        if "problem" in _BROWSER:  # failing outside the except: no chained Playwright log
            pytest.fail(NO_BROWSER, pytrace=False)
        yield b
        b.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if "problem" in _BROWSER:
        terminalreporter.section("no browser for the browser tests", sep="-", red=True, bold=True)
        terminalreporter.write_line(_BROWSER["problem"])


@pytest.fixture(scope="module")
def small():
    """A small trained-for-a-bit classifier on 40 moons points: (net, X, y)."""
    from gradlib import optim
    from gradlib.experiments_training import make_dataset
    from gradlib.mlp import MLP
    X, y = make_dataset("moons", n=40, seed=3)
    net = MLP([2, 5, 2], seed=1)
    net.fit(X, y, optim.adam(0.02), 10)
    return net, X, y
