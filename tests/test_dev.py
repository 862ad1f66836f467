"""The README's two commands for every newcomer (issue 15).

- ``python3 dev.py lab`` serves the notebooks both as root (Docker, cloud notebooks, CI: dev.py
  adds --allow-root and says why, once) and as a normal user: a real JupyterLab is started through
  dev.py in each mode and must answer over HTTP with the notebooks.
- The browser finder (tests/browser/lab.py) finds a browser where users have one (PATH, the
  macOS/Windows install folders, Playwright's own Chromium, $GRADLIB_BROWSER), installs one only
  where it can, and otherwise raises one message naming the fix; ``python3 dev.py test`` with no
  browser fails with that message once, and no traceback.
"""
from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

try:
    import pwd
except ImportError:  # Windows: no users to switch between, and no root
    pwd = None

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
import lab  # noqa: E402 - tests/browser/lab.py, the browser finder

_spec = importlib.util.spec_from_file_location("gradlib_dev", ROOT / "dev.py")
dev = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dev)

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))


# --- dev.py lab: the command line, as root and not --------------------------------------------

def test_lab_command_adds_allow_root_only_for_root() -> None:
    jupyter, nb_dir = str(dev.BIN / "jupyter"), f"--notebook-dir={ROOT / 'notebooks'}"
    assert dev.lab_command(["--port=9"], root=False) == [jupyter, "lab", nb_dir, "--port=9"]
    assert dev.lab_command(["--port=9"], root=True) == [jupyter, "lab", nb_dir, "--allow-root",
                                                        "--port=9"]
    # never twice, when the user already passed it
    assert dev.lab_command(["--allow-root"], root=True).count("--allow-root") == 1


def test_is_root_follows_the_effective_user_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0, raising=False)
    assert dev.is_root()
    monkeypatch.setattr(os, "geteuid", lambda: 1000, raising=False)
    assert not dev.is_root()
    monkeypatch.delattr(os, "geteuid", raising=False)  # Windows has no geteuid: never root
    assert not dev.is_root()


@pytest.mark.parametrize("root", [True, False], ids=["root", "user"])
def test_main_lab_says_why_once_as_root(monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str], root: bool) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(dev, "setup", lambda: None)
    monkeypatch.setattr(dev, "is_root", lambda: root)
    monkeypatch.setattr(dev, "run_in_place", lambda cmd, env: calls.append(cmd) or 0)
    assert dev.main(["lab", "--port=9"]) == 0
    out = capsys.readouterr().out
    assert calls == [dev.lab_command(["--port=9"], root)]
    assert out.count(dev.ROOT_NOTE) == (1 if root else 0)
    assert ("--allow-root" in calls[0]) == root


# --- dev.py lab for real: JupyterLab answers, as root and as a normal user --------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 10) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, ""


def _normal_user():  # noqa: ANN202 - a pwd.struct_passwd, or None
    """The account for the non-root run, or None to run as ourselves (we are not root).

    As root we switch to the clone's owner when that is a normal user (exactly a learner with
    their own clone), else to 'nobody', the least-privileged account there is (no user is created,
    so the test leaves nothing behind). 'nobody' can only use a clone that others may read: the
    test lets it pass through private folders above the clone (``_traversable``: o+x, restored
    after); a clone whose own files others cannot read is skipped with the reason rather than
    faked by copying (a copied .venv would not work: its scripts name this folder)."""
    if not IS_ROOT:
        return None
    owner = ROOT.stat().st_uid
    try:
        return pwd.getpwuid(owner) if owner != 0 else pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no unprivileged account to run as ('nobody' does not exist here)")


@contextlib.contextmanager
def _traversable(path: Path) -> Iterator[None]:
    """As root, let other accounts pass through the folders above ``path`` for the duration:
    a clone under a private folder (``mktemp -d`` makes its folder 0700, as CI's fresh clone
    does) cannot otherwise be reached by the unprivileged account. Adds only the search bit
    (o+x: enter, not list) to the ancestors that lack it, and restores every mode after."""
    changed: list[tuple[Path, int]] = []
    try:
        if IS_ROOT:
            for folder in reversed(path.resolve().parents):
                mode = folder.stat().st_mode
                if not mode & stat.S_IXOTH:
                    folder.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)
                    changed.append((folder, stat.S_IMODE(mode)))
        yield
    finally:
        for folder, mode in reversed(changed):
            folder.chmod(mode)


@pytest.fixture
def home() -> Iterator[Path]:
    """A fresh HOME in the system temp folder (pytest's own tmp_path is private to root, so the
    non-root user could not enter it). Jupyter's config, data and runtime folders go there."""
    path = Path(tempfile.mkdtemp(prefix="gradlib-lab-home-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _stop(proc: subprocess.Popen, port: int) -> bool:
    """Stop dev.py's JupyterLab. POSIX: SIGTERM to the process we started only, as `docker stop`
    sends it to a container's first process; True if the server then stops listening within
    30 s (it does because dev.py execs JupyterLab: were JupyterLab dev.py's child, it would keep
    serving). Whatever happened, SIGKILL the whole process group after, so nothing outlives the
    test. Windows: taskkill the tree."""
    if os.name == "nt":
        subprocess.run(["taskkill", "/T", "/F", "/PID", str(proc.pid)], capture_output=True)
        proc.wait(timeout=30)
        return True
    polite = False
    try:
        os.kill(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not polite:
            polite = proc.poll() is not None and not _listening(port)
            time.sleep(0.2)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)
    return polite


@pytest.mark.parametrize("mode", ["root", "user"])
def test_dev_py_lab_serves_the_notebooks(mode: str, home: Path) -> None:
    """``python3 dev.py lab`` (the README's first command, with a fixed port and token so the test
    can talk to it) starts JupyterLab on notebooks/, as root and as a normal user."""
    if not dev.STAMP.exists() or dev.STAMP.read_text() != dev._fingerprint():
        pytest.skip(".venv is older than pyproject.toml: run `python3 dev.py setup` first "
                    "(`python3 dev.py test` does)")
    with _traversable(ROOT):
        _serve_and_check(mode, home)


def _serve_and_check(mode: str, home: Path) -> None:
    run_as: dict[str, object] = {}
    if mode == "root":
        if not IS_ROOT:
            pytest.skip("the root run needs root (CI runs the suite as root)")
    else:
        account = _normal_user()
        if account is not None:
            os.chown(home, account.pw_uid, account.pw_gid)
            run_as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
            try:
                probe = subprocess.run(
                    [sys.executable, "-c", f"import jupyterlab, gradlib; open({str(dev.__file__)!r})"],
                    cwd=home, capture_output=True, text=True, timeout=120, **run_as)
            except PermissionError:
                probe = None
            if probe is None or probe.returncode:
                pytest.skip(f"user {account.pw_name!r} cannot read this clone ({ROOT}); "
                            f"clone somewhere others can read to run this check")
    port, token = _free_port(), secrets.token_hex(16)
    env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(home), "LANG": "C.UTF-8",
           "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces")}
    # sys.executable is this venv's Python (>= 3.11, like the `python3` the README asks for);
    # dev.py only needs it to find .venv, which it does from its own location.
    command = [sys.executable, str(ROOT / "dev.py"), "lab", "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}"]
    log_path = home / "lab.log"
    with open(log_path, "w") as log:
        # its own session and process group, so that _stop can kill everything it started
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=os.name != "nt", **run_as)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline, status = time.monotonic() + 180, None
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"dev.py lab exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                status = _get(f"{base}/api/status?token={token}", timeout=3)
                break
            except OSError:
                time.sleep(0.5)
        assert status is not None, f"no answer within 180 s:\n{log_path.read_text()[-3000:]}"
        assert status[0] == 200 and "started" in json.loads(status[1])
        code, body = _get(f"{base}/api/contents?token={token}")
        assert code == 200
        served = sorted(item["name"] for item in json.loads(body)["content"]
                        if item["name"].endswith(".ipynb"))
        assert served == NOTEBOOKS
        code, page = _get(f"{base}/lab?token={token}")
        assert code == 200 and "<title>JupyterLab</title>" in page
        assert _get(f"{base}/api/contents")[0] == 403  # and the token is required
        # the server runs as the intended user, with the runtime folder it was given
        if hasattr(os, "getuid"):
            expected = {run_as.get("user", os.getuid())}
            assert {f.stat().st_uid for f in (home / "runtime").glob("jpserver-*")} == expected
    finally:
        stopped_by_sigterm = _stop(proc, port)
    assert stopped_by_sigterm, "SIGTERM to dev.py left JupyterLab serving for 30 s"
    log_text = log_path.read_text()
    assert log_text.count(dev.ROOT_NOTE) == (1 if mode == "root" else 0)
    assert "Running as root is not recommended" not in log_text


# --- finding a browser -------------------------------------------------------------------------

def _exe(path: Path) -> Path:
    """A stand-in executable (on Windows, PATH lookups want an .exe)."""
    if os.name == "nt" and not path.suffix:
        path = path.with_name(path.name + ".exe")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def no_installs(monkeypatch: pytest.MonkeyPatch) -> None:
    """No install folder of this machine counts, and no installer may run."""
    monkeypatch.setattr(lab, "MAC_APP_DIRS", [])
    monkeypatch.setattr(lab, "_LINUX_PLACES", [])

    def forbidden() -> str:
        raise AssertionError("an installer ran")
    monkeypatch.setattr(lab, "_apt_install_chromium", forbidden)
    monkeypatch.setattr(lab, "_playwright_install_chromium", forbidden)


def _find(env: dict[str, str], platform: str = "linux", managed: str | None = None,
          install: bool | None = False) -> str:
    return lab.find_browser(environ=env, platform=platform, managed=managed, install=install)


@pytest.mark.usefixtures("no_installs")
@pytest.mark.parametrize("name", lab.BROWSER_NAMES)
def test_finds_each_browser_name_on_path(tmp_path: Path, name: str) -> None:
    exe = _exe(tmp_path / "bin" / name)
    _exe(tmp_path / "other" / "chromium")  # not on PATH: must not be found
    assert Path(_find({"PATH": str(tmp_path / "bin")})) == exe


@pytest.mark.usefixtures("no_installs")
def test_path_order_and_executability(tmp_path: Path) -> None:
    _exe(tmp_path / "a" / "google-chrome")
    chromium = _exe(tmp_path / "b" / "chromium")
    path = f"{tmp_path / 'a'}{os.pathsep}{tmp_path / 'b'}"
    assert Path(_find({"PATH": path})) == chromium  # chromium is preferred to google-chrome
    if os.name != "nt":  # Windows has no executable bit
        (tmp_path / "c").mkdir()
        (tmp_path / "c" / "chromium").write_text("not executable")
        with pytest.raises(lab.BrowserNotFound):
            _find({"PATH": str(tmp_path / "c")})


@pytest.mark.usefixtures("no_installs")
def test_playwright_browser_comes_first_when_installed(tmp_path: Path) -> None:
    _exe(tmp_path / "bin" / "chromium")
    managed = tmp_path / "ms-playwright" / "chromium-1" / "chrome-linux64" / "chrome"
    env = {"PATH": str(tmp_path / "bin")}
    assert _find(env, managed=str(managed)) == str(tmp_path / "bin" / "chromium")  # not installed
    managed = _exe(managed)
    assert _find(env, managed=str(managed)) == str(managed)
    assert lab.find_browser(environ=env, platform="linux", managed=lambda: str(managed),
                            install=False) == str(managed)


@pytest.mark.usefixtures("no_installs")
def test_gradlib_browser_wins_and_is_never_second_guessed(tmp_path: Path) -> None:
    chromium = _exe(tmp_path / "bin" / "chromium")
    mine = _exe(tmp_path / "opt" / "my-chrome")
    env = {"PATH": str(tmp_path / "bin"), "GRADLIB_BROWSER": str(mine)}
    assert _find(env) == str(mine)
    assert Path(_find(dict(env, GRADLIB_BROWSER="chromium"))) == chromium  # a name on PATH
    with pytest.raises(lab.BrowserNotFound) as err:
        _find(dict(env, GRADLIB_BROWSER=str(tmp_path / "missing")), install=True)
    assert f"GRADLIB_BROWSER is set to {str(tmp_path / 'missing')!r}" in str(err.value)
    assert lab.SKIP_THEM in str(err.value)


def test_macos_install_folders(monkeypatch: pytest.MonkeyPatch, no_installs: None,
                               tmp_path: Path) -> None:
    monkeypatch.setattr(lab, "MAC_APP_DIRS", [str(tmp_path / "Applications")])
    env = {"PATH": "", "HOME": str(tmp_path / "home")}
    chromium = _exe(tmp_path / "home" / "Applications" / "Chromium.app" / "Contents" / "MacOS"
                    / "Chromium")
    assert _find(env, platform="darwin") == str(chromium)
    chrome = _exe(tmp_path / "Applications" / "Google Chrome.app" / "Contents" / "MacOS"
                  / "Google Chrome")
    assert _find(env, platform="darwin") == str(chrome)  # Chrome before Chromium
    with pytest.raises(lab.BrowserNotFound):  # the macOS folders mean nothing on Linux
        _find(env, platform="linux")


@pytest.mark.usefixtures("no_installs")
def test_windows_install_folders(tmp_path: Path) -> None:
    env = {"PATH": "", "PROGRAMFILES": str(tmp_path / "pf"), "LOCALAPPDATA": str(tmp_path / "la")}
    edge = _exe(tmp_path / "pf" / "Microsoft" / "Edge" / "Application" / "msedge.exe")
    assert _find(env, platform="win32") == str(edge)  # every Windows has Edge, a Chromium
    chrome = _exe(tmp_path / "la" / "Google" / "Chrome" / "Application" / "chrome.exe")
    assert _find(env, platform="win32") == str(chrome)  # Chrome (a per-user install) first


@pytest.mark.usefixtures("no_installs")
@pytest.mark.parametrize("platform, fix", [
    ("linux", "sudo apt-get install chromium"),
    ("darwin", "Google Chrome (https://www.google.com/chrome/)"),
    ("win32", r".venv\Scripts\python -m playwright install chromium"),
])
def test_nothing_found_names_the_fix(tmp_path: Path, platform: str, fix: str) -> None:
    with pytest.raises(lab.BrowserNotFound) as err:
        _find({"PATH": str(tmp_path)}, platform=platform,
              managed=str(tmp_path / "not-installed" / "chrome"))
    message = str(err.value)
    assert message.startswith("The browser tests need Chromium or Chrome, and none was found")
    for needed in (fix, "-m playwright install chromium", "GRADLIB_BROWSER=/path/to/chrome",
                   'python3 dev.py test -m "not browser"'):
        assert needed in message, needed
    assert "Traceback" not in message and len(message.splitlines()) <= 11


def test_installs_debian_chromium_as_root_on_debian(monkeypatch: pytest.MonkeyPatch,
                                                    no_installs: None, tmp_path: Path) -> None:
    ran: list[str] = []

    def apt() -> str:
        ran.append("apt")
        _exe(tmp_path / "bin" / "chromium")
        return ""  # it worked
    monkeypatch.setattr(lab, "_is_root", lambda: True)
    monkeypatch.setattr(lab, "_is_debian", lambda: True)
    monkeypatch.setattr(lab, "_apt_install_chromium", apt)
    found = _find({"PATH": str(tmp_path / "bin")}, install=None)
    assert Path(found).parent == tmp_path / "bin" and Path(found).stem == "chromium"
    assert ran == ["apt"]


def test_downloads_playwrights_chromium_elsewhere(monkeypatch: pytest.MonkeyPatch,
                                                  no_installs: None, tmp_path: Path) -> None:
    managed = tmp_path / "ms-playwright" / "chrome.exe"  # any name; .exe suits Windows too
    ran: list[str] = []

    def download() -> str:
        ran.append("playwright")
        _exe(managed)
        return ""  # it worked
    monkeypatch.setattr(lab, "_is_root", lambda: False)  # so no apt-get, even on Debian
    monkeypatch.setattr(lab, "_playwright_install_chromium", download)
    assert _find({"PATH": str(tmp_path)}, managed=str(managed), install=None) == str(managed)
    assert ran == ["playwright"]


def test_failed_installs_are_reported(monkeypatch: pytest.MonkeyPatch, no_installs: None,
                                      tmp_path: Path) -> None:
    monkeypatch.setattr(lab, "_is_root", lambda: True)
    monkeypatch.setattr(lab, "_is_debian", lambda: True)
    monkeypatch.setattr(lab, "_apt_install_chromium", lambda: "E: Unable to locate package")
    monkeypatch.setattr(lab, "_playwright_install_chromium",
                        lambda: "Error: getaddrinfo ENOTFOUND cdn.playwright.dev")
    with pytest.raises(lab.BrowserNotFound) as err:
        _find({"PATH": str(tmp_path)}, managed=str(tmp_path / "chrome"), install=None)
    assert "`apt-get install chromium` failed: E: Unable to locate package" in str(err.value)
    assert ("`playwright install chromium` failed: Error: getaddrinfo ENOTFOUND "
            "cdn.playwright.dev") in str(err.value)
    with pytest.raises(lab.BrowserNotFound) as err:  # GRADLIB_BROWSER_INSTALL=0: no installer
        _find({"PATH": str(tmp_path), "GRADLIB_BROWSER_INSTALL": "0"}, install=None,
              managed=str(tmp_path / "chrome"))
    assert "GRADLIB_BROWSER_INSTALL=0" in str(err.value)


def test_an_installer_reports_its_error_line_not_its_log() -> None:
    script = "import sys; print('progress'); print('Error: no network', file=sys.stderr); exit(1)"
    assert lab._run_quietly([sys.executable, "-c", script]) == "Error: no network"
    assert lab._run_quietly([sys.executable, "-c", "pass"]) == ""
    assert lab._run_quietly([str(Path("/nonexistent/installer"))])  # cannot even start: a reason


def test_launch_failure_names_the_browser_and_the_fix() -> None:
    # the shape of Playwright's launch error: headline, browser logs, call log
    error = RuntimeError("BrowserType.launch: Target page, context or browser has been closed\n"
                         "Browser logs:\n\n<launching> /x/chrome --many --flags\n<launched> pid=7\n"
                         "[pid=7][err] chrome: error while loading shared libraries: libnss3.so\n"
                         "Call log:\n  - <launching> /x/chrome --many --flags\n"
                         "  - [pid=7][err] chrome: error while loading shared libraries: libnss3.so")
    message = lab.launch_advice("/x/chrome", error, platform="linux")
    assert message.startswith("The browser tests found /x/chrome, but it did not start:")
    assert message.count("error while loading shared libraries: libnss3.so") == 1
    assert "--many" not in message and "Call log" not in message
    plain = lab.launch_advice("/x/chrome", RuntimeError("one\ntwo\nthree\nfour"), platform="linux")
    assert "three" in plain and "four" not in plain  # anything else: its first three lines
    assert "playwright install-deps chromium" in message and lab.SKIP_THEM in message


# --- dev.py test with no browser: one message, no traceback ------------------------------------

PLUGIN = '''"""Make this machine's install folders look empty, so the browser finder finds nothing."""
import sys
sys.path.insert(0, {browser_dir!r})
import lab
lab.install_locations = lambda platform, environ: []
'''


FAKE_BROWSER = """#!/bin/sh
echo "chrome: error while loading shared libraries: libnss3.so: cannot open shared object file" >&2
exit 127
"""


@pytest.mark.parametrize("case", ["none", "broken"])
def test_dev_py_test_without_a_browser_says_what_to_install(tmp_path: Path, case: str) -> None:
    """The whole no-browser path, for real, through ``python3 dev.py test tests/browser``.
    none: empty PATH, an empty Playwright browser folder, no install folders (the plugin above)
    and no installing (GRADLIB_BROWSER_INSTALL=0). broken: GRADLIB_BROWSER names a "browser"
    that dies at start the way one missing its system libraries does."""
    (tmp_path / "gradlib_nobrowser.py").write_text(
        PLUGIN.format(browser_dir=str(ROOT / "tests" / "browser")))
    (tmp_path / "browsers").mkdir()
    env = dict(os.environ, PATH=str(dev.BIN), PLAYWRIGHT_BROWSERS_PATH=str(tmp_path / "browsers"),
               GRADLIB_BROWSER_INSTALL="0", PYTHONPATH=str(tmp_path))
    env.pop("GRADLIB_BROWSER", None)
    if case == "broken":
        if os.name == "nt":
            pytest.skip("the stand-in broken browser is a shell script")
        env["GRADLIB_BROWSER"] = str(_exe(tmp_path / "chrome"))
        (tmp_path / "chrome").write_text(FAKE_BROWSER)
    done = subprocess.run(
        [sys.executable, str(ROOT / "dev.py"), "test", "tests/browser", "-p", "gradlib_nobrowser",
         "-p", "no:cacheprovider", f"--basetemp={tmp_path / 'pytest'}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out[-3000:]
    headline = {"none": "The browser tests need Chromium or Chrome, and none was found",
                "broken": f"The browser tests found {tmp_path / 'chrome'}, but it did not start"}[case]
    assert out.count(headline) == 1, out[-3000:]  # the advice, once
    advice = out[out.index(headline):]
    needed = ["GRADLIB_BROWSER=/path/to/chrome", 'python3 dev.py test -m "not browser"']
    if case == "none":
        needed.append("-m playwright install chromium")
        if sys.platform.startswith("linux"):
            needed.append("sudo apt-get install chromium")
        assert "NOTE: no Chromium or Chrome was found" in out.split("ERRORS")[0]  # said at once
    else:
        needed += ["error while loading shared libraries: libnss3.so", "install-deps chromium"]
        assert out.count("libnss3.so") == 1  # the browser's complaint, not Playwright's log
    for item in needed:
        assert item in advice, item
    last = out.strip().splitlines()[-1]
    # every browser test errors; only tests in tests/browser that need no browser (the contrast
    # arithmetic of test_accessibility.py) may pass
    no_browser = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/browser", "-m", "not browser", "-q",
         "--collect-only", "-p", "no:cacheprovider"], cwd=ROOT, capture_output=True, text=True,
        timeout=120).stdout
    collected = re.search(r"(\d+)(?:/\d+)? tests? collected", no_browser)
    allowed = int(collected.group(1)) if collected else 0
    passed = re.search(r"(\d+) passed", last)
    assert (int(passed.group(1)) if passed else 0) == allowed and "failed" not in last \
        and " error" in last, (last, allowed)
    for spam in ("Traceback", "site-packages", "raise ", "\nE   ", "During handling", "Call log"):
        assert spam not in out, spam
