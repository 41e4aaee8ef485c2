"""Dates and times as Dutch users read them: stored in UTC, shown in Europe/Amsterdam."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def local_datetime(value: dt.datetime | None) -> str:
    """Show a UTC datetime in Amsterdam time, Dutch style."""
    if value is None:
        return ""
    return value.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")


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
