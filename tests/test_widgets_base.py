"""The shared explorer base: what every explorer gets from it."""
from __future__ import annotations

import ipywidgets as W

from gradlib.widgets._base import Dashboard


class _Tiny(Dashboard):
    def __init__(self) -> None:
        super().__init__()
        self.controls = {"beta": W.FloatSlider(description="β (momentum)"),
                         "name": W.Dropdown(options=["a", "b"], description="optimizer"),
                         "bare": W.Checkbox()}
        self.updates = 0
        self._wire()

    def update(self) -> None:
        self.updates += 1


def test_labels_are_never_cut_to_the_default_width(closing) -> None:
    dash = _Tiny()
    closing(dash)
    assert dash.controls["beta"].style.description_width == "initial"
    assert dash.controls["name"].style.description_width == "initial"
    assert dash.controls["bare"].style.description_width == ""   # no label, nothing to size


def test_hold_updates_once(closing) -> None:
    dash = _Tiny()
    closing(dash)
    before = dash.updates
    with dash.hold():
        dash.controls["beta"].value = 0.5
        dash.controls["name"].value = "b"
    assert dash.updates == before + 1
    dash.controls["beta"].value = 0.25
    assert dash.updates == before + 2


def test_close_frees_every_control(closing) -> None:
    dash = _Tiny()
    dash.close()
    assert all(c.comm is None for c in dash.controls.values())
