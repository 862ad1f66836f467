#!/usr/bin/env python3
"""Set up gradlib in a local virtual environment, then open JupyterLab or run the tests.

    python3 dev.py lab            # set up (first time only) and open JupyterLab on notebooks/
    python3 dev.py test [ARGS]    # set up (first time only) and run the whole test suite
    python3 dev.py test notebooks/01_partial_derivatives.ipynb   # one notebook's tests
    python3 dev.py execute [NB ...]  # maintainers: re-run notebooks, then keep only checked outputs
    python3 dev.py handouts [NB ...] # static HTML copies in handouts/ (animations play offline)
    python3 dev.py slides [NB ...]   # reveal.js slide decks in slides/ for presenting
    python3 dev.py dashboards        # the explorers as read-only Voila dashboards

Only Python >= 3.11 is needed. The environment lives in .venv/ beside this file; it is
(re)installed only when pyproject.toml changes, so the second run starts at once.
Extra arguments after `test` go to pytest, after `lab` to jupyter lab.

As root (a Docker container, most cloud notebooks) `lab` passes --allow-root, without which
JupyterLab refuses to start, and says so. The browser tests (marker `browser`) need Chromium or
Chrome: $GRADLIB_BROWSER if set, else Playwright's own Chromium, one on PATH or in the usual
install folders, else one they install (Debian's as root on Debian, else Playwright's download;
GRADLIB_BROWSER_INSTALL=0 turns that off). If there is none, they fail with what to install, and
`python3 dev.py test -m "not browser"` runs everything else.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".gradlib-installed"


def _fingerprint() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def setup() -> None:
    """Create .venv and install gradlib with its test extras, unless already up to date."""
    if sys.version_info < (3, 11):
        sys.exit(f"gradlib needs Python >= 3.11; this is {sys.version.split()[0]}")
    if not PYTHON.exists():
        print(f"[dev] creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if STAMP.exists() and STAMP.read_text() == _fingerprint():
        return
    print("[dev] installing gradlib and its dependencies (first run only)", flush=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(_fingerprint())


def is_root() -> bool:
    """True when running with root's user id (never on Windows, which has no ``os.geteuid``)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


ROOT_NOTE = ("[dev] you are root (as in most Docker containers and cloud notebooks), and JupyterLab "
             "refuses to start as root unless told to: passing --allow-root. On a shared machine, "
             "run it as a normal user instead.")


def lab_command(extra: list[str], root: bool) -> list[str]:
    """The ``jupyter lab`` command line: notebooks/ as its folder, ``--allow-root`` added when
    ``root`` (unless the caller already passed it), then the caller's ``extra`` arguments."""
    command = [str(BIN / "jupyter"), "lab", f"--notebook-dir={ROOT / 'notebooks'}"]
    if root and "--allow-root" not in extra:
        command.append("--allow-root")
    return command + extra


def run_in_place(command: list[str], env: dict[str, str]) -> int:
    """Run ``command`` in ROOT. On POSIX this process becomes it (exec), so signals reach the
    server itself: Ctrl-C, and the SIGTERM of `docker stop` when dev.py is a container's first
    process. Windows has no exec, so there it runs as a child and its exit code is returned."""
    if os.name == "posix":
        os.chdir(ROOT)
        os.execve(command[0], command, env)
    return subprocess.call(command, cwd=ROOT, env=env)


CHECK = "# NBVAL_CHECK_OUTPUT"


def strip(paths: list[Path]) -> None:
    """Keep a notebook small and its diff reviewable: only cells marked NBVAL_CHECK_OUTPUT keep
    their (text) outputs and execution counts, which nbval compares; everything else is cleared."""
    import json
    for path in paths:
        nb = json.loads(path.read_text())
        nb["metadata"].setdefault("kernelspec", {"display_name": "Python 3", "language": "python",
                                                 "name": "python3"})
        nb["metadata"].pop("widgets", None)
        for cell in nb["cells"]:
            cell.get("metadata", {}).pop("execution", None)
            if cell["cell_type"] != "code":
                continue
            if CHECK in "".join(cell["source"]):
                cell["outputs"] = [o for o in cell["outputs"] if o["output_type"] in ("stream", "execute_result", "error")
                                   or "text/plain" in o.get("data", {})]
                for o in cell["outputs"]:
                    if "data" in o:
                        o["data"] = {k: v for k, v in o["data"].items() if k == "text/plain"}
            else:
                cell["outputs"], cell["execution_count"] = [], None
        path.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n")   # as JupyterLab saves


def execute(paths: list[Path]) -> int:
    """Execute notebooks in place (so checked cells get fresh reference outputs), then strip."""
    for path in paths:
        print(f"[dev] executing {path.name}", flush=True)
        code = subprocess.call([str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
                                "--inplace", "--ExecutePreprocessor.timeout=600", str(path)], cwd=ROOT)
        if code:
            return code
    strip(paths)
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"lab", "test", "setup", "execute", "handouts", "slides", "dashboards"}:
        print(__doc__)
        return 2
    command, extra = argv[0], argv[1:]
    setup()
    env = dict(os.environ, PYTHONHASHSEED="0")
    if command == "setup":
        return 0
    if command == "execute":
        paths = [Path(p).resolve() for p in extra] or sorted((ROOT / "notebooks").glob("*.ipynb"))
        return execute(paths)
    if command == "handouts":
        return subprocess.call([str(PYTHON), "-m", "gradlib.handouts", str(ROOT / "notebooks"),
                                str(ROOT / "handouts"), *extra], cwd=ROOT, env=env)
    if command == "slides":
        names = extra or sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
        return subprocess.call([str(PYTHON), "-m", "gradlib.slides",
                                *[str(ROOT / "notebooks" / Path(n).name) for n in names],
                                str(ROOT / "slides")], cwd=ROOT, env=env)
    if command == "dashboards":
        return subprocess.call([str(BIN / "voila"), str(ROOT / "dashboards"), *extra],
                               cwd=ROOT, env=env)
    if command == "lab":
        root = is_root()
        if root and "--allow-root" not in extra:
            print(ROOT_NOTE, flush=True)
        return run_in_place(lab_command(extra, root), env)
    return subprocess.call([str(PYTHON), "-m", "pytest", *extra], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
