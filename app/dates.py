"""Dates and times as Dutch users read them: stored in UTC, shown in Europe/Amsterdam."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]


def local_date(value: dt.date | dt.datetime | None) -> str:
    """Show a date as '25 november 2026'."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(AMSTERDAM).date()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def local_datetime(value: dt.datetime | None) -> str:
    """Show a UTC datetime in Amsterdam time as '17 november 2026 om 14:03'."""
    if value is None:
        return ""
    local = value.astimezone(AMSTERDAM)
    return f"{local_date(local)} om {local:%H:%M}"
