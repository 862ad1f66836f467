"""The loss-curves explorer: controls drive practice.loss_curves; the status line reads it."""
from __future__ import annotations

import numpy as np
import pytest

from gradlib import practice
from gradlib.widgets.practice import CurvesExplorer, describe


def test_controls_move_the_lines_to_the_runs_numbers(closing) -> None:
    dash = CurvesExplorer(epochs=20)
    closing(dash)
    ref = practice.loss_curves(0.3, 32, 0.0, epochs=20)
    np.testing.assert_allclose(dash.train_line.get_ydata(), ref.train)
    dash.controls["lr"].value = 0.001
    slow = practice.loss_curves(0.001, 32, 0.0, epochs=20)
    np.testing.assert_allclose(dash.val_line.get_ydata(), slow.val)
    assert "too low" in dash.status.value


def test_status_names_each_regime() -> None:
    assert "too high" in describe(practice.loss_curves(100.0, epochs=10))
    assert "generalization gap" in describe(practice.loss_curves(0.3, epochs=40))
    with pytest.raises(ValueError, match="batch_size must be one of"):
        CurvesExplorer(batch_size=7)
