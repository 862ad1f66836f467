#!/usr/bin/env python3
"""Set up gradlib in a local virtual environment, then open JupyterLab or run the tests.

    python3 dev.py lab            # set up (first time only) and open JupyterLab on notebooks/
    python3 dev.py test [ARGS]    # set up (first time only) and run the whole test suite
    python3 dev.py test notebooks/01_partial_derivatives.ipynb   # one notebook's tests

Only Python >= 3.11 is needed. The environment lives in .venv/ beside this file; it is
(re)installed only when pyproject.toml changes, so the second run starts at once.
Extra arguments after `test` go to pytest, after `lab` to jupyter lab.
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


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"lab", "test", "setup"}:
        print(__doc__)
        return 2
    command, extra = argv[0], argv[1:]
    setup()
    env = dict(os.environ, PYTHONHASHSEED="0")
    if command == "setup":
        return 0
    if command == "lab":
        return subprocess.call([str(BIN / "jupyter"), "lab", f"--notebook-dir={ROOT / 'notebooks'}",
                                *extra], cwd=ROOT, env=env)
    return subprocess.call([str(PYTHON), "-m", "pytest", *extra], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
