"""A throw-away JupyterLab server, and finding a Chromium or Chrome for the browser tests.

JupyterLab runs on 127.0.0.1 with a random token, over a COPY of the notebooks (autosave must
never touch the repository), with its own settings and workspace folders (no news pop-up, no
update check, no stale layout). Playwright drives the browser through its Python package.

``find_browser`` looks for a browser the way a user's machine has one, in this order:
$GRADLIB_BROWSER (a path, or a name on PATH; nothing else is tried when it is set), Playwright's
own Chromium (``python -m playwright install chromium``), ``chromium``, ``chromium-browser``,
``google-chrome``, ``google-chrome-stable`` or ``chrome`` on PATH, then the usual install folders
(macOS /Applications, Windows Program Files and LocalAppData, including Edge, which is Chromium).
If none is there it installs one unless GRADLIB_BROWSER_INSTALL=0: Debian's ``chromium`` with
apt-get when root on Debian (as in CI), else Playwright's Chromium (a download; it fails within
seconds where the network is blocked). Otherwise it raises ``BrowserNotFound``, whose text is the
whole advice: what to install, and ``python3 dev.py test -m "not browser"``.
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
from collections.abc import Callable, Mapping
from pathlib import Path

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
SKIP_THEM = 'python3 dev.py test -m "not browser"'
MAC_APP_DIRS = ["/Applications"]  # and ~/Applications; a list so tests can point it elsewhere
_MAC_APPS = [("Google Chrome.app", "Contents", "MacOS", "Google Chrome"),
             ("Chromium.app", "Contents", "MacOS", "Chromium"),
             ("Microsoft Edge.app", "Contents", "MacOS", "Microsoft Edge")]
_WINDOWS_ROOTS = ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA")
_WINDOWS_APPS = [("Google", "Chrome", "Application", "chrome.exe"),
                 ("Chromium", "Application", "chrome.exe"),
                 ("Microsoft", "Edge", "Application", "msedge.exe")]
_LINUX_PLACES = ["/opt/google/chrome/chrome", "/snap/bin/chromium"]


class BrowserNotFound(RuntimeError):
    """No Chromium or Chrome could be found or installed; ``str(error)`` is the advice to print."""


def install_locations(platform: str, environ: Mapping[str, str]) -> list[Path]:
    """Where Chrome, Chromium and Edge install themselves outside PATH on ``platform``
    (a ``sys.platform`` value), from the most to the least usual."""
    if platform == "darwin":
        dirs = [Path(d) for d in MAC_APP_DIRS]
        if environ.get("HOME"):
            dirs.append(Path(environ["HOME"]) / "Applications")
        return [d.joinpath(*app) for app in _MAC_APPS for d in dirs]
    if platform == "win32":
        roots = [Path(environ[k]) for k in _WINDOWS_ROOTS if environ.get(k)]
        return [r.joinpath(*app) for app in _WINDOWS_APPS for r in roots]
    return [Path(p) for p in _LINUX_PLACES]


def _is_executable(path: str | Path) -> bool:
    return Path(path).is_file() and os.access(path, os.X_OK)


def playwright_chromium() -> str | None:
    """Where Playwright's own Chromium lives (whether or not it is installed there)."""
    try:
        from playwright.sync_api import sync_playwright
        with sync_playwright() as p:
            return p.chromium.executable_path
    except Exception:  # noqa: BLE001 - no Playwright driver means no managed browser either
        return None


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _is_debian() -> bool:
    return Path("/etc/debian_version").exists() and shutil.which("apt-get") is not None


def _run_quietly(command: list[str], env: Mapping[str, str] | None = None) -> str:
    """Run an installer; "" when it worked, else its last error line (not the whole log)."""
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1800)
    except (OSError, subprocess.SubprocessError) as e:
        return str(e)
    if done.returncode == 0:
        return ""
    lines = [ln.strip() for ln in (done.stderr + done.stdout).splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.lower().startswith(("e:", "error"))]
    return (errors or lines or [f"exit code {done.returncode}"])[0]


def _apt_install_chromium() -> str:
    """Install Debian's chromium with apt-get; "" when that worked, else why not."""
    print("\n[browser tests] no Chromium found: installing Debian's chromium with apt-get "
          "(once)", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    return (_run_quietly(["apt-get", "update", "-qq"], env)
            or _run_quietly(["apt-get", "install", "-y", "-qq", "chromium"], env))


def _playwright_install_chromium() -> str:
    """Download Playwright's own Chromium; "" when that worked, else why not."""
    print("\n[browser tests] no Chromium or Chrome found: downloading Playwright's Chromium "
          "(once, a few minutes; GRADLIB_BROWSER_INSTALL=0 turns this off)", flush=True)
    return _run_quietly([sys.executable, "-m", "playwright", "install", "chromium"])


def advice(problem: str, platform: str | None = None) -> str:
    """The message for a missing browser: ``problem``, then exactly what to install on
    ``platform`` (default: this one), then how to run everything else."""
    platform = sys.platform if platform is None else platform
    python = r".venv\Scripts\python" if platform == "win32" else ".venv/bin/python"
    lines = [problem, "Install one of these, then run the tests again:",
             f"  {python} -m playwright install chromium     # Playwright's own Chromium"]
    if platform == "darwin":
        lines.append("  Google Chrome (https://www.google.com/chrome/) in /Applications")
    elif platform == "win32":
        lines.append("  Google Chrome (https://www.google.com/chrome/)")
    else:
        lines.append("  sudo apt-get install chromium     # Debian; or your distribution's chromium")
    lines += ["or point at a Chromium-based browser that is already there:",
              "  GRADLIB_BROWSER=/path/to/chrome python3 dev.py test",
              "or run every test except the browser ones:",
              f"  {SKIP_THEM}"]
    return "\n".join(lines)


def find_browser(environ: Mapping[str, str] | None = None, platform: str | None = None,
                 managed: str | Callable[[], str | None] | None = playwright_chromium,
                 install: bool | None = None) -> str:
    """Path to a Chromium-based browser for Playwright, in the order the module docstring gives.

    ``environ`` (default ``os.environ``) supplies PATH, GRADLIB_BROWSER, GRADLIB_BROWSER_INSTALL
    and the folders the install locations hang from; ``platform`` defaults to ``sys.platform``;
    ``managed`` is Playwright's Chromium path (or a function giving it); ``install`` defaults to
    GRADLIB_BROWSER_INSTALL != "0". Raises ``BrowserNotFound`` carrying ``advice``.
    """
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    path_var = environ.get("PATH", os.defpath)
    explicit = environ.get("GRADLIB_BROWSER", "").strip()
    if explicit:
        found = explicit if _is_executable(explicit) else shutil.which(explicit, path=path_var)
        if found:
            return found
        raise BrowserNotFound(advice(f"GRADLIB_BROWSER is set to {explicit!r}, which is not an "
                                     "executable file (nor a program on PATH).", platform))
    managed_path = managed() if callable(managed) else managed
    if managed_path and _is_executable(managed_path):
        return managed_path
    for name in BROWSER_NAMES:
        found = shutil.which(name, path=path_var)
        if found:
            return found
    for place in install_locations(platform, environ):
        if _is_executable(place):
            return str(place)
    if install is None:
        install = environ.get("GRADLIB_BROWSER_INSTALL", "1").strip() != "0"
    tried = ""
    if install:
        if platform.startswith("linux") and _is_root() and _is_debian():
            why = _apt_install_chromium()
            found = shutil.which("chromium", path=path_var) or shutil.which("chromium")
            if not why and found:
                return found
            tried += f"\n`apt-get install chromium` failed: {why or 'no chromium afterwards'}"
        if managed_path:
            why = _playwright_install_chromium()
            if not why and _is_executable(managed_path):
                return managed_path
            tried += f"\n`playwright install chromium` failed: {why or 'no browser afterwards'}"
    else:
        tried = "\n(GRADLIB_BROWSER_INSTALL=0, so none was installed)"
    names = ", ".join(BROWSER_NAMES[:-1]) + f" or {BROWSER_NAMES[-1]}"
    problem = ("The browser tests need Chromium or Chrome, and none was found: no Playwright "
               f"Chromium,\nno {names} on PATH,\nnone in the usual install folders." + tried)
    raise BrowserNotFound(advice(problem, platform))


def launch_advice(path: str, error: BaseException, platform: str | None = None) -> str:
    """The message for a browser that was found but would not start."""
    platform = sys.platform if platform is None else platform
    text = str(error).strip()
    lines = [ln for ln in text.splitlines() if ln.strip()]
    # Playwright's error: a headline, the browser's own stderr ("[pid=N][err] ..."), then a long
    # call log. The headline and the browser's complaints say what is wrong; the rest is noise.
    said = [ln.split("[err] ", 1)[1] for ln in text.split("Call log:")[0].splitlines()
            if "[err] " in ln]
    shown = (lines[:1] + said[:3]) if said else lines[:3]
    first = "\n".join(f"    {line[:200]}" for line in shown)
    fix = ("  sudo .venv/bin/python -m playwright install-deps chromium   # its system libraries\n"
           if platform.startswith("linux") else "")
    return (f"The browser tests found {path}, but it did not start:\n{first}\n"
            f"{fix}Or name another browser: GRADLIB_BROWSER=/path/to/chrome python3 dev.py test\n"
            f"Or run every test except the browser ones:\n  {SKIP_THEM}")


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
