"""The repository's own files: one source of dependencies, two commands, clean notebooks."""
from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CHECK = "# NBVAL_CHECK_OUTPUT"


def _name(requirement: str) -> str:
    return re.split(r"[ <>=!~\[;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_installs_exactly_the_pyproject_package() -> None:
    """environment.yml brings python + pip and installs the package itself, so the dependencies
    are pyproject's by construction; any package listed there besides must also be in pyproject.
    (binder/environment.yml, which repo2docker reads instead, is checked in tests/test_binder.py.)"""
    declared = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    for extra in PYPROJECT["project"]["optional-dependencies"].values():
        declared |= {_name(r) for r in extra}
    for path in [ROOT / "environment.yml"]:
        env = yaml.safe_load(path.read_text())
        deps = env["dependencies"]
        conda = [d for d in deps if isinstance(d, str)]
        assert any(_name(d) == "python" for d in conda), f"{path.name} must pin python"
        python = next(d for d in conda if _name(d) == "python")
        minimum = PYPROJECT["project"]["requires-python"].removeprefix(">=")
        assert minimum in python, f"{path}: python {python!r} disagrees with requires-python {minimum}"
        extra_conda = {_name(d) for d in conda} - {"python", "pip"}
        assert extra_conda <= declared, f"{path} lists {extra_conda - declared}, not in pyproject.toml"
        pip = [d for d in deps if isinstance(d, dict)]
        pip_items = pip[0]["pip"] if pip else []
        for item in pip_items:
            assert not item.startswith("/"), f"{path}: absolute path {item!r}"
            target = re.sub(r"^-e\s+", "", item).strip("\"'")
            if target.startswith("."):  # the package itself, with its extras
                continue
            assert _name(item) in declared, f"{path}: pip entry {item!r} not in pyproject.toml"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    commands = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
                if line.strip() and not line.startswith("#") and not line.startswith(("set ", "cd "))]
    assert commands == ["python3 dev.py test"]
    assert "python3 dev.py test" in readme and "python3 dev.py lab" in readme


def test_every_notebook_is_listed_in_the_readme_and_carries_a_kernelspec() -> None:
    readme = (ROOT / "README.md").read_text()
    assert NOTEBOOKS, "no notebooks found"
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text())
        assert nb["metadata"]["kernelspec"]["name"] == "python3", path.name
        assert path.name in readme, f"{path.name} is missing from the README's notebook table"


def test_notebooks_are_stored_stripped() -> None:
    """Only cells checked by nbval keep outputs (text only); the rest is cleared by
    `python3 dev.py execute`, so diffs stay reviewable and the repository small."""
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text())
        assert path.stat().st_size < 300_000, f"{path.name} is {path.stat().st_size} bytes"
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] != "code":
                continue
            checked = CHECK in "".join(cell["source"])
            if checked:
                assert cell["execution_count"] is not None, f"{path.name} cell {i}: checked but unrun"
            else:
                assert cell["outputs"] == [], f"{path.name} cell {i}: unchecked cell keeps outputs"
            for out in cell["outputs"]:
                assert out["output_type"] != "error", f"{path.name} cell {i}: stored error"
                assert set(out.get("data", {})) <= {"text/plain"}, f"{path.name} cell {i}: rich output"


def test_the_pure_modules_load_no_widget_code():
    """Issue 11's layering: every ``gradlib.experiments*`` module and the renderer's contract
    (``gradlib.scene``) import without ipywidgets, anywidget or pyplot, so the frames are
    testable (and usable) without a widget or a display."""
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    modules = sorted(f"gradlib.{p.stem}" for p in (root / "gradlib").glob("experiments*.py"))
    assert len(modules) >= 9, modules
    code = ("import importlib, sys\n"
            f"for m in {[*modules, 'gradlib.scene']!r}: importlib.import_module(m)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('ipywidgets', 'anywidget', 'ipympl') or m == 'matplotlib.pyplot'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=root)
    assert out.stdout.strip() == "[]", out.stdout
