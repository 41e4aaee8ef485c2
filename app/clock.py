"""The app's clock. Tests of whole journeys can move it forward instead of sleeping.

Outside production, the setting TEST_CLOCK_FILE may name a file holding a number of seconds
to add to the real time; a browser test writes it to let study time pass.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import current_app, has_app_context

from .models import utcnow


def now() -> dt.datetime:
    """The current time in UTC, moved forward by the test clock where one is configured."""
    current = utcnow()
    if not has_app_context() or current_app.config.get("PRODUCTION"):
        return current
    clock_file = current_app.config.get("TEST_CLOCK_FILE")
    if not clock_file:
        return current
    try:
        offset = float(Path(clock_file).read_text().strip() or 0)
    except (OSError, ValueError):
        offset = 0.0
    return current + dt.timedelta(seconds=offset)
