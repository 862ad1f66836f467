"""A real JupyterHub on 127.0.0.1 for the ``hub`` tests (tests/hub/hubkit.py does the work).

One hub per session: JupyterHub + configurable-http-proxy, dummy authenticator, each learner's
server a SimpleLocalProcessSpawner process running this project's .venv/bin/jupyterhub-singleuser.
Teardown kills every process the hub started (found by a per-run environment marker), also when a
test failed. Skip all of them with ``-m "not hub"``.
"""
from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import hubkit  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    # also to be listed in pyproject.toml's markers; registering here keeps -m "not hub" quiet
    config.addinivalue_line("markers", "hub: starts a real JupyterHub on 127.0.0.1 (minutes)")


@pytest.fixture(scope="session")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[hubkit.Hub]:
    missing = [m for m in ("jupyterhub", "nbgitpuller") if shutil.which(m, path=str(hubkit.VENV_BIN)) is None
               and not (hubkit.VENV_BIN / m).exists() and _no_module(m)]
    if missing:
        pytest.fail(f"{', '.join(missing)} not installed in {hubkit.VENV_BIN.parent}: "
                    f"`{hubkit.VENV_BIN / 'python'} -m pip install {' '.join(missing)}` "
                    "(they belong to the project's `test` extra), or skip with -m 'not hub'.")
    try:
        server = hubkit.Hub(tmp_path_factory.mktemp("hub"))
    except hubkit.HubError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        server.start()
    except hubkit.HubError as exc:
        server.close()
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.close()


def _no_module(name: str) -> bool:
    import importlib.util
    return importlib.util.find_spec(name) is None
