"""The course notebooks are stored exactly as JupyterLab saves them (nbformat's serialization).

Why it matters on a JupyterHub: nbgitpuller merges the instructor's updates into each learner's
copy with git. If the stored form differed from JupyterLab's, a learner's first save would
rewrite the whole file, every later update to that notebook would conflict with it, and
nbgitpuller (which resolves conflicts in the learner's favour) would silently drop the update.
Fast; not marked ``hub``.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "dashboards").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_as_jupyterlab_saves_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    canonical = nbformat.writes(nbformat.reads(text, as_version=4)) + "\n"
    assert text == canonical, (f"{path.name} is not in nbformat's serialization; rewrite it with "
                               "nbformat.write (or save it in JupyterLab) so learners' saves diff cleanly")
