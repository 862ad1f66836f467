"""Shared test configuration: hypothesis profiles and the non-interactive matplotlib backend."""
import os

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

# Deterministic in CI (same examples every run, no flaky database), random locally.
settings.register_profile("ci", derandomize=True, deadline=None, max_examples=60,
                          suppress_health_check=[HealthCheck.too_slow], database=None)
settings.register_profile("dev", deadline=None, max_examples=60,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture
def closing():
    """Register dashboards to close after the test: ``closing(dash)`` frees widgets and figures."""
    made = []
    yield made.append
    for dash in made:
        dash.close()
