"""A throw-away JupyterLab server and a headless Chromium, for the browser tests.

JupyterLab runs on 127.0.0.1 with a random token, over a COPY of the notebooks (autosave must
never touch the repository), with its own settings and workspace folders (no news pop-up, no
update check, no stale layout). Chromium is Debian's; Playwright drives it through its Python
package. If Chromium is missing and we are root on Debian, it is installed with apt-get.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


def chromium() -> str:
    """Path to a Chromium binary, installing Debian's package when possible."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        found = shutil.which("chromium")
    if not found:
        raise RuntimeError("the browser tests need Chromium: install Debian's 'chromium' package "
                           "(apt-get install chromium) or put a chromium binary on PATH")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """``with Lab(notebooks, workdir) as lab:`` -> ``lab.url(name)``, ``lab.root``."""

    def __init__(self, notebooks: list[Path], workdir: Path) -> None:
        self.workdir = workdir
        self.root = workdir / "notebooks"
        self.root.mkdir(parents=True, exist_ok=True)
        for nb in notebooks:
            shutil.copy(nb, self.root / nb.name)
        self.token = secrets.token_hex(16)
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/lab/tree/{path}?reset&token={self.token}"

    def __enter__(self) -> "Lab":
        settings = self.workdir / "settings"
        notif = settings / "@jupyterlab" / "apputils-extension"
        notif.mkdir(parents=True, exist_ok=True)
        (notif / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False}))
        # Render every cell (no virtual scrolling), so the tests can read all outputs.
        tracker = settings / "@jupyterlab" / "notebook-extension"
        tracker.mkdir(parents=True, exist_ok=True)
        (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
        env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(settings),
                   JUPYTERLAB_WORKSPACES_DIR=str(self.workdir / "workspaces"),
                   JUPYTER_RUNTIME_DIR=str(self.workdir / "runtime"))
        self.log = open(self.workdir / "jupyterlab.log", "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
             f"--port={self.port}", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={self.root}", 
             "--LabApp.news_url=", "--ServerApp.open_browser=False", "--allow-root",
             "--LabApp.extension_manager=readonly"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        status = f"http://127.0.0.1:{self.port}/api/status?token={self.token}"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited: see {self.workdir / 'jupyterlab.log'}")
            try:
                urllib.request.urlopen(status, timeout=2).read()
                return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("JupyterLab did not start within 90 s")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
