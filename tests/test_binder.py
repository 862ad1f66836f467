"""Binder / repo2docker without Docker: the files repo2docker reads, and an environment built from
those files alone that runs the course.

What repo2docker does with this repository (its docs, "Where to put configuration files in a
repository" and "postBuild"; its code, repo2docker/buildpacks/base.py and conda/__init__.py):
- a ``binder/`` folder wins: only the files in it are read, so the root ``environment.yml`` (the
  local conda route) and ``pyproject.toml`` are ignored there; ``binder/`` and ``.binder/``
  together are an error;
- ``binder/environment.yml`` selects the conda buildpack (no Dockerfile, Project.toml,
  default.nix, ... beside it); the Python version is read only from an entry ``python=X.Y``
  (regex ``python\\s*=+\\s*([\\d.]*)``): without one repo2docker silently builds its default
  Python; a pip section runs from the file's folder (conda's pip installer uses that folder as
  pip's working directory), so ``-e .`` there would mean ``binder/``;
- the repository is copied in, then, as the notebook user in the repository root,
  ``chmod +x binder/postBuild`` and ``./binder/postBuild``: the script runs by its shebang, and a
  failing command stops the build only if the script says ``set -e``.

The slow half replays that in a fresh virtual environment: Python as pinned, pip, the pip form of
the environment file, then ``./binder/postBuild`` from a copy of the repository with the venv
first on PATH; then two course notebooks run under nbval with that venv's Python. It uses
nothing from the development .venv and no network beyond pip's package index; about 1-1.5
minutes on a busy 2-core machine, most of it postBuild's pip install (--no-cache-dir: nothing is
reused between runs; PIP_NO_COMPILE skips byte-compiling, which halves it).
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
README = (ROOT / "README.md").read_text()

# The binder files this test knows how to honour. Anything else there changes what repo2docker
# builds (Dockerfile, default.nix, Project.toml, runtime.txt: another buildpack; requirements.txt:
# ignored beside environment.yml; apt.txt, start: system packages, a start-up hook) and has to be
# taught to the venv build below before it can be trusted.
HONOURED = {"environment.yml", "postBuild"}
ENV_KEYS = {"name", "channels", "dependencies"}
R2D_PYTHON = re.compile(r"python\s*=+\s*([\d\.]*)")  # repo2docker's CondaBuildPack.PYTHON_REGEX
NOTEBOOKS_RUN = ("01_partial_derivatives.ipynb", "05_second_order_methods.ipynb")
# What the README's Binder and JupyterHub sections promise -> the server extension it needs.
PROMISES = {"urlpath=lab/": "jupyterlab", "urlpath=voila/": "voila.server_extension",
            "git-pull?repo=": "nbgitpuller"}


def _name(requirement: str) -> str:
    return re.split(r"[ <>=!~\[;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _declared() -> set[str]:
    """Every distribution pyproject.toml names: dependencies and all extras."""
    project = PYPROJECT["project"]
    names = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        names |= {_name(r) for r in extra}
    return names


# --- binder/environment.yml read the way a pip-only build can honour it ----------------------
class BinderEnvError(ValueError):
    """binder/environment.yml asks for something a venv built with pip cannot reproduce."""


@dataclass(frozen=True)
class PipPlan:
    python: str              # "X.Y", as repo2docker reads it
    requirements: list[str]  # pip requirements, run from binder/ as conda would


_CONDA_SPEC = re.compile(r"(?:[\w.\-/]+::)?(?P<name>[A-Za-z0-9_.\-]+)\s*(?P<spec>.*)")


def _conda_to_pip(name: str, spec: str, entry: str) -> str:
    """``numpy`` -> ``numpy``; ``numpy=1.26`` (conda: 1.26.*) -> ``numpy==1.26.*``;
    ``numpy>=1.26,<3`` and ``numpy==1.26.4`` unchanged. Build strings and spaces are refused."""
    spec = spec.strip()
    if not spec:
        return name
    if re.fullmatch(r"=[\w.]+", spec):
        return f"{name}=={spec[1:].removesuffix('.*')}.*"
    if re.fullmatch(r"(?:(?:==|>=|<=|!=|<|>)[\w.*]+)(?:,(?:==|>=|<=|!=|<|>)[\w.*]+)*", spec):
        return name + spec
    raise BinderEnvError(f"binder/environment.yml: cannot translate the conda spec {entry!r} to "
                         "pip (build strings and space-separated versions have no pip form); "
                         "write it as name, name=X.Y or name>=X.Y")


def pip_plan(env: object, declared: set[str]) -> PipPlan:
    """The pip form of an environment file, or BinderEnvError naming the entry and the fix."""
    if not isinstance(env, dict):
        raise BinderEnvError(f"binder/environment.yml must be a mapping, got {type(env).__name__}")
    unknown = set(env) - ENV_KEYS
    if unknown:
        raise BinderEnvError(f"binder/environment.yml: keys {sorted(unknown)} are not honoured by "
                             f"the venv build (it knows {sorted(ENV_KEYS)})")
    python, requirements = None, []
    for dep in env.get("dependencies") or []:
        if isinstance(dep, dict) and set(dep) == {"pip"}:
            for item in dep["pip"] or []:
                target = re.sub(r"^(-e|--editable)[\s=]+", "", item.strip()).strip("\"'")
                if target.startswith((".", "/", "-", "file:")):
                    raise BinderEnvError(
                        f"binder/environment.yml: pip entry {item!r} is local or an option; conda "
                        "runs this pip section from binder/, so '.' would mean binder/ - install "
                        "the package in binder/postBuild (run from the repository root)")
                if _name(item) not in declared:
                    raise BinderEnvError(
                        f"binder/environment.yml: pip entry {item!r} is not in pyproject.toml, "
                        "the single list of dependencies; add it there")
                requirements.append(item.strip())
            continue
        if not isinstance(dep, str):
            raise BinderEnvError(f"binder/environment.yml: dependency {dep!r} is neither a conda "
                                 "package nor a 'pip:' list")
        match = _CONDA_SPEC.fullmatch(dep.strip())
        name = match["name"].lower() if match else dep
        if name == "python":
            pin = R2D_PYTHON.match(dep.strip())
            if not pin or pin[1].count(".") < 1 or not re.fullmatch(r"\d+\.\d+(\.\d+)*", pin[1]):
                raise BinderEnvError(
                    f"binder/environment.yml: {dep!r} - repo2docker reads the Python version only "
                    "from python=X.Y (anything else silently gives its default Python); write "
                    "python=X.Y")
            python = ".".join(pin[1].split(".")[:2])
        elif name == "pip":
            requirements.insert(0, _conda_to_pip("pip", match["spec"], dep))
        elif match and _name(name) in declared:
            requirements.append(_conda_to_pip(name, match["spec"], dep))
        else:
            raise BinderEnvError(
                f"binder/environment.yml: {dep!r} is a conda-only package here (not in "
                "pyproject.toml), which the venv build cannot honour; use its PyPI name in "
                "pyproject.toml, or teach tests/test_binder.py how to provide it")
    if python is None:
        raise BinderEnvError("binder/environment.yml must pin python=X.Y (repo2docker otherwise "
                             "builds its default Python, whatever pyproject.toml requires)")
    return PipPlan(python, requirements)


def _binder_env() -> object:
    return yaml.safe_load((BINDER / "environment.yml").read_text())


# --- static: the files repo2docker reads --------------------------------------------------
def test_repo2docker_reads_the_binder_folder_and_only_files_the_venv_build_honours() -> None:
    assert BINDER.is_dir(), "binder/ is missing: repo2docker would build from the root files"
    assert not (ROOT / ".binder").exists(), "binder/ and .binder/ together make repo2docker fail"
    present = {p.name for p in BINDER.iterdir()}
    assert present == HONOURED, (
        f"binder/ holds {sorted(present)}, expected {sorted(HONOURED)}: "
        f"new {sorted(present - HONOURED)} would change the image (another buildpack, apt "
        f"packages, a start hook) and tests/test_binder.py must learn to honour them; "
        f"missing {sorted(HONOURED - present)}")


def test_binder_environment_pins_a_python_that_pyproject_accepts() -> None:
    plan = pip_plan(_binder_env(), _declared())  # BinderEnvError says which entry and why
    requires = SpecifierSet(PYPROJECT["project"]["requires-python"])
    assert Version(plan.python) in requires, (
        f"binder/environment.yml makes repo2docker build Python {plan.python}, but pyproject.toml "
        f"requires-python is {requires}: postBuild's pip install would refuse the package")


@pytest.mark.parametrize("deps, match", [
    (["python=3.11", "pip", "cudatoolkit=11.8"], r"'cudatoolkit=11.8' is a conda-only package"),
    (["python>=3.11", "pip"], r"only\s+from python=X.Y"),
    (["python=3", "pip"], r"only\s+from python=X.Y"),
    (["pip"], r"must pin python=X.Y"),
    (["python=3.11", "numpy=1.26=py311_0"], r"cannot translate the conda spec"),
    (["python=3.11", {"pip": ["-e ."]}], r"'-e \.' is local.*binder/postBuild"),
    (["python=3.11", {"pip": ["requests-oauthlib"]}], r"not in pyproject.toml"),
    (["python=3.11", {"conda": ["x"]}], r"neither a conda package nor a 'pip:' list"),
])
def test_what_a_venv_cannot_honour_is_refused_by_name(deps: list, match: str) -> None:
    with pytest.raises(BinderEnvError, match=match):
        pip_plan({"name": "gradlib", "dependencies": deps}, _declared())


def test_variables_and_other_conda_keys_are_refused_by_name() -> None:
    with pytest.raises(BinderEnvError, match=r"\['variables'\] are not honoured"):
        pip_plan({"dependencies": ["python=3.11"], "variables": {"A": "1"}}, _declared())


def test_conda_entries_that_pyproject_declares_become_pip_requirements() -> None:
    env = {"channels": ["conda-forge"],
           "dependencies": ["python=3.11.4", "conda-forge::numpy=1.26", "scipy>=1.11,<2",
                            "pip=24", {"pip": ["sympy>=1.12"]}]}
    assert pip_plan(env, _declared()) == PipPlan(
        "3.11", ["pip==24.*", "numpy==1.26.*", "scipy>=1.11,<2", "sympy>=1.12"])


def _postbuild_commands() -> list[list[str]]:
    lines = (BINDER / "postBuild").read_text().splitlines()[1:]
    return [shlex.split(line, comments=True) for line in lines if shlex.split(line, comments=True)]


def test_postbuild_is_an_executable_script_that_stops_at_the_first_error() -> None:
    path = BINDER / "postBuild"
    raw = path.read_bytes()
    assert b"\r" not in raw, "binder/postBuild has CRLF line endings: its shebang would not run"
    shebang = raw.decode().splitlines()[0]
    assert shebang.startswith("#!"), f"binder/postBuild must start with a shebang, not {shebang!r}"
    interpreter = shebang[2:].split()
    assert interpreter and Path(interpreter[0]).is_absolute(), f"shebang {shebang!r}"
    assert interpreter[0] == "/usr/bin/env" or Path(interpreter[0]).name in {"bash", "sh"}, (
        f"binder/postBuild's shebang {shebang!r}: repo2docker's docs ask for #!/bin/bash")
    assert os.access(path, os.X_OK), "binder/postBuild is not executable (chmod +x)"
    if (ROOT / ".git").exists() and shutil.which("git"):  # a fresh clone gets git's mode
        staged = subprocess.run(["git", "ls-files", "-s", "binder/postBuild"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout
        assert not staged or staged.startswith("100755"), (
            f"git records binder/postBuild as {staged.split()[0]}: a fresh clone gets a script "
            "that does not run; git update-index --chmod=+x binder/postBuild")
    first = _postbuild_commands()[0]
    assert first[0] == "set" and any(o.startswith("-") and "e" in o for o in first[1:]), (
        f"binder/postBuild's first command is {' '.join(first)!r}; without 'set -e' first, "
        "repo2docker carries on after a failing command")


def test_postbuild_installs_the_package_from_the_repository_root() -> None:
    extras_known = set(PYPROJECT["project"]["optional-dependencies"])
    installs = []
    for words in _postbuild_commands():
        if "install" not in words or not ({"pip", "pip3"} & set(words)):
            continue
        for word in words[words.index("install") + 1:]:
            local = re.fullmatch(r"\.(?:/)?(?:\[(?P<extras>[\w,\-]+)\])?", word)
            if local:
                installs.append(set(filter(None, (local["extras"] or "").split(","))))
    assert installs, ("binder/postBuild does not pip install the package ('.' or -e '.[...]' "
                      "from the repository root), so Binder would lack gradlib")
    for extras in installs:
        assert extras <= extras_known, (f"binder/postBuild asks for extras {sorted(extras)}; "
                                        f"pyproject.toml has {sorted(extras_known)} (pip only "
                                        "warns on an unknown extra)")


def test_readme_binder_links_open_files_that_exist() -> None:
    links = re.findall(r"mybinder\.org/v2/gh/\S+?\?urlpath=(lab/tree|voila/render)/([^\s`)]+)",
                       README)
    assert links, "no mybinder.org links with urlpath=lab/tree or voila/render in the README"
    for _, target in links:
        assert (ROOT / target).exists(), f"README's Binder link opens {target}, which is missing"


# --- the environment built from binder/ alone ------------------------------------------------
@dataclass(frozen=True)
class BinderBuild:
    repo: Path    # the repository copy the image would hold
    venv: Path
    python: Path  # the venv's interpreter
    env: dict     # the clean environment every command runs with
    logs: Path


def _repository_files() -> list[str]:
    """What a commit of the working tree would hold: tracked plus untracked-but-not-ignored."""
    if (ROOT / ".git").exists() and shutil.which("git"):
        listing = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
        out = subprocess.run(listing, cwd=ROOT, capture_output=True, check=True).stdout
        return [f for f in out.decode().split("\0") if f and (ROOT / f).is_file()]
    skip = {".git", ".venv", "__pycache__", "build", ".pytest_cache", ".hypothesis",
            ".ipynb_checkpoints", "handouts", "slides"}
    return [str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file()
            and not skip & set(p.relative_to(ROOT).parts) and ".egg-info" not in str(p)]


def _interpreter(minor: str) -> str | None:
    if f"{sys.version_info.major}.{sys.version_info.minor}" == minor:
        return sys.executable
    return shutil.which(f"python{minor}")


def _clean_env(venv: Path, home: Path) -> dict:
    """This process's environment minus everything that could leak the development .venv or the
    user's Python/Jupyter setup in; pip's own index settings stay (they are the package index)."""
    leaky = ("PYTHON", "VIRTUAL_ENV", "CONDA", "JUPYTER", "IPYTHON", "MPL", "PIP_USER",
             "PIP_TARGET", "PIP_PREFIX", "PIP_REQUIRE_VIRTUALENV")
    env = {k: v for k, v in os.environ.items() if not k.startswith(leaky)}
    dev_venv = str(ROOT / ".venv")
    path = [p for p in env.get("PATH", os.defpath).split(os.pathsep) if not p.startswith(dev_venv)]
    env.update(
        PATH=os.pathsep.join([str(venv / "bin"), *path]), VIRTUAL_ENV=str(venv),
        PYTHONNOUSERSITE="1",    # nothing from ~/.local
        PIP_NO_COMPILE="1",      # no .pyc at install time (Python compiles on import): ~2x faster
        JUPYTER_CONFIG_DIR=str(home / ".jupyter"), JUPYTER_DATA_DIR=str(home / "jupyter-data"),
        IPYTHONDIR=str(home / ".ipython"), MPLCONFIGDIR=str(home / "matplotlib"))
    return env


def _run(cmd: list[str], *, cwd: Path, env: dict, log: Path, timeout: float) -> str:
    """Run ``cmd``; its output goes to ``log``; a failure shows the log's tail and where it is."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=timeout)
        out, code = proc.stdout, proc.returncode
    except subprocess.TimeoutExpired as e:
        out = e.stdout if isinstance(e.stdout, str) else (e.stdout or b"").decode()
        code = f"timeout after {timeout:.0f} s"
    log.write_text(f"$ {shlex.join(cmd)}  (in {cwd}, {time.perf_counter() - start:.1f} s)\n{out}")
    if code != 0:
        tail = "\n".join(out.splitlines()[-40:])
        pytest.fail(f"{shlex.join(cmd)} failed ({code}) in {cwd}; full log {log}:\n{tail}",
                    pytrace=False)
    return out


@pytest.fixture(scope="module")
def binder_build(tmp_path_factory: pytest.TempPathFactory) -> BinderBuild:
    """A venv built the way repo2docker builds the image, from a copy of the repository."""
    plan = pip_plan(_binder_env(), _declared())
    base = _interpreter(plan.python)
    if base is None:
        pytest.skip(f"binder/environment.yml pins python={plan.python} and no python{plan.python} "
                    "is on PATH here; install it (or run the tests with it) to build the Binder "
                    "environment")
    work = tmp_path_factory.mktemp("binder")
    repo, venv, logs, home = work / "repo", work / "venv", work / "logs", work / "home"
    logs.mkdir()
    home.mkdir()
    for rel in _repository_files():  # what repo2docker copies into the image
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, repo / rel)
    env = _clean_env(venv, home)
    python = venv / "bin" / "python"
    _run([base, "-m", "venv", str(venv)], cwd=work, env=env, log=logs / "venv.log", timeout=300)
    # environment.yml: python (the venv), pip, then its pip form, run from binder/ as conda does.
    if plan.requirements:
        pip = [str(python), "-m", "pip", "install", "--upgrade", *plan.requirements]
        _run(pip, cwd=repo / "binder", env=env, log=logs / "environment.log", timeout=1200)
    postbuild = repo / "binder" / "postBuild"
    postbuild.chmod(postbuild.stat().st_mode | 0o111)  # repo2docker: chmod +x, then ./postBuild
    _run(["./binder/postBuild"], cwd=repo, env=env, log=logs / "postBuild.log", timeout=1800)
    return BinderBuild(repo, venv, python, env, logs)


def test_postbuild_installed_gradlib_into_the_fresh_environment(binder_build: BinderBuild) -> None:
    b = binder_build
    code = ("import importlib.metadata as m, sys, gradlib; "
            "print(sys.prefix); print(gradlib.__file__); print(m.version('gradlib'))")
    # from a folder outside the repository, so gradlib comes from the install, not the cwd
    prefix, where, version = _run([str(b.python), "-c", code], cwd=b.logs, env=b.env,
                                  log=b.logs / "import.log", timeout=120).split()
    assert Path(prefix) == b.venv, f"the venv's python runs in {prefix}, not {b.venv}"
    assert Path(where).is_relative_to(b.repo / "gradlib"), f"gradlib imported from {where}"
    assert version == PYPROJECT["project"]["version"]


def test_the_binder_environment_has_no_broken_requirements(binder_build: BinderBuild) -> None:
    b = binder_build
    out = _run([str(b.python), "-m", "pip", "check"], cwd=b.repo, env=b.env,
               log=b.logs / "pip-check.log", timeout=300)
    assert "No broken requirements" in out, out


def test_the_readme_links_find_their_server_extensions(binder_build: BinderBuild) -> None:
    """Binder opens urlpath=lab/... and voila/render/...; a hub image built by repo2docker from
    this repository serves nbgitpuller's git-pull links: each needs its extension enabled."""
    b = binder_build
    needed = sorted({ext for promise, ext in PROMISES.items() if promise in README})
    assert "jupyterlab" in needed, "the README has no urlpath=lab/ Binder link any more"
    # enabled in the environment's own config (as in the image), and valid as jupyter_server
    # checks it at start-up (importable, with extension points)
    code = ("import sys; from jupyter_server.extension.config import ExtensionConfigManager as M; "
            "from jupyter_server.extension.manager import ExtensionPackage as P; "
            "on = M(read_config_path=[sys.prefix + '/etc/jupyter']).get_jpserver_extensions(); "
            f"print(' '.join(n for n in {needed!r} if on.get(n) and P(name=n).validate()))")
    out = _run([str(b.python), "-c", code], cwd=b.logs, env=b.env,
               log=b.logs / "extensions.log", timeout=300)
    assert out.split() == needed, f"enabled in the venv: {out.split()}; the README needs {needed}"


def test_course_notebooks_run_in_the_binder_environment(binder_build: BinderBuild) -> None:
    b = binder_build
    has = subprocess.run([str(b.python), "-c", "import pytest, nbval"], env=b.env,
                         capture_output=True).returncode == 0
    assert has, ("the Binder environment has no pytest/nbval: binder/postBuild no longer installs "
                 "the [test] extra; run these notebooks with nbclient here instead")
    notebooks = [f"notebooks/{name}" for name in NOTEBOOKS_RUN]
    out = _run([str(b.python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
                "--nbval-current-env", *notebooks], cwd=b.repo, env=b.env,
               log=b.logs / "notebooks.log", timeout=900)
    passed = re.search(r"(\d+) passed", out)
    assert passed and int(passed[1]) >= len(notebooks), out[-2000:]
    assert not re.search(r"\d+ (failed|error|skipped)", out), out[-2000:]
