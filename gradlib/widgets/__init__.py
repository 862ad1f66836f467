"""ipywidgets dashboards ("explorers"). Each is thin: controls wired to tested gradlib functions.

Every dashboard has ``controls`` (name -> control), ``figure`` and displays itself; setting a
control's ``value`` updates the figure synchronously by moving existing artists.
"""
from __future__ import annotations

from ._base import Dashboard, new_figure

__all__ = ["Dashboard", "new_figure"]
